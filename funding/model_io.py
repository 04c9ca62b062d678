"""Contribution models and member lists in and out: JSON models and CSV member lists, read strictly.

Every error is a ModelError or MembersError naming the file and the key, or the file, line and column.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from funding.calculation import (
    _ONE,
    _ZERO,
    FORMULA,
    KINDS,
    MODES,
    MONTHS_IN_YEAR,
    SHARE,
    ContributionModel,
    Member,
    MembersError,
    ModelError,
    Override,
    Rule,
    _is_whole,
    _plain,
)
from funding.sharing import KEYS as SHARING_KEYS
from funding.sharing import MIX, Participant, Plan, check_plan

_MODEL_KEYS = (
    "name",
    "mode",
    "base_year",
    "year",
    "deflators",
    "cap_indexed",
    "rules",
    "overrides",
    "target_total",
    "equal_share",
)
_RULE_KEYS = ("fixed", "per_inhabitant", "cap")
_OVERRIDE_KEYS = ("exempt", "fixed_amount", "description")
_YEAR = re.compile(r"[0-9]{4}")


def load_model(text: str, *, source: str = "model.json") -> ContributionModel:
    """A model from JSON text; malformed JSON is a ModelError naming the file, line and column."""
    try:
        data = json.loads(
            text.removeprefix("\ufeff"),
            parse_float=Decimal,  # no binary float is ever involved
            parse_constant=lambda constant: _reject_constant(constant, source),
            object_pairs_hook=lambda pairs: _unique_keys(pairs, source),
        )
    except json.JSONDecodeError as error:
        raise ModelError(f"{source}, line {error.lineno}, column {error.colno}: malformed JSON: {error.msg}") from None
    return parse_model(data, source=source)


def _reject_constant(constant: str, source: str) -> None:
    raise ModelError(f"{source}: {constant} is not a number a model can use")


def _unique_keys(pairs: list[tuple[str, Any]], source: str) -> dict[str, Any]:
    # json keeps the last of repeated keys silently; in a model that hides a mistake.
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ModelError(f"{source}: {key}: the key appears twice in the same object")
        result[key] = value
    return result


def parse_model(data: object, *, source: str = "model.json") -> ContributionModel:
    """A model from decoded JSON, strictly: unknown keys and bad values are ModelErrors naming the key."""
    reader = _ModelReader(source)
    top = reader.mapping(data, "", allowed=_MODEL_KEYS)
    name = top.get("name", "")
    if not isinstance(name, str):
        raise reader.error("name", f"{name!r} is not a text")
    mode = top.get("mode", FORMULA)
    if mode not in MODES:
        raise reader.error("mode", f"{mode!r} is not one of {', '.join(MODES)}")
    # Share mode does not index, so it needs neither year; given, they are checked like any other.
    base_year = _model_year(reader, top, "base_year", required=mode != SHARE)
    year = _model_year(reader, top, "year", required=mode != SHARE)
    if year is not None and base_year is not None and year < base_year:
        raise reader.error("year", f"{year} is before base_year {base_year}")
    deflators = {}
    for key, value in reader.mapping(top.get("deflators", {}), "deflators").items():
        if not _YEAR.fullmatch(key):
            raise reader.error(f"deflators.{key}", f"{key!r} is not a year")
        deflators[int(key)] = reader.number(value, f"deflators.{key}", greater_than=Decimal(-1))
    cap_indexed = top.get("cap_indexed", False)
    if not isinstance(cap_indexed, bool):
        raise reader.error("cap_indexed", f"{cap_indexed!r} is not true or false")
    if mode == FORMULA and "rules" not in top:
        raise reader.error("rules", "missing; formula mode needs a rule per organisation kind")
    rules = {}
    for kind, value in reader.mapping(top.get("rules", {}), "rules").items():
        if kind not in KINDS:
            raise reader.error(f"rules.{kind}", f"{kind!r} is not one of {', '.join(KINDS)}")
        rules[kind] = reader.rule(value, f"rules.{kind}")
    overrides = {}
    for member_id, value in reader.mapping(top.get("overrides", {}), "overrides").items():
        if not member_id or member_id != member_id.strip():
            # Ids in members.csv are trimmed, so such a key would silently match nobody.
            raise reader.error(f"overrides.{member_id}", f"{member_id!r} is not a member id")
        overrides[member_id] = reader.override(value, f"overrides.{member_id}", share_mode=mode == SHARE)
    target_total = None
    if "target_total" in top:
        target_total = reader.number(top["target_total"], "target_total", minimum=_ZERO)
        if not _is_whole(target_total):
            raise reader.error("target_total", f"{top['target_total']!r} is not a whole number of kroner")
    elif mode == SHARE:
        raise reader.error("target_total", "missing; share mode needs it")
    equal_share = _ZERO
    if "equal_share" in top:
        equal_share = reader.number(top["equal_share"], "equal_share", minimum=_ZERO, maximum=_ONE)
    return ContributionModel(
        name=name,
        mode=mode,
        base_year=base_year,
        year=year,
        rules=rules,
        overrides=overrides,
        deflators=deflators,
        cap_indexed=cap_indexed,
        target_total=target_total,
        equal_share=equal_share,
    )


def _model_year(reader: _ModelReader, top: Mapping[str, Any], key: str, *, required: bool) -> int | None:
    if key not in top and not required:
        return None
    return reader.year(reader.required(top, key), key)


class _ModelReader:
    """Checks the values of a decoded model, each error naming the file and the key."""

    def __init__(self, source: str):
        self.source = source

    def error(self, key: str, problem: str) -> ModelError:
        return ModelError(f"{self.source}: {key}: {problem}" if key else f"{self.source}: {problem}")

    def mapping(self, value: object, key: str, *, allowed: Sequence[str] | None = None) -> dict[str, Any]:
        if not isinstance(value, dict):
            where = "the top level" if not key else "the value"
            raise self.error(key, f"{where} must be a JSON object, not {_json_kind(value)}")
        if allowed is not None:
            for name in value:
                if name not in allowed:
                    raise self.error(f"{key}.{name}" if key else name, f"unknown key (known: {', '.join(allowed)})")
        return value

    def required(self, values: Mapping[str, Any], name: str, parent: str = "") -> Any:
        if name not in values:
            raise self.error(f"{parent}.{name}" if parent else name, "missing")
        return values[name]

    def number(
        self,
        value: object,
        key: str,
        *,
        minimum: Decimal | None = None,
        maximum: Decimal | None = None,
        greater_than: Decimal | None = None,
    ) -> Decimal:
        # bool is an int in Python, but `true` is no number in a model.
        if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
            raise self.error(key, f"{value!r} is not a number")
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            raise self.error(key, f"{value!r} is not a number") from None
        if not number.is_finite():
            raise self.error(key, f"{value!r} is not a number")
        if minimum is not None and number < minimum:
            raise self.error(key, f"{value!r} is less than {minimum}")
        if maximum is not None and number > maximum:
            raise self.error(key, f"{value!r} is more than {maximum}")
        if greater_than is not None and number <= greater_than:
            raise self.error(key, f"{value!r} must be more than {greater_than}")
        return number

    def year(self, value: object, key: str) -> int:
        if isinstance(value, int) and not isinstance(value, bool) and 1000 <= value <= 9999:
            return value
        if isinstance(value, str) and _YEAR.fullmatch(value.strip()):
            return int(value)
        raise self.error(key, f"{value!r} is not a year")

    def rule(self, value: object, key: str) -> Rule:
        values = self.mapping(value, key, allowed=_RULE_KEYS)
        fixed = self.number(self.required(values, "fixed", key), f"{key}.fixed", minimum=_ZERO)
        per_inhabitant = self.number(
            self.required(values, "per_inhabitant", key), f"{key}.per_inhabitant", minimum=_ZERO
        )
        cap = None
        if values.get("cap") is not None:
            cap = self.number(values["cap"], f"{key}.cap", minimum=_ZERO)
        return Rule(fixed=fixed, per_inhabitant=per_inhabitant, cap=cap)

    def override(self, value: object, key: str, *, share_mode: bool) -> Override:
        values = self.mapping(value, key, allowed=_OVERRIDE_KEYS)
        exempt = values.get("exempt", False)
        if not isinstance(exempt, bool):
            raise self.error(f"{key}.exempt", f"{exempt!r} is not true or false")
        fixed_amount = None
        if values.get("fixed_amount") is not None:
            fixed_amount = self.number(values["fixed_amount"], f"{key}.fixed_amount", minimum=_ZERO)
            if share_mode and not _is_whole(fixed_amount):
                raise self.error(
                    f"{key}.fixed_amount",
                    f"{values['fixed_amount']!r} is not whole kroner, which share mode needs to sum exactly",
                )
        description = values.get("description", "")
        if not isinstance(description, str):
            raise self.error(f"{key}.description", f"{description!r} is not a text")
        return Override(exempt=exempt, fixed_amount=fixed_amount, description=description.strip())


def _json_kind(value: object) -> str:
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "a text"
    if value is None:
        return "null"
    return "a number" if isinstance(value, int | float | Decimal) and not isinstance(value, bool) else repr(value)


def model_to_dict(model: ContributionModel) -> dict[str, Any]:
    """The model as JSON-ready data, numbers as strings: parse_model(model_to_dict(m)) == m."""
    data: dict[str, Any] = {
        "name": model.name,
        "mode": model.mode,
        "base_year": model.base_year,
        "year": model.year,
        "cap_indexed": model.cap_indexed,
        "deflators": {str(year): _plain(model.deflators[year]) for year in sorted(model.deflators)},
        "rules": {},
        "overrides": {},
    }
    for key in ("base_year", "year"):
        if data[key] is None:  # a share model without years
            del data[key]
    for kind, rule in model.rules.items():
        data["rules"][kind] = {"fixed": _plain(rule.fixed), "per_inhabitant": _plain(rule.per_inhabitant)}
        if rule.cap is not None:
            data["rules"][kind]["cap"] = _plain(rule.cap)
    for member_id, override in model.overrides.items():
        entry: dict[str, Any] = {}
        if override.exempt:
            entry["exempt"] = True
        if override.fixed_amount is not None:
            entry["fixed_amount"] = _plain(override.fixed_amount)
        if override.description:
            entry["description"] = override.description
        data["overrides"][member_id] = entry
    if model.target_total is not None:
        data["target_total"] = _plain(model.target_total)
    if model.mode == SHARE or model.equal_share:
        data["equal_share"] = _plain(model.equal_share)
    return data


# ---------------------------------------------------------------------------------------------------------
# Reading members

_MEMBER_HEADERS = (["id", "kind", "population"], ["id", "kind", "population", "months"])
_WHOLE = re.compile(r"-?[0-9]+")


def parse_members_csv(text: str, *, source: str = "members.csv") -> list[Member]:
    """Members from CSV `id,kind,population[,months]`; every bad cell is reported with its line and column."""
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff")))
    header = next(reader, None)
    if header is None:
        raise MembersError(f"{source}, line 1: the file is empty; expected the header id,kind,population[,months]")
    header = [column.strip() for column in header]
    if header not in _MEMBER_HEADERS:
        raise MembersError(
            f"{source}, line 1: the header must be id,kind,population or id,kind,population,months, "
            f"not {','.join(header)!r}"
        )
    members: list[Member] = []
    errors: list[str] = []
    first_line: dict[str, int] = {}  # member id -> the line it first appeared on
    end = reader.line_num
    for record in reader:
        # A quoted cell may span lines: name the line the row starts on.
        line, end = end + 1, reader.line_num
        if not any(cell.strip() for cell in record):
            continue
        if len(record) > len(header):
            errors.append(f"{source}, line {line}: {len(record)} columns, but the header has {len(header)}")
            continue
        # A short row reports each missing cell by its column rather than as a column count.
        padded = [cell.strip() for cell in record] + [""] * (len(header) - len(record))
        cells = dict(zip(header, padded, strict=True))
        member, problems = _member_from_row(cells, line, first_line)
        errors.extend(f"{source}, line {line}, {column}: {problem}" for column, problem in problems)
        if member is not None:
            members.append(member)
    if errors:
        raise MembersError(errors)
    return members


def _member_from_row(
    cells: dict[str, str], line: int, first_line: dict[str, int]
) -> tuple[Member | None, list[tuple[str, str]]]:
    """The member on one row, or the (column, problem) pairs that keep it from being one."""
    problems: list[tuple[str, str]] = []
    member_id = cells["id"]
    if not member_id:
        problems.append(("id", "missing"))
    elif member_id in first_line:
        problems.append(("id", f"{member_id!r} repeats line {first_line[member_id]}"))
    else:
        first_line[member_id] = line
    kind = cells["kind"]
    if kind not in KINDS:
        problems.append(("kind", f"{kind!r} is not one of {', '.join(KINDS)}" if kind else "missing"))
    population = _whole_number(cells["population"], "population", problems)
    if population is not None and population < 0:
        problems.append(("population", f"{cells['population']!r} is negative"))
    months: int | None = MONTHS_IN_YEAR
    if cells.get("months"):  # an empty months cell means the whole year, like a missing column
        months = _whole_number(cells["months"], "months", problems)
        if months is not None and not 1 <= months <= MONTHS_IN_YEAR:
            problems.append(("months", f"{cells['months']!r} is not between 1 and 12"))
    if problems or population is None or months is None:
        return None, problems
    return Member(id=member_id, kind=kind, population=population, months=months), []


def _whole_number(text: str, column: str, problems: list[tuple[str, str]]) -> int | None:
    if not text:
        problems.append((column, "missing"))
        return None
    if not _WHOLE.fullmatch(text):
        problems.append((column, f"{text!r} is not a whole number"))
        return None
    return int(text)


# ------------------------------------------------------------------------------------------------
# Cost-sharing plans (funding.sharing), in the same strict JSON as models

_PLAN_KEYS = ("name", "amount", "key", "equal_share", "unit", "population_date", "participants")
_PARTICIPANT_KEYS = ("id", "population", "share", "usage", "exempt", "fixed_amount", "description")


def load_plan(text: str, *, source: str = "plan.json") -> Plan:
    """A cost-sharing plan from JSON text; every error names the file and the key (or line and column)."""
    try:
        data = json.loads(
            text.removeprefix("\ufeff"),
            parse_float=Decimal,
            parse_constant=lambda constant: _reject_constant(constant, source),
            object_pairs_hook=lambda pairs: _unique_keys(pairs, source),
        )
    except json.JSONDecodeError as error:
        raise ModelError(f"{source}, line {error.lineno}, column {error.colno}: malformed JSON: {error.msg}") from None
    return parse_plan(data, source=source)


def parse_plan(data: object, *, source: str = "plan.json") -> Plan:
    """A plan from decoded JSON, strictly: unknown keys and bad values are ModelErrors naming the key."""
    reader = _ModelReader(source)
    top = reader.mapping(data, "", allowed=_PLAN_KEYS)
    name = top.get("name", "")
    if not isinstance(name, str):
        raise reader.error("name", f"{name!r} is not a text")
    key = reader.required(top, "key")
    if key not in SHARING_KEYS:
        raise reader.error("key", f"{key!r} is not one of {', '.join(SHARING_KEYS)}")
    amount = reader.number(reader.required(top, "amount"), "amount", minimum=_ZERO)
    if not _is_whole(amount):
        raise reader.error("amount", f"{top['amount']!r} is not a whole number of kroner")
    equal_share = _ZERO
    if "equal_share" in top:
        equal_share = reader.number(top["equal_share"], "equal_share", minimum=_ZERO, maximum=_ONE)
    elif key == MIX:
        raise reader.error("equal_share", "missing; the mix key needs the fraction shared equally")
    unit = top.get("unit", "")
    if not isinstance(unit, str):
        raise reader.error("unit", f"{unit!r} is not a text")
    population_date = None
    if "population_date" in top:
        try:
            population_date = date.fromisoformat(str(top["population_date"]))
        except ValueError:
            raise reader.error("population_date", f"{top['population_date']!r} is not a date (YYYY-MM-DD)") from None
    items = reader.required(top, "participants")
    if not isinstance(items, list):
        raise reader.error("participants", f"the value must be a JSON list, not {_json_kind(items)}")
    participants = [_participant(reader, item, f"participants[{index}]") for index, item in enumerate(items)]
    plan = Plan(
        name=name,
        amount=amount,
        key=key,
        participants=participants,
        equal_share=equal_share,
        unit=unit,
        population_date=population_date,
    )
    try:
        check_plan(plan)
    except ModelError as error:
        raise reader.error("", str(error)) from None
    return plan


def _participant(reader: _ModelReader, value: object, key: str) -> Participant:
    values = reader.mapping(value, key, allowed=_PARTICIPANT_KEYS)
    participant_id = reader.required(values, "id", key)
    if not isinstance(participant_id, str | int) or isinstance(participant_id, bool) or not str(participant_id).strip():
        raise reader.error(f"{key}.id", f"{participant_id!r} is not an id")
    population = values.get("population", 0)
    if isinstance(population, bool) or not isinstance(population, int) or population < 0:
        raise reader.error(f"{key}.population", f"{population!r} is not a whole number >= 0")
    exempt = values.get("exempt", False)
    if not isinstance(exempt, bool):
        raise reader.error(f"{key}.exempt", f"{exempt!r} is not true or false")
    description = values.get("description", "")
    if not isinstance(description, str):
        raise reader.error(f"{key}.description", f"{description!r} is not a text")

    def optional(name: str) -> Decimal | None:
        return reader.number(values[name], f"{key}.{name}", minimum=_ZERO) if name in values else None

    return Participant(
        id=str(participant_id).strip(),
        population=population,
        share=optional("share"),
        usage=optional("usage"),
        exempt=exempt,
        fixed_amount=optional("fixed_amount"),
        description=description,
    )
