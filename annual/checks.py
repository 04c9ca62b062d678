"""When a duty of the year is done, read from the portal's data: one function per kind of check, each saying
whether the data shows the duty done for a year and, when not, what is missing and where it is mended.

Nothing here is ticked by hand: a duty turns done when the figures, the deflator, the adopted model, the
invoices or the approved report are there."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from annual.choices import Check
from annual.models import AnnualReport, BudgetActual, Duty
from funding.choices import InvoiceKind, InvoiceStatus, ModelStatus
from funding.models import Budget, Contribution, ContributionModel, Deflator, Invoice
from governance.choices import MeetingStatus, Outcome
from governance.models import Meeting
from members.choices import AgreementStatus, MembershipStatus
from members.models import Agreement, Organisation, PopulationFigure


@dataclass(frozen=True)
class Finding:
    """What the data says about a duty in a year."""

    done: bool
    missing: str = ""
    url: str = ""


def _names(organisations: list[str], limit: int = 4) -> str:
    shown = ", ".join(organisations[:limit])
    rest = len(organisations) - limit
    return shown + (_(" and %(n)s more") % {"n": rest} if rest > 0 else "")


def _members_on(day: dt.date) -> list[Organisation]:
    members = Organisation.objects.filter(
        membership_status__in=[MembershipStatus.MEMBER, MembershipStatus.NOTICE_GIVEN]
    ).filter(Q(member_from__isnull=True) | Q(member_from__lte=day))
    return list(members.order_by("name"))


def population(duty: Duty, year: int) -> Finding:
    reference = dt.date(year, 1, 1)
    with_figures = set(PopulationFigure.objects.filter(reference_date=reference).values_list("organisation", flat=True))
    lacking = [o.name for o in _members_on(reference) if o.pk not in with_figures]
    if not with_figures or lacking:
        missing = (
            _("No population figures per %(date)s") % {"date": reference.strftime("%d.%m.%Y")}
            if not with_figures
            else _("No figure per %(date)s for %(names)s")
            % {"date": reference.strftime("%d.%m.%Y"), "names": _names(lacking)}
        )
        return Finding(False, missing, reverse("members:population_import"))
    return Finding(True)


def deflator(duty: Duty, year: int) -> Finding:
    if Deflator.objects.filter(year=year + 1).exists():
        return Finding(True)
    return Finding(False, _("No deflator for %(year)s") % {"year": year + 1}, reverse("funding:deflator_set"))


def budget(duty: Duty, year: int) -> Finding:
    if Budget.objects.filter(year=year + 1).exists():
        return Finding(True)
    return Finding(
        False,
        _("No budget for %(year)s") % {"year": year + 1},
        reverse("funding:budget_edit", kwargs={"year": year + 1}),
    )


def model(duty: Duty, year: int) -> Finding:
    if ContributionModel.objects.filter(year=year + 1, status=ModelStatus.ADOPTED).exists():
        return Finding(True)
    return Finding(
        False, _("No contribution model adopted for %(year)s") % {"year": year + 1}, reverse("funding:model_list")
    )


def _issued(year: int):
    return Invoice.objects.filter(year=year, kind=InvoiceKind.INVOICE).exclude(status=InvoiceStatus.DRAFT)


def invoices(duty: Duty, year: int) -> Finding:
    invoiced = set(_issued(year).values_list("contribution", flat=True))
    lacking = [
        c.organisation.name
        for c in Contribution.objects.filter(year=year, amount__gt=0).select_related("organisation")
        if c.pk not in invoiced
    ]
    if not Contribution.objects.filter(year=year, amount__gt=0).exists():
        lacking = [_("no contributions computed")]
    if lacking:
        return Finding(
            False,
            _("Not invoiced: %(names)s") % {"names": _names(sorted(lacking))},
            reverse("funding:invoice_run", kwargs={"year": year}),
        )
    return Finding(True)


def payments(duty: Duty, year: int) -> Finding:
    issued = _issued(year)
    open_ = issued.open()
    if issued.exists() and not open_.exists():
        return Finding(True)
    if not issued.exists():
        return Finding(False, _("No invoices issued for %(year)s") % {"year": year}, reverse("funding:invoice_list"))
    names = sorted(open_.values_list("buyer_name", flat=True))
    return Finding(False, _("Not paid: %(names)s") % {"names": _names(names)}, reverse("funding:invoice_list"))


def agreements(duty: Duty, year: int) -> Finding:
    due = duty.due_on(year)
    waiting = Agreement.objects.filter(
        status__in=[AgreementStatus.INVITED, AgreementStatus.OPENED, AgreementStatus.SIGNED], expires_on__lte=due
    ).select_related("organisation")
    if not waiting:
        return Finding(True)
    names = sorted(a.organisation.name for a in waiting)
    return Finding(
        False, _("Not signed in time: %(names)s") % {"names": _names(names)}, reverse("members:agreement_list")
    )


def meeting(duty: Duty, year: int) -> Finding:
    due = duty.due_on(year)
    start = dt.date(due.year, due.month, 1) - dt.timedelta(days=62)
    meetings = Meeting.objects.filter(body=duty.body_id, starts_at__date__gte=start, starts_at__date__lte=due)
    if meetings.filter(status__in=[MeetingStatus.HELD, MeetingStatus.MINUTES_APPROVED]).exists():
        return Finding(True)
    planned = meetings.first()
    if planned is not None:
        return Finding(False, _("The meeting is not yet held"), planned.get_absolute_url())
    body = duty.body.name if duty.body else _("the body")
    return Finding(False, _("No meeting of %(body)s planned") % {"body": body}, reverse("governance:meeting_create"))


def actuals(duty: Duty, year: int) -> Finding:
    if BudgetActual.objects.filter(year=year - 1).exists():
        return Finding(True)
    return Finding(
        False,
        _("No actual figures for %(year)s") % {"year": year - 1},
        reverse("annual:actuals", kwargs={"year": year - 1}),
    )


def report(duty: Duty, year: int) -> Finding:
    from annual.services import annual_report_is_approved

    found = AnnualReport.objects.filter(year=year - 1).select_related("case__decision").first()
    url = reverse("annual:report_detail", kwargs={"year": year - 1})
    if found is None:
        return Finding(False, _("The annual report for %(year)s is not written") % {"year": year - 1}, url)
    if annual_report_is_approved(found):
        return Finding(True)
    if found.case_id is None:
        return Finding(False, _("The annual report is not put before the council"), url)
    return Finding(False, _("The council has not approved the annual report"), url)


CHECKS: dict[str, Callable[[Duty, int], Finding]] = {
    Check.POPULATION: population,
    Check.DEFLATOR: deflator,
    Check.BUDGET: budget,
    Check.MODEL: model,
    Check.INVOICES: invoices,
    Check.PAYMENTS: payments,
    Check.AGREEMENTS: agreements,
    Check.MEETING: meeting,
    Check.ACTUALS: actuals,
    Check.REPORT: report,
}

APPROVED = (Outcome.ADOPTED, Outcome.AMENDED)
