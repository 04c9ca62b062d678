"""Reads of the network's year that users trigger: the cycle with each duty's status, calendars, actuals."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from annual.checks import CHECKS, Finding
from annual.choices import COST_LINES, ActualLine, DutyStatus, OwnerRole
from annual.cycle import duty_status
from annual.models import AnnualReport, BudgetActual, Duty
from core import policy
from funding.models import Budget, Contribution
from governance.models import Meeting


@dataclass(frozen=True)
class DutyRow:
    """A duty in a year: when it is due, its status and what its data still lacks."""

    duty: Duty
    due: dt.date
    status: DutyStatus
    finding: Finding

    @property
    def is_late(self) -> bool:
        return self.status == DutyStatus.LATE

    @property
    def badge(self) -> str:
        """The Bootstrap colour of the status badge."""
        return BADGES[self.status]


BADGES = {
    DutyStatus.DONE: "text-bg-success",
    DutyStatus.LATE: "text-bg-danger",
    DutyStatus.DUE: "text-bg-warning",
    DutyStatus.UPCOMING: "text-bg-secondary",
}


def duty_list(*, user: Any) -> QuerySet[Duty]:
    return Duty.objects.filter(active=True).select_related("body")


def cycle(*, user: Any, year: int, today: dt.date | None = None) -> list[DutyRow]:
    """Every active duty of the year, in the order they fall due, with its status read from the data."""
    today = today or timezone.localdate()
    rows = []
    for duty in duty_list(user=user):
        finding = CHECKS[duty.done_when](duty, year)
        due = duty.due_on(year)
        status = duty_status(done=finding.done, due=due, today=today, remind_days=duty.remind_days)
        rows.append(DutyRow(duty=duty, due=due, status=status, finding=finding))
    return sorted(rows, key=lambda row: (row.due, row.duty.title))


def late_duties(*, user: Any, today: dt.date | None = None) -> list[DutyRow]:
    today = today or timezone.localdate()
    return [row for row in cycle(user=user, year=today.year, today=today) if row.is_late]


def duties_of_roles(user: Any) -> set[str]:
    """The owner roles whose duties a person sees in their own calendar."""
    roles = set()
    if policy.is_secretariat(user) or getattr(user, "is_secretariat", False):
        roles.add(OwnerRole.SECRETARIAT.value)
        if user.is_director:
            roles.add(OwnerRole.LEADER.value)
    elif getattr(user, "organisation_id", None):
        if user.is_director:
            roles.add(OwnerRole.DIRECTOR.value)
        if user.is_finance_officer:
            roles.add(OwnerRole.FINANCE_OFFICER.value)
    return roles


def public_meetings() -> QuerySet[Meeting]:
    """The meetings anyone may see (as the public meeting list shows them)."""
    return Meeting.objects.select_related("body").order_by("starts_at")


def meetings_of(*, user: Any) -> QuerySet[Meeting]:
    """The meetings of the bodies the person currently sits in."""
    return public_meetings().filter(body_id__in=policy.body_ids_of(user))


@dataclass(frozen=True)
class ActualRow:
    """A budget line in a year: budgeted, actual and the deviation in kroner and per cent."""

    line: str
    label: str
    is_cost: bool
    budgeted: Decimal
    actual: Decimal | None

    @property
    def deviation(self) -> Decimal | None:
        return None if self.actual is None else self.actual - self.budgeted

    @property
    def deviation_percent(self) -> Decimal | None:
        if self.deviation is None or not self.budgeted:
            return None
        return (self.deviation / self.budgeted * 100).quantize(Decimal("0.1"))


def _budgeted(budget: Budget | None, year: int) -> dict[str, Decimal]:
    contributions = Contribution.objects.filter(year=year).aggregate(total=Sum("amount"))["total"] or Decimal(0)
    if budget is None:
        return {ActualLine.CONTRIBUTIONS: contributions}
    return {
        ActualLine.STAFF: budget.staff_costs,
        ActualLine.PROJECTS: budget.project_costs,
        ActualLine.OTHER_COSTS: budget.other_costs,
        ActualLine.CONTRIBUTIONS: contributions,
        ActualLine.GRANTS: budget.grant_income,
        ActualLine.HOST_IN_KIND: budget.host_in_kind,
        ActualLine.OTHER_INCOME: budget.other_income,
    }


def budget_against_actuals(*, user: Any, year: int) -> list[ActualRow]:
    if not policy.can(user, "budget.view"):
        raise Http404
    return actual_rows(year=year)


def actual_rows(*, year: int) -> list[ActualRow]:
    """Every budget line of the year with its budget, actual figure and deviation."""
    budgeted = _budgeted(Budget.objects.filter(year=year).first(), year)
    actual = dict(BudgetActual.objects.filter(year=year).values_list("line", "amount"))
    return [
        ActualRow(
            line=choice.value,
            label=str(choice.label),
            is_cost=choice in COST_LINES,
            budgeted=budgeted.get(choice.value, Decimal(0)),
            actual=actual.get(choice.value),
        )
        for choice in ActualLine
    ]


def report_get(*, user: Any, year: int) -> AnnualReport | None:
    return AnnualReport.objects.select_related("case__meeting", "case__decision").filter(year=year).first()
