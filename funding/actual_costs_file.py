"""The host's accounts as CSV: what each initiative cost in a year, read whole or refused whole (no database).

    initiative;year;amount
    12;2026;437 500,00
    14;2026;80000

Comma- or semicolon-separated UTF-8 (a BOM is allowed), any line endings; `initiative` is the initiative's
number in the portal (shown on its actual-costs page); amounts with `.` or `,` as decimal separator and spaces
between thousands. The same figures saved again with other line endings or another separator read the same."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

COLUMNS = ("initiative", "year", "amount")
MAX_AMOUNT = Decimal("1e12")


@dataclass(frozen=True)
class ActualCostRow:
    line: int
    initiative: int
    year: int
    amount: Decimal


class ActualCostsFileError(ValueError):
    """A file that cannot be imported, with every problem and the line it is on."""

    def __init__(self, errors: list[str]):
        super().__init__("; ".join(errors))
        self.errors = errors


def parse_amount(text: str) -> Decimal:
    cleaned = text.replace("\u00a0", "").replace("\u202f", "").replace(" ", "").strip()
    if "," in cleaned:
        cleaned = cleaned.replace(".", "").replace(",", ".")
    value = Decimal(cleaned)
    if not value.is_finite():
        raise InvalidOperation
    return value


def parse_actual_costs(content: bytes) -> list[ActualCostRow]:
    """The rows of the file, or ActualCostsFileError naming every bad line and column."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ActualCostsFileError([_("The file is not UTF-8 text.")]) from None
    # One line ending, whatever the program that saved the file used.
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    if not lines[0].strip():
        raise ActualCostsFileError([_("The file is empty.")])
    delimiter = ";" if lines[0].count(";") > lines[0].count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        records = list(reader)
    except csv.Error as error:
        raise ActualCostsFileError(
            [_("Line %(line)s: this is not valid CSV (%(error)s).") % {"line": reader.line_num, "error": error}]
        ) from None
    header = [cell.strip().lower() for cell in records[0]]
    if tuple(header) != COLUMNS:
        raise ActualCostsFileError([_("Line 1: the columns must be %(columns)s.") % {"columns": ", ".join(COLUMNS)}])
    errors: list[str] = []
    rows: list[ActualCostRow] = []
    seen: dict[tuple[int, int], int] = {}
    for number, cells in enumerate(records[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(COLUMNS):
            errors.append(_("Line %(line)s: expected 3 columns, found %(n)s.") % {"line": number, "n": len(cells)})
            continue
        initiative_text, year_text, amount_text = (cell.strip() for cell in cells)
        problems = []
        initiative = int(initiative_text) if initiative_text.isascii() and initiative_text.isdigit() else 0
        if initiative <= 0:
            problems.append(
                _("Line %(line)s, initiative: %(value)r is not an initiative number.")
                % {"line": number, "value": initiative_text[:40]}
            )
        year = int(year_text) if year_text.isascii() and year_text.isdigit() else 0
        if not 2000 <= year <= 2100:
            problems.append(
                _("Line %(line)s, year: %(value)r is not a year.") % {"line": number, "value": year_text[:40]}
            )
        try:
            amount = parse_amount(amount_text)
            if amount < 0 or amount >= MAX_AMOUNT:
                raise InvalidOperation
            amount = amount.quantize(Decimal("0.01"))
        except (InvalidOperation, ValueError):
            problems.append(
                _("Line %(line)s, amount: %(value)r is not an amount in kroner.")
                % {"line": number, "value": amount_text[:40]}
            )
            amount = Decimal(0)
        if not problems and (initiative, year) in seen:
            problems.append(
                _("Line %(line)s: initiative %(initiative)s in %(year)s is also on line %(first)s.")
                % {"line": number, "initiative": initiative, "year": year, "first": seen[(initiative, year)]}
            )
        if problems:
            errors.extend(problems)
            continue
        seen[(initiative, year)] = number
        rows.append(ActualCostRow(line=number, initiative=initiative, year=year, amount=amount))
    if errors:
        raise ActualCostsFileError(errors)
    if not rows:
        raise ActualCostsFileError([_("The file has no figures.")])
    return rows
