"""Reading a population file (kommunenummer,name,county,population,population_date) without touching the database."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from core.validators import EARLIEST_YEAR, LATEST_YEAR

EXPECTED_HEADER = ["kommunenummer", "name", "county", "population", "population_date"]
# The largest count the inhabitants column holds (PostgreSQL integer), and the longest name and county stored.
LARGEST_POPULATION = 2_147_483_647
LONGEST = {"name": 200, "county": 100}


def _digits(text: str) -> bool:
    """Only the digits 0-9 (str.isdigit also accepts superscripts such as '²', which int() refuses)."""
    return text.isascii() and text.isdigit()


@dataclass(frozen=True)
class PopulationRow:
    line: int  # line in the file, the header being line 1
    number: str
    name: str
    county: str
    population: int
    reference_date: date
    # Where the figure stands, for messages, when the file has no portal columns (Statistics Norway's formats).
    place: str = ""


class PopulationFileError(Exception):
    """A file that cannot be imported; `errors` lists every problem found, each naming line and field."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("\n".join(errors))

    @classmethod
    def from_problems(cls, problems: list[tuple[int, str]]) -> PopulationFileError:
        """From (line, message) pairs, in line order."""
        return cls([message for _line, message in sorted(problems, key=lambda problem: problem[0])])


def decode_upload(raw: bytes) -> str:
    """The file's text: UTF-8, or Windows-1252 for a table downloaded from Statistics Norway's statistics bank
    (which its CSV downloads have used), recognised by its region column."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
        if '"region"' in text[:2000].lower() and "\ufffd" not in text:
            return text
        raise PopulationFileError([_("The file is not UTF-8 encoded text. Save it as CSV (UTF-8).")]) from None


def _records(reader: Any) -> Iterator[list[str]]:
    """The reader's records; what the csv module cannot read at all (e.g. a huge field) is a file error."""
    try:
        yield from reader
    except csv.Error as error:
        raise PopulationFileError(
            [_("Line %(line)d: this is not valid CSV (%(error)s).") % {"line": reader.line_num, "error": error}]
        ) from None


def parse_population_file(text: str, *, max_errors: int = 50) -> tuple[list[PopulationRow], list[tuple[int, str]]]:
    """The good rows of the file and a (line, message) for each bad line and field.

    A file whose header is wrong, or that has no rows, raises PopulationFileError at once.
    """
    reader = _records(csv.reader(io.StringIO(text, newline="")))  # newline="": a lone CR ends a line, as csv expects
    header = next(reader, None)
    if header is None:
        raise PopulationFileError([_("The file is empty.")])
    header = [column.strip() for column in header]
    if header != EXPECTED_HEADER:
        raise PopulationFileError(
            [
                _("Line 1: the header must be %(expected)s, but is %(found)s.")
                % {"expected": ",".join(EXPECTED_HEADER), "found": ",".join(header)}
            ]
        )
    rows: list[PopulationRow] = []
    errors: list[tuple[int, str]] = []
    seen: dict[tuple[str, date], int] = {}
    for line, record in enumerate(reader, start=2):
        if not record or all(not cell.strip() for cell in record):
            continue
        if len(record) != len(EXPECTED_HEADER):
            errors.append(
                (
                    line,
                    _("Line %(line)d: expected %(expected)d columns, found %(found)d.")
                    % {"line": line, "expected": len(EXPECTED_HEADER), "found": len(record)},
                )
            )
            continue
        number, name, county, population_text, date_text = (cell.strip() for cell in record)
        line_errors: list[str] = []
        if not (len(number) == 4 and _digits(number)):
            line_errors.append(
                _("Line %(line)d, kommunenummer: %(value)r is not a four-digit municipality number.")
                % {"line": line, "value": number}
            )
        for column, text in (("name", name), ("county", county)):
            if len(text) > LONGEST[column]:
                line_errors.append(
                    _("Line %(line)d, %(column)s: %(length)d characters, more than the %(longest)d allowed.")
                    % {"line": line, "column": column, "length": len(text), "longest": LONGEST[column]}
                )
        population: int | None = None
        if not _digits(population_text):
            if _digits(population_text.removeprefix("-")):
                message = _("Line %(line)d, population: %(value)r is negative.")
            else:
                message = _("Line %(line)d, population: %(value)r is not a whole number.")
            line_errors.append(message % {"line": line, "value": population_text})
        elif int(population_text) > LARGEST_POPULATION:
            line_errors.append(
                _("Line %(line)d, population: %(value)s is more than %(largest)s.")
                % {"line": line, "value": population_text, "largest": LARGEST_POPULATION}
            )
        else:
            population = int(population_text)
        reference_date: date | None = None
        try:
            reference_date = date.fromisoformat(date_text)
        except ValueError:
            line_errors.append(
                _("Line %(line)d, population_date: %(value)r is not a date in the form YYYY-MM-DD.")
                % {"line": line, "value": date_text}
            )
        else:
            if not EARLIEST_YEAR <= reference_date.year <= LATEST_YEAR:
                line_errors.append(
                    _("Line %(line)d, population_date: %(value)s is not between the years %(earliest)d and %(latest)d.")
                    % {"line": line, "value": date_text, "earliest": EARLIEST_YEAR, "latest": LATEST_YEAR}
                )
                reference_date = None
        if not line_errors and reference_date is not None and population is not None:
            key = (number, reference_date)
            if key in seen:
                line_errors.append(
                    _("Line %(line)d, kommunenummer: %(number)s for %(date)s repeats line %(first)d.")
                    % {"line": line, "number": number, "date": date_text, "first": seen[key]}
                )
            else:
                seen[key] = line
                rows.append(PopulationRow(line, number, name, county, population, reference_date))
        errors.extend((line, message) for message in line_errors)
        if len(errors) >= max_errors:
            errors.append((line, _("Stopped after %(count)d errors.") % {"count": max_errors}))
            break
    if not rows and not errors:
        raise PopulationFileError([_("The file has a header but no rows.")])
    return rows, errors
