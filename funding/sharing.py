"""Cost-sharing plans: an amount shared among the participants of an initiative or a one-off purpose.

Pure functions over frozen dataclasses and Decimal, like the contribution engine (funding.calculation), whose
exact arithmetic and largest-remainder rounding they use. The key is one of

- equal: every sharing participant pays the same part (1/4 each among four);
- population: in proportion to inhabitants on the plan's population reference date;
- mix: `equal_share` of the amount equally, the rest by population;
- fixed_shares: each participant's agreed share (fractions that add up to exactly 1);
- usage: in proportion to a measure of use entered per participant (hours, users, licences).

Exempt participants pay nothing; a fixed amount is taken off the amount before the rest is shared. Every
participant's share is whole kroner and the shares add up exactly to the amount (largest remainder). Each comes
with a Bokmål explanation for the finance officer, e.g. "1/4 av 420 000 = 105 000".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils import translation

from funding import calculation as engine
from funding import explanations
from funding.calculation import ModelError
from funding.explanations import _kr, _number

EQUAL = "equal"
POPULATION = "population"
MIX = "mix"
FIXED_SHARES = "fixed_shares"
USAGE = "usage"
KEYS = (EQUAL, POPULATION, MIX, FIXED_SHARES, USAGE)

# Values of a share's basis.
SHARED = "share"
EXEMPT = engine.EXEMPT
FIXED_AMOUNT = engine.FIXED_AMOUNT

_ZERO = engine._ZERO
_ONE = engine._ONE


@dataclass(frozen=True)
class Participant:
    """One organisation taking part in a plan, with the figure the key needs for it."""

    id: str
    population: int = 0  # population and mix keys
    share: Decimal | None = None  # fixed_shares key: a fraction, 0.25 for a quarter
    usage: Decimal | None = None  # usage key: hours, users or licences
    exempt: bool = False
    fixed_amount: Decimal | None = None
    description: str = ""


@dataclass(frozen=True)
class Plan:
    """What is shared (once, or per year), by which key, among whom."""

    name: str
    amount: Decimal  # whole kroner
    key: str
    participants: Sequence[Participant]
    equal_share: Decimal = _ZERO  # mix key: the fraction shared equally
    unit: str = ""  # usage key: what is measured, in the plural ("timer", "brukere", "lisenser")
    population_date: date | None = None


@dataclass(frozen=True)
class Share:
    """One participant's share, with the exact figure before rounding and its explanation."""

    participant_id: str
    amount: Decimal  # whole kroner; the shares add up to the plan's amount
    exact: Decimal
    basis: str  # share, exempt or fixed_amount
    explanation: str


def compute_shares(plan: Plan) -> list[Share]:
    """Each participant's share of the plan, in the order given, explained in the document language (the texts are
    kept with the plan and printed on its invoices)."""
    check_plan(plan)
    with engine._exact_arithmetic(), translation.override(explanations.DOCUMENT_LANGUAGE):
        fixed_total = sum(
            (p.fixed_amount for p in plan.participants if not p.exempt and p.fixed_amount is not None), _ZERO
        )
        rest = plan.amount - fixed_total
        if rest < 0:
            raise ModelError(
                f"amount: {engine._plain(plan.amount)} is less than the fixed amounts, "
                f"which add up to {engine._plain(fixed_total)}"
            )
        sharers = [p for p in plan.participants if not p.exempt and p.fixed_amount is None]
        if rest and not sharers:
            raise ModelError(f"amount: {engine._plain(rest)} is left to share, but no participant shares it")
        weights, denominator = _weights(plan, sharers, rest)
        numerators = {p.id: rest * weights[p.id] for p in sharers}
        amounts = engine.largest_remainder(rest, numerators, denominator) if sharers else {}
        results = []
        for participant in plan.participants:
            if participant.exempt:
                text = explanations.exempt_text(participant.description)
                results.append(Share(participant.id, _ZERO, _ZERO, EXEMPT, text))
                continue
            if participant.fixed_amount is not None:
                text = explanations.fixed_amount_text(participant.fixed_amount, participant.description)
                text += ", trukket fra beløpet som fordeles"
                amount = engine._round_half_up(participant.fixed_amount)
                results.append(Share(participant.id, amount, participant.fixed_amount, FIXED_AMOUNT, text))
                continue
            exact = engine._DIVIDING.divide(numerators[participant.id], denominator)
            share = Share(participant.id, amounts[participant.id], exact, SHARED, "")
            text = _share_text(plan, participant, share, rest=rest, fixed_total=fixed_total, sharers=sharers)
            results.append(Share(participant.id, share.amount, exact, SHARED, text))
    return results


def check_plan(plan: Plan) -> None:
    """Refuse a plan that cannot be computed, naming the key (the figures the key needs are checked as it runs)."""
    if plan.key not in KEYS:
        raise ModelError(f"key: {plan.key!r} is not one of {', '.join(KEYS)}")
    if not engine._is_whole(plan.amount) or plan.amount < 0:
        raise ModelError(f"amount: {engine._plain(plan.amount)!r} is not a whole number of kroner >= 0")
    if not _ZERO <= plan.equal_share <= _ONE:
        raise ModelError(f"equal_share: {engine._plain(plan.equal_share)!r} is not between 0 and 1")
    seen: set[str] = set()
    for participant in plan.participants:
        where = f"participants.{participant.id}"
        if participant.id in seen:
            raise ModelError(f"{where}: the participant appears twice")
        seen.add(participant.id)
        if participant.exempt and participant.fixed_amount is not None:
            raise ModelError(f"{where}: exempt and a fixed amount at once; choose one")
        if participant.fixed_amount is not None and (
            not engine._is_whole(participant.fixed_amount) or participant.fixed_amount < 0
        ):
            raise ModelError(
                f"{where}.fixed_amount: {engine._plain(participant.fixed_amount)!r} is not whole kroner >= 0"
            )
        if (
            isinstance(participant.population, bool)
            or not isinstance(participant.population, int)
            or participant.population < 0
        ):
            raise ModelError(f"{where}.population: {participant.population!r} is not a whole number >= 0")
        if participant.share is not None and participant.share < 0:
            raise ModelError(f"{where}.share: {engine._plain(participant.share)!r} is negative")
        if participant.usage is not None and participant.usage < 0:
            raise ModelError(f"{where}.usage: {engine._plain(participant.usage)!r} is negative")


def _weights(plan: Plan, sharers: Sequence[Participant], rest: Decimal) -> tuple[dict[str, Decimal], Decimal]:
    """Each sharer's weight and their sum: a sharer's exact share is rest * weight / sum."""
    count = len(sharers)
    if not sharers:
        return {}, _ONE
    if plan.key == EQUAL:
        return {p.id: _ONE for p in sharers}, Decimal(count)
    if plan.key == FIXED_SHARES:
        missing = [p.id for p in sharers if p.share is None]
        if missing:
            raise ModelError(f"participants.{missing[0]}.share: missing; the fixed_shares key needs it")
        weights = {p.id: p.share or _ZERO for p in sharers}
        total = sum(weights.values(), _ZERO)
        if total != _ONE:
            raise ModelError(f"share: the shares add up to {engine._plain(total)}, not 1")
        return weights, _ONE
    if plan.key == USAGE:
        missing = [p.id for p in sharers if p.usage is None]
        if missing:
            raise ModelError(f"participants.{missing[0]}.usage: missing; the usage key needs it")
        weights = {p.id: p.usage or _ZERO for p in sharers}
        total = sum(weights.values(), _ZERO)
        if rest and not total:
            raise ModelError("usage: the participants that share the amount have no use, so nothing can be divided")
        return weights, total or _ONE
    population = sum(p.population for p in sharers)
    equal_share = plan.equal_share if plan.key == MIX else _ZERO
    if rest * (_ONE - equal_share) and not population:
        raise ModelError(
            "population: the participants that share the amount have no inhabitants, "
            "so nothing can be divided by population"
        )
    if plan.key == POPULATION:
        return {p.id: Decimal(p.population) for p in sharers}, Decimal(population or 1)
    # Mix: equal_share / count + (1 - equal_share) × population / total, over the common denominator.
    population_or_one = population or 1
    weights = {p.id: equal_share * population_or_one + (_ONE - equal_share) * p.population * count for p in sharers}
    return weights, Decimal(count * population_or_one)


def _inhabitants(population: int) -> str:
    return f"{_kr(Decimal(population))} {'innbygger' if population == 1 else 'innbyggere'}"


def _share_text(
    plan: Plan,
    participant: Participant,
    share: Share,
    *,
    rest: Decimal,
    fixed_total: Decimal,
    sharers: Sequence[Participant],
) -> str:
    count = len(sharers)
    population = sum(p.population for p in sharers)
    on_date = f" per {plan.population_date.strftime('%d.%m.%Y')}" if plan.population_date else ""
    if plan.key == EQUAL:
        text = f"1/{count} av {_kr(rest)} = {_kr(share.exact)}"
    elif plan.key == POPULATION:
        text = (
            f"{_kr(Decimal(participant.population))}/{_inhabitants(population)}{on_date} av {_kr(rest)} "
            f"= {_kr(share.exact)}"
        )
    elif plan.key == FIXED_SHARES:
        text = f"fast andel {_number((participant.share or _ZERO) * 100)} % av {_kr(rest)} = {_kr(share.exact)}"
    elif plan.key == USAGE:
        used = sum((p.usage or _ZERO for p in sharers), _ZERO)
        unit = f" {plan.unit}" if plan.unit else ""
        text = f"{_number(participant.usage or _ZERO)}/{_number(used)}{unit} av {_kr(rest)} = {_kr(share.exact)}"
    else:
        equal_part = rest * plan.equal_share
        by_population = rest - equal_part
        equal_exact = engine._DIVIDING.divide(equal_part, count)
        population_exact = (
            engine._DIVIDING.divide(by_population * participant.population, population) if population else _ZERO
        )
        text = (
            f"1/{count} av {_kr(equal_part)} ({_number(plan.equal_share * 100)} % likt) = {_kr(equal_exact)}"
            f" + {_kr(Decimal(participant.population))}/{_inhabitants(population)}{on_date} av "
            f"{_kr(by_population)} ({_number((_ONE - plan.equal_share) * 100)} % etter folketall) "
            f"= {_kr(population_exact)}; til sammen {_kr(share.exact)}"
        )
    if share.exact != share.amount:
        text += f" → {_kr(share.amount)}"
    if share.amount != engine._round_half_up(share.exact):
        text += f" (avrundet etter største-rest-metoden, så summen blir nøyaktig {_kr(rest)})"
    if fixed_total:
        text = f"{_kr(plan.amount)} − faste beløp {_kr(fixed_total)} = {_kr(rest)} å fordele; {text}"
    if participant.description:
        text += f" ({participant.description})"
    return text[:1].upper() + text[1:]


@dataclass(frozen=True)
class Change:
    """What changed for one participant between two versions of a plan."""

    participant_id: str
    before: Decimal | None  # None: not a participant before
    after: Decimal | None  # None: no longer a participant

    @property
    def difference(self) -> Decimal:
        return (self.after or _ZERO) - (self.before or _ZERO)


def changes(before: Sequence[Share], after: Sequence[Share]) -> list[Change]:
    """Each participant whose share differs between two versions, in the order of the newer, then those gone."""
    old = {share.participant_id: share.amount for share in before}
    new = {share.participant_id: share.amount for share in after}
    result = [Change(pid, old.get(pid), amount) for pid, amount in new.items() if old.get(pid) != amount]
    result += [Change(pid, amount, None) for pid, amount in old.items() if pid not in new]
    return result


def settlement_shares(plan: Plan, *, year: int, actual: Decimal, invoiced: Decimal) -> list[Share]:
    """The year-end settlement of a plan period: actual - invoiced shared by the plan's own key, each
    participant's part signed (positive: to pay; negative: credited), whole kroner adding up exactly to the difference.

    A participant exempt from the plan stays exempt; one paying a fixed amount paid what was agreed and takes no
    part in the settlement. `actual` and `invoiced` are whole kroner."""
    if not engine._is_whole(actual) or not engine._is_whole(invoiced):
        raise ModelError(f"actual, invoiced: {engine._plain(actual)}, {engine._plain(invoiced)} are not whole kroner")
    difference = actual - invoiced
    keyed = [
        Participant(
            id=p.id,
            population=p.population,
            share=p.share,
            usage=p.usage,
            exempt=p.exempt or p.fixed_amount is not None,
            description=p.description,
        )
        for p in plan.participants
    ]
    pure = Plan(
        name=plan.name,
        amount=abs(difference),
        key=plan.key,
        participants=keyed,
        equal_share=plan.equal_share,
        unit=plan.unit,
        population_date=plan.population_date,
    )
    shares = compute_shares(pure)
    with translation.override(explanations.DOCUMENT_LANGUAGE):
        sign = "−" if difference < 0 else ""
        head = (
            f"Avregning {year}: faktiske kostnader {_kr(actual)} − fakturert {_kr(invoiced)} "
            f"= {sign}{_kr(abs(difference))}"
        )
        results = []
        for original, share in zip(plan.participants, shares, strict=True):
            if original.fixed_amount is not None and not original.exempt:
                text = f"{head}; fast beløp etter planen, tar ikke del i avregningen"
                results.append(Share(share.participant_id, _ZERO, _ZERO, FIXED_AMOUNT, text))
                continue
            body = share.explanation[:1].lower() + share.explanation[1:]
            if share.basis == SHARED and difference < 0:
                body += " til gode"
            elif share.basis == SHARED and difference > 0:
                body += " å betale"
            # copy_negate: exact, whatever the precision of the context.
            amount, exact = (
                (share.amount.copy_negate(), share.exact.copy_negate())
                if difference < 0
                else (share.amount, share.exact)
            )
            results.append(Share(share.participant_id, amount, exact, share.basis, f"{head}; {body}"))
    return results
