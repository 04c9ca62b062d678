"""Every read in the portfolio that a user triggers, scoped by the policy."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.http import Http404

from core import policy
from members.choices import MembershipStatus
from members.models import Organisation
from portfolio import lifecycle
from portfolio.choices import AdoptionStatus
from portfolio.models import (
    Adoption,
    Benefit,
    FundingPlanLine,
    Grant,
    GrantItem,
    Initiative,
    NationalSolution,
    Offering,
    Participation,
    StatusReport,
    Suggestion,
    Transition,
)

MEMBER_STATUSES = (MembershipStatus.MEMBER, MembershipStatus.NOTICE_GIVEN)


def _latest_report(column: str) -> Subquery:
    return Subquery(
        StatusReport.objects.filter(initiative=OuterRef("pk")).order_by("-period_end", "-pk").values(column)[:1]
    )


def initiative_list(*, user: Any) -> QuerySet[Initiative]:
    """Initiatives with their owner and latest status; budget totals for those who may see them."""
    queryset = Initiative.objects.select_related("owner", "expert_group").annotate(latest_rag=_latest_report("rag"))
    if policy.can(user, "initiative.view_internal"):
        queryset = queryset.annotate(
            budget_total=Subquery(
                FundingPlanLine.objects.filter(initiative=OuterRef("pk"))
                .values("initiative")
                .annotate(total=Sum("budget"))
                .values("total")[:1]
            )
        )
    return policy.restrict(queryset, user, "initiative.view")


def initiative_get(*, user: Any, pk: int) -> Initiative:
    queryset = policy.restrict(Initiative.objects.select_related("owner", "expert_group"), user, "initiative.view")
    queryset = queryset.prefetch_related(
        Prefetch("participations", queryset=Participation.objects.select_related("organisation")),
        Prefetch("transitions", queryset=Transition.objects.select_related("decided_by", "decided_in__body")),
        Prefetch("status_reports", queryset=StatusReport.objects.select_related("reported_by")),
        Prefetch("solutions", queryset=NationalSolution.objects.order_by("name")),
    )
    try:
        return queryset.get(pk=pk)
    except Initiative.DoesNotExist:
        raise Http404 from None


@dataclass
class YearFigures:
    year: int
    budget: Decimal = Decimal(0)
    actual: Decimal = Decimal(0)
    hours: Decimal = Decimal(0)


@dataclass
class FundingSummary:
    """An initiative's funding plan: its lines, budget against actual per year, and the own-effort rule."""

    lines: list[FundingPlanLine]
    years: list[YearFigures]
    check: lifecycle.FundingCheck
    total_actual: Decimal = Decimal(0)
    total_hours: Decimal = Decimal(0)
    by_source: list[tuple[str, Decimal]] = field(default_factory=list)


def funding_summary(initiative: Initiative) -> FundingSummary:
    lines = list(initiative.funding_lines.select_related("organisation"))
    years: dict[int, YearFigures] = {}
    by_source: dict[str, Decimal] = defaultdict(Decimal)
    for line in lines:
        figures = years.setdefault(line.year, YearFigures(line.year))
        figures.budget += line.budget
        figures.actual += line.actual
        figures.hours += line.hours or 0
        by_source[line.get_source_display()] += line.budget
    check = lifecycle.check_funding(lifecycle.FundingLine(line.source, line.budget) for line in lines)
    return FundingSummary(
        lines=lines,
        years=sorted(years.values(), key=lambda y: y.year),
        check=check,
        total_actual=sum((y.actual for y in years.values()), Decimal(0)),
        total_hours=sum((y.hours for y in years.values()), Decimal(0)),
        by_source=sorted(by_source.items()),
    )


def benefits_with_latest(initiative: Initiative) -> list[Benefit]:
    """Benefits with their realised values over time; `latest` is the newest realised value or None."""
    benefits = list(initiative.benefits.select_related("organisation").prefetch_related("values"))
    for benefit in benefits:
        values = list(benefit.values.all())
        benefit.latest = values[-1] if values else None  # type: ignore[attr-defined]  # for the page, not a field
    return benefits


def offering_list(*, user: Any) -> QuerySet[Offering]:
    return policy.restrict(Offering.objects.filter(is_published=True), user, "offering.view")


def expert_groups() -> QuerySet[Offering]:
    return Offering.objects.filter(kind="expert_group")


def members() -> QuerySet[Organisation]:
    return Organisation.objects.filter(membership_status__in=MEMBER_STATUSES).order_by("name")


@dataclass(frozen=True)
class Cell:
    """One member's adoption of one solution (None when nothing is recorded) and whether the user may change it."""

    solution: NationalSolution
    adoption: Adoption | None
    editable: bool

    @property
    def status(self) -> str:
        return self.adoption.status if self.adoption else AdoptionStatus.NOT_STARTED

    @property
    def status_label(self) -> str:
        return str(AdoptionStatus(self.status).label)


@dataclass
class AdoptionMatrix:
    """Members against national solutions: one row per member with a cell per solution."""

    solutions: list[NationalSolution]
    rows: list[tuple[Organisation, list[Cell]]]


def adoption_matrix(*, user: Any, search: str = "") -> AdoptionMatrix:
    if not policy.can(user, "rollout.view"):
        return AdoptionMatrix([], [])
    solutions = list(NationalSolution.objects.order_by("name"))
    found_organisations = members()
    if search:
        found_organisations = found_organisations.filter(Q(name__icontains=search) | Q(number__startswith=search))
    organisations = list(found_organisations)
    found = {(a.solution_id, a.organisation_id): a for a in Adoption.objects.filter(organisation__in=organisations)}
    rows = []
    for organisation in organisations:
        editable = policy.can(user, "adoption.change", organisation)
        rows.append((organisation, [Cell(s, found.get((s.pk, organisation.pk)), editable) for s in solutions]))
    return AdoptionMatrix(solutions, rows)


@dataclass
class SolutionShares:
    """How many members are at each adoption status for one national solution."""

    solution: NationalSolution
    counts: dict[str, int]
    members: int

    @property
    def adopted_share(self) -> Decimal | None:
        if not self.members:
            return None
        return Decimal(self.counts.get(AdoptionStatus.ADOPTED, 0)) / self.members


def rollout_shares(*, user: Any) -> list[SolutionShares]:
    """For each solution, members per adoption status; members with no row have not started."""
    if not policy.can(user, "rollout.view"):
        return []
    member_count = members().count()
    counted: dict[int, dict[str, int]] = defaultdict(dict)
    rows = (
        Adoption.objects.filter(organisation__membership_status__in=MEMBER_STATUSES)
        .values_list("solution_id", "status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for solution_id, status, n in rows:
        counted[solution_id][status] = n
    result = []
    for solution in NationalSolution.objects.order_by("name"):
        counts = counted[solution.pk]
        counts[AdoptionStatus.NOT_STARTED] = member_count - sum(
            n for status, n in counts.items() if status != AdoptionStatus.NOT_STARTED
        )
        result.append(SolutionShares(solution, counts, member_count))
    return result


def adoption_get(*, user: Any, solution_pk: int, organisation_pk: int) -> Adoption:
    """A member's adoption of a solution (unsaved and not started when none is recorded), or 404 when the
    user may not change it."""
    solution = NationalSolution.objects.filter(pk=solution_pk).first()
    organisation = members().filter(pk=organisation_pk).first()
    if solution is None or organisation is None or not policy.can(user, "adoption.change", organisation):
        raise Http404
    adoption = Adoption.objects.filter(solution=solution, organisation=organisation).first()
    return adoption or Adoption(solution=solution, organisation=organisation)


def status_report_get(*, user: Any, pk: int) -> StatusReport:
    queryset = StatusReport.objects.select_related("initiative")
    if not policy.can(user, "status_report.pdf"):
        queryset = queryset.none()
    try:
        return queryset.get(pk=pk)
    except StatusReport.DoesNotExist:
        raise Http404 from None


# -- Ideas and needs ----------------------------------------------------------------------------------------


def suggestion_list(*, user: Any, status: str = "") -> QuerySet[Suggestion]:
    """Ideas and needs with their organisation and how many other organisations share them; no names of people."""
    queryset = policy.restrict(Suggestion.objects.all(), user, "suggestion.view")
    if status:
        queryset = queryset.filter(status=status)
    return queryset.select_related("organisation", "initiative", "merged_into").annotate(
        support_count=Count("supports", distinct=True)
    )


def suggestion_get(*, user: Any, pk: int) -> Suggestion:
    try:
        return suggestion_list(user=user).prefetch_related("supports__organisation").get(pk=pk)
    except Suggestion.DoesNotExist:
        raise Http404 from None


def suggestion_merge_targets(*, suggestion: Suggestion) -> QuerySet[Suggestion]:
    """What an idea or need may be merged with: any other that is not merged itself."""
    return Suggestion.objects.exclude(pk=suggestion.pk).exclude(status="merged").order_by("title")


def suggestion_supported_by(*, user: Any, suggestion: Suggestion) -> bool:
    """Whether the user's organisation has already said it has this need too."""
    organisation_id = getattr(user, "organisation_id", None)
    return organisation_id is not None and suggestion.supports.filter(organisation_id=organisation_id).exists()


def benefits_reportable(*, user: Any, initiative: Initiative) -> QuerySet[Benefit]:
    """The initiative's benefits whose realised values `user` records (for a benefit kept per organisation, only
    that organisation's people and the secretariat)."""
    benefits = initiative.benefits.select_related("initiative", "organisation")
    if user is None or policy.is_secretariat(user):
        return benefits
    if not policy.can_report_on(user, initiative):
        return benefits.none()
    return benefits.filter(Q(organisation__isnull=True) | Q(organisation_id=user.organisation_id))


# -- Grants ---------------------------------------------------------------------------------------------------


def grant_list(*, user: Any) -> QuerySet[Grant]:
    """Applications for grants with their sums (the secretariat's)."""
    queryset = Grant.objects.select_related("grantor").annotate(
        applied_total=Sum("items__applied"), awarded_total=Sum("items__awarded"), initiative_count=Count("items")
    )
    return queryset if policy.can(user, "grant.manage") else queryset.none()


def grant_get(*, user: Any, pk: int) -> Grant:
    queryset = Grant.objects.select_related("grantor")
    if not policy.can(user, "grant.manage"):
        queryset = queryset.none()
    try:
        return queryset.get(pk=pk)
    except Grant.DoesNotExist:
        raise Http404 from None


def grant_items(grant: Grant) -> QuerySet[GrantItem]:
    return grant.items.select_related("initiative__owner", "funding_line")


def grant_reports_due(*, user: Any, until: Any) -> QuerySet[Grant]:
    """Awarded grants whose report is due by `until` and not yet filed, the earliest first."""
    from portfolio.choices import GrantStatus

    queryset = Grant.objects.select_related("grantor").filter(
        status__in=[GrantStatus.AWARDED, GrantStatus.PARTLY_AWARDED], report_due__isnull=False, report_due__lte=until
    )
    return queryset.order_by("report_due") if policy.can(user, "grant.manage") else queryset.none()
