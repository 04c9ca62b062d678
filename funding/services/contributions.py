"""Every write to contribution models, deflators, contributions, recompute runs and budgets."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core import rules as portal_rules
from core import told
from core.db import insert_rows_with_history, merge_rows_with_history, remembered, update_rows_with_history
from core.runs import RunStatus
from funding import calculation as calc
from funding.choices import ModelStatus
from funding.models import (
    Budget,
    Contribution,
    ContributionModel,
    ContributionOverride,
    ContributionRule,
    Deflator,
    RecomputeRun,
)
from members.choices import MembershipStatus
from members.domain import months_of_membership
from members.models import Organisation, PopulationFigure

logger = logging.getLogger(__name__)

# Fields a recompute may change on a contribution that has not been invoiced.
STORED_FIELDS = [
    "model_id",
    "model_version",
    "population",
    "population_date",
    "months",
    "basis",
    "index_factor",
    "fixed_part",
    "per_inhabitant_part",
    "cap",
    "exact",
    "amount",
    "explanation",
    "explanation_facts",
]
MEMBERSHIP_STATUSES = (MembershipStatus.MEMBER, MembershipStatus.NOTICE_GIVEN, MembershipStatus.WITHDRAWN)


# ------------------------------------------------------------------------------------------------
# From the database to the pure calculation


@dataclass(frozen=True)
class MemberOrganisation:
    """What the calculation and its reports need of a member organisation: a plain row, since building thousands
    of model instances (even with `only()`) took as long as a recompute's database work."""

    pk: int
    name: str
    number: str
    kind: str
    member_from: date | None
    member_until: date | None


@dataclass
class Inputs:
    """What the pure calculation needs for one model, and what stops it."""

    model: calc.ContributionModel
    members: list[calc.Member]
    organisations: dict[str, MemberOrganisation]
    populations: dict[int, int]
    missing_population: list[MemberOrganisation] = field(default_factory=list)
    without_rule: list[MemberOrganisation] = field(default_factory=list)


def deflator_series() -> dict[int, Decimal]:
    return dict(Deflator.objects.values_list("year", "rate"))


def missing_deflators(model: ContributionModel, deflators: dict[int, Decimal] | None = None) -> list[int]:
    """Years between the model's base year and its year whose deflator the model needs and nobody has registered.

    Share mode does not index, so it needs none.
    """
    if model.mode == calc.SHARE:
        return []
    known = deflator_series() if deflators is None else deflators
    return [year for year in range(model.base_year + 1, model.year + 1) if year not in known]


def missing_deflators_message(years: list[int]) -> str:
    return _("No deflator is registered for %(years)s; register it before the contributions are computed.") % {
        "years": ", ".join(str(year) for year in years)
    }


def to_calculation(model: ContributionModel, deflators: dict[int, Decimal]) -> calc.ContributionModel:
    """The pure model for a stored one (rules and overrides should be prefetched)."""
    return calc.ContributionModel(
        name=model.name,
        mode=model.mode,
        base_year=model.base_year,
        year=model.year,
        rules={
            rule.kind: calc.Rule(fixed=rule.fixed, per_inhabitant=rule.per_inhabitant, cap=rule.cap)
            for rule in model.rules.all()
        },
        overrides={
            str(override.organisation_id): calc.Override(
                exempt=override.exempt,
                fixed_amount=override.fixed_amount,
                description=override.description,
                in_kind_value=override.in_kind_value or None,
            )
            for override in model.overrides.all()
        },
        deflators={year: rate for year, rate in deflators.items() if model.base_year < year <= model.year},
        cap_indexed=model.cap_indexed,
        target_total=model.target_total,
        equal_share=model.equal_share,
    )


def members_of_year(year: int) -> list[tuple[MemberOrganisation, int]]:
    """Organisations that are members for some part of `year`, with the months they are members."""
    organisations = Organisation.objects.filter(
        membership_status__in=MEMBERSHIP_STATUSES, member_from__lte=date(year, 12, 31)
    ).filter(Q(member_until__isnull=True) | Q(member_until__gte=date(year, 1, 1)))
    result = []
    columns = ("pk", "name", "number", "kind", "member_from", "member_until")
    for row in organisations.order_by("name", "pk").values_list(*columns):
        organisation = MemberOrganisation(*row)
        months = months_of_membership(
            year=year, member_from=organisation.member_from, member_until=organisation.member_until
        )
        if months:
            result.append((organisation, months))
    return result


def build_inputs(model: ContributionModel, *, deflators: dict[int, Decimal] | None = None) -> Inputs:
    """Load what `model` needs for its year in a fixed number of queries."""
    pure = to_calculation(model, deflator_series() if deflators is None else deflators)
    membership = members_of_year(model.year)
    # All figures of the date: one plain query, cheaper than naming thousands of organisations.
    populations = dict(
        PopulationFigure.objects.filter(reference_date=model.population_date).values_list("organisation_id", "count")
    )
    inputs = Inputs(model=pure, members=[], organisations={}, populations=populations)
    for organisation, months in membership:
        member_id = str(organisation.pk)
        override = pure.overrides.get(member_id)
        if override is None and pure.mode == calc.FORMULA and organisation.kind not in pure.rules:
            inputs.without_rule.append(organisation)
            continue
        population = populations.get(organisation.pk)
        if population is None:
            if override is None:
                inputs.missing_population.append(organisation)
                continue
            population = 0  # not used for exempt or fixed-amount members
        inputs.organisations[member_id] = organisation
        kind = organisation.kind if organisation.kind in calc.KINDS else calc.MUNICIPALITY
        inputs.members.append(calc.Member(id=member_id, kind=kind, population=population, months=months))
    return inputs


# ------------------------------------------------------------------------------------------------
# Recomputing a year


class RecomputeBlocked(Exception):
    """A recompute that cannot run: members without a population figure or without a rule, or no model."""

    def __init__(self, message: str, organisations: Iterable[MemberOrganisation] = ()):
        self.organisations = list(organisations)
        super().__init__(message)


def adopted_model(year: int) -> ContributionModel | None:
    return (
        ContributionModel.objects.prefetch_related("rules", "overrides")
        .filter(year=year, status=ModelStatus.ADOPTED)
        .first()
    )


def _difference_row(row: dict[str, Any], result: calc.Contribution, organisation: MemberOrganisation) -> dict:
    return {
        "organisation_id": organisation.pk,
        "organisation": organisation.name,
        "invoiced": str(row["amount"]),
        "recomputed": str(result.amount),
        "difference": str(result.amount - row["amount"]),
    }


@dataclass
class RecomputePlan:
    """What a recompute of a year would write, worked out without writing anything."""

    model: ContributionModel
    results: list[calc.Contribution]
    organisations: dict[str, MemberOrganisation]
    to_create: list[dict[str, Any]] = field(default_factory=list)
    to_update: list[dict[str, Any]] = field(default_factory=list)
    stale: list[dict[str, Any]] = field(default_factory=list)
    report: dict[str, Any] = field(default_factory=dict)
    changed: list[str] = field(default_factory=list)  # names of the members to create or update

    def out_of_date(self) -> list[str]:
        """Names of the members whose stored contribution is not what the engine gives for today's inputs."""
        return sorted({*self.changed, *(row["organisation_name"] for row in self.stale)})


def _inputs(year: int) -> tuple[ContributionModel, Inputs]:
    """The adopted model of `year` and its inputs, checked so that the engine can compute every member.

    Raises RecomputeBlocked when the year cannot be computed (no adopted model, members without a population
    figure or without a rule, a deflator the model needs that nobody has registered).
    """
    model = adopted_model(year)
    if model is None:
        raise RecomputeBlocked(_("No contribution model is adopted for %(year)d.") % {"year": year})
    missing = missing_deflators(model)
    if missing:
        raise RecomputeBlocked(missing_deflators_message(missing))
    inputs = build_inputs(model)
    if inputs.missing_population:
        raise RecomputeBlocked(
            _("%(count)d members have no population figure per %(date)s.")
            % {"count": len(inputs.missing_population), "date": model.population_date.strftime("%d.%m.%Y")},
            inputs.missing_population,
        )
    if inputs.without_rule:
        raise RecomputeBlocked(
            _("%(count)d members are of a kind the model has no rule for.") % {"count": len(inputs.without_rule)},
            inputs.without_rule,
        )
    return model, inputs


def _computed(year: int) -> tuple[ContributionModel, Inputs, list[calc.Contribution]]:
    """The adopted model of `year`, its inputs and the engine's result for every member (see _inputs)."""
    model, inputs = _inputs(year)
    return model, inputs, calc.compute(inputs.model, inputs.members)


def _stored_values(model: ContributionModel, inputs: Inputs, result: calc.Contribution) -> dict[str, Any]:
    """The STORED_FIELDS of a result, as the database keeps them."""
    known_population = inputs.organisations[result.member_id].pk in inputs.populations
    return {
        "model_id": model.pk,
        "model_version": model.version,
        "population": result.population if known_population else None,
        "population_date": model.population_date if known_population else None,
        "months": result.months,
        "basis": result.basis,
        "index_factor": _stored(result.index_factor),
        "fixed_part": _stored(result.fixed_part),
        "per_inhabitant_part": _stored(result.per_inhabitant_part),
        "cap": None if result.cap is None else _stored(result.cap),
        "exact": _stored(result.exact),
        "amount": result.amount,
        "explanation": result.explanation,
        "explanation_facts": dict(result.facts),
    }


def _recompute_plan(year: int) -> RecomputePlan:
    """Compare every member's stored contribution for `year` with the engine's result for its current inputs.

    Raises RecomputeBlocked when the year cannot be computed.
    """
    model, inputs, results = _computed(year)
    plan = RecomputePlan(model=model, results=results, organisations=inputs.organisations)
    # Plain rows, not model instances: at thousands of members, building instances costs more than the SQL.
    existing = {
        row["organisation_id"]: row
        for row in Contribution.objects.filter(year=year).values(
            "pk", "organisation_id", "organisation__name", "frozen_at", *STORED_FIELDS
        )
    }
    report: dict[str, Any] = {"created": 0, "updated": 0, "unchanged": 0, "removed": 0, "frozen_differences": []}
    for result in results:
        organisation = inputs.organisations[result.member_id]
        values = _stored_values(model, inputs, result)
        row = existing.pop(organisation.pk, None)
        if row is None:
            plan.to_create.append({"organisation_id": organisation.pk, "year": year, "frozen_at": None, **values})
            plan.changed.append(organisation.name)
        elif row["frozen_at"] is not None:
            if row["amount"] != result.amount:
                report["frozen_differences"].append(_difference_row(row, result, organisation))
            else:
                report["unchanged"] += 1
        elif all(row[name] == value for name, value in values.items()):
            report["unchanged"] += 1
        else:
            plan.to_update.append({"pk": row["pk"], **values})
            plan.changed.append(organisation.name)
    # Organisations that are no longer members this year lose a contribution that was never invoiced.
    plan.stale = [
        {"pk": row["pk"], "organisation_name": row["organisation__name"]}
        for row in existing.values()
        if row["frozen_at"] is None
    ]
    plan.report = report
    return plan


# Every table _recompute_plan reads (tests/funding/test_money_year.py checks the list against its queries).
OUT_OF_DATE_READS = (
    ContributionModel,
    ContributionRule,
    ContributionOverride,
    Deflator,
    Organisation,
    PopulationFigure,
    Contribution,
)


def contributions_out_of_date(*, year: int) -> list[str]:
    """Members whose contribution for `year` differs from what the current inputs give (invoiced ones excepted).

    Decided from the stored state alone. Raises RecomputeBlocked when the year cannot be computed at all.
    """
    adopted = ContributionModel.objects.filter(year=year, status=ModelStatus.ADOPTED)
    if not adopted.exists() and not Contribution.objects.filter(year=year).exists():
        return []
    # The answer is kept under a fingerprint of every table the comparison reads (the start page asks on every
    # visit, and the comparison runs the whole calculation): any write to them gives another fingerprint.
    return list(
        remembered(f"funding:out-of-date:{year}", OUT_OF_DATE_READS, (), lambda: _recompute_plan(year).out_of_date())
    )


def contributions_recompute(*, year: int, on_progress: Callable[[int], None] = lambda percent: None) -> dict:
    """Recompute and store every member's contribution for `year` under the adopted model.

    All or nothing: when any member lacks a population figure (or a rule, or the model a deflator), nothing is
    written and RecomputeBlocked says why. Invoiced contributions are never changed: a different result is
    reported as a difference. Uses a number of queries that does not grow with the number of members.
    """
    on_progress(20)
    if connection.vendor == "postgresql":
        return _recompute_in_database(year, on_progress)
    plan = _recompute_plan(year)
    on_progress(50)
    now = timezone.now()
    to_create = [{**row, "computed_at": now} for row in plan.to_create]
    to_update = [{**row, "computed_at": now} for row in plan.to_update]
    stale = [row["pk"] for row in plan.stale]
    with transaction.atomic():
        insert_rows_with_history(Contribution, to_create)
        update_rows_with_history(Contribution, to_update)
        if stale:
            Contribution.objects.filter(pk__in=stale).delete()
    report = plan.report
    report.update(created=len(to_create), updated=len(to_update), removed=len(stale))
    return _finish_report(report, plan.model, plan.results, on_progress)


# A recompute on PostgreSQL computes and writes the members in this many parts, so that PostgreSQL writes one
# part while the next is being computed; a fixed number, so that the number of statements does not grow with
# the members.
RECOMPUTE_PARTS = 8


def _recompute_in_database(year: int, on_progress: Callable[[int], None]) -> dict:
    """contributions_recompute on PostgreSQL: each part of the members is computed and sent to a statement that
    compares every result with the stored row and writes what differs with its history row
    (core.db.merge_rows_with_history), so the stored rows are never read into Python and PostgreSQL writes one
    part while the next is computed; the same report as the comparison in Python (_recompute_plan) gives."""
    model, inputs = _inputs(year)
    on_progress(50)
    results: list[calc.Contribution] = []

    def parts() -> Iterator[list[dict[str, Any]]]:
        for part in calc.compute_in_parts(inputs.model, inputs.members, RECOMPUTE_PARTS):
            results.extend(part)
            yield [
                {"organisation_id": inputs.organisations[result.member_id].pk, **_stored_values(model, inputs, result)}
                for result in part
            ]

    with transaction.atomic():
        written = merge_rows_with_history(
            Contribution,
            parts(),
            key="organisation_id",
            scope={"year": year},
            compare=STORED_FIELDS,
            also={"computed_at": timezone.now()},
            held="frozen_at",
            report="amount",
        )
        actions: dict[str, list[tuple[int, Any]]] = {"+": [], "~": [], "=": [], "-": []}
        for action, organisation_id, value in written:
            actions[action].append((organisation_id, value))
        # Organisations that are no longer members this year lose a contribution that was never invoiced.
        stale = [organisation_id for organisation_id, _value in actions["-"]]
        if stale:
            Contribution.objects.filter(year=year, organisation_id__in=stale, frozen_at__isnull=True).delete()
    invoiced = dict(actions["="])
    differences = []
    for result in results:
        organisation = inputs.organisations[result.member_id]
        if organisation.pk in invoiced:
            differences.append(_difference_row({"amount": invoiced[organisation.pk]}, result, organisation))
    report: dict[str, Any] = {
        "created": len(actions["+"]),
        "updated": len(actions["~"]),
        "unchanged": len(results) - len(actions["+"]) - len(actions["~"]) - len(differences),
        "removed": len(stale),
        "frozen_differences": differences,
    }
    return _finish_report(report, model, results, on_progress)


def _finish_report(
    report: dict[str, Any], model: ContributionModel, results: list[calc.Contribution], on_progress: Callable
) -> dict:
    report.update(total=str(sum((r.amount for r in results), Decimal(0))), model=model.pk, model_version=model.version)
    on_progress(90)
    return report


_EIGHT_PLACES = Decimal("1e-8")


def _stored(value: Decimal) -> Decimal:
    """As the database keeps it (eight decimal places), so that an unchanged result compares equal."""
    return value.quantize(_EIGHT_PLACES)


def recompute_start(*, year: int, requested_by: Any = None, reason: dict[str, Any] | None = None) -> RecomputeRun:
    """Queue a recompute of `year`; a run already waiting for the same year is reused.

    The reason is a kept message (core.told), shown to each reader in their language."""
    from funding import tasks

    with transaction.atomic():
        waiting = RecomputeRun.objects.select_for_update().filter(year=year, status=RunStatus.QUEUED).first()
        if waiting is not None:
            return waiting
        with translation.override("en"):
            english = told.tell(reason)
        run = RecomputeRun.objects.create(
            year=year,
            requested_by=requested_by if getattr(requested_by, "pk", None) else None,
            reason=english[:200],
            reason_message=reason or {},
        )
        tasks.enqueue_recompute(run.pk)  # sent once the transaction commits
    return run


def recompute_run_execute(*, run_id: int) -> RecomputeRun:
    """Carry out a queued run: safe to call twice (a finished run is left as it is)."""
    run = RecomputeRun.claim(run_id)
    if run.is_finished:
        return run

    def progress(percent: int) -> None:
        RecomputeRun.objects.filter(pk=run.pk).update(progress=percent)

    try:
        report = contributions_recompute(year=run.year, on_progress=progress)
    except RecomputeBlocked as blocked:
        run.status, run.error = RunStatus.FAILED, str(blocked)
        run.missing_population = [{"id": o.pk, "name": o.name, "number": o.number} for o in blocked.organisations]
        run.report = {}
    except calc.ModelError as error:
        run.status, run.error, run.report = RunStatus.FAILED, str(error), {}
    else:
        run.status, run.report = RunStatus.SUCCEEDED, report
    run.progress, run.finished_at = 100, timezone.now()
    run.save(update_fields=["status", "error", "missing_population", "report", "progress", "finished_at"])
    return run


def recompute_run_fail(*, run_id: int, error: str) -> None:
    RecomputeRun.fail(run_id, error)


def recompute_years_affected(
    *, population_dates: Iterable[date] = (), deflator_year: int | None = None, since: date | None = None
) -> list[int]:
    """Years whose adopted model uses one of these population dates or this deflator year, or that end after
    `since` (a membership change)."""
    adopted = ContributionModel.objects.filter(status=ModelStatus.ADOPTED)
    years: set[int] = set()
    if since is not None:
        years.update(adopted.filter(year__gte=since.year).values_list("year", flat=True))
    dates = list(population_dates)
    if dates:
        years.update(adopted.filter(population_date__in=dates).values_list("year", flat=True))
    if deflator_year is not None:
        years.update(
            adopted.filter(base_year__lt=deflator_year, year__gte=deflator_year).values_list("year", flat=True)
        )
    return sorted(years)


# ------------------------------------------------------------------------------------------------
# Models, deflators and budgets


MODEL_FIELDS = (
    "name",
    "year",
    "base_year",
    "mode",
    "cap_indexed",
    "target_total",
    "equal_share",
    "population_date",
    "description",
)


@dataclass(frozen=True)
class RuleInput:
    kind: str
    fixed: Decimal
    per_inhabitant: Decimal
    cap: Decimal | None


@dataclass(frozen=True)
class OverrideInput:
    organisation: Organisation
    exempt: bool
    fixed_amount: Decimal | None
    in_kind_value: Decimal | None = None
    description: str = ""


def _check_model(model: ContributionModel, rules: list[RuleInput], overrides: list[OverrideInput]) -> None:
    errors: dict[str, list[str]] = {}
    if model.base_year > model.year:
        errors.setdefault("base_year", []).append(_("The base year cannot be after the budget year."))
    if model.mode == calc.SHARE and model.target_total is None:
        errors.setdefault("target_total", []).append(_("Share mode needs a target total."))
    if model.mode == calc.FORMULA and not rules:
        errors.setdefault("__all__", []).append(_("A formula model needs at least one rule."))
    kinds = [rule.kind for rule in rules]
    if len(kinds) != len(set(kinds)):
        errors.setdefault("__all__", []).append(_("Each kind of organisation can have one rule only."))
    organisations = [override.organisation.pk for override in overrides]
    if len(organisations) != len(set(organisations)):
        errors.setdefault("__all__", []).append(_("Each organisation can have one exception only."))
    for override in overrides:
        if override.exempt == (override.fixed_amount is not None):
            errors.setdefault("__all__", []).append(
                _("The exception for %(name)s must be either exempt or a fixed amount.")
                % {"name": override.organisation.name}
            )
    if errors:
        raise ValidationError(errors)


def _unchanged(
    model: ContributionModel, values: dict[str, Any], rules: list[RuleInput], overrides: list[OverrideInput]
) -> bool:
    current_rules = {RuleInput(r.kind, r.fixed, r.per_inhabitant, r.cap) for r in model.rules.all()}
    current_overrides = {
        OverrideInput(o.organisation, o.exempt, o.fixed_amount, o.in_kind_value, o.description)
        for o in model.overrides.select_related("organisation")
    }
    return (
        all(getattr(model, name) == value for name, value in values.items())
        and current_rules == set(rules)
        and current_overrides == set(overrides)
    )


@transaction.atomic
def contribution_model_save(
    *,
    model: ContributionModel | None = None,
    values: dict[str, Any],
    rules: list[RuleInput],
    overrides: list[OverrideInput],
    requested_by: Any = None,
) -> ContributionModel:
    """Create a model or change one (a new version); an adopted model's contributions are then recomputed."""
    unknown = set(values) - set(MODEL_FIELDS)
    if unknown:
        raise TypeError(f"Unknown model fields: {sorted(unknown)}")
    if model is not None and not contribution_model_can_edit(model):
        raise ValidationError(_("A superseded model is kept as it was; copy it to make a new proposal."))
    creating = model is None
    if model is None:
        model = ContributionModel()
    else:
        model = ContributionModel.objects.select_for_update().get(pk=model.pk)
        if _unchanged(model, values, rules, overrides):
            return model
        model.version += 1
    for name, value in values.items():
        setattr(model, name, value)
    if not model.population_date:
        model.population_date = ContributionModel.default_population_date(model.year)
    _check_model(model, rules, overrides)
    model.full_clean()
    model.save()
    if not creating:
        model.rules.all().delete()
        model.overrides.all().delete()
    for rule in rules:
        record = ContributionRule(
            model=model, kind=rule.kind, fixed=rule.fixed, per_inhabitant=rule.per_inhabitant, cap=rule.cap
        )
        record.full_clean()
        record.save()
    for override in overrides:
        override_record = ContributionOverride(
            model=model,
            organisation=override.organisation,
            exempt=override.exempt,
            fixed_amount=override.fixed_amount,
            in_kind_value=override.in_kind_value,
            description=override.description,
        )
        override_record.full_clean()
        override_record.save()
    if contribution_model_is_in_force(model):
        recompute_start(
            year=model.year,
            requested_by=requested_by,
            reason=told.kept(gettext_noop("Model changed (version %(v)d)"), v=model.version),
        )
    return model


def newest_population_date(year: int) -> date:
    """The newest reference date with population figures, not after 1 January of `year`; else that 1 January."""
    default = ContributionModel.default_population_date(year)
    newest = (
        PopulationFigure.objects.filter(reference_date__lte=default)
        .order_by("-reference_date")
        .values_list("reference_date", flat=True)
        .first()
    )
    return newest or default


@transaction.atomic
def contribution_model_copy(*, model: ContributionModel, name: str, year: int | None = None) -> ContributionModel:
    """A new proposal with the same parameters, e.g. to try a change or to prepare next year's model.

    Copied to another year, it uses the newest population figures there are (the year's own reference date
    once they are imported), and starts without the old description, which speaks of the old year's figures.
    """
    year = year or model.year
    same_year = year == model.year
    copy = contribution_model_save(
        values={
            **{name_: getattr(model, name_) for name_ in MODEL_FIELDS},
            "name": name,
            "year": year,
            "population_date": model.population_date if same_year else newest_population_date(year),
            "description": model.description if same_year else "",
        },
        rules=[RuleInput(r.kind, r.fixed, r.per_inhabitant, r.cap) for r in model.rules.all()],
        overrides=[
            OverrideInput(o.organisation, o.exempt, o.fixed_amount, o.in_kind_value, o.description)
            for o in model.overrides.select_related("organisation")
        ],
    )
    return copy


@portal_rules.rule
def contribution_model_can_edit(model: ContributionModel) -> bool:
    """A superseded model is kept as it was; a proposal or the adopted model can be changed."""
    return model.status != ModelStatus.SUPERSEDED


@portal_rules.rule
def contribution_model_can_adopt(model: ContributionModel) -> bool:
    return model.status == ModelStatus.PROPOSAL


@portal_rules.rule
def contribution_model_is_in_force(model: ContributionModel) -> bool:
    """The adopted model of its year: its contributions are computed, recomputed and invoiced."""
    return model.status == ModelStatus.ADOPTED


@portal_rules.rule
def contribution_model_is_public(model: ContributionModel) -> bool:
    """Adopted and superseded models are shown to members; proposals only to the secretariat."""
    return model.status != ModelStatus.PROPOSAL


@transaction.atomic
def contribution_model_adopt(
    *,
    model: ContributionModel,
    adopted_on: date,
    adopted_by: str = "",
    adopted_in_case: Any = None,
    requested_by: Any = None,
) -> ContributionModel:
    """Adopt a proposal as the model for its year; the model it replaces is kept as superseded.

    `adopted_in_case` is the governance case that adopted it; `adopted_by` then defaults to its body and number.
    """
    model = ContributionModel.objects.select_for_update().get(pk=model.pk)
    if not contribution_model_can_adopt(model):
        if contribution_model_is_in_force(model):
            raise ValidationError(_("This model is already adopted."))
        raise ValidationError(_("A superseded model cannot be adopted again; copy it as a new proposal."))
    ContributionModel.objects.filter(year=model.year, status=ModelStatus.ADOPTED).update(status=ModelStatus.SUPERSEDED)
    if adopted_in_case is not None and not adopted_by:
        adopted_by = f"{adopted_in_case.body.name}, sak {adopted_in_case.reference}"
    if not adopted_by:
        raise ValidationError({"adopted_by": _("Name the body and case that adopted the model.")})
    model.status, model.adopted_on, model.adopted_by = ModelStatus.ADOPTED, adopted_on, adopted_by
    model.adopted_in_case = adopted_in_case
    model.full_clean()
    model.save(update_fields=["status", "adopted_on", "adopted_by", "adopted_in_case", "updated_at"])
    recompute_start(
        year=model.year,
        requested_by=requested_by,
        reason=told.kept(gettext_noop("Model adopted: %(name)s"), name=model.name),
    )
    return model


@transaction.atomic
def deflator_set(*, year: int, rate: Decimal, source: str = "", requested_by: Any = None) -> Deflator:
    """Record the deflator for a year; adopted models that index over that year are recomputed."""
    deflator = Deflator.objects.filter(year=year).first() or Deflator(year=year)
    if deflator.pk and (deflator.rate, deflator.source) == (rate, source):
        return deflator
    deflator.rate, deflator.source = rate, source
    deflator.full_clean()
    deflator.save()
    for affected in recompute_years_affected(deflator_year=year):
        recompute_start(
            year=affected,
            requested_by=requested_by,
            reason=told.kept(gettext_noop("Deflator for %(year)d changed"), year=year),
        )
    return deflator


BUDGET_FIELDS = ("staff_costs", "project_costs", "other_costs", "grant_income", "host_in_kind", "other_income", "notes")


@transaction.atomic
def budget_save(*, year: int, **values: Any) -> Budget:
    unknown = set(values) - set(BUDGET_FIELDS)
    if unknown:
        raise TypeError(f"Unknown budget fields: {sorted(unknown)}")
    budget = Budget.objects.filter(year=year).first() or Budget(year=year)
    for name, value in values.items():
        setattr(budget, name, value)
    budget.full_clean()
    budget.save()
    return budget
