"""The host's accounts as CSV: what each initiative cost in a year, read whole or refused whole (no database).

    initiative;year;amount
    12;2026;437 500,00
    14;2026;80000

Comma- or semicolon-separated UTF-8 (a BOM is allowed), any line endings; `initiative` is the initiative's
number in the portal (shown on its actual-costs page); amounts with `.` or `,` as decimal separator and spaces
between thousands. The same figures saved again with other line endings or another separator read the same."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from core.figures_file import amount_cell, figure_records, year_cell

COLUMNS = ("initiative", "year", "amount")


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


def parse_actual_costs(content: bytes) -> list[ActualCostRow]:
    """The rows of the file, or ActualCostsFileError naming every bad line and column."""
    errors: list[str] = []
    records = figure_records(content, COLUMNS, ActualCostsFileError, errors)
    rows: list[ActualCostRow] = []
    seen: dict[tuple[int, int], int] = {}
    for number, (initiative_text, year_text, amount_text) in records:
        problems: list[str] = []
        initiative = int(initiative_text) if initiative_text.isascii() and initiative_text.isdigit() else 0
        if initiative <= 0:
            problems.append(
                _("Line %(line)s, initiative: %(value)r is not an initiative number.")
                % {"line": number, "value": initiative_text[:40]}
            )
        year = year_cell(number, year_text, problems)
        amount = amount_cell(number, amount_text, problems)
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
