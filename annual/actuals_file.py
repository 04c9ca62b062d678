"""The host's accounts as CSV: one actual figure per budget line and year, read whole or refused whole (no database).

    year;line;amount
    2025;staff;2 350 000,00
    2025;grants;400000

Read by core.figures_file (comma or semicolon, UTF-8, any line endings, amounts as accounts write them); `line`
is one of the codes in ActualLine (staff, projects, other_costs, contributions, grants, host_in_kind,
other_income)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from annual.choices import ActualLine
from core.figures_file import amount_cell, figure_records, parse_amount, year_cell

__all__ = ["COLUMNS", "ActualRow", "ActualsFileError", "parse_actuals", "parse_amount"]

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


def parse_actuals(content: bytes) -> list[ActualRow]:
    """The rows of the file, or ActualsFileError naming every bad line and column."""
    errors: list[str] = []
    records = figure_records(content, COLUMNS, ActualsFileError, errors)
    rows: list[ActualRow] = []
    seen: dict[tuple[int, str], int] = {}
    codes = {choice.value for choice in ActualLine}
    for number, (year_text, line, amount_text) in records:
        problems: list[str] = []
        year = year_cell(number, year_text, problems)
        if line not in codes:
            problems.append(
                _("Line %(line)s, line: %(value)r is not a budget line (%(codes)s).")
                % {"line": number, "value": line[:40], "codes": ", ".join(sorted(codes))}
            )
        amount = amount_cell(number, amount_text, problems)
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
