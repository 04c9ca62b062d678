"""The contribution formula: pure functions over frozen dataclasses and Decimal, with no database.

The rules are those of the reference README (shared/reference/contributions/README.md):

- formula mode: exempt -> 0; fixed_amount -> that amount (not indexed); otherwise
  ``fixed * f + per_inhabitant * f * population``, capped at ``cap * f`` (cap_indexed) or ``cap``;
  then ``* months / 12``; rounded once, at the end, to whole NOK, half up.
- share mode: target_total minus the fixed amounts is split among the other non-exempt members,
  a fraction equal_share equally and the rest by population, to whole NOK by the largest remainder.

Explanations are Bokmål document text (like an invoice line), so they are plain strings, not gettext;
error messages are English and name the file and the key, or the file, line and column.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from decimal import (
    ROUND_DOWN,
    ROUND_HALF_UP,
    Context,
    Decimal,
    DivisionByZero,
    Inexact,
    InvalidOperation,
    Overflow,
    localcontext,
)
from typing import Any

from core.formatting import NBSP, group_thousands

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
# fairness(): how many of the most populous members `largest_members_share` looks at.
LARGEST_MEMBERS = 5

# Far more digits than any real figure has, so sums and products are exact. Inexact is trapped where the
# rule says "no intermediate rounding": a figure too long to compute exactly fails loudly instead.
_PRECISION = 100
_EXACT = Context(prec=_PRECISION, traps=[InvalidOperation, DivisionByZero, Overflow, Inexact])
# Divisions (months / 12, population shares, per-inhabitant costs) cannot always be exact; they use this.
_DIVIDING = Context(prec=_PRECISION, traps=[InvalidOperation, DivisionByZero, Overflow])
_ONE = Decimal(1)
_ZERO = Decimal(0)


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
    """One member's contribution, with the figures behind it and a Bokmål explanation."""

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
    explanation: str  # Bokmål, for a finance officer; its result figure is `amount`


@dataclass(frozen=True)
class Fairness:
    """How evenly the contributions fall: cost per inhabitant and what the largest members pay."""

    total: Decimal
    min_per_inhabitant: Decimal | None
    median_per_inhabitant: Decimal | None
    max_per_inhabitant: Decimal | None
    max_min_ratio: Decimal | None
    largest_members_share: Decimal | None


# ---------------------------------------------------------------------------------------------------------
# Computing


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
        text = _fixed_amount_text(override.fixed_amount, override.description)
        if member.months == MONTHS_IN_YEAR:
            text = _rounded(text, contribution)
        return replace(contribution, explanation=_prorated_text(text, member, override.fixed_amount, contribution))
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
    text = _formula_text(model, rule, factor, member, contribution)
    if override is not None and override.description:
        text += f" ({override.description})"
    return replace(contribution, explanation=text)


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
    return Contribution(
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
        explanation="Fritatt" + (f": {override.description}" if override.description else ""),
    )


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
        floors_and_remainders = {index: divmod(numerators[index], denominator) for index in sharers}
        # Quantizing a whole number only normalises it, so that 150000.00 or 1.5E+5 print as 150000.
        amounts = {index: _round_half_up(floor) for index, (floor, _remainder) in floors_and_remainders.items()}
        leftover = int(rest - sum(amounts.values(), _ZERO))
        by_remainder = sorted(sharers, key=lambda index: (-floors_and_remainders[index][1], index))
        for index in by_remainder[:leftover]:
            amounts[index] += 1
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
            text = _share_text(model, contribution, fixed_total=fixed_total, count=count, population=population)
            if override is not None and override.description:
                text += f" ({override.description})"
            results.append(replace(contribution, explanation=text))
    return results


def _share_exception(member: Member, override: Override) -> Contribution:
    """An exempt or fixed-amount member in share mode: months are ignored, the fixed amount is paid as is."""
    if override.exempt or override.fixed_amount is None:
        return _exempt_contribution(member, override)
    return Contribution(
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
        explanation=_fixed_amount_text(override.fixed_amount, override.description) + ", trukket fra rammen",
    )


def _is_whole(value: Decimal) -> bool:
    return value == value.to_integral_value()


# ---------------------------------------------------------------------------------------------------------
# Explanations (Bokmål, Norwegian number formatting)


def _kr(value: Decimal) -> str:
    """Kroner: `133 820`, or `78 061,67` where not whole.

    Øre are rounded half up, except where that would contradict the whole-krone rounding that follows
    (100,496 is shown as 100,49, not 100,50, because it becomes 100).
    """
    if _is_whole(value):
        return group_thousands(value, separator=NBSP)
    cents = Decimal("0.01")
    shown = value.quantize(cents, rounding=ROUND_HALF_UP, context=_DIVIDING)
    if _round_half_up(shown) != _round_half_up(value):
        shown = value.quantize(cents, rounding=ROUND_DOWN, context=_DIVIDING)
    whole, _, fraction = format(shown, "f").partition(".")
    return f"{group_thousands(int(whole), separator=NBSP)},{fraction}"


def _number(value: Decimal, *, min_decimals: int = 0) -> str:
    """Rates, factors and percentages: as many decimals as needed (up to 6), at least min_decimals if any."""
    shown = value.quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP, context=_DIVIDING)
    whole, _, fraction = format(shown, "f").partition(".")
    fraction = fraction.rstrip("0")
    text = group_thousands(int(whole), separator=NBSP)
    return text + ("," + fraction.ljust(min_decimals, "0") if fraction else "")


def _plain(value: Decimal) -> str:
    """A number as plain digits, without exponent notation (for messages and stored models)."""
    return format(value, "f")


def _inhabitants(population: int) -> str:
    return f"{_kr(Decimal(population))} {'innbygger' if population == 1 else 'innbyggere'}"


def _rounded(text: str, contribution: Contribution) -> str:
    """Append `→ amount` where the exact figure is not already the whole-krone amount."""
    return text if contribution.exact == contribution.amount else f"{text} → {_kr(contribution.amount)}"


def _fixed_amount_text(amount: Decimal, description: str) -> str:
    return f"Fast beløp {_kr(amount)}" + (f" ({description})" if description else "")


def _prorated_text(text: str, member: Member, before_proration: Decimal, contribution: Contribution) -> str:
    if member.months == MONTHS_IN_YEAR:
        return text
    proration = f"medlem {member.months} av 12 måneder: {_kr(before_proration)} × {member.months}/12"
    return f"{text}; {_rounded(f'{proration} = {_kr(contribution.exact)}', contribution)}"


def _formula_text(
    model: ContributionModel, rule: Rule, factor: Decimal, member: Member, contribution: Contribution
) -> str:
    whole_year = member.months == MONTHS_IN_YEAR
    terms = []
    if rule.fixed:
        terms.append(_kr(contribution.fixed_part))
    if rule.per_inhabitant:
        terms.append(f"{_number(rule.per_inhabitant * factor, min_decimals=2)} × {_inhabitants(member.population)}")
    before_cap = contribution.fixed_part + contribution.per_inhabitant_part
    if not terms:
        text = "regelen gir 0"
    elif not rule.per_inhabitant:
        text = f"fast grunnbeløp {terms[0]}"
    else:
        text = " + ".join(terms) + f" = {_kr(before_cap)}"
    if factor != 1:
        text = f"prisjustert med faktor {_number(factor)} fra {model.base_year} til {model.year}: {text}"
    if contribution.basis == FORMULA and whole_year:
        text = _rounded(text, contribution)
    if contribution.cap is not None and rule.cap is not None:
        cap = _kr(contribution.cap)
        if factor == 1:
            described = f"taket på {cap}"
        elif model.cap_indexed:
            described = f"det prisjusterte taket på {cap} ({_kr(rule.cap)} × {_number(factor)})"
        else:
            described = f"taket på {cap} (ikke prisjustert)"
        if contribution.basis == CAPPED:
            capped = f"over taket, betaler {described}"
            text += "; " + (_rounded(capped, contribution) if whole_year else capped)
        elif before_cap == contribution.cap:
            text += f"; lik {described}"
        else:
            text += f"; {described} er ikke nådd"
    before_proration = before_cap if contribution.cap is None else min(before_cap, contribution.cap)
    text = _prorated_text(text, member, before_proration, contribution)
    return text[:1].upper() + text[1:]


def _share_text(
    model: ContributionModel, contribution: Contribution, *, fixed_total: Decimal, count: int, population: int
) -> str:
    target = model.target_total or _ZERO
    rest = target - fixed_total
    members = f"{count} {'medlem' if count == 1 else 'medlemmer'}"
    parts = []
    if model.equal_share == 1:
        parts.append(f"likt fordelt {_kr(rest)} på {members} = {_kr(contribution.fixed_part)}")
    elif model.equal_share:
        parts.append(
            f"likt fordelt {_number(model.equal_share * 100)} % av {_kr(rest)} på {members} "
            f"= {_kr(contribution.fixed_part)}"
        )
    if model.equal_share != 1:
        by_population = rest * (_ONE - model.equal_share)
        prefix = (
            f"{_number((_ONE - model.equal_share) * 100)} % etter folketall" if model.equal_share else "etter folketall"
        )
        parts.append(
            f"{prefix}: {_kr(by_population)} × {_kr(Decimal(contribution.population))} / {_inhabitants(population)}"
            f" = {_kr(contribution.per_inhabitant_part)}"
        )
    text = " + ".join(parts)
    if len(parts) > 1:
        text += f"; til sammen {_kr(contribution.exact)}"
    if fixed_total:
        text = f"{_kr(target)} − faste beløp {_kr(fixed_total)} = {_kr(rest)} å fordele; {text}"
    text = _rounded(text, contribution)
    if contribution.amount != _round_half_up(contribution.exact):
        text += f" (avrundet etter største-rest-metoden, så summen blir nøyaktig {_kr(target)})"
    return text[:1].upper() + text[1:]


# ---------------------------------------------------------------------------------------------------------
# Fairness


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


# ---------------------------------------------------------------------------------------------------------
# Reading and writing models

_MODEL_KEYS = (
    "name",
    "mode",
    "base_year",
    "year",
    "deflators",
    "cap_indexed",
    "rules",
    "overrides",
    "target_total",
    "equal_share",
)
_RULE_KEYS = ("fixed", "per_inhabitant", "cap")
_OVERRIDE_KEYS = ("exempt", "fixed_amount", "description")
_YEAR = re.compile(r"[0-9]{4}")


def load_model(text: str, *, source: str = "model.json") -> ContributionModel:
    """A model from JSON text; malformed JSON is a ModelError naming the file, line and column."""
    try:
        data = json.loads(
            text.removeprefix("\ufeff"),
            parse_float=Decimal,  # no binary float is ever involved
            parse_constant=lambda constant: _reject_constant(constant, source),
            object_pairs_hook=lambda pairs: _unique_keys(pairs, source),
        )
    except json.JSONDecodeError as error:
        raise ModelError(f"{source}, line {error.lineno}, column {error.colno}: malformed JSON: {error.msg}") from None
    return parse_model(data, source=source)


def _reject_constant(constant: str, source: str) -> None:
    raise ModelError(f"{source}: {constant} is not a number a model can use")


def _unique_keys(pairs: list[tuple[str, Any]], source: str) -> dict[str, Any]:
    # json keeps the last of repeated keys silently; in a model that hides a mistake.
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ModelError(f"{source}: {key}: the key appears twice in the same object")
        result[key] = value
    return result


def parse_model(data: object, *, source: str = "model.json") -> ContributionModel:
    """A model from decoded JSON, strictly: unknown keys and bad values are ModelErrors naming the key."""
    reader = _ModelReader(source)
    top = reader.mapping(data, "", allowed=_MODEL_KEYS)
    name = top.get("name", "")
    if not isinstance(name, str):
        raise reader.error("name", f"{name!r} is not a text")
    mode = top.get("mode", FORMULA)
    if mode not in MODES:
        raise reader.error("mode", f"{mode!r} is not one of {', '.join(MODES)}")
    # Share mode does not index, so it needs neither year; given, they are checked like any other.
    base_year = _model_year(reader, top, "base_year", required=mode != SHARE)
    year = _model_year(reader, top, "year", required=mode != SHARE)
    if year is not None and base_year is not None and year < base_year:
        raise reader.error("year", f"{year} is before base_year {base_year}")
    deflators = {}
    for key, value in reader.mapping(top.get("deflators", {}), "deflators").items():
        if not _YEAR.fullmatch(key):
            raise reader.error(f"deflators.{key}", f"{key!r} is not a year")
        deflators[int(key)] = reader.number(value, f"deflators.{key}", greater_than=Decimal(-1))
    cap_indexed = top.get("cap_indexed", False)
    if not isinstance(cap_indexed, bool):
        raise reader.error("cap_indexed", f"{cap_indexed!r} is not true or false")
    if mode == FORMULA and "rules" not in top:
        raise reader.error("rules", "missing; formula mode needs a rule per organisation kind")
    rules = {}
    for kind, value in reader.mapping(top.get("rules", {}), "rules").items():
        if kind not in KINDS:
            raise reader.error(f"rules.{kind}", f"{kind!r} is not one of {', '.join(KINDS)}")
        rules[kind] = reader.rule(value, f"rules.{kind}")
    overrides = {}
    for member_id, value in reader.mapping(top.get("overrides", {}), "overrides").items():
        if not member_id or member_id != member_id.strip():
            # Ids in members.csv are trimmed, so such a key would silently match nobody.
            raise reader.error(f"overrides.{member_id}", f"{member_id!r} is not a member id")
        overrides[member_id] = reader.override(value, f"overrides.{member_id}", share_mode=mode == SHARE)
    target_total = None
    if "target_total" in top:
        target_total = reader.number(top["target_total"], "target_total", minimum=_ZERO)
        if not _is_whole(target_total):
            raise reader.error("target_total", f"{top['target_total']!r} is not a whole number of kroner")
    elif mode == SHARE:
        raise reader.error("target_total", "missing; share mode needs it")
    equal_share = _ZERO
    if "equal_share" in top:
        equal_share = reader.number(top["equal_share"], "equal_share", minimum=_ZERO, maximum=_ONE)
    return ContributionModel(
        name=name,
        mode=mode,
        base_year=base_year,
        year=year,
        rules=rules,
        overrides=overrides,
        deflators=deflators,
        cap_indexed=cap_indexed,
        target_total=target_total,
        equal_share=equal_share,
    )


def _model_year(reader: _ModelReader, top: Mapping[str, Any], key: str, *, required: bool) -> int | None:
    if key not in top and not required:
        return None
    return reader.year(reader.required(top, key), key)


class _ModelReader:
    """Checks the values of a decoded model, each error naming the file and the key."""

    def __init__(self, source: str):
        self.source = source

    def error(self, key: str, problem: str) -> ModelError:
        return ModelError(f"{self.source}: {key}: {problem}" if key else f"{self.source}: {problem}")

    def mapping(self, value: object, key: str, *, allowed: Sequence[str] | None = None) -> dict[str, Any]:
        if not isinstance(value, dict):
            where = "the top level" if not key else "the value"
            raise self.error(key, f"{where} must be a JSON object, not {_json_kind(value)}")
        if allowed is not None:
            for name in value:
                if name not in allowed:
                    raise self.error(f"{key}.{name}" if key else name, f"unknown key (known: {', '.join(allowed)})")
        return value

    def required(self, values: Mapping[str, Any], name: str, parent: str = "") -> Any:
        if name not in values:
            raise self.error(f"{parent}.{name}" if parent else name, "missing")
        return values[name]

    def number(
        self,
        value: object,
        key: str,
        *,
        minimum: Decimal | None = None,
        maximum: Decimal | None = None,
        greater_than: Decimal | None = None,
    ) -> Decimal:
        # bool is an int in Python, but `true` is no number in a model.
        if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
            raise self.error(key, f"{value!r} is not a number")
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            raise self.error(key, f"{value!r} is not a number") from None
        if not number.is_finite():
            raise self.error(key, f"{value!r} is not a number")
        if minimum is not None and number < minimum:
            raise self.error(key, f"{value!r} is less than {minimum}")
        if maximum is not None and number > maximum:
            raise self.error(key, f"{value!r} is more than {maximum}")
        if greater_than is not None and number <= greater_than:
            raise self.error(key, f"{value!r} must be more than {greater_than}")
        return number

    def year(self, value: object, key: str) -> int:
        if isinstance(value, int) and not isinstance(value, bool) and 1000 <= value <= 9999:
            return value
        if isinstance(value, str) and _YEAR.fullmatch(value.strip()):
            return int(value)
        raise self.error(key, f"{value!r} is not a year")

    def rule(self, value: object, key: str) -> Rule:
        values = self.mapping(value, key, allowed=_RULE_KEYS)
        fixed = self.number(self.required(values, "fixed", key), f"{key}.fixed", minimum=_ZERO)
        per_inhabitant = self.number(
            self.required(values, "per_inhabitant", key), f"{key}.per_inhabitant", minimum=_ZERO
        )
        cap = None
        if values.get("cap") is not None:
            cap = self.number(values["cap"], f"{key}.cap", minimum=_ZERO)
        return Rule(fixed=fixed, per_inhabitant=per_inhabitant, cap=cap)

    def override(self, value: object, key: str, *, share_mode: bool) -> Override:
        values = self.mapping(value, key, allowed=_OVERRIDE_KEYS)
        exempt = values.get("exempt", False)
        if not isinstance(exempt, bool):
            raise self.error(f"{key}.exempt", f"{exempt!r} is not true or false")
        fixed_amount = None
        if values.get("fixed_amount") is not None:
            fixed_amount = self.number(values["fixed_amount"], f"{key}.fixed_amount", minimum=_ZERO)
            if share_mode and not _is_whole(fixed_amount):
                raise self.error(
                    f"{key}.fixed_amount",
                    f"{values['fixed_amount']!r} is not whole kroner, which share mode needs to sum exactly",
                )
        description = values.get("description", "")
        if not isinstance(description, str):
            raise self.error(f"{key}.description", f"{description!r} is not a text")
        return Override(exempt=exempt, fixed_amount=fixed_amount, description=description.strip())


def _json_kind(value: object) -> str:
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "a text"
    if value is None:
        return "null"
    return "a number" if isinstance(value, int | float | Decimal) and not isinstance(value, bool) else repr(value)


def model_to_dict(model: ContributionModel) -> dict[str, Any]:
    """The model as JSON-ready data, numbers as strings: parse_model(model_to_dict(m)) == m."""
    data: dict[str, Any] = {
        "name": model.name,
        "mode": model.mode,
        "base_year": model.base_year,
        "year": model.year,
        "cap_indexed": model.cap_indexed,
        "deflators": {str(year): _plain(model.deflators[year]) for year in sorted(model.deflators)},
        "rules": {},
        "overrides": {},
    }
    for key in ("base_year", "year"):
        if data[key] is None:  # a share model without years
            del data[key]
    for kind, rule in model.rules.items():
        data["rules"][kind] = {"fixed": _plain(rule.fixed), "per_inhabitant": _plain(rule.per_inhabitant)}
        if rule.cap is not None:
            data["rules"][kind]["cap"] = _plain(rule.cap)
    for member_id, override in model.overrides.items():
        entry: dict[str, Any] = {}
        if override.exempt:
            entry["exempt"] = True
        if override.fixed_amount is not None:
            entry["fixed_amount"] = _plain(override.fixed_amount)
        if override.description:
            entry["description"] = override.description
        data["overrides"][member_id] = entry
    if model.target_total is not None:
        data["target_total"] = _plain(model.target_total)
    if model.mode == SHARE or model.equal_share:
        data["equal_share"] = _plain(model.equal_share)
    return data


# ---------------------------------------------------------------------------------------------------------
# Reading members

_MEMBER_HEADERS = (["id", "kind", "population"], ["id", "kind", "population", "months"])
_WHOLE = re.compile(r"-?[0-9]+")


def parse_members_csv(text: str, *, source: str = "members.csv") -> list[Member]:
    """Members from CSV `id,kind,population[,months]`; every bad cell is reported with its line and column."""
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff")))
    header = next(reader, None)
    if header is None:
        raise MembersError(f"{source}, line 1: the file is empty; expected the header id,kind,population[,months]")
    header = [column.strip() for column in header]
    if header not in _MEMBER_HEADERS:
        raise MembersError(
            f"{source}, line 1: the header must be id,kind,population or id,kind,population,months, "
            f"not {','.join(header)!r}"
        )
    members: list[Member] = []
    errors: list[str] = []
    first_line: dict[str, int] = {}  # member id -> the line it first appeared on
    end = reader.line_num
    for record in reader:
        # A quoted cell may span lines: name the line the row starts on.
        line, end = end + 1, reader.line_num
        if not any(cell.strip() for cell in record):
            continue
        if len(record) > len(header):
            errors.append(f"{source}, line {line}: {len(record)} columns, but the header has {len(header)}")
            continue
        # A short row reports each missing cell by its column rather than as a column count.
        padded = [cell.strip() for cell in record] + [""] * (len(header) - len(record))
        cells = dict(zip(header, padded, strict=True))
        member, problems = _member_from_row(cells, line, first_line)
        errors.extend(f"{source}, line {line}, {column}: {problem}" for column, problem in problems)
        if member is not None:
            members.append(member)
    if errors:
        raise MembersError(errors)
    return members


def _member_from_row(
    cells: dict[str, str], line: int, first_line: dict[str, int]
) -> tuple[Member | None, list[tuple[str, str]]]:
    """The member on one row, or the (column, problem) pairs that keep it from being one."""
    problems: list[tuple[str, str]] = []
    member_id = cells["id"]
    if not member_id:
        problems.append(("id", "missing"))
    elif member_id in first_line:
        problems.append(("id", f"{member_id!r} repeats line {first_line[member_id]}"))
    else:
        first_line[member_id] = line
    kind = cells["kind"]
    if kind not in KINDS:
        problems.append(("kind", f"{kind!r} is not one of {', '.join(KINDS)}" if kind else "missing"))
    population = _whole_number(cells["population"], "population", problems)
    if population is not None and population < 0:
        problems.append(("population", f"{cells['population']!r} is negative"))
    months: int | None = MONTHS_IN_YEAR
    if cells.get("months"):  # an empty months cell means the whole year, like a missing column
        months = _whole_number(cells["months"], "months", problems)
        if months is not None and not 1 <= months <= MONTHS_IN_YEAR:
            problems.append(("months", f"{cells['months']!r} is not between 1 and 12"))
    if problems or population is None or months is None:
        return None, problems
    return Member(id=member_id, kind=kind, population=population, months=months), []


def _whole_number(text: str, column: str, problems: list[tuple[str, str]]) -> int | None:
    if not text:
        problems.append((column, "missing"))
        return None
    if not _WHOLE.fullmatch(text):
        problems.append((column, f"{text!r} is not a whole number"))
        return None
    return int(text)
