"""CSV and Excel downloads of plain rows, with tablib."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import tablib
from django.http import HttpResponse

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def spreadsheet_response(
    export: str, filename: str, header: Sequence[Any], rows: Sequence[Sequence[Any]]
) -> HttpResponse:
    dataset = tablib.Dataset(headers=[str(h) for h in header])
    for row in rows:
        dataset.append(["" if value is None else value for value in row])
    if export == "csv":
        # A byte-order mark lets Excel open the file as UTF-8 (æ, ø, å).
        content: bytes = ("\ufeff" + dataset.export("csv")).encode("utf-8")
    else:
        content = dataset.export("xlsx")
    response = HttpResponse(content, content_type=CONTENT_TYPES[export])
    response["Content-Disposition"] = f'attachment; filename="{filename}.{export}"'
    return response
