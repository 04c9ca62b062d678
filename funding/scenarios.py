"""Side-by-side comparison of 2 to 4 contribution models on the same members and populations (read-only)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from funding import calculation as calc
from funding.fairness import Fairness, fairness
from funding.models import Budget, ContributionModel
from funding.services import build_inputs, deflator_series


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


def compare(models: list[ContributionModel]) -> Comparison:
    """Compute every model on its year's members and populations, without storing anything."""
    deflators = deflator_series()
    columns: list[Column] = []
    organisations: dict[str, tuple[str, str, int | None]] = {}
    for model in models:
        column = Column(model=model)
        inputs = build_inputs(model, deflators=deflators)
        if inputs.missing_population or inputs.without_rule:
            names = ", ".join(o.name for o in (inputs.missing_population + inputs.without_rule)[:10])
            column.problem = _("Cannot be computed: members without a population figure or a rule: %(names)s") % {
                "names": names
            }
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
