from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig

from core import policy
from core.access import require
from core.cache import cache_public_page
from core.exports import spreadsheet_response
from core.forms import add_service_error
from governance.models import Case
from portfolio import lifecycle, selectors, services
from portfolio.apps import PAGES
from portfolio.choices import AdoptionStatus, FocusArea, OfferingKind, Rag, ServiceArea, State, SuggestionStatus
from portfolio.filters import InitiativeFilter
from portfolio.forms import (
    AdoptionForm,
    BenefitForm,
    BenefitValueForm,
    FundingLineForm,
    InitiativeForm,
    StatusReportForm,
    SuggestionForm,
    TransitionForm,
    TriageForm,
)
from portfolio.tables import InitiativeTable, InternalInitiativeTable

EXPORT_FORMATS = ("csv", "xlsx")
# Ordered from grey (nothing yet) to green (adopted); the table beside the chart carries the same figures.
ADOPTION_COLOURS = {
    AdoptionStatus.NOT_STARTED: "#6c757d",
    AdoptionStatus.PLANNED: "#b9770e",
    AdoptionStatus.IN_PROGRESS: "#0b4f6c",
    AdoptionStatus.ADOPTED: "#2e7d32",
}


@require("initiative.view")
@cache_public_page(PAGES)
def initiative_list(request: HttpRequest) -> HttpResponse:
    internal = policy.can(request.user, "initiative.view_internal")
    filterset = InitiativeFilter(request.GET, queryset=selectors.initiative_list(user=request.user))
    table = (InternalInitiativeTable if internal else InitiativeTable)(filterset.qs)
    RequestConfig(request, paginate={"per_page": 25}).configure(table)
    export_format = request.GET.get("_export")
    if export_format:
        if export_format not in EXPORT_FORMATS:
            return HttpResponse(_("Unknown export format."), status=400)
        return _initiative_export(export_format, list(table.data), internal)
    return render(
        request,
        "portfolio/initiative_list.html",
        {"filter": filterset, "table": table, "count": table.paginator.count},
    )


def _initiative_export(export_format: str, initiatives, internal: bool) -> HttpResponse:
    """The overview's rows as they are sorted and filtered, built directly (fast for thousands of rows)."""
    header = [
        _("Initiative"),
        _("State"),
        _("Strategic focus area"),
        _("Service area"),
        _("Owner"),
        _("Project leader"),
        _("Start"),
        _("End"),
        _("Latest status"),
        _("Escalated to KS"),
    ]
    # Labels translated once, not once a row.
    state, focus, area, rag = ({k: str(v) for k, v in c.choices} for c in (State, FocusArea, ServiceArea, Rag))
    yes_no = {True: _("Yes"), False: _("No")}
    rows = [
        [
            i.title,
            state[i.state],
            focus[i.focus_area],
            area[i.service_area],
            str(i.owner) if i.owner else "",
            i.project_leader,
            i.start,
            i.end,
            rag.get(i.latest_rag, ""),
            yes_no[i.escalated_to_ks],
            *([i.budget_total] if internal else []),
        ]
        for i in initiatives
    ]
    if internal:
        header.append(_("Budget (NOK)"))
    return spreadsheet_response(export_format, "portefolje", header, rows)


@require("initiative.view")
@cache_public_page(PAGES)
def initiative_detail(request: HttpRequest, pk: int) -> HttpResponse:
    initiative = selectors.initiative_get(user=request.user, pk=pk)
    internal = policy.can(request.user, "initiative.view_internal")
    funding = selectors.funding_summary(initiative)
    # A deciding case is named only to those who may read it (an exempt case stays with its body).
    cases = {t.decided_in_id for t in initiative.transitions.all() if t.decided_in_id}
    visible = policy.restrict_cases(Case.objects.filter(pk__in=cases), request.user)
    visible_cases = set(visible.values_list("pk", flat=True))
    return render(
        request,
        "portfolio/initiative_detail.html",
        {
            "initiative": initiative,
            "visible_cases": visible_cases,
            "internal": internal,
            "can_manage": policy.can(request.user, "initiative.manage"),
            "can_report": policy.can_report_on(request.user, initiative),
            "funding": funding,
            "benefits": selectors.benefits_with_latest(initiative),
            "reports": initiative.status_reports.all(),
            "next_states": [State(s) for s in lifecycle.next_states(initiative.state)],
        },
    )


def _form_page(request, form, title, back, intro=""):
    return render(request, "funding/simple_form.html", {"form": form, "title": title, "back": back, "intro": intro})


def _saved(request, form, action) -> bool:
    """On a valid POST run the service; its field errors land on the form's fields, the rest on the form."""
    if request.method != "POST" or not form.is_valid():
        return False
    try:
        action()
    except ValidationError as error:
        add_service_error(form, error)
        return False
    return True


@require("initiative.manage")
def initiative_create(request: HttpRequest) -> HttpResponse:
    form = InitiativeForm(request.POST or None)
    created = []

    def create():
        created.append(services.initiative_create(values=form.cleaned_data, participants=form.participants()))

    if _saved(request, form, create):
        messages.success(request, _("The initiative was registered as an idea."))
        return redirect(created[0])
    return _form_page(request, form, _("New initiative"), reverse("portfolio:initiative_list"))


@require("initiative.manage")
def initiative_update(request: HttpRequest, pk: int) -> HttpResponse:
    initiative = selectors.initiative_get(user=request.user, pk=pk)
    form = InitiativeForm(request.POST or None, instance=initiative)

    def update():
        services.initiative_update(initiative=initiative, values=form.cleaned_data, participants=form.participants())

    if _saved(request, form, update):
        messages.success(request, _("The changes were saved."))
        return redirect(initiative)
    return _form_page(request, form, _("Edit %(title)s") % {"title": initiative.title}, initiative.get_absolute_url())


@require("initiative.manage")
def initiative_transition(request: HttpRequest, pk: int) -> HttpResponse:
    initiative = selectors.initiative_get(user=request.user, pk=pk)
    form = TransitionForm(request.POST or None, initiative=initiative)

    def move():
        services.initiative_transition(initiative=initiative, decided_by=request.user, **form.cleaned_data)

    if _saved(request, form, move):
        messages.success(request, _("The decision was recorded."))
        return redirect(initiative)
    intro = _("Now: %(state)s.") % {"state": initiative.get_state_display()}
    title = _("Record a decision on %(title)s") % {"title": initiative.title}
    return _form_page(request, form, title, initiative.get_absolute_url(), intro)


def _add_to_initiative(request, pk, form_class, action, title, success, *, check=None):
    initiative = selectors.initiative_get(user=request.user, pk=pk)
    if check is not None and not check(request.user, initiative):
        raise PermissionDenied
    form = form_class(request.POST or None)
    if _saved(request, form, lambda: action(initiative, form.cleaned_data)):
        messages.success(request, success)
        return redirect(initiative)
    return _form_page(request, form, f"{title}: {initiative.title}", initiative.get_absolute_url())


@require("initiative.report")
def status_report_create(request: HttpRequest, pk: int) -> HttpResponse:
    return _add_to_initiative(
        request,
        pk,
        StatusReportForm,
        lambda initiative, data: services.status_report_create(
            initiative=initiative, values=data, reported_by=request.user
        ),
        _("New status report"),
        _("The status report was saved; its PDF is being made."),
        check=policy.can_report_on,
    )


@require("initiative.manage")
def funding_line_create(request: HttpRequest, pk: int) -> HttpResponse:
    return _add_to_initiative(
        request,
        pk,
        FundingLineForm,
        lambda initiative, data: services.funding_line_add(initiative=initiative, values=data),
        _("Add to the funding plan"),
        _("The funding plan was updated."),
    )


@require("initiative.manage")
def benefit_create(request: HttpRequest, pk: int) -> HttpResponse:
    return _add_to_initiative(
        request,
        pk,
        BenefitForm,
        lambda initiative, data: services.benefit_add(initiative=initiative, values=data),
        _("New benefit"),
        _("The benefit was added."),
    )


@require("initiative.report")
def benefit_value_create(request: HttpRequest, pk: int) -> HttpResponse:
    initiative = selectors.initiative_get(user=request.user, pk=pk)
    if not policy.can_report_on(request.user, initiative):
        raise PermissionDenied
    form = BenefitValueForm(request.POST or None, initiative=initiative, user=request.user)
    if _saved(request, form, lambda: services.benefit_value_record(**form.cleaned_data, by=request.user)):
        messages.success(request, _("The realised value was recorded."))
        return redirect(initiative)
    title = _("Record a realised value: %(title)s") % {"title": initiative.title}
    return _form_page(request, form, title, initiative.get_absolute_url())


@require("status_report.pdf")
def status_report_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    report = selectors.status_report_get(user=request.user, pk=pk)
    response = HttpResponse(services.status_report_pdf_bytes(report=report), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, f"statusrapport-{report.pk}.pdf")
    return response


@require("rollout.view")
def rollout_matrix(request: HttpRequest) -> HttpResponse:
    search = request.GET.get("q", "").strip()
    matrix = selectors.adoption_matrix(user=request.user, search=search)
    export_format = request.GET.get("_export")
    if export_format:
        if export_format not in EXPORT_FORMATS:
            return HttpResponse(_("Unknown export format."), status=400)
        header = [_("Member"), _("Number")]
        for solution in matrix.solutions:
            header += [solution.name, _("%(solution)s: date") % {"solution": solution.name}]
        rows = [
            [
                organisation.name,
                organisation.number,
                *(
                    v
                    for cell in cells
                    for v in (cell.status_label, cell.adoption.status_date if cell.adoption else None)
                ),
            ]
            for organisation, cells in matrix.rows
        ]
        return spreadsheet_response(export_format, "innforing", header, rows)
    return render(
        request,
        "portfolio/rollout_matrix.html",
        {"matrix": matrix, "search": search, "can_manage": policy.is_secretariat(request.user)},
    )


@require("rollout.view")
def rollout_dashboard(request: HttpRequest) -> HttpResponse:
    shares = selectors.rollout_shares(user=request.user)
    statuses = list(AdoptionStatus)
    chart = {
        "type": "bar",
        "indexAxis": "y",
        "stacked": True,
        "labels": [s.solution.name for s in shares],
        "datasets": [
            {
                "label": str(status.label),
                "data": [s.counts.get(status.value, 0) for s in shares],
                "backgroundColor": ADOPTION_COLOURS[status],
            }
            for status in statuses
        ],
    }
    return render(request, "portfolio/rollout_dashboard.html", {"shares": shares, "statuses": statuses, "chart": chart})


@require("adoption.change")
def adoption_update(request: HttpRequest, solution: int, organisation: int) -> HttpResponse:
    adoption = selectors.adoption_get(user=request.user, solution_pk=solution, organisation_pk=organisation)
    form = AdoptionForm(
        request.POST or None,
        initial={"status": adoption.status, "status_date": adoption.status_date, "note": adoption.note},
    )
    if _saved(
        request,
        form,
        lambda: services.adoption_set(
            solution=adoption.solution, organisation=adoption.organisation, **form.cleaned_data
        ),
    ):
        messages.success(request, _("The adoption status was saved."))
        return redirect("portfolio:rollout_matrix")
    title = _("%(solution)s in %(organisation)s") % {
        "solution": adoption.solution.name,
        "organisation": adoption.organisation.name,
    }
    return _form_page(request, form, title, reverse("portfolio:rollout_matrix"))


OFFERING_HEADINGS = {
    OfferingKind.EXPERT_GROUP: gettext_lazy("Expert groups"),
    OfferingKind.ROLLOUT: gettext_lazy("Rollout programmes"),
    OfferingKind.TEMPLATE: gettext_lazy("Templates"),
    OfferingKind.COMPETENCE: gettext_lazy("Competence and networks"),
}


@require("offering.view")
@cache_public_page(PAGES)
def offering_list(request: HttpRequest) -> HttpResponse:
    offerings = list(selectors.offering_list(user=request.user))
    groups = [
        (heading, [o for o in offerings if o.kind == kind])
        for kind, heading in OFFERING_HEADINGS.items()
        if any(o.kind == kind for o in offerings)
    ]
    return render(request, "portfolio/offering_list.html", {"groups": groups})


# -- Ideas and needs -----------------------------------------------------------------------------------------


@require("suggestion.view")
def suggestion_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    if status not in SuggestionStatus.values:
        status = ""
    return render(
        request,
        "portfolio/suggestion_list.html",
        {
            "suggestions": selectors.suggestion_list(user=request.user, status=status),
            "statuses": SuggestionStatus.choices,
            "status": status,
            "can_submit": policy.can(request.user, "suggestion.submit"),
        },
    )


@require("suggestion.view")
def suggestion_detail(request: HttpRequest, pk: int) -> HttpResponse:
    suggestion = selectors.suggestion_get(user=request.user, pk=pk)
    own = getattr(request.user, "organisation_id", None) == suggestion.organisation_id
    return render(
        request,
        "portfolio/suggestion_detail.html",
        {
            "suggestion": suggestion,
            "can_support": policy.can(request.user, "suggestion.support") and not own,
            "supported": selectors.suggestion_supported_by(user=request.user, suggestion=suggestion),
            "can_triage": policy.can(request.user, "suggestion.triage"),
        },
    )


@require("suggestion.submit")
def suggestion_create(request: HttpRequest) -> HttpResponse:
    form = SuggestionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            suggestion = services.suggestion_submit(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Thank you. The secretariat will assess it, and you will hear back by email."))
            return redirect(suggestion)
    return render(request, "portfolio/suggestion_form.html", {"form": form})


@require_POST
@require("suggestion.support")
def suggestion_support(request: HttpRequest, pk: int) -> HttpResponse:
    suggestion = selectors.suggestion_get(user=request.user, pk=pk)
    try:
        services.suggestion_support(suggestion=suggestion, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Your organisation is registered as having this need too."))
    return redirect(suggestion)


@require("suggestion.triage")
def suggestion_triage(request: HttpRequest, pk: int) -> HttpResponse:
    suggestion = selectors.suggestion_get(user=request.user, pk=pk)
    if not services.suggestion_is_open(suggestion):
        messages.info(request, _("This has already been assessed."))
        return redirect(suggestion)
    form = TriageForm(request.POST or None, suggestion=suggestion)
    if request.method == "POST" and form.is_valid():
        try:
            services.suggestion_triage(suggestion=suggestion, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The assessment was saved and the submitter is told by email."))
            return redirect(suggestion)
    return render(request, "portfolio/suggestion_triage.html", {"form": form, "suggestion": suggestion})
