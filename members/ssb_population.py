"""Population figures as Statistics Norway publishes them (table 07459), read without touching the database.

Two shapes of the table give the same rows as the portal's own CSV (`members.population_file`):

- the CSV downloaded from the statistics bank (https://www.ssb.no/statbank/table/07459): a title line, then a
  header whose first column is the region ("4634 Masfjorden", "K-4634 Masfjorden" or "K-4634") and whose other
  columns are the years ("Personer 2024", "2024"), or, in the long layout, a column for the year and one for the
  figure;
- JSON-stat 2.0 from the statistics bank's API (PxWebApi, https://data.ssb.no/api/v0/no/table/07459/ asked for
  `json-stat2`), the dataset's dimensions region (role geo), contents (role metric) and time (role time).

The table counts the population on 1 January of each year, so the year 2024 is the reference date 2024-01-01.
Rows for the whole country and the counties are skipped, and so are cells with Statistics Norway's symbol for no
figure (".." and the like: a municipality merged away or not yet made that year); a breakdown by sex or age is
refused (download the table with those variables summed). The rules and messages are otherwise those of the
portal's CSV.
"""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from core.validators import EARLIEST_YEAR, LATEST_YEAR
from members.population_file import (
    LARGEST_POPULATION,
    PopulationFileError,
    PopulationRow,
    _records,
    parse_population_file,
)

MUNICIPALITY = re.compile(r"^(?:K-)?(\d{4})(?:\s+(.*))?$")
# The country ("0 Hele landet"), counties ("46 Vestland", "F-46") and SSB's other aggregates: skipped.
NOT_A_MUNICIPALITY = re.compile(r"^(?:0|\d{2}|F-\d{2}|EAK\w*)(?:\s+.*)?$")
YEAR = re.compile(r"(?:^|\D)(\d{4})$")
# Statistics Norway's symbols for a figure that is not there (missing, confidential, not applicable).
MISSING = {"..", ".", ":", "-", "…"}
REGION_HEADERS = {"region"}
YEAR_HEADERS = {"år", "year", "tid"}
CONTENTS_HEADERS = {"statistikkvariabel", "contents"}

PORTAL_CSV = "csv"
SSB_CSV = "ssb-csv"
JSON_STAT = "json-stat"


def population_file_format(text: str) -> str:
    """Which kind of population file this is, from its content."""
    stripped = text.lstrip("\ufeff \t\r\n")
    if stripped.startswith("{"):
        return JSON_STAT
    first = stripped.split("\n", 1)[0].strip().strip('"').lower()
    if first.startswith("kommunenummer"):
        return PORTAL_CSV
    if _ssb_header_line(stripped.splitlines()) is not None:
        return SSB_CSV
    return PORTAL_CSV


def parse_any_population_file(text: str) -> tuple[list[PopulationRow], list[tuple[int, str]]]:
    """The rows and (line, message) problems of a population file in any of the three formats."""
    kind = population_file_format(text)
    if kind == JSON_STAT:
        return parse_jsonstat(text)
    if kind == SSB_CSV:
        return parse_ssb_csv(text)
    return parse_population_file(text)


def reference_date(year_text: str) -> date | None:
    """1 January of the table's year, the day the figure counts the population."""
    match = YEAR.search(year_text.strip())
    if not match:
        return None
    year = int(match.group(1))
    return date(year, 1, 1) if EARLIEST_YEAR <= year <= LATEST_YEAR else None


def _figure(where: str, text: str) -> tuple[int | None, str | None]:
    value = text.strip().replace("\xa0", "").replace(" ", "")
    if not value:
        return None, _("%(where)s: there is no figure.") % {"where": where}
    if value.startswith("-") and value[1:].isascii() and value[1:].isdigit():
        return None, _("%(where)s: %(value)r is negative.") % {"where": where, "value": text}
    if not (value.isascii() and value.isdigit()):
        return None, _("%(where)s: %(value)r is not a whole number.") % {"where": where, "value": text}
    if int(value) > LARGEST_POPULATION:
        return None, _("%(where)s: %(value)s is more than %(largest)s.") % {
            "where": where,
            "value": text,
            "largest": LARGEST_POPULATION,
        }
    return int(value), None


class _Rows:
    """Collects rows and problems, and refuses a municipality given twice for one year."""

    def __init__(self) -> None:
        self.rows: list[PopulationRow] = []
        self.errors: list[tuple[int, str]] = []
        self.seen: dict[tuple[str, date], str] = {}

    def add(self, *, line: int, place: str, region: str, when: date, text: str) -> None:
        match = MUNICIPALITY.match(region.strip())
        if match is None:
            if not NOT_A_MUNICIPALITY.match(region.strip()):
                message = _("%(where)s: %(value)r is not a region code of Statistics Norway.")
                self.errors.append((line, message % {"where": place, "value": region}))
            return
        number, name = match.group(1), (match.group(2) or "").strip()
        if text.strip() in MISSING:
            # Statistics Norway has no figure here: a municipality merged away, or one not yet made, that year.
            return
        count, problem = _figure(place, text)
        if problem:
            self.errors.append((line, problem))
            return
        assert count is not None
        key = (number, when)
        if key in self.seen:
            self.errors.append(
                (
                    line,
                    _("%(where)s: municipality %(number)s for %(date)s repeats %(first)s.")
                    % {"where": place, "number": number, "date": when.isoformat(), "first": self.seen[key]},
                )
            )
            return
        self.seen[key] = place
        self.rows.append(PopulationRow(line, number, name[:200], "", count, when, place=place))


# ------------------------------------------------------------------------------------------------
# The statistics bank's CSV


def _ssb_header_line(lines: list[str]) -> int | None:
    """The index of the header line (its first column is the region), within the first few lines."""
    for index, line in enumerate(lines[:10]):
        first = re.split(r"[;,\t]", line, maxsplit=1)[0].strip().strip('"').strip().lower()
        if first in REGION_HEADERS:
            return index
    return None


def parse_ssb_csv(text: str, *, max_errors: int = 50) -> tuple[list[PopulationRow], list[tuple[int, str]]]:
    text = text.lstrip("\ufeff")
    lines = text.splitlines()
    header_index = _ssb_header_line(lines)
    if header_index is None:
        raise PopulationFileError([_("The file has no header with a region column.")])
    header_line = lines[header_index]
    delimiter = max((";", ",", "\t"), key=header_line.count)
    body = "\n".join(lines[header_index:])
    reader = _records(csv.reader(io.StringIO(body, newline=""), delimiter=delimiter))
    header = [cell.strip() for cell in next(reader)]
    names = [cell.lower() for cell in header]
    header_line_number = header_index + 1
    year_column = next((i for i, name in enumerate(names) if name in YEAR_HEADERS), None)
    contents_column = next((i for i, name in enumerate(names) if name in CONTENTS_HEADERS), None)
    columns: dict[int, date] = {}
    value_column: int | None = None
    if year_column is not None:
        # The long layout: region, (statistikkvariabel,) år, and the figure in the last column.
        value_column = len(header) - 1
        others = [i for i in range(1, len(header) - 1) if i not in (year_column, contents_column)]
    else:
        others = []
        for index in range(1, len(header)):
            if index == contents_column:
                continue
            when = reference_date(header[index])
            if when is None:
                others.append(index)
            else:
                columns[index] = when
        if not columns and not others:
            raise PopulationFileError(
                [_("Line %(line)d: the header has no column for a year.") % {"line": header_line_number}]
            )
    if others:
        raise PopulationFileError(
            [
                _(
                    "Line %(line)d: the table is broken down by %(columns)s; download table 07459 with only region "
                    "and year (the other variables summed)."
                )
                % {"line": header_line_number, "columns": ", ".join(header[i] for i in others)}
            ]
        )
    collected = _Rows()
    for offset, record in enumerate(reader):
        line = header_line_number + 1 + offset
        if not record or all(not cell.strip() for cell in record):
            continue
        if len(record) != len(header):
            collected.errors.append(
                (
                    line,
                    _("Line %(line)d: expected %(expected)d columns, found %(found)d.")
                    % {"line": line, "expected": len(header), "found": len(record)},
                )
            )
            continue
        region = record[0].strip()
        if contents_column is not None and record[contents_column].strip().lower() not in ("personer", "persons"):
            collected.errors.append(
                (
                    line,
                    _("Line %(line)d, %(column)s: %(value)r is not the number of persons.")
                    % {"line": line, "column": header[contents_column], "value": record[contents_column]},
                )
            )
            continue
        if year_column is not None and value_column is not None:
            when = reference_date(record[year_column])
            if when is None:
                collected.errors.append(
                    (
                        line,
                        _("Line %(line)d, %(column)s: %(value)r is not a year between %(earliest)d and %(latest)d.")
                        % {
                            "line": line,
                            "column": header[year_column],
                            "value": record[year_column],
                            "earliest": EARLIEST_YEAR,
                            "latest": LATEST_YEAR,
                        },
                    )
                )
                continue
            where = _("Line %(line)d, %(column)s") % {"line": line, "column": header[value_column]}
            collected.add(line=line, place=where, region=region, when=when, text=record[value_column])
        else:
            for index, when in columns.items():
                where = _("Line %(line)d, %(column)s") % {"line": line, "column": header[index]}
                collected.add(line=line, place=where, region=region, when=when, text=record[index])
        if len(collected.errors) >= max_errors:
            collected.errors.append((line, _("Stopped after %(count)d errors.") % {"count": max_errors}))
            break
    if not collected.rows and not collected.errors:
        raise PopulationFileError([_("The file has a header but no rows.")])
    return collected.rows, collected.errors


# ------------------------------------------------------------------------------------------------
# JSON-stat 2.0 from the API


def _categories(dimension: dict[str, Any], name: str) -> list[tuple[str, str]]:
    """A dimension's (code, label) pairs in their order; the index may be a list or an object (JSON-stat 2.0)."""
    category = dimension.get("category")
    if not isinstance(category, dict):
        raise PopulationFileError([_("Dimension %(name)s: it has no categories.") % {"name": name}])
    index = category.get("index")
    labels = category.get("label") or {}
    if isinstance(index, list):
        codes = [str(code) for code in index]
    elif isinstance(index, dict):
        codes = [str(code) for code, _position in sorted(index.items(), key=lambda item: item[1])]
    elif isinstance(labels, dict) and len(labels) == 1:
        codes = list(labels)
    else:
        raise PopulationFileError([_("Dimension %(name)s: its categories have no index.") % {"name": name}])
    return [(code, str(labels.get(code, "")) if isinstance(labels, dict) else "") for code in codes]


def parse_jsonstat(text: str) -> tuple[list[PopulationRow], list[tuple[int, str]]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise PopulationFileError(
            [_("Line %(line)d: this is not valid JSON (%(error)s).") % {"line": error.lineno, "error": error.msg}]
        ) from None
    if not isinstance(data, dict) or data.get("class") != "dataset" or str(data.get("version")) != "2.0":
        raise PopulationFileError([_("The file is not a JSON-stat 2.0 dataset (class dataset, version 2.0).")])
    ids, sizes, dimensions = data.get("id"), data.get("size"), data.get("dimension")
    if not (isinstance(ids, list) and isinstance(sizes, list) and isinstance(dimensions, dict)) or len(ids) != len(
        sizes
    ):
        raise PopulationFileError([_("The dataset's id, size and dimension do not agree.")])
    role: dict[str, Any] = data["role"] if isinstance(data.get("role"), dict) else {}
    geo = (role.get("geo") or ["Region"])[0]
    time = (role.get("time") or ["Tid"])[0]
    metric = (role.get("metric") or ["ContentsCode"])[0]
    categories: dict[str, list[tuple[str, str]]] = {}
    for name, size in zip(ids, sizes, strict=True):
        if name not in dimensions:
            raise PopulationFileError([_("Dimension %(name)s is named but not described.") % {"name": name}])
        categories[name] = _categories(dimensions[name], name)
        if len(categories[name]) != size:
            raise PopulationFileError(
                [
                    _("Dimension %(name)s: size %(size)s, but %(count)d categories.")
                    % {"name": name, "size": size, "count": len(categories[name])}
                ]
            )
    for needed in (geo, time):
        if needed not in categories:
            raise PopulationFileError([_("The dataset has no dimension %(name)s.") % {"name": needed}])
    others = [name for name in ids if name not in (geo, time, metric)]
    if others:
        raise PopulationFileError(
            [
                _(
                    "The table is broken down by %(columns)s; ask for table 07459 with only region and year "
                    "(the other variables summed)."
                )
                % {"columns": ", ".join(str(dimensions[name].get("label") or name) for name in others)}
            ]
        )
    if metric in categories and len(categories[metric]) != 1:
        raise PopulationFileError([_("The dataset holds more than one statistic; ask for the persons only.")])
    values = data.get("value")
    total = 1
    for size in sizes:
        total *= int(size)
    if isinstance(values, list):
        if len(values) != total:
            raise PopulationFileError(
                [_("The dataset has %(count)d values for %(total)d cells.") % {"count": len(values), "total": total}]
            )
        value_at = dict(enumerate(values))
    elif isinstance(values, dict):
        value_at = {int(key): value for key, value in values.items() if str(key).isdigit()}
    else:
        raise PopulationFileError([_("The dataset has no values.")])
    collected = _Rows()
    strides = [1] * len(ids)
    for position in range(len(ids) - 2, -1, -1):
        strides[position] = strides[position + 1] * int(sizes[position + 1])
    for cell in range(total):
        coordinates = {name: categories[name][(cell // strides[i]) % int(sizes[i])] for i, name in enumerate(ids)}
        region_code, region_label = coordinates[geo]
        year_code, _year_label = coordinates[time]
        place = _("Region %(region)s, %(year)s") % {
            "region": f"{region_code} ({region_label})" if region_label else region_code,
            "year": year_code,
        }
        when = reference_date(year_code)
        if when is None:
            collected.errors.append(
                (
                    cell + 1,
                    _("%(where)s: %(value)r is not a year between %(earliest)d and %(latest)d.")
                    % {"where": place, "value": year_code, "earliest": EARLIEST_YEAR, "latest": LATEST_YEAR},
                )
            )
            continue
        # The label carries the name; the code may come with or without SSB's "K-" prefix.
        region = f"{region_code} {region_label}" if region_label and region_label != region_code else region_code
        value = value_at.get(cell)
        collected.add(line=cell + 1, place=place, region=region, when=when, text="" if value is None else str(value))
    if not collected.rows and not collected.errors:
        raise PopulationFileError([_("The dataset has no figures.")])
    return collected.rows, collected.errors
