"""The explanation of each contribution, told in any of the portal's languages from the facts behind it.

The engine (funding.calculation) records the facts of each amount as it computes (`facts`, plain JSON: strings,
numbers, booleans) and tells them once in Bokmål, the language of documents such as invoice lines. A page tells
the same facts again in the reader's language (`tell(facts, language)`), so an English reader reads English and
a Nynorsk reader Nynorsk, with that language's number formatting. The texts go through gettext with English
msgids; the facts only describe figures the engine has already worked out.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.formatting import NBSP, format_nok, group_thousands
from funding import calculation as engine

if TYPE_CHECKING:
    from funding.calculation import Contribution, ContributionModel, Override, Rule

# The language of documents (invoice lines, the stored explanation).
DOCUMENT_LANGUAGE = "nb"

# Kinds of facts, one per way the engine arrives at an amount.
EXEMPT = "exempt"
FIXED_AMOUNT = "fixed_amount"
DEDUCTED_FIXED_AMOUNT = "deducted_fixed_amount"
FORMULA = "formula"
SHARE = "share"

Facts = dict[str, Any]


# --- Recording the facts (the engine calls these as it computes) --------------------------------------------------


def _plain(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


def _figures(contribution: Contribution) -> Facts:
    return {
        "exact": _plain(contribution.exact),
        "amount": _plain(contribution.amount),
        "fixed_part": _plain(contribution.fixed_part),
        "per_inhabitant_part": _plain(contribution.per_inhabitant_part),
        "cap": _plain(contribution.cap),
        "basis": contribution.basis,
        "months": contribution.months,
        "population": contribution.population,
    }


def _about(override: Override | None) -> Facts:
    """What the explanation says of the member's exception: its description and a share paid in kind."""
    if override is None:
        return {"description": ""}
    return {"description": override.description, "in_kind_value": _plain(override.in_kind_value)}


def exempt_facts(override: Override) -> Facts:
    return {"kind": EXEMPT} | _about(override)


def deducted_fixed_amount_facts(amount: Decimal, override: Override) -> Facts:
    """A fixed amount in share mode, taken off the total before it is shared."""
    return {"kind": DEDUCTED_FIXED_AMOUNT, "fixed_amount": _plain(amount)} | _about(override)


def fixed_amount_facts(amount: Decimal, override: Override, contribution: Contribution) -> Facts:
    return {"kind": FIXED_AMOUNT, "fixed_amount": _plain(amount)} | _about(override) | _figures(contribution)


def formula_facts(
    model: ContributionModel, rule: Rule, factor: Decimal, contribution: Contribution, override: Override | None
) -> Facts:
    return (
        {
            "kind": FORMULA,
            "base_year": model.base_year,
            "year": model.year,
            "cap_indexed": model.cap_indexed,
            "rule_fixed": _plain(rule.fixed),
            "rule_per_inhabitant": _plain(rule.per_inhabitant),
            "rule_cap": _plain(rule.cap),
            "factor": _plain(factor),
        }
        | _about(override)
        | _figures(contribution)
    )


def share_facts(
    model: ContributionModel,
    contribution: Contribution,
    *,
    fixed_total: Decimal,
    count: int,
    population: int,
    override: Override | None,
) -> Facts:
    return (
        {
            "kind": SHARE,
            "target_total": _plain(model.target_total or engine._ZERO),
            "equal_share": _plain(model.equal_share),
            "fixed_total": _plain(fixed_total),
            "count": count,
            "total_population": population,
        }
        | _about(override)
        | _figures(contribution)
    )


# --- Telling them -------------------------------------------------------------------------------------------------


def tell(facts: Mapping[str, Any], language: str = DOCUMENT_LANGUAGE) -> str:
    """The explanation in the given language (Bokmål, Nynorsk or English)."""
    with translation.override(language):
        return _TELLERS[facts["kind"]](_Reading(facts))


def exempt_text(description: str) -> str:
    """An exemption in the document language (cost-sharing plans store their texts as documents do)."""
    return tell({"kind": EXEMPT, "description": description})


def fixed_amount_text(amount: Decimal, description: str) -> str:
    """A fixed amount in the document language."""
    with translation.override(DOCUMENT_LANGUAGE):
        return _fixed_amount(_Reading({"fixed_amount": _plain(amount), "description": description}))


def told_for_reader(facts: Mapping[str, Any] | None, stored: str) -> str:
    """The explanation in the active language (the reader's); the stored Bokmål text where no facts were kept."""
    if not facts:
        return stored
    return tell(facts, translation.get_language() or DOCUMENT_LANGUAGE)


class _Reading:
    """The facts with their figures as Decimal again."""

    def __init__(self, facts: Mapping[str, Any]):
        self.facts = facts

    def number(self, key: str) -> Decimal:
        return Decimal(self.facts[key])

    def optional(self, key: str) -> Decimal | None:
        value = self.facts.get(key)
        return None if value is None else Decimal(value)

    def __getitem__(self, key: str) -> Any:
        return self.facts[key]

    @property
    def description(self) -> str:
        """The exception's description, and the share it pays in kind."""
        text = str(self.facts.get("description") or "")
        in_kind = self.optional("in_kind_value")
        if in_kind:
            language = "en" if _english() else "nb"
            value = _("in-kind share valued at %(amount)s") % {"amount": format_nok(in_kind, language=language)}
            text = f"{text}, {value}" if text else value
        return text


def _english() -> bool:
    return translation.get_language() == "en"


def _kr(value: Decimal) -> str:
    """Kroner: `133 820`, or `78 061,67` where not whole (`133,820` and `78,061.67` in English).

    Øre are rounded half up, except where that would contradict the whole-krone rounding that follows
    (100,496 is shown as 100,49, not 100,50, because it becomes 100).
    """
    separator, point = (",", ".") if _english() else (NBSP, ",")
    if engine._is_whole(value):
        return group_thousands(value, separator=separator)
    cents = Decimal("0.01")
    shown = value.quantize(cents, rounding=ROUND_HALF_UP, context=engine._DIVIDING)
    if engine._round_half_up(shown) != engine._round_half_up(value):
        shown = value.quantize(cents, rounding=ROUND_DOWN, context=engine._DIVIDING)
    whole, _point, fraction = format(shown, "f").partition(".")
    sign = "-" if shown < 0 and int(whole) == 0 else ""
    return f"{sign}{group_thousands(int(whole), separator=separator)}{point}{fraction}"


def _number(value: Decimal, *, min_decimals: int = 0) -> str:
    """Rates, factors and percentages: as many decimals as needed (up to 6), at least min_decimals if any."""
    separator, point = (",", ".") if _english() else (NBSP, ",")
    shown = value.quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP, context=engine._DIVIDING)
    whole, _point, fraction = format(shown, "f").partition(".")
    fraction = fraction.rstrip("0")
    text = group_thousands(int(whole), separator=separator)
    return text + (point + fraction.ljust(min_decimals, "0") if fraction else "")


def _inhabitants(population: int) -> str:
    return ngettext("%(count)s inhabitant", "%(count)s inhabitants", population) % {"count": _kr(Decimal(population))}


def _rounded(text: str, facts: _Reading) -> str:
    """Append `→ amount` where the exact figure is not already the whole-krone amount."""
    amount = facts.number("amount")
    return text if facts.number("exact") == amount else f"{text} → {_kr(amount)}"


def _described(text: str, facts: _Reading) -> str:
    return f"{text} ({facts.description})" if facts.description else text


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _exempt(facts: _Reading) -> str:
    if facts.description:
        return _("Exempt: %(reason)s") % {"reason": facts.description}
    return _("Exempt")


def _fixed_amount(facts: _Reading) -> str:
    return _described(_("Fixed amount %(amount)s") % {"amount": _kr(facts.number("fixed_amount"))}, facts)


def _deducted_fixed_amount(facts: _Reading) -> str:
    return _("%(fixed_amount)s, deducted from the total") % {"fixed_amount": _fixed_amount(facts)}


def _prorated(text: str, facts: _Reading, before_proration: Decimal) -> str:
    months = facts["months"]
    if months == engine.MONTHS_IN_YEAR:
        return text
    proration = _("member %(months)s of 12 months: %(amount)s × %(months)s/12") % {
        "months": months,
        "amount": _kr(before_proration),
    }
    exact = _kr(facts.number("exact"))
    return f"{text}; {_rounded(f'{proration} = {exact}', facts)}"


def _fixed_amount_in_formula_mode(facts: _Reading) -> str:
    text = _fixed_amount(facts)
    if facts["months"] == engine.MONTHS_IN_YEAR:
        text = _rounded(text, facts)
    return _prorated(text, facts, facts.number("fixed_amount"))


def _formula(facts: _Reading) -> str:
    whole_year = facts["months"] == engine.MONTHS_IN_YEAR
    factor = facts.number("factor")
    rule_fixed, rule_per_inhabitant, rule_cap = (
        facts.number("rule_fixed"),
        facts.number("rule_per_inhabitant"),
        facts.optional("rule_cap"),
    )
    fixed_part, per_inhabitant_part, cap = (
        facts.number("fixed_part"),
        facts.number("per_inhabitant_part"),
        facts.optional("cap"),
    )
    terms = []
    if rule_fixed:
        terms.append(_kr(fixed_part))
    if rule_per_inhabitant:
        terms.append(f"{_number(rule_per_inhabitant * factor, min_decimals=2)} × {_inhabitants(facts['population'])}")
    before_cap = fixed_part + per_inhabitant_part
    if not terms:
        text = _("the rule gives 0")
    elif not rule_per_inhabitant:
        text = _("fixed base amount %(amount)s") % {"amount": terms[0]}
    else:
        text = " + ".join(terms) + f" = {_kr(before_cap)}"
    if factor != 1:
        text = _("price-adjusted by factor %(factor)s from %(base_year)s to %(year)s: %(text)s") % {
            "factor": _number(factor),
            "base_year": facts["base_year"],
            "year": facts["year"],
            "text": text,
        }
    if facts["basis"] == engine.FORMULA and whole_year:
        text = _rounded(text, facts)
    if cap is not None and rule_cap is not None:
        if factor == 1:
            described = _("the cap of %(cap)s") % {"cap": _kr(cap)}
        elif facts["cap_indexed"]:
            described = _("the price-adjusted cap of %(cap)s (%(rule_cap)s × %(factor)s)") % {
                "cap": _kr(cap),
                "rule_cap": _kr(rule_cap),
                "factor": _number(factor),
            }
        else:
            described = _("the cap of %(cap)s (not price-adjusted)") % {"cap": _kr(cap)}
        if facts["basis"] == engine.CAPPED:
            capped = _("above the cap, pays %(cap)s") % {"cap": described}
            text += "; " + (_rounded(capped, facts) if whole_year else capped)
        elif before_cap == cap:
            text += "; " + _("equal to %(cap)s") % {"cap": described}
        else:
            text += "; " + _("%(cap)s is not reached") % {"cap": described}
    before_proration = before_cap if cap is None else min(before_cap, cap)
    return _described(_capitalised(_prorated(text, facts, before_proration)), facts)


def _share(facts: _Reading) -> str:
    target, equal_share = facts.number("target_total"), facts.number("equal_share")
    fixed_total, count = facts.number("fixed_total"), facts["count"]
    rest = target - fixed_total
    members = ngettext("%(count)s member", "%(count)s members", count) % {"count": count}
    parts = []
    if equal_share == 1:
        parts.append(
            _("%(amount)s shared equally among %(members)s = %(share)s")
            % {"amount": _kr(rest), "members": members, "share": _kr(facts.number("fixed_part"))}
        )
    elif equal_share:
        parts.append(
            _("%(percent)s%% of %(amount)s shared equally among %(members)s = %(share)s")
            % {
                "percent": _number(equal_share * 100),
                "amount": _kr(rest),
                "members": members,
                "share": _kr(facts.number("fixed_part")),
            }
        )
    if equal_share != 1:
        by_population = rest * (engine._ONE - equal_share)
        prefix = (
            _("%(percent)s%% by population") % {"percent": _number((engine._ONE - equal_share) * 100)}
            if equal_share
            else _("by population")
        )
        parts.append(
            f"{prefix}: {_kr(by_population)} × {_kr(Decimal(facts['population']))}"
            f" / {_inhabitants(facts['total_population'])} = {_kr(facts.number('per_inhabitant_part'))}"
        )
    text = " + ".join(parts)
    if len(parts) > 1:
        text += "; " + _("in all %(amount)s") % {"amount": _kr(facts.number("exact"))}
    if fixed_total:
        text = _("%(target)s − fixed amounts %(fixed)s = %(rest)s to share; %(text)s") % {
            "target": _kr(target),
            "fixed": _kr(fixed_total),
            "rest": _kr(rest),
            "text": text,
        }
    text = _rounded(text, facts)
    if facts.number("amount") != engine._round_half_up(facts.number("exact")):
        text += " " + _("(rounded by the largest-remainder method, so the sum is exactly %(target)s)") % {
            "target": _kr(target)
        }
    return _described(_capitalised(text), facts)


_TELLERS: dict[str, Callable[[_Reading], str]] = {
    EXEMPT: _exempt,
    FIXED_AMOUNT: _fixed_amount_in_formula_mode,
    DEDUCTED_FIXED_AMOUNT: _deducted_fixed_amount,
    FORMULA: _formula,
    SHARE: _share,
}
