from datetime import date
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from core import oidc, two_factor
from core.access import require
from core.forms import OneTimeCodeForm, add_service_error
from core.health import liveness
from core.models import NetworkProfile


class LoginForm(AuthenticationForm):
    """Django's login form, which sets the username's max_length after the field is built and so never checks it:
    a longer name went on to the login throttle, whose record of the attempt cannot hold it (a 500 on the login
    page). The length is checked here, before anyone tries to authenticate."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        username = self.fields["username"]
        assert isinstance(username, forms.CharField)  # Django's login form: a CharField with the model's max_length
        if username.max_length is not None:
            username.validators.append(MaxLengthValidator(username.max_length))


class LoginView(auth_views.LoginView):
    """The password step; the secretariat goes on to the second step (core.two_factor)."""

    form_class = LoginForm

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["idporten"] = oidc.configured(oidc.IDPORTEN)
        context["staff_provider"] = settings.STAFF_OIDC_NAME if oidc.configured(oidc.STAFF) else ""
        return context

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)
        step = two_factor.next_step_url(self.request.user, self.get_success_url())
        return redirect(step) if step else response


def _login_step(request: HttpRequest, name: str) -> tuple[str, HttpResponse | None]:
    """Where the login goes on to (a safe `next`), and a redirect when the user's next step is not this one."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    host, https = {request.get_host()}, request.is_secure()
    if not url_has_allowed_host_and_scheme(target, allowed_hosts=host, require_https=https):
        target = resolve_url(settings.LOGIN_REDIRECT_URL)
    step = two_factor.next_step_url(request.user, target)
    if step is None or not step.startswith(reverse(name)):
        return target, redirect(step or target)
    return target, None


@login_required
def otp_verify(request: HttpRequest) -> HttpResponse:
    """The second login step: a code from the authenticator app or a backup code."""
    next_url, elsewhere = _login_step(request, "otp_verify")
    if elsewhere:
        return elsewhere
    form = OneTimeCodeForm(request.POST or None)
    if form.is_valid():
        try:
            two_factor.code_verify(request=request, token=form.cleaned_data["token"])
        except ValidationError as error:
            add_service_error(form, error)
        else:
            return redirect(next_url)
    return render(request, "registration/otp_verify.html", {"form": form, "next": next_url})


@login_required
def otp_setup(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app (secretariat users without one): scan the QR code, confirm with a code."""
    next_url, elsewhere = _login_step(request, "otp_setup")
    if elsewhere:
        return elsewhere
    device = two_factor.pending_authenticator(request.user)
    form = OneTimeCodeForm(request.POST or None)
    if form.is_valid():
        try:
            codes = two_factor.authenticator_confirm(request=request, device=device, token=form.cleaned_data["token"])
        except ValidationError as error:
            add_service_error(form, error)
        else:
            # The backup codes are shown this once; only their use is stored.
            return render(request, "registration/otp_backup_codes.html", {"codes": codes, "next": next_url})
    context = {
        "form": form,
        "next": next_url,
        "qr_code": mark_safe(two_factor.qr_code_svg(device)),  # noqa: S308 - SVG drawn by segno from our own key
        "secret": two_factor.secret_for_typing(device),
    }
    return render(request, "registration/otp_setup.html", context)


def _safe_next(request: HttpRequest) -> str:
    target = request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = resolve_url(settings.LOGIN_REDIRECT_URL)
    return target


def _provider_login(request: HttpRequest, provider: str) -> HttpResponse:
    """Send the person to the provider to sign in (ID-porten, or the host's own provider for the secretariat)."""
    if not oidc.configured(provider):
        raise Http404
    try:
        return oidc.start(request, provider=provider, purpose={"next": _safe_next(request)})
    except oidc.Refused as refused:
        return _sign_in_refused(request, refused, status=503)


def _provider_callback(request: HttpRequest, provider: str) -> HttpResponse:
    """Back from the provider: a verified ID token signs the matched person in; anything else is refused."""
    if not oidc.configured(provider):
        raise Http404
    try:
        assertion, purpose = oidc.finish(request, provider=provider)
        oidc.sign_in(request, assertion=assertion)
    except oidc.UnknownPerson as refused:
        return _sign_in_refused(request, refused, status=403)
    except oidc.Refused as refused:
        return _sign_in_refused(request, refused, status=400)
    step = two_factor.next_step_url(request.user, purpose.get("next") or resolve_url(settings.LOGIN_REDIRECT_URL))
    return redirect(step or purpose.get("next") or settings.LOGIN_REDIRECT_URL)


def _sign_in_refused(request: HttpRequest, refused: oidc.Refused, *, status: int) -> HttpResponse:
    context = {"message": refused.message, "unknown": isinstance(refused, oidc.UnknownPerson)}
    return render(request, "registration/sign_in_refused.html", context, status=status)


def idporten_login(request: HttpRequest) -> HttpResponse:
    return _provider_login(request, oidc.IDPORTEN)


def idporten_callback(request: HttpRequest) -> HttpResponse:
    return _provider_callback(request, oidc.IDPORTEN)


def staff_login(request: HttpRequest) -> HttpResponse:
    return _provider_login(request, oidc.STAFF)


def staff_callback(request: HttpRequest) -> HttpResponse:
    return _provider_callback(request, oidc.STAFF)


def locked_out(request: HttpRequest, original_response: HttpResponse | None, credentials: dict | None) -> HttpResponse:
    """What a login locked by django-axes sees: why, for how long, and the way out."""
    context = {
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "cooloff_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
    }
    return render(request, "registration/locked_out.html", context, status=429)


# The statements every Norwegian public web solution publishes: accessibility (WCAG 2.1 AA) and privacy.
ACCESSIBILITY_REVIEWED = date(2026, 12, 1)


def controller() -> NetworkProfile | None:
    """The network's legal entity (the host municipality), as its profile names it."""
    return NetworkProfile.objects.order_by("pk").first()


def accessibility_statement(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "core/accessibility_statement.html",
        {"profile": controller(), "reviewed": ACCESSIBILITY_REVIEWED},
    )


def health(request: HttpRequest) -> HttpResponse:
    """For load balancers and monitoring: "ok" when the database answers, 503 when it does not (core/health.py;
    HealthMiddleware answers first, this view is the URL's name for reverse())."""
    return liveness()


def _error_page(request: HttpRequest, status: int, heading: str, explanation: str) -> HttpResponse:
    context = {"status": status, "heading": heading, "explanation": explanation}
    return render(request, "error_page.html", context, status=status)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _error_page(
        request, 400, _("Bad request"), _("The portal could not understand the request. Go back and try again.")
    )


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _error_page(request, 403, _("No access"), _("You do not have access to this page."))


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _error_page(
        request,
        404,
        _("Page not found"),
        _("The page does not exist, or you have no access to it. Check the address or start from the front page."),
    )


def server_error(request: HttpRequest) -> HttpResponse:
    """Rendered without the request's context (no user, session or database), so it works whatever failed."""
    from django.template import loader

    body = loader.get_template("500.html").render({"network_name": settings.NETWORK_NAME})
    return HttpResponse(body, status=500)


class MailPreferencesForm(forms.Form):
    """The mails a person gets: ticked is sent; the ones the law or the account needs are listed, not offered."""

    def __init__(self, *args: Any, declined: set[str], **kwargs: Any) -> None:
        from crispy_forms.helper import FormHelper
        from crispy_forms.layout import Submit

        from core.mail_preferences import MailTopic

        super().__init__(*args, **kwargs)
        self.fields["wanted"] = forms.MultipleChoiceField(
            label=_("Send me a mail when"),
            choices=MailTopic.choices,
            required=False,
            initial=[topic for topic in MailTopic.values if topic not in declined],
            widget=forms.CheckboxSelectMultiple,
        )
        self.helper = FormHelper()
        self.helper.add_input(Submit("save", _("Save")))

    def declined(self) -> list[str]:
        from core.mail_preferences import MailTopic

        return [topic for topic in MailTopic.values if topic not in self.cleaned_data["wanted"]]


@require("mail_preferences.change")
def mail_preferences(request: HttpRequest) -> HttpResponse:
    from django.contrib import messages

    from core.mail_preferences import ALWAYS_SENT, mail_preferences_set, topics_declined

    form = MailPreferencesForm(request.POST or None, declined=topics_declined(request.user))
    if request.method == "POST" and form.is_valid():
        mail_preferences_set(user=request.user, declined=form.declined())
        messages.success(request, _("Your choice of mails is saved."))
        return redirect("mail_preferences")
    return render(request, "core/mail_preferences.html", {"form": form, "always": ALWAYS_SENT})
