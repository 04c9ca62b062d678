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
    path("<int:pk>/invoicing/", views.invoicing_update, name="invoicing_update"),
    path("<int:pk>/people/new/", views.person_create, name="person_create"),
    path("<int:pk>/people/<int:person_pk>/", views.person_update, name="person_update"),
    path("<int:pk>/people/<int:person_pk>/remove/", views.person_remove, name="person_remove"),
]

from members import agreement_views, register_views  # noqa: E402

urlpatterns += [
    path("register/", register_views.register_import, name="register_import"),
    path("register/apply/", register_views.register_apply, name="register_apply"),
    path("<int:pk>/withdraw/", agreement_views.organisation_withdraw, name="organisation_withdraw"),
    path("agreements/", agreement_views.agreement_list, name="agreement_list"),
    path("agreements/texts/new/", agreement_views.template_create, name="agreement_template_create"),
    path("agreements/texts/<int:pk>/publish/", agreement_views.template_publish, name="agreement_template_publish"),
    path("agreements/invite/", agreement_views.invite, name="agreement_invite"),
    path("agreements/link/<str:token>/", agreement_views.agreement_link, name="agreement_link"),
    path("agreements/<int:pk>/", agreement_views.agreement_detail, name="agreement_detail"),
    path("agreements/<int:pk>/document/", agreement_views.agreement_document, name="agreement_document"),
    path("agreements/<int:pk>/sealed/", agreement_views.agreement_sealed, name="agreement_sealed"),
    path("agreements/<int:pk>/sign/", agreement_views.agreement_sign_start, name="agreement_sign_start"),
    path("agreements/<int:pk>/sign/confirm/", agreement_views.agreement_sign_confirm, name="agreement_sign_confirm"),
    path("agreements/<int:pk>/decline/", agreement_views.agreement_decline, name="agreement_decline"),
    # Where ID-porten sends a signer back after the step-up (registered with ID-porten as a redirect URI).
    path("agreements/identified/", agreement_views.agreement_identified, name="agreement_identified"),
]
