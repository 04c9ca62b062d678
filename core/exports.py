"""CSV and Excel downloads of plain rows, with tablib.

A text cell that a spreadsheet would read as a formula (`=`, `+`, `-`, `@`, or a tab or carriage return
first) is neutralised: in CSV it gets a leading apostrophe, in Excel it is stored as text, so a name typed as
`=HYPERLINK(...)` shows as typed and runs nothing. Numbers stay numbers, negative ones included. Every Decimal
has at least two decimal places in CSV (12.5 is written 12.50): the portal's Decimals are money, rates and
factors, and SQLite gives a sum of kroner back as 1212345 where PostgreSQL gives 1212345.00.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import tablib
from django.http import HttpResponse
from django.utils.http import content_disposition_header
from tablib.formats._xlsx import XLSXFormat

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Text that is only a number (e.g. "-1 234,50" or "-17.5") is read as that number, never as a formula.
_PLAIN_NUMBER = re.compile(r"-?\d[\d\u00a0 ]*(?:[.,]\d+)?")


_CENTS = Decimal("0.01")


def spreadsheet_cell(value: Any) -> Any:
    """`value` as a CSV cell that no spreadsheet runs as a formula; numbers and other text unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    if isinstance(value, Decimal) and value.is_finite() and value.as_tuple().exponent > -2:  # type: ignore[operator]
        return value.quantize(_CENTS)
    return value


class _TextNotFormulaXLSX(XLSXFormat):
    """tablib's Excel writer, with every cell that openpyxl took for a formula stored as the text it is."""

    @classmethod
    def dset_sheet(cls, dataset, ws, freeze_panes=True, escape=False):
        super().dset_sheet(dataset, ws, freeze_panes=freeze_panes, escape=False)
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"


def spreadsheet_response(
    export: str, filename: str, header: Sequence[Any], rows: Sequence[Sequence[Any]]
) -> HttpResponse:
    if export == "csv":
        dataset = tablib.Dataset(headers=[spreadsheet_cell(str(h)) for h in header])
        for row in rows:
            dataset.append(["" if value is None else spreadsheet_cell(value) for value in row])
        # A byte-order mark lets Excel open the file as UTF-8 (æ, ø, å).
        content: bytes = ("\ufeff" + dataset.export("csv")).encode("utf-8")
    else:
        dataset = tablib.Dataset(headers=[str(h) for h in header])
        for row in rows:
            dataset.append(["" if value is None else value for value in row])
        content = _TextNotFormulaXLSX.export_set(dataset)
    response = HttpResponse(content, content_type=CONTENT_TYPES[export])
    response["Content-Disposition"] = content_disposition_header(True, f"{filename}.{export}")
    return response
