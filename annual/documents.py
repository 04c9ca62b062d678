"""The annual report as a PDF: compiled from the year's data with the secretariat's sections, in the council's
document language. One function renders it; the worker and the command call it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Count, OuterRef, Q, Subquery, Sum
from django.template.loader import render_to_string
from django.utils import translation

from annual.choices import ActualLine
from annual.models import AnnualReport
from annual.selectors import actual_rows
from annual.services import annual_report_is_approved, council
from core.documents import html_to_pdf
from core.models import NetworkProfile
from funding.choices import InvoiceKind, InvoiceStatus
from funding.models import Contribution, Invoice
from governance.choices import MeetingStatus
from governance.models import Body, Case, Meeting
from members.choices import MembershipStatus
from members.models import Organisation, PopulationFigure
from portfolio.choices import GRANT_SOURCES, State
from portfolio.models import BenefitValue, FundingPlanLine, Initiative


def _members(year: int) -> dict[str, Any]:
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    current = Organisation.objects.filter(
        membership_status__in=[MembershipStatus.MEMBER, MembershipStatus.NOTICE_GIVEN]
    ).filter(Q(member_from__isnull=True) | Q(member_from__lte=end))
    figure = PopulationFigure.objects.filter(
        organisation=OuterRef("pk"), reference_date__lte=dt.date(year + 1, 1, 1)
    ).order_by("-reference_date")
    current = current.annotate(population=Subquery(figure.values("count")[:1]))
    return {
        "members": list(current.order_by("name")),
        "joined": list(Organisation.objects.filter(member_from__range=(start, end)).order_by("member_from", "name")),
        "notices": list(Organisation.objects.filter(notice_given_on__range=(start, end)).order_by("name")),
        "left": list(Organisation.objects.filter(member_until__range=(start, end)).order_by("member_until", "name")),
    }


def _governance(year: int) -> list[dict[str, Any]]:
    bodies = []
    for body in Body.objects.all():
        meetings = Meeting.objects.filter(
            body=body,
            starts_at__year=year,
            status__in=[MeetingStatus.HELD, MeetingStatus.MINUTES_APPROVED],
        ).order_by("starts_at")
        decided = (
            Case.objects.filter(meeting__in=meetings, decision__isnull=False)
            .select_related("decision", "meeting")
            .order_by("meeting__starts_at", "agenda_position", "number")
        )
        if meetings:
            bodies.append({"body": body, "meetings": list(meetings), "cases": list(decided)})
    return bodies


def _portfolio(year: int) -> dict[str, Any]:
    states = dict(Initiative.objects.values_list("state").annotate(n=Count("pk")).values_list("state", "n"))
    running = Initiative.objects.filter(
        state__in=[State.APPROVED, State.PLANNING, State.EXECUTION, State.ROLLOUT]
    ).order_by("title")
    benefits = (
        BenefitValue.objects.filter(measured_on__year=year)
        .select_related("benefit__initiative")
        .order_by("benefit__initiative__title", "measured_on")
    )
    completed = Initiative.objects.filter(state=State.COMPLETED, transitions__decided_at__year=year).distinct()
    return {
        "states": [(label, states.get(value, 0)) for value, label in State.choices if states.get(value)],
        "running": list(running),
        "completed": list(completed),
        "benefits": list(benefits),
    }


def _money(year: int) -> dict[str, Any]:
    invoices = Invoice.objects.filter(year=year, kind=InvoiceKind.INVOICE).exclude(status=InvoiceStatus.DRAFT)
    issued = invoices.aggregate(total=Sum("total"))["total"] or Decimal(0)
    outstanding = sum((invoice.outstanding or Decimal(0) for invoice in invoices), Decimal(0))
    credited = sum((invoice.credited_amount for invoice in invoices), Decimal(0))
    grants = (
        FundingPlanLine.objects.filter(year=year, source__in=GRANT_SOURCES)
        .select_related("initiative")
        .order_by("initiative__title")
    )
    return {
        "contributions": Contribution.objects.filter(year=year).aggregate(total=Sum("amount"))["total"] or Decimal(0),
        "contribution_count": Contribution.objects.filter(year=year, amount__gt=0).count(),
        "invoice_count": invoices.count(),
        "issued": issued,
        "credited": credited,
        "paid": issued - credited - outstanding,
        "outstanding": outstanding,
        "grants": list(grants),
        "grants_total": grants.aggregate(total=Sum("budget"))["total"] or Decimal(0),
    }


def annual_report_context(*, year: int) -> dict[str, Any]:
    report = AnnualReport.objects.filter(year=year).select_related("case__meeting", "case__decision").first()
    profile = NetworkProfile.objects.order_by("pk").first()
    actuals = actual_rows(year=year)
    return {
        "year": year,
        "report": report,
        "approved": bool(report and annual_report_is_approved(report)),
        "network": profile.name if profile else settings.NETWORK_NAME,
        "actuals": actuals,
        "has_actuals": any(row.actual is not None for row in actuals),
        "grants_actual": next((row.actual for row in actuals if row.line == ActualLine.GRANTS), None),
        **_members(year),
        "bodies": _governance(year),
        **_portfolio(year),
        **_money(year),
    }


def annual_report_pdf(*, year: int) -> bytes:
    """The report for `year` as PDF, in its language (the council's, as the report records it; Bokmål without one)."""
    report = AnnualReport.objects.filter(year=year).first()
    body = council()
    language = report.language if report else (body.language if body else "nb")
    with translation.override(language):
        html = render_to_string(
            "annual/pdf/annual_report.html", {**annual_report_context(year=year), "language": language}
        )
        return html_to_pdf(html)
