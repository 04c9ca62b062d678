"""Actual costs of initiatives and the year-end settlement of cost-sharing plans (the secretariat's pages; the
participants read their settlement on the plan page)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.access import require
from core.forms import add_service_error
from funding import selectors
from funding.forms import ActualCostForm, ActualCostsImportForm, PlanSettleForm
from funding.models import ActualCost
from funding.services import default_due_date
from funding.services import settlement as services


@require("sharing_plan.manage")
def plan_actuals(request: HttpRequest, pk: int) -> HttpResponse:
    """Enter what the plan's initiative cost in one of the plan's years, beside what the plan shares out."""
    plan = selectors.sharing_plan_get(user=request.user, pk=pk)
    years = plan.years
    today = timezone.localdate()
    form = None
    if plan.initiative_id:
        form = ActualCostForm(
            request.POST or None,
            years=years,
            initial={"year": today.year if today.year in years else years[-1]},
        )
        if request.method == "POST" and form.is_valid():
            try:
                services.actual_cost_save(initiative=plan.initiative, user=request.user, **form.cleaned_data)
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("The actual cost was saved."))
                return redirect("funding:plan_actuals", pk=plan.pk)
    return render(
        request,
        "funding/plan_actuals.html",
        {
            "plan": plan,
            "form": form,
            "years": selectors.plan_against_actuals(plan=plan),
            "costs": ActualCost.objects.filter(initiative_id=plan.initiative_id).order_by("year")
            if plan.initiative_id
            else ActualCost.objects.none(),
        },
    )


@require("sharing_plan.manage")
def actual_costs_import(request: HttpRequest) -> HttpResponse:
    """Import the actual costs of initiatives from the host's accounts, whole or not at all."""
    form = ActualCostsImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            costs = services.actual_costs_import(content=form.cleaned_data["file"], user=request.user)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("%(count)d actual costs were imported.") % {"count": len(costs)})
            return redirect("funding:plan_list")
    return render(
        request,
        "funding/simple_form.html",
        {
            "form": form,
            "title": _("Import actual costs"),
            "back": reverse("funding:plan_list"),
            "intro": _(
                "One line per initiative and year: initiative;year;amount. A file with a bad line is refused "
                "whole, naming the line; importing the same figures again changes nothing."
            ),
        },
    )


@require("sharing_plan.manage")
def plan_settle(request: HttpRequest, pk: int) -> HttpResponse:
    """Settle a plan period against the actual cost: an extra invoice or a credit note per participant."""
    plan = selectors.sharing_plan_get(user=request.user, pk=pk)
    today = timezone.localdate()
    years = plan.years
    form = PlanSettleForm(
        request.POST or None,
        years=years,
        initial={"year": today.year - 1 if today.year - 1 in years else years[0], "issue_date": today},
    )
    if not form.is_bound:
        form.initial["due_date"] = default_due_date(today)
    year = form.cleaned_data["year"] if form.is_valid() else int(form.initial["year"])
    if request.GET.get("year", "").isdigit() and not form.is_bound and int(request.GET["year"]) in years:
        year = form.initial["year"] = int(request.GET["year"])
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_settle(
                plan=plan,
                year=year,
                issue_date=form.cleaned_data["issue_date"],
                due_date=form.cleaned_data["due_date"],
                settled_by=request.user,
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("%(year)d is settled.") % {"year": year})
            return redirect(plan)
    return render(
        request,
        "funding/plan_settle.html",
        {"plan": plan, "form": form, "preview": services.settlement_preview(plan=plan, year=year)},
    )
