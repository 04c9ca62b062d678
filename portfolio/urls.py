from django.urls import path

from portfolio import grant_views, views

app_name = "portfolio"

urlpatterns = [
    path("", views.initiative_list, name="initiative_list"),
    path("new/", views.initiative_create, name="initiative_create"),
    path("<int:pk>/", views.initiative_detail, name="initiative_detail"),
    path("<int:pk>/edit/", views.initiative_update, name="initiative_update"),
    path("<int:pk>/decision/", views.initiative_transition, name="initiative_transition"),
    path("<int:pk>/status/new/", views.status_report_create, name="status_report_create"),
    path("<int:pk>/funding/new/", views.funding_line_create, name="funding_line_create"),
    path("<int:pk>/benefits/new/", views.benefit_create, name="benefit_create"),
    path("<int:pk>/benefits/value/", views.benefit_value_create, name="benefit_value_create"),
    path("status/<int:pk>/pdf/", views.status_report_pdf, name="status_report_pdf"),
    path("rollouts/", views.rollout_matrix, name="rollout_matrix"),
    path("rollouts/dashboard/", views.rollout_dashboard, name="rollout_dashboard"),
    path("rollouts/<int:solution>/<int:organisation>/", views.adoption_update, name="adoption_update"),
    path("services/", views.offering_list, name="offering_list"),
    path("ideas/", views.suggestion_list, name="suggestion_list"),
    path("ideas/new/", views.suggestion_create, name="suggestion_create"),
    path("ideas/<int:pk>/", views.suggestion_detail, name="suggestion_detail"),
    path("ideas/<int:pk>/support/", views.suggestion_support, name="suggestion_support"),
    path("ideas/<int:pk>/assess/", views.suggestion_triage, name="suggestion_triage"),
    path("grants/", grant_views.grant_list, name="grant_list"),
    path("grants/new/", grant_views.grant_create, name="grant_create"),
    path("grants/<int:pk>/", grant_views.grant_detail, name="grant_detail"),
    path("grants/<int:pk>/edit/", grant_views.grant_update, name="grant_update"),
    path("grants/<int:pk>/send/", grant_views.grant_submit, name="grant_submit"),
    path("grants/<int:pk>/decision/", grant_views.grant_award, name="grant_award"),
    path("grants/<int:pk>/report/", grant_views.grant_report, name="grant_report"),
    path("grants/<int:pk>/report/file/", grant_views.grant_report_submit, name="grant_report_submit"),
    path("grants/<int:pk>/report.pdf", grant_views.grant_report_pdf, name="grant_report_pdf"),
    path("grants/<int:pk>/report.csv", grant_views.grant_report_csv, name="grant_report_csv"),
]
