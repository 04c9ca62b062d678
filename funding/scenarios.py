"""Side-by-side comparison of 2 to 4 contribution models on the same members and populations (read-only)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from funding import calculation as calc
from funding.fairness import Fairness, fairness
from funding.models import Budget, ContributionModel
from funding.services import (
    Inputs,
    build_inputs,
    deflator_series,
    missing_deflators,
    missing_deflators_message,
)


@dataclass
class Column:
    model: ContributionModel
    results: dict[str, calc.Contribution] = field(default_factory=dict)
    fairness: Fairness | None = None
    problem: str = ""

    @property
    def total(self) -> Decimal:
        return sum((r.amount for r in self.results.values()), Decimal(0))


@dataclass
class Row:
    organisation_id: str
    name: str
    number: str
    population: int | None
    amounts: list[Decimal | None]
    per_inhabitant: list[Decimal | None]

    @property
    def pairs(self) -> list[tuple[Decimal | None, Decimal | None]]:
        return list(zip(self.amounts, self.per_inhabitant, strict=True))


@dataclass
class Comparison:
    columns: list[Column]
    rows: list[Row]
    budget: Budget | None

    @property
    def to_cover(self) -> Decimal | None:
        """What contributions must cover: the budget need less other income."""
        if self.budget is None:
            return None
        return self.budget.need - self.budget.income_besides_contributions


def _names(organisations: list) -> str:
    names = ", ".join(o.name for o in organisations[:10])
    return names + (", …" if len(organisations) > 10 else "")


def _problems(model: ContributionModel, inputs: Inputs, deflators: dict[int, Decimal]) -> list[str]:
    """Why a model cannot be computed as it stands, in words a user can act on."""
    problems = []
    if inputs.missing_population:
        problems.append(
            _("no population figures per %(date)s for %(count)d members (%(names)s)")
            % {
                "date": model.population_date.strftime("%d.%m.%Y"),
                "count": len(inputs.missing_population),
                "names": _names(inputs.missing_population),
            }
        )
    if inputs.without_rule:
        problems.append(_("no rule for the kind of %(names)s") % {"names": _names(inputs.without_rule)})
    missing = missing_deflators(model, deflators)
    if missing:
        problems.append(missing_deflators_message(missing))
    return problems


def model_problems(model: ContributionModel) -> list[str]:
    """Why the model cannot be computed as it stands (missing figures, rules or deflators), or []."""
    deflators = deflator_series()
    return _problems(model, build_inputs(model, deflators=deflators), deflators)


def compare(models: list[ContributionModel]) -> Comparison:
    """Compute every model on its year's members and populations, without storing anything."""
    deflators = deflator_series()
    columns: list[Column] = []
    organisations: dict[str, tuple[str, str, int | None]] = {}
    for model in models:
        column = Column(model=model)
        inputs = build_inputs(model, deflators=deflators)
        problems = _problems(model, inputs, deflators)
        if problems:
            column.problem = _("Cannot be computed: %(reasons)s") % {"reasons": "; ".join(problems)}
        else:
            try:
                results = calc.compute(inputs.model, inputs.members)
            except calc.ModelError as error:
                column.problem = str(error)
            else:
                column.results = {r.member_id: r for r in results}
                column.fairness = fairness(results, inputs.members)
        for member in inputs.members:
            organisation = inputs.organisations[member.id]
            population = inputs.populations.get(organisation.pk)
            organisations.setdefault(member.id, (organisation.name, organisation.number, population))
        columns.append(column)
    rows = []
    for member_id, (name, number, population) in sorted(organisations.items(), key=lambda item: item[1][0]):
        amounts = [c.results[member_id].amount if member_id in c.results else None for c in columns]
        per_inhabitant = [
            (amount / population).quantize(Decimal("0.01")) if amount is not None and population else None
            for amount in amounts
        ]
        rows.append(Row(member_id, name, number, population, amounts, per_inhabitant))
    years = {model.year for model in models}
    budget = Budget.objects.filter(year=years.pop()).first() if len(years) == 1 else None
    return Comparison(columns=columns, rows=rows, budget=budget)
