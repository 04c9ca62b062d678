"""Invoice and credit-note numbers as printed, and the KID derived from them: pure functions.

The numbers themselves are handed out without gaps by core.counters (see funding.services.invoices).
"""

from __future__ import annotations

from stdnum import luhn

INVOICE_SERIES = "invoice"
CREDIT_NOTE_SERIES = "credit_note"
SERIES_PREFIX = {INVOICE_SERIES: "", CREDIT_NOTE_SERIES: "K"}
# The first digit of a KID tells which series it belongs to.
SERIES_KID_CODE = {INVOICE_SERIES: "1", CREDIT_NOTE_SERIES: "2"}


def display_number(series: str, number: int) -> str:
    """The number as printed: invoices 1, 2, 3 ...; credit notes K1, K2 ..."""
    return f"{SERIES_PREFIX.get(series, '')}{number}"


def make_kid(series: str, number: int) -> str:
    """A KID for a document: series digit, the number in eight digits, and a MOD10 (Luhn) check digit."""
    if not 0 < number < 10**8:
        raise ValueError(f"invoice number {number} does not fit in a KID")
    base = f"{SERIES_KID_CODE[series]}{number:08d}"
    return base + luhn.calc_check_digit(base)


def is_valid_kid(kid: str) -> bool:
    return kid.isascii() and kid.isdigit() and luhn.is_valid(kid)
