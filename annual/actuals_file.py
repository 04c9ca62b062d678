"""The host's accounts as CSV: one actual figure per budget line and year, read whole or refused whole (no database).

    year;line;amount
    2025;staff;2 350 000,00
    2025;grants;400000

Comma- or semicolon-separated UTF-8 (a BOM is allowed); amounts with `.` or `,` as decimal separator and spaces
between thousands; `line` is one of the codes in ActualLine (staff, projects, other_costs, contributions,
grants, host_in_kind, other_income)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from annual.choices import ActualLine

COLUMNS = ("year", "line", "amount")


@dataclass(frozen=True)
class ActualRow:
    year: int
    line: str
    amount: Decimal


class ActualsFileError(ValueError):
    """A file that cannot be imported, with every problem and the line it is on."""

    def __init__(self, errors: list[str]):
        super().__init__("; ".join(errors))
        self.errors = errors


def parse_amount(text: str) -> Decimal:
    cleaned = text.replace("\u00a0", "").replace(" ", "").strip()
    if "," in cleaned:
        cleaned = cleaned.replace(".", "").replace(",", ".")
    value = Decimal(cleaned)
    if not value.is_finite():
        raise InvalidOperation
    return value


def parse_actuals(content: bytes) -> list[ActualRow]:
    """The rows of the file, or ActualsFileError naming every bad line and column."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ActualsFileError([_("The file is not UTF-8 text.")]) from None
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise ActualsFileError([_("The file is empty.")])
    delimiter = ";" if lines[0].count(";") > lines[0].count(",") else ","
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=delimiter)
    try:
        records = list(reader)
    except csv.Error as error:
        raise ActualsFileError(
            [_("Line %(line)s: this is not valid CSV (%(error)s).") % {"line": reader.line_num, "error": error}]
        ) from None
    header = [cell.strip().lower() for cell in records[0]] if records else []
    if tuple(header) != COLUMNS:
        raise ActualsFileError([_("Line 1: the columns must be %(columns)s.") % {"columns": ", ".join(COLUMNS)}])
    errors: list[str] = []
    rows: list[ActualRow] = []
    seen: dict[tuple[int, str], int] = {}
    codes = {choice.value for choice in ActualLine}
    for number, cells in enumerate(records[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(COLUMNS):
            errors.append(_("Line %(line)s: expected 3 columns, found %(n)s.") % {"line": number, "n": len(cells)})
            continue
        year_text, line, amount_text = (cell.strip() for cell in cells)
        problems = []
        year = int(year_text) if year_text.isascii() and year_text.isdigit() else 0
        if not 2000 <= year <= 2100:
            problems.append(_("Line %(line)s, year: %(value)r is not a year.") % {"line": number, "value": year_text})
        if line not in codes:
            problems.append(
                _("Line %(line)s, line: %(value)r is not a budget line (%(codes)s).")
                % {"line": number, "value": line[:40], "codes": ", ".join(sorted(codes))}
            )
        try:
            amount = parse_amount(amount_text)
            if amount < 0 or amount >= Decimal("1e12"):
                raise InvalidOperation
            amount = amount.quantize(Decimal("0.01"))
        except (InvalidOperation, ValueError):
            problems.append(
                _("Line %(line)s, amount: %(value)r is not an amount in kroner.")
                % {"line": number, "value": amount_text[:40]}
            )
            amount = Decimal(0)
        if not problems and (year, line) in seen:
            problems.append(
                _("Line %(line)s: %(code)s %(year)s is also on line %(first)s.")
                % {"line": number, "code": line, "year": year, "first": seen[(year, line)]}
            )
        if problems:
            errors.extend(problems)
            continue
        seen[(year, line)] = number
        rows.append(ActualRow(year=year, line=line, amount=amount))
    if errors:
        raise ActualsFileError(errors)
    if not rows:
        raise ActualsFileError([_("The file has no figures.")])
    return rows
