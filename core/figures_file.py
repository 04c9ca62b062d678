"""Reading a small CSV of figures from the host's accounts, whole or not at all (no database): the one way the
imports of actual figures read a file, its amounts and its years. Each import names its own columns, checks its
own keys and raises its own error class (a ValueError with `errors`, every problem and the line it is on).

Comma- or semicolon-separated UTF-8 (a BOM is allowed) with any line endings; amounts with `.` or `,` as the
decimal separator and spaces between thousands. The same figures saved again with other line endings or another
separator read the same."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

MAX_AMOUNT = Decimal("1e12")
FIRST_YEAR, LAST_YEAR = 2000, 2100


def parse_amount(text: str) -> Decimal:
    """An amount as accounts write it: `437 500,00`, `437500.00`, `1.234,50` (thin and no-break spaces too)."""
    cleaned = text.replace("\u00a0", "").replace("\u202f", "").replace(" ", "").strip()
    if "," in cleaned:
        cleaned = cleaned.replace(".", "").replace(",", ".")
    value = Decimal(cleaned)
    if not value.is_finite():
        raise InvalidOperation
    return value


def figure_records(
    content: bytes, columns: tuple[str, ...], error: Callable[[list[str]], ValueError], errors: list[str]
) -> Iterator[tuple[int, list[str]]]:
    """The file's data lines as (line number, stripped cells), blank lines left out; a line with the wrong number
    of columns adds its problem to `errors` in its place among the caller's. Raises `error` at once when the file
    as a whole cannot be read (not UTF-8, empty, not CSV, other columns)."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise error([_("The file is not UTF-8 text.")]) from None
    # One line ending, whatever the program that saved the file used.
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    first = text.split("\n", 1)[0]
    if not first.strip():
        raise error([_("The file is empty.")])
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        records = list(reader)
    except csv.Error as problem:
        raise error(
            [_("Line %(line)s: this is not valid CSV (%(error)s).") % {"line": reader.line_num, "error": problem}]
        ) from None
    if tuple(cell.strip().lower() for cell in records[0]) != columns:
        raise error([_("Line 1: the columns must be %(columns)s.") % {"columns": ", ".join(columns)}])
    return _data_lines(records[1:], len(columns), errors)


def _data_lines(records: list[list[str]], width: int, errors: list[str]) -> Iterator[tuple[int, list[str]]]:
    for number, cells in enumerate(records, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != width:
            errors.append(
                _("Line %(line)s: expected %(expected)s columns, found %(n)s.")
                % {"line": number, "expected": width, "n": len(cells)}
            )
            continue
        yield number, [cell.strip() for cell in cells]


def year_cell(number: int, text: str, problems: list[str]) -> int:
    """The year in a cell, or 0 with the problem added."""
    year = int(text) if text.isascii() and text.isdigit() else 0
    if not FIRST_YEAR <= year <= LAST_YEAR:
        problems.append(_("Line %(line)s, year: %(value)r is not a year.") % {"line": number, "value": text[:40]})
        return 0
    return year


def amount_cell(number: int, text: str, problems: list[str]) -> Decimal:
    """A non-negative amount in kroner to the øre, or 0 with the problem added."""
    try:
        amount = parse_amount(text)
        if amount < 0 or amount >= MAX_AMOUNT:
            raise InvalidOperation
        return amount.quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        problems.append(
            _("Line %(line)s, amount: %(value)r is not an amount in kroner.") % {"line": number, "value": text[:40]}
        )
        return Decimal(0)
