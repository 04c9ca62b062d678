"""How evenly contributions fall: cost per inhabitant and the share the largest members pay."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext

from funding.calculation import _DIVIDING, _ZERO, Contribution, Member

# fairness(): how many of the most populous members `largest_members_share` looks at.
LARGEST_MEMBERS = 5


@dataclass(frozen=True)
class Fairness:
    """How evenly the contributions fall: cost per inhabitant and what the largest members pay."""

    total: Decimal
    min_per_inhabitant: Decimal | None
    median_per_inhabitant: Decimal | None
    max_per_inhabitant: Decimal | None
    max_min_ratio: Decimal | None
    largest_members_share: Decimal | None


def fairness(contributions: Sequence[Contribution], members: Sequence[Member]) -> Fairness:
    """Cost per inhabitant (over members with inhabitants that pay) and the share the 5 most populous pay."""
    amounts = {contribution.member_id: contribution.amount for contribution in contributions}
    with localcontext(_DIVIDING):
        total = sum(amounts.values(), _ZERO)
        per_inhabitant = sorted(
            amounts[member.id] / member.population
            for member in members
            if member.population > 0 and amounts.get(member.id, _ZERO) > 0
        )
        minimum = maximum = median = ratio = None
        if per_inhabitant:
            minimum, maximum = per_inhabitant[0], per_inhabitant[-1]
            middle = len(per_inhabitant) // 2
            median = per_inhabitant[middle]
            if len(per_inhabitant) % 2 == 0:
                median = (per_inhabitant[middle - 1] + median) / 2
            ratio = maximum / minimum
        # sorted() is stable, so among equal populations the earlier member counts as larger.
        largest = sorted(members, key=lambda member: -member.population)[:LARGEST_MEMBERS]
        largest_share = None
        if total:
            largest_share = sum((amounts.get(member.id, _ZERO) for member in largest), _ZERO) / total
    cents = Decimal("0.01")
    return Fairness(
        total=total,
        min_per_inhabitant=_quantize(minimum, cents),
        median_per_inhabitant=_quantize(median, cents),
        max_per_inhabitant=_quantize(maximum, cents),
        max_min_ratio=_quantize(ratio, cents),
        largest_members_share=_quantize(largest_share, Decimal("0.0001")),
    )


def _quantize(value: Decimal | None, exponent: Decimal) -> Decimal | None:
    return None if value is None else value.quantize(exponent, rounding=ROUND_HALF_UP, context=_DIVIDING)
