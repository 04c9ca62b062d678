import logging
from datetime import date, timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import oidc, policy
from core.access import require
from core.client_ip import client_ip
from core.exports import spreadsheet_response
from core.forms import add_service_error
from core.paging import page_of
from members import agreements, selectors
from members.agreement_forms import (
    AgreementTemplateForm,
    CodeForm,
    CountersignStartForm,
    DeclineForm,
    IdportenSignForm,
    InviteForm,
    SignStartForm,
    WithdrawForm,
)
from members.choices import AgreementStatus
from members.models import Agreement, AgreementTemplate
from members.sealing import SealingError

logger = logging.getLogger(__name__)
SESSION_KEY = "agreement-signing"


def _actor(request: HttpRequest) -> agreements.Actor:
    return agreements.Actor(
        user=request.user,
        ip_address=client_ip(request),  # the client's, not the reverse proxy's (TRUSTED_PROXIES)
        user_agent=request.META.get("HTTP_USER_AGENT", ""),
    )


@require("agreement.view")
def agreement_list(request: HttpRequest) -> HttpResponse:
    shown = selectors.agreement_list(user=request.user)
    status = request.GET.get("status", "")
    if status in AgreementStatus.values:
        shown = shown.filter(status=status)
    if request.GET.get("_export") in ("csv", "xlsx"):
        header = [_("Organisation"), _("Agreement text"), _("Status"), _("Invited"), _("Expires"), _("Completed")]
        rows = [
            [
                i.organisation.name,
                str(i.template),
                i.get_status_display(),
                i.invited_at.date(),
                i.expires_on,
                i.completed_at.date() if i.completed_at else "",
            ]
            for i in shown
        ]
        return spreadsheet_response(request.GET["_export"], "avtaler", header, rows)
    counts = dict.fromkeys(AgreementStatus.values, 0)
    per_status = selectors.agreement_list(user=request.user).order_by().values("status").annotate(n=Count("pk"))
    counts.update({row["status"]: row["n"] for row in per_status})
    can_manage = policy.can(request.user, "agreement.manage")
    page = page_of(request, shown)  # one invitation per member and text: a page of them at a time
    return render(
        request,
        "members/agreement_list.html",
        {
            "agreements": page,
            "page_obj": page,
            "status": status,
            "counts": [(value, label, counts[value]) for value, label in AgreementStatus.choices],
            "templates": AgreementTemplate.objects.select_related("adopted_in_case") if can_manage else [],
            "can_manage": can_manage,
        },
    )


@require("agreement.manage")
def template_create(request: HttpRequest) -> HttpResponse:
    form = AgreementTemplateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The draft was saved. Publish it when it is final."))
        return redirect("members:agreement_list")
    return render(request, "members/organisation_form.html", {"form": form, "title": _("New agreement text")})


@require_POST
@require("agreement.manage")
def template_publish(request: HttpRequest, pk: int) -> HttpResponse:
    template = AgreementTemplate.objects.filter(pk=pk).first()
    if template is None:
        raise Http404
    try:
        agreements.agreement_template_publish(template=template)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(title)s is published and can no longer change.") % {"title": template})
    return redirect("members:agreement_list")


@require("agreement.manage")
def invite(request: HttpRequest) -> HttpResponse:
    form = InviteForm(request.POST or None, initial={"expires_on": timezone.localdate() + timedelta(days=60)})
    if request.method == "POST" and form.is_valid():
        try:
            invited = agreements.agreement_invite(
                template=form.cleaned_data["template"],
                organisations=list(form.cleaned_data["organisations"]),
                expires_on=form.cleaned_data["expires_on"],
                actor=_actor(request),
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("%(count)d invitations were sent.") % {"count": len(invited)})
            return redirect("members:agreement_list")
    return render(request, "members/organisation_form.html", {"form": form, "title": _("Invite to sign")})


def agreement_link(request: HttpRequest, token: str) -> HttpResponse:
    """The link from the invitation email: opening it asks to continue (a mail scanner that fetches the link
    spends nothing); the button uses it, once, and sends the reader to the agreement (after login)."""
    if request.method == "POST":
        try:
            agreement = agreements.agreement_link_open(token=token, actor=_actor(request))
        except ValidationError as error:
            return _link_invalid(request, " ".join(error.messages))
        return redirect(agreement)
    if not agreements.agreement_link_usable(token=token):
        return _link_invalid(request, _("This link has been used or has expired. Log in to find the agreement."))
    return render(request, "members/agreement_link.html")


def _link_invalid(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "members/agreement_link_invalid.html", {"message": message}, status=410)


@require("agreement.view", hidden=True)
def agreement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = selectors.agreement_get(user=request.user, pk=pk)
    agreements.agreement_opened(agreement=agreement, actor=_actor(request))
    agreement.refresh_from_db()
    return _detail_page(request, agreement)


def _signing_rights(request: HttpRequest, agreement: Agreement) -> tuple[bool, bool]:
    """Whether the user may sign for the organisation now, and whether they may countersign for the network now."""
    can_sign = policy.can(request.user, "agreement.sign", agreement) and agreements.agreement_can_sign(agreement)
    can_countersign = policy.can(request.user, "agreement.countersign") and agreements.agreement_can_countersign(
        agreement
    )
    return can_sign, can_countersign


def _detail_page(
    request: HttpRequest, agreement: Agreement, *, bound_start_form: forms.Form | None = None
) -> HttpResponse:
    """The agreement with the forms the user may fill in; a rejected start form comes back with its errors."""
    pending = request.session.get(SESSION_KEY, {})
    idporten = oidc.idporten_configured()
    code_sent = pending.get("agreement") == agreement.pk and not idporten
    can_sign, can_countersign = _signing_rights(request, agreement)
    start_form_class = IdportenSignForm if idporten else SignStartForm
    return render(
        request,
        "members/agreement_detail.html",
        {
            "agreement": agreement,
            "signatures": agreement.signatures.all(),
            "events": agreement.events.select_related("actor") if policy.can(request.user, "agreement.manage") else [],
            "can_sign": can_sign,
            "can_countersign": can_countersign,
            "code_sent": code_sent,
            "idporten": idporten,
            "start_form": (bound_start_form or start_form_class()) if can_sign else None,
            "countersign_form": (bound_start_form or CountersignStartForm())
            if can_countersign and not idporten
            else None,
            "code_form": CodeForm() if code_sent else None,
            "decline_form": DeclineForm() if can_sign else None,
        },
    )


def _download(request: HttpRequest, pk: int, sealed: bool) -> HttpResponse:
    agreement = selectors.agreement_get(user=request.user, pk=pk)
    field = agreement.sealed if sealed else agreement.document
    if not field:
        raise Http404
    with field.open("rb") as handle:
        content = handle.read()
    response = HttpResponse(content, content_type="application/pdf")
    name = f"samarbeidsavtale-{agreement.organisation.name.lower()}{'-signert' if sealed else ''}.pdf"
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


@require("agreement.view", hidden=True)
def agreement_document(request: HttpRequest, pk: int) -> HttpResponse:
    return _download(request, pk, sealed=False)


@require("agreement.view", hidden=True)
def agreement_sealed(request: HttpRequest, pk: int) -> HttpResponse:
    return _download(request, pk, sealed=True)


@require_POST
@require("agreement.view", hidden=True)
def agreement_sign_start(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = selectors.agreement_get(user=request.user, pk=pk)
    countersign = agreements.agreement_can_countersign(agreement)
    if oidc.idporten_configured():
        return _step_up_to_sign(request, agreement, countersign)
    form = (CountersignStartForm if countersign else SignStartForm)(request.POST)
    if form.is_valid():
        try:
            agreements.signing_code_send(
                agreement=agreement,
                actor=_actor(request),
                password=form.cleaned_data["password"],
                party="network" if countersign else "member",
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            decision = {k: str(v) for k, v in form.cleaned_data.items() if k != "password"}
            request.session[SESSION_KEY] = {"agreement": agreement.pk, **decision}
            messages.success(request, _("A one-time code was sent to %(email)s.") % {"email": request.user.email})
            return redirect(agreement)
    if not any(_signing_rights(request, agreement)):
        for error in form.errors.values():
            messages.error(request, " ".join(error))
        return redirect(agreement)
    # The errors stay beside the fields they concern (the password, the decision's date...).
    return _detail_page(request, agreement, bound_start_form=form)


def _step_up_to_sign(request: HttpRequest, agreement: Agreement, countersign: bool) -> HttpResponse:
    """With ID-porten: the decision is checked, then the signer authenticates anew at level high; the signature is
    made when ID-porten sends them back (agreement_identified)."""
    form = forms.Form(request.POST) if countersign else IdportenSignForm(request.POST)
    if not any(_signing_rights(request, agreement)):
        messages.error(request, _("This agreement cannot be signed now."))
        return redirect(agreement)
    if not form.is_valid():
        return _detail_page(request, agreement, bound_start_form=form)
    decision = {k: str(v) for k, v in form.cleaned_data.items()}
    if countersign:
        try:  # refused before the leader authenticates, not after
            agreements.countersign_mandate(agreement.template)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(agreement)
    else:
        try:
            agreements.decision_date_check(agreement=agreement, decision_date=form.cleaned_data["decision_date"])
        except ValidationError as error:
            add_service_error(form, error)
            return _detail_page(request, agreement, bound_start_form=form)
    action = "countersign" if countersign else "sign"
    return _step_up(request, agreement, {"action": action, **decision})


def _step_up(request: HttpRequest, agreement: Agreement, purpose: dict[str, str]) -> HttpResponse:
    try:
        return oidc.start(request, provider=oidc.IDPORTEN, purpose={"agreement": agreement.pk, **purpose}, step_up=True)
    except oidc.Refused as refused:
        messages.error(request, refused.message)
        return redirect(agreement)


@login_required
def agreement_identified(request: HttpRequest) -> HttpResponse:
    """Back from the ID-porten step-up: with a fresh authentication at level high of the signed-in person, the
    signature (or the refusal to sign) that waited for it is made."""
    if not oidc.idporten_configured():
        raise Http404
    try:
        assertion, purpose = oidc.finish(request, provider=oidc.IDPORTEN, step_up=True)
    except oidc.Refused as refused:
        messages.error(request, refused.message)
        pk = refused.purpose.get("agreement")
        return redirect("members:agreement_detail", pk=pk) if pk else redirect("members:agreement_list")
    agreement = selectors.agreement_get(user=request.user, pk=purpose["agreement"])
    actor = _actor(request)
    try:
        if purpose["action"] == "countersign":
            agreements.agreement_countersign(agreement=agreement, actor=actor, assertion=assertion)
            messages.success(request, _("Countersigned. The agreement is sealed and stored."))
        elif purpose["action"] == "decline":
            agreements.agreement_decline(
                agreement=agreement, actor=actor, reason=purpose["reason"], assertion=assertion
            )
            messages.success(request, _("The agreement was declined. The secretariat has been told."))
        else:
            agreements.agreement_sign(
                agreement=agreement,
                actor=actor,
                decision_body=purpose["decision_body"],
                decision_case=purpose["decision_case"],
                decision_date=date.fromisoformat(purpose["decision_date"]),
                assertion=assertion,
            )
            messages.success(request, _("Signed. The network's leader countersigns next."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except SealingError:
        logger.exception("Countersigned agreement %s could not be sealed", agreement.pk)
        messages.warning(request, _("Countersigned. The sealed agreement could not be made now; it is tried daily."))
    return redirect(agreement)


@require_POST
@require("agreement.view", hidden=True)
def agreement_sign_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = selectors.agreement_get(user=request.user, pk=pk)
    pending = request.session.get(SESSION_KEY, {})
    form = CodeForm(request.POST)
    if pending.get("agreement") != agreement.pk:
        messages.error(request, _("Start again: confirm with your password to get a code."))
        return redirect(agreement)
    if form.is_valid():
        try:
            if agreements.agreement_can_countersign(agreement):
                agreements.agreement_countersign(
                    agreement=agreement, actor=_actor(request), code=form.cleaned_data["code"]
                )
                messages.success(request, _("Countersigned. The agreement is sealed and stored."))
            else:
                agreements.agreement_sign(
                    agreement=agreement,
                    actor=_actor(request),
                    code=form.cleaned_data["code"],
                    decision_body=pending["decision_body"],
                    decision_case=pending["decision_case"],
                    decision_date=date.fromisoformat(pending["decision_date"]),
                )
                messages.success(request, _("Signed. The network's leader countersigns next."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(agreement)
        except SealingError:
            logger.exception("Countersigned agreement %s could not be sealed", agreement.pk)
            not_sealed = _("Countersigned. The sealed agreement could not be made now; it is tried daily.")
            messages.warning(request, not_sealed)
        request.session.pop(SESSION_KEY, None)
    else:
        for error in form.errors.values():
            messages.error(request, " ".join(error))
    return redirect(agreement)


@require_POST
@require("agreement.sign")
def agreement_decline(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = selectors.agreement_get(user=request.user, pk=pk)
    form = DeclineForm(request.POST)
    if form.is_valid() and oidc.idporten_configured():
        if not agreements.agreement_can_sign(agreement):
            messages.error(request, _("This agreement cannot be declined now."))
            return redirect(agreement)
        return _step_up(request, agreement, {"action": "decline", "reason": form.cleaned_data["reason"]})
    if form.is_valid():
        try:
            agreements.agreement_decline(agreement=agreement, actor=_actor(request), reason=form.cleaned_data["reason"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The agreement was declined. The secretariat has been told."))
    else:
        messages.error(request, _("Give the reason for declining."))
    return redirect(agreement)


@require("organisation.change")
def organisation_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = selectors.organisation_get(user=request.user, pk=pk, permission="organisation.change")
    form = WithdrawForm(request.POST or None, initial={"notice_given_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            agreements.membership_withdraw(organisation=organisation, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            organisation.refresh_from_db()
            messages.success(
                request,
                _("Notice registered: the membership ends %(date)s.")
                % {"date": organisation.member_until.strftime("%d.%m.%Y")},
            )
            return redirect(organisation)
    return render(
        request,
        "members/organisation_form.html",
        {
            "form": form,
            "organisation": organisation,
            "title": _("Withdrawal of %(name)s") % {"name": organisation.name},
        },
    )
