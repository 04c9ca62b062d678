"""Reading a bank statement CSV (date,amount,kid,reference) without touching the database.

The banks' own formats (Nets OCR giro, ISO 20022 camt.054) are read by `funding.bank_formats`, which
recognises the format of a file from its content and gives the same rows.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.validators import EARLIEST_YEAR, LATEST_YEAR

HEADER = ["date", "amount", "kid", "reference"]
# What the payment's columns hold: amounts of at most 12 digits before the decimal comma (numeric(14, 2)),
# a KID of at most 25 digits and a reference of at most 200 characters.
LARGEST_AMOUNT = Decimal("999999999999.99")
LONGEST_KID = 25
LONGEST_REFERENCE = 200


@dataclass(frozen=True)
class BankRow:
    line: int
    paid_on: date
    amount: Decimal
    kid: str
    reference: str
    # The account credited, as the bank's file states it (11 digits); empty in the portal's own CSV, where
    # the account is the network's.
    account: str = ""
    # A reversal, a debit or an entry not yet booked: listed, never registered as a payment.
    not_payment: bool = False


def _date(text: str) -> date:
    for pattern in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(text)


def _amount(text: str) -> Decimal:
    # Norwegian banks write 1 234,50 or 1234.50; both are read, never through float.
    cleaned = text.replace("\xa0", "").replace(" ", "")
    if "," in cleaned:
        cleaned = cleaned.replace(".", "").replace(",", ".")
    value = Decimal(cleaned)
    exponent = value.as_tuple().exponent
    if not value.is_finite() or not isinstance(exponent, int) or exponent < -2:
        raise InvalidOperation(text)
    return value


def _records(reader: Any) -> Iterator[list[str]]:
    """The reader's records; what the csv module cannot read at all (e.g. a huge field) is a file error."""
    try:
        yield from reader
    except csv.Error as error:
        raise ValidationError(
            _("Line %(line)d: this is not valid CSV (%(error)s).") % {"line": reader.line_num, "error": error}
        ) from None


def parse_bank_file(raw: bytes, *, max_errors: int = 50) -> list[BankRow]:
    """Every payment row, or a ValidationError naming each bad line and column (nothing is imported then)."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError(_("The file is not UTF-8 encoded text.")) from None
    if "\x00" in text:
        raise ValidationError(_("The file is not a text file."))
    sample = text[:2048]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = _records(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))  # a lone CR ends a line
    header = [cell.strip().lower() for cell in next(reader, [])]
    if header != HEADER:
        raise ValidationError(
            _("Line 1: the header must be %(expected)s, but is %(found)s.")
            % {"expected": ",".join(HEADER), "found": ",".join(header) or _("empty")}
        )
    rows: list[BankRow] = []
    errors: list[str] = []
    for line, record in enumerate(reader, start=2):
        if not record or all(not cell.strip() for cell in record):
            continue
        if len(record) != len(HEADER):
            errors.append(
                _("Line %(line)d: expected 4 columns, found %(found)d.") % {"line": line, "found": len(record)}
            )
            continue
        date_text, amount_text, kid, reference = (cell.strip() for cell in record)
        paid_on: date | None
        try:
            paid_on = _date(date_text)
        except ValueError:
            errors.append(
                _("Line %(line)d, date: %(value)r is not a date (YYYY-MM-DD or DD.MM.YYYY).")
                % {"line": line, "value": date_text}
            )
            paid_on = None
        if paid_on and not EARLIEST_YEAR <= paid_on.year <= LATEST_YEAR:
            errors.append(
                _("Line %(line)d, date: %(value)s is not between the years %(earliest)d and %(latest)d.")
                % {"line": line, "value": date_text, "earliest": EARLIEST_YEAR, "latest": LATEST_YEAR}
            )
            paid_on = None
        amount: Decimal | None
        try:
            amount = _amount(amount_text)
        except (InvalidOperation, ValueError):
            errors.append(
                _("Line %(line)d, amount: %(value)r is not an amount in kroner and øre.")
                % {"line": line, "value": amount_text}
            )
            amount = None
        else:
            if amount <= 0:
                errors.append(
                    _("Line %(line)d, amount: %(value)r must be more than 0.") % {"line": line, "value": amount_text}
                )
                amount = None
            elif amount > LARGEST_AMOUNT:
                errors.append(
                    _("Line %(line)d, amount: %(value)s is more than %(largest)s.")
                    % {"line": line, "value": amount_text, "largest": LARGEST_AMOUNT}
                )
                amount = None
        # Digits 0-9 only: str.isdigit also accepts superscripts such as '²'.
        kid_ok = kid.isascii() and kid.isdigit() and len(kid) <= LONGEST_KID
        if not (kid.isascii() and kid.isdigit()):
            errors.append(_("Line %(line)d, kid: %(value)r is not a KID (digits only).") % {"line": line, "value": kid})
        elif len(kid) > LONGEST_KID:
            errors.append(
                _("Line %(line)d, kid: %(length)d digits, more than the %(longest)d a KID has.")
                % {"line": line, "length": len(kid), "longest": LONGEST_KID}
            )
        if len(reference) > LONGEST_REFERENCE:
            errors.append(
                _("Line %(line)d, reference: %(length)d characters, more than the %(longest)d allowed.")
                % {"line": line, "length": len(reference), "longest": LONGEST_REFERENCE}
            )
        if paid_on and amount is not None and kid_ok and len(reference) <= LONGEST_REFERENCE:
            rows.append(BankRow(line, paid_on, amount, kid, reference))
        if len(errors) >= max_errors:
            break
    if errors:
        raise ValidationError(errors)
    if not rows:
        raise ValidationError(_("The file has no payments."))
    return rows
