"""The Bokmål explanation of each contribution, with Norwegian number formatting.

Explanations are document text (like an invoice line), so they are plain strings, not gettext. The engine
(funding.calculation) calls these as it computes; they only describe figures it has already worked out.
"""

from __future__ import annotations

from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from core.formatting import NBSP, group_thousands
from funding import calculation as engine

if TYPE_CHECKING:
    from funding.calculation import Contribution, ContributionModel, Member, Rule


def exempt_text(description: str) -> str:
    return "Fritatt" + (f": {description}" if description else "")


def deducted_fixed_amount_text(amount: Decimal, description: str) -> str:
    """A fixed amount in share mode, taken off the total before it is shared."""
    return fixed_amount_text(amount, description) + ", trukket fra rammen"


def _kr(value: Decimal) -> str:
    """Kroner: `133 820`, or `78 061,67` where not whole.

    Øre are rounded half up, except where that would contradict the whole-krone rounding that follows
    (100,496 is shown as 100,49, not 100,50, because it becomes 100).
    """
    if engine._is_whole(value):
        return group_thousands(value, separator=NBSP)
    cents = Decimal("0.01")
    shown = value.quantize(cents, rounding=ROUND_HALF_UP, context=engine._DIVIDING)
    if engine._round_half_up(shown) != engine._round_half_up(value):
        shown = value.quantize(cents, rounding=ROUND_DOWN, context=engine._DIVIDING)
    whole, _, fraction = format(shown, "f").partition(".")
    return f"{group_thousands(int(whole), separator=NBSP)},{fraction}"


def _number(value: Decimal, *, min_decimals: int = 0) -> str:
    """Rates, factors and percentages: as many decimals as needed (up to 6), at least min_decimals if any."""
    shown = value.quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP, context=engine._DIVIDING)
    whole, _, fraction = format(shown, "f").partition(".")
    fraction = fraction.rstrip("0")
    text = group_thousands(int(whole), separator=NBSP)
    return text + ("," + fraction.ljust(min_decimals, "0") if fraction else "")


def _inhabitants(population: int) -> str:
    return f"{_kr(Decimal(population))} {'innbygger' if population == 1 else 'innbyggere'}"


def rounded(text: str, contribution: Contribution) -> str:
    """Append `→ amount` where the exact figure is not already the whole-krone amount."""
    return text if contribution.exact == contribution.amount else f"{text} → {_kr(contribution.amount)}"


def fixed_amount_text(amount: Decimal, description: str) -> str:
    return f"Fast beløp {_kr(amount)}" + (f" ({description})" if description else "")


def prorated_text(text: str, member: Member, before_proration: Decimal, contribution: Contribution) -> str:
    if member.months == engine.MONTHS_IN_YEAR:
        return text
    proration = f"medlem {member.months} av 12 måneder: {_kr(before_proration)} × {member.months}/12"
    return f"{text}; {rounded(f'{proration} = {_kr(contribution.exact)}', contribution)}"


def formula_text(
    model: ContributionModel, rule: Rule, factor: Decimal, member: Member, contribution: Contribution
) -> str:
    whole_year = member.months == engine.MONTHS_IN_YEAR
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
    if contribution.basis == engine.FORMULA and whole_year:
        text = rounded(text, contribution)
    if contribution.cap is not None and rule.cap is not None:
        cap = _kr(contribution.cap)
        if factor == 1:
            described = f"taket på {cap}"
        elif model.cap_indexed:
            described = f"det prisjusterte taket på {cap} ({_kr(rule.cap)} × {_number(factor)})"
        else:
            described = f"taket på {cap} (ikke prisjustert)"
        if contribution.basis == engine.CAPPED:
            capped = f"over taket, betaler {described}"
            text += "; " + (rounded(capped, contribution) if whole_year else capped)
        elif before_cap == contribution.cap:
            text += f"; lik {described}"
        else:
            text += f"; {described} er ikke nådd"
    before_proration = before_cap if contribution.cap is None else min(before_cap, contribution.cap)
    text = prorated_text(text, member, before_proration, contribution)
    return text[:1].upper() + text[1:]


def share_text(
    model: ContributionModel, contribution: Contribution, *, fixed_total: Decimal, count: int, population: int
) -> str:
    target = model.target_total or engine._ZERO
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
        by_population = rest * (engine._ONE - model.equal_share)
        prefix = (
            f"{_number((engine._ONE - model.equal_share) * 100)} % etter folketall"
            if model.equal_share
            else "etter folketall"
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
    text = rounded(text, contribution)
    if contribution.amount != engine._round_half_up(contribution.exact):
        text += f" (avrundet etter største-rest-metoden, så summen blir nøyaktig {_kr(target)})"
    return text[:1].upper() + text[1:]
