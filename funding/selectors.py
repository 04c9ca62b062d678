"""Every read of contribution models, contributions, runs and budgets that a user triggers, scoped by the policy."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, DecimalField, OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import Http404

from core import policy
from funding.choices import InvoiceKind, InvoiceStatus, ModelStatus
from funding.models import (
    ActualCost,
    Budget,
    Contribution,
    ContributionModel,
    Deflator,
    OneOffModel,
    PricedService,
    RecomputeRun,
    ServiceOrder,
    Settlement,
    SettlementShare,
    SharingParticipant,
    SharingPlan,
)


def _get(queryset: QuerySet, **lookup: Any):
    try:
        return queryset.get(**lookup)
    except queryset.model.DoesNotExist:
        raise Http404 from None


def contribution_model_list(*, user: Any) -> QuerySet[ContributionModel]:
    """Adopted and superseded models for signed-in members; proposals too for the secretariat."""
    queryset = (
        ContributionModel.objects.annotate(rule_count=Count("rules", distinct=True))
        .select_related("adopted_in_case")
        .order_by("-year", "status", "name")
    )
    queryset = policy.restrict(queryset, user, "contribution_model.view")
    if not policy.can(user, "contribution_model.view_proposals"):
        queryset = queryset.exclude(status=ModelStatus.PROPOSAL)
    return queryset


def contribution_model_get(*, user: Any, pk: int) -> ContributionModel:
    queryset = contribution_model_list(user=user).prefetch_related("rules", "overrides__organisation")
    return _get(queryset, pk=pk)


def contribution_list(*, user: Any, year: int | None = None) -> QuerySet[Contribution]:
    queryset = Contribution.objects.select_related("organisation", "model").order_by("-year", "organisation__name")
    if year:
        queryset = queryset.filter(year=year)
    return policy.restrict(queryset, user, "contribution.view")


def contribution_get(*, user: Any, pk: int) -> Contribution:
    return _get(contribution_list(user=user), pk=pk)


def contribution_years(*, user: Any) -> list[int]:
    return list(contribution_list(user=user).order_by("-year").values_list("year", flat=True).distinct())


def contribution_totals(*, year: int) -> dict[str, Any]:
    return Contribution.objects.filter(year=year).aggregate(total=Sum("amount"), count=Count("pk"))


def recompute_run_get(*, user: Any, pk: int) -> RecomputeRun:
    if not policy.can(user, "contribution.recompute"):
        raise Http404
    return _get(RecomputeRun.objects.select_related("requested_by"), pk=pk)


def recompute_run_list(*, user: Any, year: int | None = None) -> QuerySet[RecomputeRun]:
    if not policy.can(user, "contribution.recompute"):
        return RecomputeRun.objects.none()
    queryset = RecomputeRun.objects.select_related("requested_by")
    return queryset.filter(year=year) if year else queryset


def deflator_list(*, user: Any) -> QuerySet[Deflator]:
    return policy.restrict(Deflator.objects.order_by("-year"), user, "contribution_model.view")


def budget_list(*, user: Any) -> QuerySet[Budget]:
    return policy.restrict(Budget.objects.order_by("-year"), user, "budget.view")


def budget_list_with_contributions(*, user: Any) -> QuerySet[Budget]:
    """The budgets, each with `contributions_total`: the sum of its year's contributions (0 without any)."""
    year_total = (
        Contribution.objects.filter(year=OuterRef("year")).order_by().values("year").annotate(total=Sum("amount"))
    )
    money = DecimalField(max_digits=14, decimal_places=2)
    return budget_list(user=user).annotate(
        contributions_total=Coalesce(Subquery(year_total.values("total"), output_field=money), 0, output_field=money)
    )


def budget_get(*, user: Any, year: int) -> Budget:
    return _get(budget_list(user=user), year=year)


# -- Cost-sharing plans ----------------------------------------------------------------------------


def sharing_plan_list(*, user: Any) -> QuerySet[SharingPlan]:
    """Every plan for the secretariat; for a member, the adopted and superseded plans its organisation is in."""
    queryset = SharingPlan.objects.select_related("initiative", "adopted_in_case").order_by(
        "-first_year", "number", "-version"
    )
    queryset = policy.restrict(queryset, user, "sharing_plan.view")
    if not policy.can(user, "sharing_plan.manage"):
        queryset = queryset.exclude(status=ModelStatus.PROPOSAL)
    return queryset


def sharing_plan_get(*, user: Any, pk: int) -> SharingPlan:
    return _get(sharing_plan_list(user=user), pk=pk)


def sharing_plan_rows(*, user: Any, plan: SharingPlan) -> QuerySet[SharingParticipant]:
    """The shares the user sees: all of them for the secretariat, the own organisation's for a participant."""
    queryset = plan.participants.select_related("organisation").order_by("organisation__name")
    if policy.can(user, "sharing_plan.manage"):
        return queryset
    return queryset.filter(organisation_id=user.organisation_id)


@dataclass(frozen=True)
class PlanYear:
    """One period of a plan against the initiative's actual cost: what was planned, invoiced, spent and settled."""

    year: int
    planned: Decimal
    invoiced: Decimal
    actual: Decimal | None
    settlement: Settlement | None

    @property
    def difference(self) -> Decimal | None:
        return None if self.actual is None else self.actual - self.invoiced


def plan_against_actuals(*, plan: SharingPlan) -> list[PlanYear]:
    """Each period of the plan with the initiative's actual cost (plans read by anyone who may see the plan; the
    figures are the initiative's, not any participant's)."""
    from funding.models import Invoice

    actuals = (
        dict(ActualCost.objects.filter(initiative_id=plan.initiative_id).values_list("year", "amount"))
        if plan.initiative_id
        else {}
    )
    settlements = {s.year: s for s in Settlement.objects.filter(plan_number=plan.number)}
    invoices = (
        Invoice.objects.filter(plan_share__plan__number=plan.number, kind=InvoiceKind.INVOICE)
        .exclude(status=InvoiceStatus.CREDITED)
        .prefetch_related("credit_notes")
    )
    invoiced: dict[int, Decimal] = {}
    for invoice in invoices:
        credited = sum((c.total for c in invoice.credit_notes.all() if c.settlement_share_id is None), Decimal(0))
        invoiced[invoice.year] = invoiced.get(invoice.year, Decimal(0)) + invoice.total - credited
    return [
        PlanYear(
            year=year,
            planned=plan.amount,
            invoiced=settlements[year].invoiced if year in settlements else invoiced.get(year, Decimal(0)),
            actual=settlements[year].actual if year in settlements else actuals.get(year),
            settlement=settlements.get(year),
        )
        for year in plan.years
    ]


def settlement_shares(*, user: Any, plan: SharingPlan) -> QuerySet[SettlementShare]:
    """The settlement shares of a plan's periods the user sees: all for the secretariat, the own organisation's
    for a participant, with the documents that carry them."""
    queryset = (
        SettlementShare.objects.filter(settlement__plan_number=plan.number)
        .select_related("organisation", "settlement", "original_invoice")
        .prefetch_related("invoices")
        .order_by("-settlement__year", "organisation__name")
    )
    if policy.can(user, "sharing_plan.manage"):
        return queryset
    return queryset.filter(organisation_id=user.organisation_id)


def priced_service_list(*, user: Any) -> QuerySet[PricedService]:
    """The catalogue: published services for members, every service for the secretariat."""
    queryset = PricedService.objects.select_related("financed_by")
    if not policy.can(user, "priced_service.manage"):
        queryset = queryset.filter(is_published=True)
    return queryset


def priced_service_get(*, user: Any, pk: int) -> PricedService:
    return _get(priced_service_list(user=user), pk=pk)


def service_order_list(*, user: Any) -> QuerySet[ServiceOrder]:
    """Every order for the secretariat; a member's people see their own organisation's orders."""
    queryset = ServiceOrder.objects.select_related("service", "organisation", "ordered_by", "agreed_by")
    return policy.restrict(queryset, user, "service_order.view")


def service_order_get(*, user: Any, pk: int) -> ServiceOrder:
    return _get(service_order_list(user=user), pk=pk)


def one_off_model_list(*, user: Any) -> QuerySet[OneOffModel]:
    return policy.restrict(OneOffModel.objects.all(), user, "one_off.view")


def one_off_model_get(*, user: Any, pk: int) -> OneOffModel:
    return _get(one_off_model_list(user=user), pk=pk)
