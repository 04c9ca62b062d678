"""A one-off contribution by kind of organisation: kroner per inhabitant on the reference date, rounded once to
the whole krone. Pure computation: no database."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

MUNICIPALITY = "municipality"
COUNTY_MUNICIPALITY = "county_municipality"


@dataclass(frozen=True)
class Rates:
    """Kroner per inhabitant for each kind of organisation that contributes."""

    municipality: Decimal
    county_municipality: Decimal

    def for_kind(self, kind: str) -> Decimal | None:
        return {MUNICIPALITY: self.municipality, COUNTY_MUNICIPALITY: self.county_municipality}.get(kind)


@dataclass(frozen=True)
class OneOffShare:
    """What one organisation owes once, and how it is reached."""

    amount: Decimal
    per_inhabitant: Decimal
    inhabitants: int

    @property
    def explanation(self) -> str:
        """In Bokmål, as it is printed on the invoice line."""
        return f"{_kr(self.per_inhabitant)} kr × {_count(self.inhabitants)} innbyggere = {_kr(self.amount)} kr"


def one_off_share(*, kind: str, inhabitants: int, rates: Rates) -> OneOffShare:
    """The one-off amount of an organisation of `kind` with `inhabitants`; a kind without a rate owes nothing."""
    if inhabitants < 0:
        raise ValueError("inhabitants cannot be negative")
    rate = rates.for_kind(kind)
    if rate is None:
        return OneOffShare(amount=Decimal(0), per_inhabitant=Decimal(0), inhabitants=inhabitants)
    amount = (rate * inhabitants).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return OneOffShare(amount=amount, per_inhabitant=rate, inhabitants=inhabitants)


def _count(value: int) -> str:
    return f"{value:,}".replace(",", "\u00a0")


def _kr(value: Decimal) -> str:
    if value == value.to_integral_value():
        return _count(int(value))
    whole, _, cents = f"{value:.2f}".partition(".")
    return f"{_count(int(whole))},{cents}"
