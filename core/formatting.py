"""Norwegian presentation of money and numbers, independent of templates."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

NBSP = "\xa0"


def group_thousands(value: int | Decimal, *, separator: str) -> str:
    sign = "-" if value < 0 else ""
    digits = f"{abs(int(value))}"
    groups: list[str] = []
    while digits:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    return sign + separator.join(groups or ["0"])


def format_nok(value: Decimal | int | None, *, language: str = "nb", decimals: int = 0) -> str:
    """`kr 133 820` in Norwegian, `NOK 133,820` in English; decimals only when asked for."""
    if value is None:
        return ""
    amount = Decimal(value).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    whole = group_thousands(int(amount), separator=NBSP if language == "nb" else ",")
    if amount < 0 and int(amount) == 0:
        whole = "-" + whole
    if decimals:
        fraction = f"{abs(amount) % 1:.{decimals}f}"[2:]
        whole += ("," if language == "nb" else ".") + fraction
    return f"kr{NBSP}{whole}" if language == "nb" else f"NOK{NBSP}{whole}"
