from datetime import date, timedelta

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import policy
from core.access import require
from core.exports import spreadsheet_response
from core.forms import add_service_error
from members import agreements, selectors
from members.agreement_forms import (
    AgreementTemplateForm,
    CodeForm,
    CountersignStartForm,
    DeclineForm,
    InviteForm,
    SignStartForm,
    WithdrawForm,
)
from members.choices import AgreementStatus
from members.models import Agreement, AgreementTemplate

SESSION_KEY = "agreement-signing"


def _actor(request: HttpRequest) -> agreements.Actor:
    return agreements.Actor(
        user=request.user,
        ip_address=request.META.get("REMOTE_ADDR"),
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
    for value in selectors.agreement_list(user=request.user).values_list("status", flat=True):
        counts[value] += 1
    can_manage = policy.can(request.user, "agreement.manage")
    return render(
        request,
        "members/agreement_list.html",
        {
            "agreements": shown,
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
        raise PermissionDenied
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
    """The link from the invitation email: works once, then sends the reader to the agreement (after login)."""
    try:
        agreement = agreements.agreement_link_open(token=token, actor=_actor(request))
    except ValidationError as error:
        return render(request, "members/agreement_link_invalid.html", {"message": " ".join(error.messages)}, status=410)
    return redirect(agreement)


@require("agreement.view")
def agreement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = selectors.agreement_get(user=request.user, pk=pk)
    agreements.agreement_opened(agreement=agreement, actor=_actor(request))
    agreement.refresh_from_db()
    return _detail_page(request, agreement)


def _signing_rights(request: HttpRequest, agreement: Agreement) -> tuple[bool, bool]:
    """Whether the user may sign for the organisation now, and whether they may countersign for the network now."""
    can_sign = policy.can(request.user, "agreement.sign", agreement) and agreement.status in agreements.OPEN
    can_countersign = policy.can(request.user, "agreement.countersign") and agreement.status == AgreementStatus.SIGNED
    return can_sign, can_countersign


def _detail_page(
    request: HttpRequest, agreement: Agreement, *, bound_start_form: forms.Form | None = None
) -> HttpResponse:
    """The agreement with the forms the user may fill in; a rejected start form comes back with its errors."""
    pending = request.session.get(SESSION_KEY, {})
    code_sent = pending.get("agreement") == agreement.pk
    can_sign, can_countersign = _signing_rights(request, agreement)
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
            "start_form": (bound_start_form or SignStartForm()) if can_sign else None,
            "countersign_form": (bound_start_form or CountersignStartForm()) if can_countersign else None,
            "code_form": CodeForm() if code_sent else None,
            "decline_form": DeclineForm() if can_sign else None,
        },
    )


def _download(request: HttpRequest, pk: int, sealed: bool) -> HttpResponse:
    agreement = selectors.agreement_get(user=request.user, pk=pk)
    field = agreement.sealed if sealed else agreement.document
    if not field:
        raise PermissionDenied
    with field.open("rb") as handle:
        content = handle.read()
    response = HttpResponse(content, content_type="application/pdf")
    name = f"samarbeidsavtale-{agreement.organisation.name.lower()}{'-signert' if sealed else ''}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require("agreement.view")
def agreement_document(request: HttpRequest, pk: int) -> HttpResponse:
    return _download(request, pk, sealed=False)


@require("agreement.view")
def agreement_sealed(request: HttpRequest, pk: int) -> HttpResponse:
    return _download(request, pk, sealed=True)


@require_POST
@require("agreement.view")
def agreement_sign_start(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = selectors.agreement_get(user=request.user, pk=pk)
    countersign = agreement.status == AgreementStatus.SIGNED
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


@require_POST
@require("agreement.view")
def agreement_sign_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = selectors.agreement_get(user=request.user, pk=pk)
    pending = request.session.get(SESSION_KEY, {})
    form = CodeForm(request.POST)
    if pending.get("agreement") != agreement.pk:
        messages.error(request, _("Start again: confirm with your password to get a code."))
        return redirect(agreement)
    if form.is_valid():
        try:
            if agreement.status == AgreementStatus.SIGNED:
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
