"""Pages of the network's year: the annual cycle, calendar feeds, budget against actuals and the annual report."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from annual import feeds, selectors, services
from annual.actuals_file import ActualsFileError
from annual.forms import ActualsForm, ActualsImportForm, ReportForm
from annual.models import AnnualReport, AnnualReportRun, CalendarFeed
from core import policy
from core.access import require
from core.documents import StoredDocumentAltered, document_read
from core.forms import add_service_error

ICS = "text/calendar; charset=utf-8"

# -- The annual cycle --------------------------------------------------------------------------------


@require("cycle.view")
def cycle(request: HttpRequest, year: int | None = None) -> HttpResponse:
    today = timezone.localdate()
    year = year or today.year
    rows = selectors.cycle(user=request.user, year=year, today=today)
    counts = {status: sum(1 for row in rows if row.status == status) for status in ("done", "late", "due", "upcoming")}
    return render(
        request,
        "annual/cycle.html",
        {"year": year, "rows": rows, "counts": counts, "previous": year - 1, "next": year + 1},
    )


# -- Calendar feeds ----------------------------------------------------------------------------------


def public_feed(request: HttpRequest) -> HttpResponse:
    """The bodies' meetings, for anyone to subscribe to."""
    body = feeds.feed(_("Meetings"), selectors.public_meetings())
    return HttpResponse(body, content_type=ICS)


def private_feed(request: HttpRequest, token: str) -> HttpResponse:
    """A person's meetings and duties, on the address only they hold (no login: calendars cannot sign in)."""
    subscription = CalendarFeed.objects.select_related("user").filter(token=token, user__is_active=True).first()
    if subscription is None:
        raise Http404
    user = subscription.user
    today = timezone.localdate()
    owners = selectors.duties_of_roles(user)
    duties = [
        row
        for year in (today.year, today.year + 1)
        for row in selectors.cycle(user=user, year=year, today=today)
        if row.duty.owner in owners
    ]
    body = feeds.feed(_("My meetings and duties"), selectors.meetings_of(user=user), duties)
    return HttpResponse(body, content_type=ICS)


@require("calendar.subscribe")
def calendar(request: HttpRequest) -> HttpResponse:
    feed = CalendarFeed.objects.filter(user=request.user).first()
    if request.method == "POST":
        if "renew" in request.POST:
            services.calendar_feed_renew(user=request.user)
            messages.success(request, _("You have a new calendar address; the old one no longer works."))
        else:
            services.calendar_feed_get(user=request.user)
        return redirect("annual:calendar")
    return render(
        request,
        "annual/calendar.html",
        {
            "feed_url": request.build_absolute_uri(feed.get_absolute_url()) if feed else "",
            "public_url": request.build_absolute_uri(reverse("annual:public_feed")),
        },
    )


# -- Budget against actuals --------------------------------------------------------------------------


@require("budget.view")
def actuals(request: HttpRequest, year: int) -> HttpResponse:
    rows = selectors.budget_against_actuals(user=request.user, year=year)
    can_manage = policy.can(request.user, "actuals.manage")
    form = None
    if can_manage:
        initial = {row.line: row.actual for row in rows}
        form = ActualsForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            try:
                services.actuals_save(year=year, values=dict(form.cleaned_data))
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("The actual figures were saved."))
                return redirect("annual:actuals", year=year)
    elif request.method == "POST":
        raise PermissionDenied
    return render(request, "annual/actuals.html", {"year": year, "rows": rows, "form": form, "can_manage": can_manage})


@require("actuals.manage")
def actuals_import(request: HttpRequest) -> HttpResponse:
    form = ActualsImportForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            rows = services.actuals_import(content=form.cleaned_data["file"])
        except ActualsFileError as error:
            errors = error.errors
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("%(n)s actual figures were imported.") % {"n": len(rows)})
            return redirect("annual:actuals", year=max(row.year for row in rows))
    return render(request, "annual/actuals_import.html", {"form": form, "errors": errors})


# -- The annual report -------------------------------------------------------------------------------


@require("annual_report.view")
def report_detail(request: HttpRequest, year: int) -> HttpResponse:
    report = selectors.report_get(user=request.user, year=year)
    can_manage = policy.can(request.user, "annual_report.manage")
    form = None
    if can_manage and (report is None or services.annual_report_can_edit(report)):
        initial = (
            {"introduction": report.introduction, "activities": report.activities, "outlook": report.outlook}
            if report
            else None
        )
        form = ReportForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            try:
                services.annual_report_save(year=year, **form.cleaned_data)
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("The annual report was saved."))
                return redirect("annual:report_detail", year=year)
    elif request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        return HttpResponse(_("The report is before the council or approved; its text no longer changes."), status=409)
    run = AnnualReportRun.objects.filter(report=report).first() if report else None
    return render(
        request,
        "annual/report_detail.html",
        {"year": year, "report": report, "form": form, "can_manage": can_manage, "run": run},
    )


def _report_for_action(request: HttpRequest, year: int) -> AnnualReport:
    report = selectors.report_get(user=request.user, year=year)
    if report is None:
        raise Http404
    return report


@require_POST
@require("annual_report.manage")
def report_render(request: HttpRequest, year: int) -> HttpResponse:
    report = _report_for_action(request, year)
    try:
        services.annual_report_render_start(report=report, requested_by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        approved = services.annual_report_is_approved(report)
        messages.success(
            request,
            _("The approved report is being rendered and then frozen.")
            if approved
            else _("The report is being rendered; the PDF is ready in a moment."),
        )
    return redirect("annual:report_detail", year=year)


@require_POST
@require("annual_report.manage")
def report_submit(request: HttpRequest, year: int) -> HttpResponse:
    report = _report_for_action(request, year)
    try:
        report = services.annual_report_submit(report=report, requested_by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("The report is put before the council as case %(case)s.") % {"case": report.case.reference}
        )
    return redirect("annual:report_detail", year=year)


@require("annual_report.view")
def report_pdf(request: HttpRequest, year: int) -> HttpResponse:
    report = _report_for_action(request, year)
    if not report.pdf:
        raise Http404
    try:
        content = document_read(report.pdf, report.sha256, "annual report")
    except StoredDocumentAltered:
        return HttpResponse(_("The stored report has been altered."), status=409)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, f"arsmelding-{year}.pdf")
    return response
