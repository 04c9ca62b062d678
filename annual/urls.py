from django.urls import path

from annual import views

app_name = "annual"

urlpatterns = [
    path("", views.cycle, name="cycle"),
    path("<year:year>/", views.cycle, name="cycle_year"),
    path("calendar/", views.calendar, name="calendar"),
    path("calendar/meetings.ics", views.public_feed, name="public_feed"),
    path("calendar/<str:token>.ics", views.private_feed, name="private_feed"),
    path("actuals/<year:year>/", views.actuals, name="actuals"),
    path("actuals/import/", views.actuals_import, name="actuals_import"),
    path("report/<year:year>/", views.report_detail, name="report_detail"),
    path("report/<year:year>/render/", views.report_render, name="report_render"),
    path("report/<year:year>/submit/", views.report_submit, name="report_submit"),
    path("report/<year:year>/arsmelding.pdf", views.report_pdf, name="report_pdf"),
]
