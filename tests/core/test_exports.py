"""Downloads a spreadsheet opens: no cell a user typed is run as a formula, and numbers stay numbers."""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from core.exports import spreadsheet_cell, spreadsheet_response

TYPED = [
    "=1+2",
    '=HYPERLINK("http://127.0.0.1:9/x","Klikk")',
    "+47 555 55 555",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(A1:A9)",
    "\t=1+2",
    "\r=1+2",
]


@pytest.mark.parametrize("value", TYPED)
def test_text_that_starts_like_a_formula_gets_an_apostrophe_in_csv(value):
    response = spreadsheet_response("csv", "liste", ["Navn", "Beløp"], [[value, Decimal("-1250.50")]])
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))
    assert rows[1] == ["'" + value, "-1250.50"]


def test_numbers_and_ordinary_text_are_left_as_they_are():
    for value in (Decimal("-12.5"), -3, 0, "-1 234,50", "-17", "Fjord & Fjell", "Árran – julevsáme", "", "a=b"):
        assert spreadsheet_cell(value) == value


def test_excel_stores_formula_like_text_as_text_and_numbers_as_numbers():
    rows = [[value, Decimal("-1250.50"), -3] for value in TYPED]
    response = spreadsheet_response("xlsx", "liste", ["=Navn", "Beløp", "Antall"], rows)
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert [cell.value for cell in sheet[1]] == ["=Navn", "Beløp", "Antall"]
    for number, value in enumerate(TYPED, start=2):
        text, amount, count = sheet[number]
        assert (text.value, text.data_type) == (value, "s")
        assert (amount.value, amount.data_type) == (-1250.5, "n")
        assert (count.value, count.data_type) == (-3, "n")
    assert not any(cell.data_type == "f" for row in sheet.iter_rows() for cell in row)


def test_every_spreadsheet_the_apps_write_goes_through_the_export_module():
    root = Path(__file__).resolve().parents[2]
    for module in root.glob("*/**/*.py"):
        if module.parts[len(root.parts)] in {".venv", "tests", "bench", "core"}:
            continue
        text = module.read_text()
        if re.search(r"csv\.(writer|DictWriter)|openpyxl|\.export\(", text):
            assert "spreadsheet_cell(" in text, f"{module} writes a spreadsheet itself; use core.exports"


def test_a_decimal_has_at_least_two_places_in_csv_whatever_the_database_gave_back():
    rows = [[Decimal("1212345")], [Decimal("12.5")], [Decimal("19.8512")], [Decimal("-3E+2")]]
    response = spreadsheet_response("csv", "liste", ["Beløp"], rows)
    cells = [row[0] for row in csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline=""))]
    assert cells == ["Beløp", "1212345.00", "12.50", "19.8512", "-300.00"]
