from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from core import dev_mail, views
from core.dashboard import dashboard
from core.throttle import PasswordResetView
from members import verify_views
from members import views as member_views

urlpatterns = [
    path("", dashboard, name="dashboard"),
    path("members/", include("members.urls")),
    path("funding/", include("funding.urls")),
    # Portfolio
    path("portfolio/", include("portfolio.urls")),
    # Governance: bodies, meetings, cases and minutes
    path("governance/", include("governance.urls")),
    # The network's year: the annual cycle, calendar feeds, actual figures and the annual report
    path("year/", include("annual.urls")),
    # The password step, then the second step for the secretariat (core.two_factor).
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/login/code/", views.otp_verify, name="otp_verify"),
    path("accounts/login/authenticator/", views.otp_setup, name="otp_setup"),
    # Sign-in through OpenID Connect (core/oidc.py): ID-porten, and the host's own provider for the secretariat.
    path("accounts/idporten/", views.idporten_login, name="idporten_login"),
    path("accounts/idporten/callback/", views.idporten_callback, name="idporten_callback"),
    path("accounts/staff/", views.staff_login, name="staff_login"),
    path("accounts/staff/callback/", views.staff_callback, name="staff_callback"),
    path("accounts/mail/", views.mail_preferences, name="mail_preferences"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path(
        "accounts/password/reset/",
        PasswordResetView.as_view(
            email_template_name="emails/password-reset-body.txt",
            html_email_template_name="emails/password-reset-body.html",
            subject_template_name="emails/password-reset-subject.txt",
        ),
        name="password_reset",
    ),
    path("accounts/password/reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "accounts/password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("i18n/setlang/", member_views.set_language, name="set_language"),
    # Public statements, linked from every page's footer.
    path("accessibility/", views.accessibility_statement, name="accessibility_statement"),
    path("privacy/", member_views.privacy, name="privacy"),
    path("verify/", verify_views.verify, name="verify"),
    path("admin/", admin.site.urls),
    # Development: the mails the portal wrote to files (404 unless DEBUG is on).
    path("dev/mail/", dev_mail.mail_list, name="dev_mail_list"),
    path("dev/mail/<str:name>", dev_mail.mail_detail, name="dev_mail_detail"),
]

# Error pages in the portal's layout and the reader's language.
handler400 = "core.views.bad_request"
handler403 = "core.views.permission_denied"
handler404 = "core.views.page_not_found"
handler500 = "core.views.server_error"

# Operations: a plain liveness check for load balancers, monitoring and the load benchmark.
urlpatterns += [path("healthz", views.health, name="health")]
# Stored documents (MEDIA_ROOT) have no URL of their own, on any setting: each is served by a view that asks
# the policy (invoice_pdf, agreement_document, attachment_download, ...).
