from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_POST

from core import policy, told
from core.access import require
from core.exports import spreadsheet_response
from core.forms import add_service_error
from core.paging import page_of
from funding import invoice_selectors, scenarios, selectors, services
from funding.forms import (
    AdoptForm,
    BudgetForm,
    ContributionModelForm,
    CopyForm,
    DeflatorForm,
    OverrideFormSet,
    RuleFormSet,
    ScenarioForm,
)
from funding.models import Budget
from funding.rows import contribution_rows
from governance.choices import ConsultationSubject
from governance.selectors import consultations_on

# -- Contribution models -------------------------------------------------------------------------


@require("contribution_model.view")
def model_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "funding/model_list.html",
        {
            "models": selectors.contribution_model_list(user=request.user),
            "deflators": selectors.deflator_list(user=request.user),
            "can_manage": policy.can(request.user, "contribution_model.manage"),
        },
    )


@require("contribution_model.view")
def model_detail(request: HttpRequest, pk: int) -> HttpResponse:
    model = selectors.contribution_model_get(user=request.user, pk=pk)
    can_manage = policy.can(request.user, "contribution_model.manage")
    return render(
        request,
        "funding/model_detail.html",
        {
            "model": model,
            "can_manage": can_manage,
            "runs": selectors.recompute_run_list(user=request.user, year=model.year)[:5],
            "problems": scenarios.model_problems(model),
            "totals": selectors.contribution_totals(year=model.year) if can_manage else None,
            "copy_form": CopyForm(initial={"name": _("Copy of %(name)s") % {"name": model.name}, "year": model.year}),
            "adopt_form": AdoptForm(initial={"adopted_on": timezone.localdate()}),
            "consultations": consultations_on(
                user=request.user, kind=ConsultationSubject.CONTRIBUTION_MODEL, subject_id=model.pk
            ),
        },
    )


def _rule_inputs(formset) -> list[services.RuleInput]:
    return [
        services.RuleInput(
            f.cleaned_data["kind"], f.cleaned_data["fixed"], f.cleaned_data["per_inhabitant"], f.cleaned_data["cap"]
        )
        for f in formset.forms
        if f.cleaned_data and not f.cleaned_data.get("DELETE")
    ]


def _override_inputs(formset) -> list[services.OverrideInput]:
    return [
        services.OverrideInput(
            f.cleaned_data["organisation"],
            bool(f.cleaned_data["exempt"]),
            f.cleaned_data["fixed_amount"],
            f.cleaned_data["in_kind_value"],
            f.cleaned_data["description"],
        )
        for f in formset.forms
        if f.cleaned_data and not f.cleaned_data.get("DELETE")
    ]


def _model_form_page(request: HttpRequest, model=None) -> HttpResponse:
    initial_rules = [
        {"kind": r.kind, "fixed": r.fixed, "per_inhabitant": r.per_inhabitant, "cap": r.cap}
        for r in (model.rules.all() if model else [])
    ]
    initial_overrides = [
        {
            "organisation": o.organisation,
            "exempt": o.exempt,
            "fixed_amount": o.fixed_amount,
            "in_kind_value": o.in_kind_value,
            "description": o.description,
        }
        for o in (model.overrides.all() if model else [])
    ]
    data = request.POST if request.method == "POST" else None
    form = ContributionModelForm(data, instance=model)
    rules = RuleFormSet(data, initial=initial_rules or None, prefix="rules")
    overrides = OverrideFormSet(data, initial=initial_overrides or None, prefix="overrides")
    if request.method == "POST" and all([form.is_valid(), rules.is_valid(), overrides.is_valid()]):
        try:
            saved = services.contribution_model_save(
                model=model,
                values={name: form.cleaned_data[name] for name in services.MODEL_FIELDS},
                rules=_rule_inputs(rules),
                overrides=_override_inputs(overrides),
                requested_by=request.user,
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            if services.contribution_model_is_in_force(saved):
                messages.success(request, _("The model was saved; the year's contributions are being recomputed."))
            else:
                messages.success(request, _("The model was saved."))
            return redirect(saved)
    title = _("Edit %(name)s") % {"name": model.name} if model else _("New contribution model")
    return render(
        request,
        "funding/model_form.html",
        {"form": form, "rules": rules, "overrides": overrides, "model": model, "title": title},
    )


@require("contribution_model.manage")
def model_create(request: HttpRequest) -> HttpResponse:
    return _model_form_page(request)


@require("contribution_model.manage")
def model_update(request: HttpRequest, pk: int) -> HttpResponse:
    model = selectors.contribution_model_get(user=request.user, pk=pk)
    if not services.contribution_model_can_edit(model):
        messages.error(request, _("A superseded model is kept as it was; copy it to make a new proposal."))
        return redirect(model)
    return _model_form_page(request, model)


@require_POST
@require("contribution_model.manage")
def model_copy(request: HttpRequest, pk: int) -> HttpResponse:
    model = selectors.contribution_model_get(user=request.user, pk=pk)
    form = CopyForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the new proposal a name and a year."))
        return redirect(model)
    copy = services.contribution_model_copy(model=model, **form.cleaned_data)
    messages.success(request, _("A new proposal was created from %(name)s.") % {"name": model.name})
    return redirect(copy)


@require("contribution_model.manage")
def model_adopt(request: HttpRequest, pk: int) -> HttpResponse:
    model = selectors.contribution_model_get(user=request.user, pk=pk)
    form = AdoptForm(request.POST or None, initial={"adopted_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.contribution_model_adopt(model=model, requested_by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The model is adopted; the year's contributions are being recomputed."))
            return redirect(model)
    return render(
        request,
        "funding/simple_form.html",
        {
            "form": form,
            "title": _("Adopt %(name)s") % {"name": model.name},
            "back": model.get_absolute_url(),
            "intro": _(
                "The model now adopted for %(year)d becomes superseded, and contributions that are not yet "
                "invoiced are recomputed."
            )
            % {"year": model.year},
        },
    )


# -- Recompute -------------------------------------------------------------------------------------


@require_POST
@require("contribution.recompute")
def recompute(request: HttpRequest, year: int) -> HttpResponse:
    run = services.recompute_start(
        year=year, requested_by=request.user, reason=told.kept(gettext_noop("Started by hand"))
    )
    return redirect(run)


@require("contribution.recompute")
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    run = selectors.recompute_run_get(user=request.user, pk=pk)
    return render(request, "funding/run_detail.html", {"run": run})


@require("contribution.recompute")
def run_status(request: HttpRequest, pk: int) -> JsonResponse:
    return JsonResponse(selectors.recompute_run_get(user=request.user, pk=pk).state())


# -- Deflators -------------------------------------------------------------------------------------


@require("deflator.manage")
def deflator_set(request: HttpRequest) -> HttpResponse:
    form = DeflatorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.deflator_set(requested_by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The deflator was saved."))
            return redirect("funding:model_list")
    return render(
        request,
        "funding/simple_form.html",
        {
            "form": form,
            "title": _("Deflator"),
            "back": reverse("funding:model_list"),
            "intro": _(
                "The municipal deflator for a year, as a fraction (0.035 is 3.5 %). Adopted models that index "
                "over that year are recomputed."
            ),
        },
    )


# -- Scenarios -------------------------------------------------------------------------------------


@require("scenario.compare")
def scenario_compare(request: HttpRequest) -> HttpResponse:
    queryset = selectors.contribution_model_list(user=request.user).prefetch_related("rules", "overrides")
    form = ScenarioForm(request.GET or None, queryset=queryset)
    comparison = None
    if request.GET and form.is_valid():
        comparison = scenarios.compare(form.cleaned_data["models"])
        export = request.GET.get("_export")
        if export in ("csv", "xlsx"):
            return _scenario_export(comparison, export)
        chart = {
            "type": "bar",
            "labels": [row.name for row in comparison.rows],
            "datasets": [
                {
                    "label": column.model.name,
                    "data": [
                        None if p is None else str(p) for p in (row.per_inhabitant[index] for row in comparison.rows)
                    ],
                }
                for index, column in enumerate(comparison.columns)
            ],
        }
    else:
        chart = None
    return render(request, "funding/scenario_compare.html", {"form": form, "comparison": comparison, "chart": chart})


def _scenario_export(comparison: scenarios.Comparison, export: str) -> HttpResponse:
    header = [_("Organisation"), _("Number"), _("Inhabitants")]
    for column in comparison.columns:
        header += [f"{column.model.name} ({column.model.get_status_display()})", _("NOK per inhabitant")]
    rows = []
    for row in comparison.rows:
        line = [row.name, row.number, row.population]
        for amount, per in zip(row.amounts, row.per_inhabitant, strict=True):
            line += [amount, per]
        rows.append(line)
    rows.append(
        [_("Total"), "", sum(r.population or 0 for r in comparison.rows)]
        + [value for c in comparison.columns for value in (c.total, "")]
    )
    return spreadsheet_response(export, "scenarier", header, rows)


# -- Contributions ---------------------------------------------------------------------------------


@require("contribution.view")
def contribution_list(request: HttpRequest) -> HttpResponse:
    years = selectors.contribution_years(user=request.user)
    try:
        year = int(request.GET.get("year") or 0) or None
    except ValueError:
        year = None
    contributions = selectors.contribution_list(user=request.user, year=year)
    export = request.GET.get("_export")
    if export in ("csv", "xlsx"):
        header = [
            _("Year"),
            _("Organisation"),
            _("Number"),
            _("Inhabitants"),
            _("Population reference date"),
            _("Months"),
            _("Amount"),
            _("Explanation"),
            _("Invoiced"),
        ]
        rows = [
            [
                c.year,
                c.organisation.name,
                c.organisation.number,
                c.population,
                c.population_date,
                c.months,
                c.amount,
                c.explanation_for_reader,
                "x" if c.frozen_at else "",
            ]
            for c in contributions
        ]
        return spreadsheet_response(export, "medlemsbidrag", header, rows)
    # A page of rows at a time; the total is over every contribution the filter finds (one SQL sum).
    page = page_of(request, contributions)
    return render(
        request,
        "funding/contribution_list.html",
        {
            "contributions": page,
            "rows": contribution_rows(page),  # each cell worked out once (funding/rows.py)
            "page_obj": page,
            "years": years,
            "year": year,
            "total": contributions.aggregate(total=Coalesce(Sum("amount"), Decimal(0)))["total"],
            "is_secretariat": policy.is_secretariat(request.user),
        },
    )


@require("contribution.view")
def contribution_detail(request: HttpRequest, pk: int) -> HttpResponse:
    contribution = selectors.contribution_get(user=request.user, pk=pk)
    invoices = (
        invoice_selectors.invoice_list(user=request.user).filter(contribution=contribution).order_by("series", "number")
    )
    return render(request, "funding/contribution_detail.html", {"contribution": contribution, "invoices": invoices})


# -- Budget ------------------------------------------------------------------------------------------


@require("budget.view")
def budget_list(request: HttpRequest) -> HttpResponse:
    year = request.GET.get("year", "")
    if year.isascii() and year.isdigit() and 2000 <= int(year) <= 2100 and policy.can(request.user, "budget.manage"):
        return redirect("funding:budget_edit", year=int(year))
    budgets = selectors.budget_list_with_contributions(user=request.user)
    rows = [(b, b.contributions_total) for b in budgets]
    return render(
        request, "funding/budget_list.html", {"rows": rows, "can_manage": policy.can(request.user, "budget.manage")}
    )


@require("budget.view")
def budget_detail(request: HttpRequest, year: int) -> HttpResponse:
    budget = selectors.budget_get(user=request.user, year=year)
    contributions = selectors.contribution_totals(year=year)["total"] or Decimal(0)
    covered = contributions + budget.income_besides_contributions
    chart = {
        "type": "bar",
        "stacked": True,
        "labels": [_("Need"), _("Coverage")],
        "datasets": [
            {"label": _("Staff"), "data": [str(budget.staff_costs), "0"]},
            {"label": _("Projects"), "data": [str(budget.project_costs), "0"]},
            {"label": _("Other costs"), "data": [str(budget.other_costs), "0"]},
            {"label": _("Member contributions"), "data": ["0", str(contributions)]},
            {"label": _("Grants"), "data": ["0", str(budget.grant_income)]},
            {"label": _("Host's in-kind contribution"), "data": ["0", str(budget.host_in_kind)]},
            {"label": _("Other income"), "data": ["0", str(budget.other_income)]},
        ],
    }
    return render(
        request,
        "funding/budget_detail.html",
        {
            "chart": chart,
            "budget": budget,
            "contributions": contributions,
            "covered": covered,
            "gap": covered - budget.need,
            "can_manage": policy.can(request.user, "budget.manage"),
        },
    )


@require("budget.manage")
def budget_edit(request: HttpRequest, year: int) -> HttpResponse:
    budget = Budget.objects.filter(year=year).first()
    form = BudgetForm(request.POST or None, instance=budget)
    if request.method == "POST" and form.is_valid():
        try:
            services.budget_save(year=year, **{name: form.cleaned_data[name] for name in services.BUDGET_FIELDS})
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The budget was saved."))
            return redirect("funding:budget_detail", year=year)
    return render(
        request,
        "funding/simple_form.html",
        {"form": form, "title": _("Budget %(year)d") % {"year": year}, "back": reverse("funding:budget_list")},
    )
