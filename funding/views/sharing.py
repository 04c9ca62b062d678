"""Cost-sharing plans: the secretariat proposes, adopts, versions and invoices; participants read their share."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import policy
from core.access import require
from core.forms import add_service_error
from funding import selectors
from funding.forms import AdoptForm, PlanInvoiceForm, SharingParticipantFormSet, SharingPlanForm
from funding.models import Invoice, SharingPlan
from funding.services import default_due_date
from funding.services import sharing as services
from funding.services.sharing import PARTICIPANT_FIELDS, PLAN_FIELDS


@require("sharing_plan.browse")
def plan_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "funding/plan_list.html",
        {
            "plans": selectors.sharing_plan_list(user=request.user),
            "can_manage": policy.can(request.user, "sharing_plan.manage"),
        },
    )


@require("sharing_plan.browse")
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = selectors.sharing_plan_get(user=request.user, pk=pk)
    can_manage = policy.can(request.user, "sharing_plan.manage")
    rows = list(selectors.sharing_plan_rows(user=request.user, plan=plan))
    changes = services.sharing_plan_changes(plan)
    if changes is not None and not can_manage:
        changes.shares = [row for row in changes.shares if row.organisation.pk == request.user.organisation_id]
    invoices = Invoice.objects.filter(
        Q(plan_share__plan__number=plan.number) | Q(settlement_share__settlement__plan_number=plan.number)
    ).select_related("plan_share__plan", "settlement_share")
    if not policy.can(request.user, "invoice.view"):
        invoices = invoices.none()
    elif not can_manage:
        invoices = invoices.filter(organisation_id=request.user.organisation_id)
    return render(
        request,
        "funding/plan_detail.html",
        {
            "plan": plan,
            "rows": rows,
            "participant_count": plan.participants.count(),
            "changes": changes,
            "versions": SharingPlan.objects.filter(number=plan.number).order_by("-version")
            if can_manage
            else selectors.sharing_plan_list(user=request.user).filter(number=plan.number),
            "invoices": invoices.order_by("-year", "-number"),
            "years": selectors.plan_against_actuals(plan=plan),
            "settlement_shares": selectors.settlement_shares(user=request.user, plan=plan),
            "can_manage": can_manage,
            "sees_invoices": policy.can(request.user, "invoice.view"),
        },
    )


def _participant_inputs(formset) -> list[services.ParticipantInput]:
    return [
        services.ParticipantInput(
            organisation=f.cleaned_data["organisation"],
            **{
                name: (bool(f.cleaned_data[name]) if name == "exempt" else f.cleaned_data[name])
                for name in PARTICIPANT_FIELDS
            },
        )
        for f in formset.forms
        if f.cleaned_data and f.cleaned_data.get("organisation") and not f.cleaned_data.get("DELETE")
    ]


def _plan_form_page(request: HttpRequest, plan: SharingPlan | None = None) -> HttpResponse:
    initial = [
        {"organisation": p.organisation, **{name: getattr(p, name) for name in PARTICIPANT_FIELDS}}
        for p in (plan.participants.select_related("organisation") if plan else [])
    ]
    data = request.POST if request.method == "POST" else None
    form = SharingPlanForm(data, instance=plan)
    participants = SharingParticipantFormSet(data, initial=initial or None, prefix="participants")
    if request.method == "POST" and form.is_valid() and participants.is_valid():
        try:
            saved = services.sharing_plan_save(
                plan=plan,
                participants=_participant_inputs(participants),
                **{name: form.cleaned_data[name] for name in PLAN_FIELDS},
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The plan was saved."))
            return redirect(saved)
    title = _("Edit %(name)s") % {"name": plan} if plan else _("New cost-sharing plan")
    return render(
        request,
        "funding/plan_form.html",
        {"form": form, "participants": participants, "plan": plan, "title": title},
    )


@require("sharing_plan.manage")
def plan_create(request: HttpRequest) -> HttpResponse:
    return _plan_form_page(request)


@require("sharing_plan.manage")
def plan_update(request: HttpRequest, pk: int) -> HttpResponse:
    plan = selectors.sharing_plan_get(user=request.user, pk=pk)
    if not services.sharing_plan_can_edit(plan):
        messages.error(request, _("An adopted plan is never changed; make a new version."))
        return redirect(plan)
    return _plan_form_page(request, plan)


@require("sharing_plan.manage")
def plan_adopt(request: HttpRequest, pk: int) -> HttpResponse:
    plan = selectors.sharing_plan_get(user=request.user, pk=pk)
    form = AdoptForm(request.POST or None, initial={"adopted_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.sharing_plan_adopt(plan=plan, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The plan is adopted; it can no longer be changed."))
            return redirect(plan)
    return render(
        request,
        "funding/simple_form.html",
        {
            "form": form,
            "title": _("Adopt %(name)s") % {"name": plan},
            "back": plan.get_absolute_url(),
            "intro": _(
                "Once adopted the plan is frozen: a change is a new version, adopted in its turn. "
                "The version adopted before becomes superseded."
            ),
        },
    )


@require_POST
@require("sharing_plan.manage")
def plan_new_version(request: HttpRequest, pk: int) -> HttpResponse:
    plan = selectors.sharing_plan_get(user=request.user, pk=pk)
    try:
        copy = services.sharing_plan_new_version(plan=plan)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(plan)
    messages.success(
        request, _("Version %(version)d is a proposal; change it and adopt it.") % {"version": copy.version}
    )
    return redirect(copy)


@require("sharing_plan.manage")
def plan_invoice(request: HttpRequest, pk: int) -> HttpResponse:
    plan = selectors.sharing_plan_get(user=request.user, pk=pk)
    today = timezone.localdate()
    years = plan.years
    form = PlanInvoiceForm(
        request.POST or None,
        years=years,
        initial={"year": today.year if today.year in years else years[0], "issue_date": today},
    )
    if not form.is_bound:
        form.initial["due_date"] = default_due_date(today)
    year = form.cleaned_data["year"] if form.is_valid() else int(form.initial["year"])
    if request.method == "POST" and form.is_valid():
        try:
            issued = services.sharing_plan_invoice(
                plan=plan,
                year=year,
                issue_date=form.cleaned_data["issue_date"],
                due_date=form.cleaned_data["due_date"],
                issued_by=request.user,
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("%(count)d invoices were issued.") % {"count": len(issued)})
            return redirect(plan)
    return render(
        request,
        "funding/plan_invoice.html",
        {"plan": plan, "form": form, "preview": services.plan_invoice_preview(plan=plan, year=year)},
    )
