from django.urls import path

from members import views

app_name = "members"

urlpatterns = [
    path("", views.organisation_list, name="organisation_list"),
    path("new/", views.organisation_create, name="organisation_create"),
    path("populations/import/", views.population_import, name="population_import"),
    path("<int:pk>/", views.organisation_detail, name="organisation_detail"),
    path("<int:pk>/edit/", views.organisation_update, name="organisation_update"),
    path("<int:pk>/number/", views.organisation_change_number, name="organisation_change_number"),
    path("<int:pk>/populations/new/", views.population_create, name="population_create"),
]
