"""The contribution formula: pure functions over frozen dataclasses and Decimal, with no database.

The rules are those of the reference README (shared/reference/contributions/README.md):

- formula mode: exempt -> 0; fixed_amount -> that amount (not indexed); otherwise
  ``fixed * f + per_inhabitant * f * population``, capped at ``cap * f`` (cap_indexed) or ``cap``;
  then ``* months / 12``; rounded once, at the end, to whole NOK, half up.
- share mode: target_total minus the fixed amounts is split among the other non-exempt members,
  a fraction equal_share equally and the rest by population, to whole NOK by the largest remainder.

Error messages are English and name the file and the key, or the file, line and column. Beside the engine:
the facts behind each amount and their explanation in the portal's languages (funding.explanations), the
fairness figures (funding.fairness) and reading and writing models and member lists (funding.model_io).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from decimal import (
    ROUND_HALF_UP,
    Context,
    Decimal,
    DivisionByZero,
    Inexact,
    InvalidOperation,
    Overflow,
    localcontext,
)
from typing import TypeVar

from funding import explanations

MUNICIPALITY = "municipality"
COUNTY_MUNICIPALITY = "county_municipality"
# The same values as members.choices.OrganisationKind; spelled out so this module needs no Django models.
KINDS = (MUNICIPALITY, COUNTY_MUNICIPALITY)

FORMULA = "formula"
SHARE = "share"
MODES = (FORMULA, SHARE)

# Values of Contribution.basis.
EXEMPT = "exempt"
FIXED_AMOUNT = "fixed_amount"
CAPPED = "capped"

MONTHS_IN_YEAR = 12

# Far more digits than any real figure has, so sums and products are exact. Inexact is trapped where the
# rule says "no intermediate rounding": a figure too long to compute exactly fails loudly instead.
_PRECISION = 100
_EXACT = Context(prec=_PRECISION, traps=[InvalidOperation, DivisionByZero, Overflow, Inexact])
# Divisions (months / 12, population shares, per-inhabitant costs) cannot always be exact; they use this.
_DIVIDING = Context(prec=_PRECISION, traps=[InvalidOperation, DivisionByZero, Overflow])
_ONE = Decimal(1)
_ZERO = Decimal(0)
K = TypeVar("K")


class ModelError(ValueError):
    """A contribution model that cannot be used; the message names the file and the key."""


class MembersError(ValueError):
    """A members file (or member) that cannot be used; `errors` lists each problem with its line and column."""

    def __init__(self, errors: str | list[str]):
        self.errors = [errors] if isinstance(errors, str) else list(errors)
        super().__init__("\n".join(self.errors))


@dataclass(frozen=True)
class Rule:
    """How one organisation kind pays in formula mode."""

    fixed: Decimal
    per_inhabitant: Decimal
    cap: Decimal | None = None


@dataclass(frozen=True)
class Override:
    """An exception for one member: exempt, or a fixed amount instead of the rule."""

    exempt: bool = False
    fixed_amount: Decimal | None = None
    description: str = ""
    in_kind_value: Decimal | None = None  # a share paid in kind (the host's work), named in the explanation


@dataclass(frozen=True)
class ContributionModel:
    """A contribution model for one budget year, as in model.json."""

    name: str
    mode: str
    base_year: int | None  # None only in share mode, which does not index
    year: int | None
    rules: Mapping[str, Rule]
    overrides: Mapping[str, Override]
    deflators: Mapping[int, Decimal] = field(default_factory=dict)
    cap_indexed: bool = False
    target_total: Decimal | None = None
    equal_share: Decimal = _ZERO


@dataclass(frozen=True)
class Member:
    """A member organisation as the formula sees it."""

    id: str
    kind: str
    population: int
    months: int = MONTHS_IN_YEAR


@dataclass(frozen=True)
class Contribution:
    """One member's contribution, with the figures behind it and their explanation."""

    member_id: str
    amount: Decimal  # whole NOK: rounded once, half up (share mode: by the largest remainder)
    exact: Decimal  # before that rounding (a division by 12 or by the population is kept to 100 digits)
    basis: str  # exempt, fixed_amount, formula, capped or share
    index_factor: Decimal  # the factor applied to this member's amount: 1 for exempt, fixed amounts and shares
    fixed_part: Decimal  # fixed * f; in share mode the equal part; else 0
    per_inhabitant_part: Decimal  # per_inhabitant * f * population; in share mode the population part; else 0
    cap: Decimal | None  # the cap that applied (cap * f when cap_indexed); None without a rule cap
    months: int
    population: int
    explanation: str  # Bokmål (the documents' language), for a finance officer; its result figure is `amount`
    # What the explanation is made of, to tell it again in the reader's language (funding.explanations.tell).
    facts: Mapping[str, object] = field(default_factory=dict, compare=False)


def index_factor(model: ContributionModel) -> Decimal:
    """The price index factor: the product of (1 + deflator) for every year after base_year up to year."""
    if model.base_year is None or model.year is None:
        raise ModelError(f"{'base_year' if model.base_year is None else 'year'}: missing; formula mode needs it")
    if model.year < model.base_year:
        raise ModelError(f"year: {model.year} is before base_year {model.base_year}")
    factor = _ONE
    with _exact_arithmetic():
        for year in range(model.base_year + 1, model.year + 1):
            factor *= _ONE + model.deflators.get(year, _ZERO)
    return factor


def compute(model: ContributionModel, members: Sequence[Member]) -> list[Contribution]:
    """Each member's contribution under the model, in input order."""
    for member in members:
        _check_member(member)
    if model.mode == SHARE:
        return _compute_share(model, members)
    if model.mode != FORMULA:
        raise ModelError(f"mode: {model.mode!r} is not one of {', '.join(MODES)}")
    factor = index_factor(model)
    with _exact_arithmetic():
        return [_formula_contribution(model, factor, member) for member in members]


def compute_in_parts(model: ContributionModel, members: Sequence[Member], parts: int) -> Iterator[list[Contribution]]:
    """compute()'s results in consecutive parts, in input order: `parts` parts whose sizes differ by one at most,
    or one part per member when there are fewer members.

    In formula mode a member's contribution depends on that member alone, so each part is computed only when
    it is asked for: a caller can store one part while the next is being computed. In share mode every share
    depends on all members, so everything is computed before the first part is given. The members, and the model
    when there are no members to compute, are checked at once, before any part is asked for.
    """
    if parts < 1:
        raise ValueError(f"parts: {parts} is not a whole number >= 1")
    for member in members:
        _check_member(member)
    size, larger = divmod(len(members), parts)
    bounds, start = [], 0
    for index in range(min(parts, len(members))):
        end = start + size + (1 if index < larger else 0)
        bounds.append((start, end))
        start = end
    if model.mode != FORMULA or not members:
        results = compute(model, members)
        return iter([results[start:end] for start, end in bounds])
    return (compute(model, members[start:end]) for start, end in bounds)


def _check_member(member: Member) -> None:
    # Members usually come from parse_members_csv, which reports these with line numbers; this guards the rest.
    if isinstance(member.population, bool) or not isinstance(member.population, int) or member.population < 0:
        raise MembersError(f"member {member.id}, population: {member.population!r} is not a whole number >= 0")
    if (
        isinstance(member.months, bool)
        or not isinstance(member.months, int)
        or not 1 <= member.months <= MONTHS_IN_YEAR
    ):
        raise MembersError(f"member {member.id}, months: {member.months!r} is not between 1 and 12")


@contextmanager
def _exact_arithmetic() -> Iterator[None]:
    """Exact Decimal arithmetic inside the block; a result that would need rounding becomes a ModelError."""
    try:
        with localcontext(_EXACT):
            yield
    except Inexact:
        raise ModelError(f"the figures have more than {_PRECISION} digits and cannot be computed exactly") from None


def _round_half_up(value: Decimal) -> Decimal:
    return value.quantize(_ONE, rounding=ROUND_HALF_UP, context=_DIVIDING)


def _formula_contribution(model: ContributionModel, factor: Decimal, member: Member) -> Contribution:
    override = model.overrides.get(member.id)
    if override is not None and override.exempt:
        return _exempt_contribution(member, override)
    if override is not None and override.fixed_amount is not None:
        contribution = _prorated(member, FIXED_AMOUNT, override.fixed_amount, index_factor=_ONE)
        return _explained(contribution, explanations.fixed_amount_facts(override.fixed_amount, override, contribution))
    rule = model.rules.get(member.kind)
    if rule is None:
        raise ModelError(f"rules: no rule for kind {member.kind!r}, needed by member {member.id}")
    fixed_part = rule.fixed * factor
    per_inhabitant_part = rule.per_inhabitant * factor * member.population
    before_cap = fixed_part + per_inhabitant_part
    cap = None
    basis, before_proration = FORMULA, before_cap
    if rule.cap is not None:
        cap = rule.cap * factor if model.cap_indexed else rule.cap
        if before_cap > cap:
            basis, before_proration = CAPPED, cap
    contribution = _prorated(
        member,
        basis,
        before_proration,
        index_factor=factor,
        fixed_part=fixed_part,
        per_inhabitant_part=per_inhabitant_part,
        cap=cap,
    )
    return _explained(contribution, explanations.formula_facts(model, rule, factor, contribution, override))


def _explained(contribution: Contribution, facts: dict[str, object]) -> Contribution:
    """The contribution with its facts and their explanation in the documents' language."""
    return replace(contribution, facts=facts, explanation=explanations.tell(facts))


def _prorated(
    member: Member,
    basis: str,
    before_proration: Decimal,
    *,
    index_factor: Decimal,
    fixed_part: Decimal = _ZERO,
    per_inhabitant_part: Decimal = _ZERO,
    cap: Decimal | None = None,
) -> Contribution:
    """The contribution for the months of membership, rounded once, half up; the explanation comes after."""
    exact = before_proration
    if member.months != MONTHS_IN_YEAR:
        # Multiply before dividing: only the one division by 12 can be inexact, and it is kept to 100 digits.
        exact = _DIVIDING.divide(before_proration * member.months, MONTHS_IN_YEAR)
    return Contribution(
        member_id=member.id,
        amount=_round_half_up(exact),
        exact=exact,
        basis=basis,
        index_factor=index_factor,
        fixed_part=fixed_part,
        per_inhabitant_part=per_inhabitant_part,
        cap=cap,
        months=member.months,
        population=member.population,
        explanation="",
    )


def _exempt_contribution(member: Member, override: Override) -> Contribution:
    contribution = Contribution(
        member_id=member.id,
        amount=_ZERO,
        exact=_ZERO,
        basis=EXEMPT,
        index_factor=_ONE,
        fixed_part=_ZERO,
        per_inhabitant_part=_ZERO,
        cap=None,
        months=member.months,
        population=member.population,
        explanation="",
    )
    return _explained(contribution, explanations.exempt_facts(override))


def _compute_share(model: ContributionModel, members: Sequence[Member]) -> list[Contribution]:
    target = model.target_total
    if target is None:
        raise ModelError("target_total: missing; share mode needs it")
    if not _is_whole(target) or target < 0:
        raise ModelError(f"target_total: {_plain(target)!r} is not a whole number of kroner >= 0")
    if not _ZERO <= model.equal_share <= _ONE:
        raise ModelError(f"equal_share: {_plain(model.equal_share)!r} is not between 0 and 1")
    with _exact_arithmetic():
        fixed_total = _ZERO
        sharers: list[int] = []  # indexes into members, in input order
        for index, member in enumerate(members):
            override = model.overrides.get(member.id)
            if override is None or (not override.exempt and override.fixed_amount is None):
                sharers.append(index)
            elif not override.exempt and override.fixed_amount is not None:
                if not _is_whole(override.fixed_amount):
                    raise ModelError(
                        f"overrides.{member.id}.fixed_amount: {_plain(override.fixed_amount)!r} "
                        "is not whole kroner, which share mode needs to sum exactly to target_total"
                    )
                fixed_total += override.fixed_amount
        rest = target - fixed_total
        if rest < 0:
            raise ModelError(
                f"target_total: {_plain(target)} is less than the fixed amounts, which add up to {_plain(fixed_total)}"
            )
        if rest and not sharers:
            raise ModelError(f"target_total: {_plain(rest)} is left to share, but no member shares it")
        count = len(sharers)
        population = sum(members[index].population for index in sharers)
        by_population = rest * (_ONE - model.equal_share)
        if by_population and not population:
            raise ModelError(
                "equal_share: the members that share target_total have no inhabitants, "
                "so nothing can be divided by population"
            )
        # Every share is numerator / denominator with both exact, so remainders compare exactly and the
        # largest-remainder method is never misled by a rounded division.
        population_or_one = population or 1
        denominator = Decimal(count * population_or_one)
        numerators = {
            index: rest * model.equal_share * population_or_one + by_population * members[index].population * count
            for index in sharers
        }
        amounts = largest_remainder(rest, {index: numerators[index] for index in sharers}, denominator)
        equal_part = _DIVIDING.divide(rest * model.equal_share, count) if count else _ZERO
        results = []
        for index, member in enumerate(members):
            override = model.overrides.get(member.id)
            if index not in amounts and override is not None:  # only members with an override share nothing
                results.append(_share_exception(member, override))
                continue
            contribution = Contribution(
                member_id=member.id,
                amount=amounts[index],
                exact=_DIVIDING.divide(numerators[index], denominator),
                basis=SHARE,
                index_factor=_ONE,
                fixed_part=equal_part,
                per_inhabitant_part=(
                    _DIVIDING.divide(by_population * member.population, population) if population else _ZERO
                ),
                cap=None,
                months=member.months,
                population=member.population,
                explanation="",
            )
            facts = explanations.share_facts(
                model,
                contribution,
                fixed_total=fixed_total,
                count=count,
                population=population,
                override=override,
            )
            results.append(_explained(contribution, facts))
    return results


def largest_remainder(total: Decimal, numerators: Mapping[K, Decimal], denominator: Decimal) -> dict[K, Decimal]:
    """Whole kroner for each key, `numerator / denominator` of them, adding up exactly to `total`.

    Each gets the whole part of its exact share; the kroner left over go one each to the largest remainders,
    ties to the key given first. The numerators must add up to `total * denominator` (exact shares of `total`).
    Called inside exact arithmetic: remainders compare exactly, so no rounded division misleads the order.
    """
    order = {key: position for position, key in enumerate(numerators)}
    floors_and_remainders = {key: divmod(numerator, denominator) for key, numerator in numerators.items()}
    # Quantizing a whole number only normalises it, so that 150000.00 or 1.5E+5 print as 150000.
    amounts = {key: _round_half_up(floor) for key, (floor, _remainder) in floors_and_remainders.items()}
    leftover = int(total - sum(amounts.values(), _ZERO))
    by_remainder = sorted(numerators, key=lambda key: (-floors_and_remainders[key][1], order[key]))
    for key in by_remainder[:leftover]:
        amounts[key] += 1
    return amounts


def _share_exception(member: Member, override: Override) -> Contribution:
    """An exempt or fixed-amount member in share mode: months are ignored, the fixed amount is paid as is."""
    if override.exempt or override.fixed_amount is None:
        return _exempt_contribution(member, override)
    contribution = Contribution(
        member_id=member.id,
        amount=_round_half_up(override.fixed_amount),  # whole already: this only normalises it
        exact=override.fixed_amount,
        basis=FIXED_AMOUNT,
        index_factor=_ONE,
        fixed_part=_ZERO,
        per_inhabitant_part=_ZERO,
        cap=None,
        months=member.months,
        population=member.population,
        explanation="",
    )
    return _explained(contribution, explanations.deducted_fixed_amount_facts(override.fixed_amount, override))


def _is_whole(value: Decimal) -> bool:
    return value == value.to_integral_value()


def _plain(value: Decimal) -> str:
    """A number as plain digits, without exponent notation (for messages and stored models)."""
    return format(value, "f")
