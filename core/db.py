"""Bulk writes the ORM does not offer, for the few places where thousands of rows change at once.

On PostgreSQL one statement per part of the rows compares them with the stored ones and writes what differs with
its history rows (merge_rows_with_history): the rows travel as one JSON document, so its cost grows linearly
with the rows and its parameters stay few, and they are plain dicts keyed by field attname (e.g. `model_id`), so
no model instances are built. Elsewhere (SQLite in development) Django's own bulk operations are used.
"""

from __future__ import annotations

import functools
import hashlib
import json
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Field, JSONField, Model
from django.utils import timezone
from simple_history.models import HistoricalRecords

HISTORY_FIELDS = {"history_id", "history_date", "history_change_reason", "history_type", "history_user"}
Row = dict[str, Any]


def tables_fingerprint(*models: type[Model]) -> str | None:
    """On PostgreSQL, a text that changes with every committed insert, update or delete in these models' tables;
    None on other databases, and inside a transaction that has written anything (the caller then works from the
    rows themselves).

    Per table: the number of rows and the sum of their `xmin`, the id of the transaction that wrote each row
    version. A write gives every row it touches a new version with the id of a newer transaction, never reused,
    so the sum moves, and a delete moves the count. Within one transaction every write carries the same id (an
    update of a row it wrote itself would not move the sum), so a transaction that has written gets None: what
    it sees is not yet what others will see. One scan of each table: meant for a few thousand rows, to know
    whether a result worked out from them can be reused (funding.services.contributions_out_of_date).
    """
    if connection.vendor != "postgresql":
        return None
    columns = ", ".join(
        f"(SELECT count(*) || ':' || coalesce(sum(xmin::text::bigint), 0) FROM {_quote(model._meta.db_table)})"  # noqa: S608
        for model in models
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT txid_current_if_assigned(), {columns}")
        writing, *tables = cursor.fetchone()
    return None if writing is not None else ";".join(tables)


T = TypeVar("T")


def remembered(name: str, models: Sequence[type[Model]], parts: Sequence[Any], compute: Callable[[], T]) -> T:
    """compute(), kept in the cache under `name`, `parts` (whatever else the result depends on: a user's
    restriction, a date, the language) and the fingerprint of `models`, the tables compute() reads.

    Any committed write to those tables gives another fingerprint, so a change is seen at once; without a
    fingerprint (not PostgreSQL, or in a transaction that has written) compute() runs every time. Meant for
    answers a page asks for on every visit that are worked out from many rows.
    """
    fingerprint = tables_fingerprint(*models)
    if fingerprint is None:
        return compute()
    # The database named too: two portals sharing one Redis must not read each other's answers.
    database = f"{connection.settings_dict['HOST']}/{connection.settings_dict['NAME']}"
    key = f"{name}:{hashlib.sha256(repr((database, fingerprint, *parts)).encode()).hexdigest()}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, timeout=24 * 3600)
    return value


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def _column(field: Field | None) -> str:
    if field is None or field.column is None:
        raise ValueError(f"{field} has no column of its own to write")
    return field.column


def _fields(model: type[Model], attnames: Sequence[str]) -> list[Field]:
    by_attname = {field.attname: field for field in model._meta.concrete_fields}
    return [by_attname[name] for name in attnames]


def insert_rows_with_history(model: type[Model], rows: Sequence[Row], *, user: Any = None) -> list[Any]:
    """Insert new rows with Django's bulk_create and record their history rows ('+') as django-simple-history
    writes them; returns their primary keys in the order of `rows`. For the databases other than PostgreSQL,
    where merge_rows_with_history writes instead."""
    if not rows:
        return []
    keys = [obj.pk for obj in model._default_manager.bulk_create([model(**row) for row in rows])]
    _history_of(model, keys, "+", user)
    return keys


def update_rows_with_history(model: type[Model], rows: Sequence[Row], *, user: Any = None) -> None:
    """Update rows (each with its "pk") with Django's bulk_update and record their history rows ('~'); for the
    databases other than PostgreSQL, as insert_rows_with_history."""
    if not rows:
        return
    names = [name for name in rows[0] if name != "pk"]
    model._default_manager.bulk_update([model(**row) for row in rows], [field.name for field in _fields(model, names)])
    _history_of(model, [row["pk"] for row in rows], "~", user)


# ------------------------------------------------------------------------------------------------
# One row and its history row: the history row is copied by the database from the row as stored (one
# INSERT … SELECT), instead of django-simple-history building it as a model instance of some forty fields and
# compiling its INSERT each time (about a millisecond of Python a row). For the saves that happen for every
# document of a run (issuing, storing its files).


def save_with_history(instance: Model, **save: Any) -> None:
    """`instance.save(**save)`, its signals included, with the history row django-simple-history would write
    (type '+' for a new row, else '~'; the same user, change reason and date), copied from the row as saved.

    For the models of this project, whose HistoricalRecords() keep the defaults (no m2m fields, no custom user
    model or getter): simple_history's pre_/post_create_historical_record signals are not sent (nothing here
    listens to them), and the row goes to the default database."""
    if hasattr(instance, "skip_history_when_saving") or not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        instance.save(**save)
        return
    adding = instance._state.adding
    instance.skip_history_when_saving = True  # type: ignore[attr-defined]  # django-simple-history's switch
    try:
        instance.save(**save)
    finally:
        del instance.skip_history_when_saving  # type: ignore[attr-defined]
    if save.get("update_fields") is not None and not save["update_fields"]:
        return  # Django saved nothing
    model = instance._meta.concrete_model
    user = _RECORDS.get_history_user(instance)
    date = getattr(instance, "_history_date", None) or timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            _history_copy(model),
            [
                connection.ops.adapt_datetimefield_value(date),
                "+" if adding else "~",
                getattr(user, "pk", None),
                _RECORDS.get_change_reason_for_object(instance, "+" if adding else "~", None),
                instance.pk,
            ],
        )


@functools.cache
def _history_copy(model: type[Model]) -> str:
    """The history row of the row of `model` whose key is the last parameter, after date, type, user and reason."""
    row = f"{_quote(model._meta.db_table)} WHERE {_quote(_column(model._meta.pk))} = %s"
    return _history_insert(model, row, reason="%s")[0]


# The models' HistoricalRecords() all keep django-simple-history's defaults, so one such object tells the user and
# the change reason of a history row as theirs would.
_RECORDS = HistoricalRecords()


def _history_of(model: type[Model], keys: Sequence[Any], history_type: str, user: Any) -> None:
    """History rows for rows just written in bulk, from the rows as stored."""
    objects = list(model._default_manager.filter(pk__in=keys))
    manager = model.history  # type: ignore[attr-defined]  # added by simple_history
    manager.bulk_history_create(objects, update=history_type == "~", default_user=user)


# ------------------------------------------------------------------------------------------------
# Rows and their history rows in one statement (PostgreSQL): the rows travel as one JSON document, which the
# client encodes in C (`json.dumps`) where arrays of Decimals would be encoded value by value in Python, and
# the history rows are written from the statement's RETURNING, so PostgreSQL reads each row once.


def _json_value(value: Any) -> Any:
    """Decimals as their exact text (PostgreSQL reads them back with numeric's own input), dates and times in
    ISO 8601."""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _json_rows(fields: Sequence[Field], attnames: Sequence[str], rows: Sequence[Row]) -> str:
    encoded = [field for field in fields if isinstance(field, JSONField) and field.encoder is not None]
    if encoded:  # a JSON column with an encoder of its own: as that encoder writes it
        rows = [
            {**row, **{f.attname: json.loads(json.dumps(row[f.attname], cls=f.encoder)) for f in encoded}}
            for row in rows
        ]
    return json.dumps(
        [{name: row[name] for name in attnames} for row in rows] if len(rows[0]) != len(attnames) else list(rows),
        default=_json_value,
        ensure_ascii=False,
        separators=(",", ":"),
    )


def _json_source(fields: Sequence[Field], attnames: Sequence[str]) -> str:
    """`FROM` this: the rows of the JSON parameter with their columns typed as the model's, plus `position`."""
    typed = ", ".join(
        f"{_quote(name)} {field.db_type(connection)}" for field, name in zip(fields, attnames, strict=True)
    )
    aliases = ", ".join(_quote(name) for name in attnames)
    return f"ROWS FROM (jsonb_to_recordset(%s::jsonb) AS ({typed})) WITH ORDINALITY AS v({aliases}, position)"


def _history_insert(model: type[Model], source: str, *, reason: str = "NULL") -> tuple[str, list[str]]:
    """`INSERT INTO` the history table the tracked columns of `source` (a CTE returning them, or a table and its
    WHERE), as django-simple-history writes a row: its date, type and user, and `reason` (SQL: no change reason,
    or a placeholder for one). Returns the statement and the tracked columns (quoted) that `source` must
    return."""
    history = model.history.model  # type: ignore[attr-defined]  # added by simple_history
    tracked = [_quote(_column(f)) for f in history._meta.concrete_fields if f.name not in HISTORY_FIELDS]
    names = ", ".join(tracked)
    sql = (
        f"INSERT INTO {_quote(history._meta.db_table)} "  # noqa: S608 - quoted identifiers; values are parameters
        f"({names}, history_date, history_type, history_user_id, history_change_reason) "
        f"SELECT {names}, %s, %s, %s, {reason} FROM {source}"
    )
    return sql, tracked


def merge_rows_with_history(
    model: type[Model],
    parts: Iterable[Sequence[Row]],
    *,
    key: str,
    scope: Row,
    compare: Sequence[str],
    also: Row,
    held: str,
    report: str,
) -> list[tuple[str, Any, Any]]:
    """Bring the stored rows of `model` within `scope` (column values, such as a year) to the rows of `parts`,
    matched on the column `key`, one statement per part, each write with its history row as
    django-simple-history writes it. PostgreSQL only: elsewhere the caller compares in Python and writes with
    insert_rows_with_history and update_rows_with_history. Call it in a transaction.

    - a row with no stored match is inserted with `scope` and `also`: history '+';
    - a stored row whose `held` column is NULL and whose `compare` columns differ from the row's (`IS DISTINCT
      FROM`: NULLs equal, numbers by value, JSON by content) is updated with them and `also`: history '~';
    - a stored row whose `held` column is set is never written.

    The rows name `key` and every column of `compare`; a key appears in one row of one part. Returns, per row
    written or worth a word: ('+', key, None) inserted, ('~', key, None) updated, ('=', key, stored `report`)
    held with a `report` value other than the row's, ('-', key, None) stored in the scope, not held and absent
    from every part (left for the caller).

    Deciding in the statement spares reading every stored row into Python to compare them, and `held` is
    checked on each row as it is written, so a row held meanwhile by another transaction is not overwritten.
    The statements go out in pipeline mode, each as soon as its part is taken from `parts`: when `parts` is a
    generator that computes each part as it is asked for, PostgreSQL writes one part while Python computes the
    next. The foreign keys are checked as the statements write (what the caller's transaction wrote before is
    checked then too) and deferred to the commit again afterwards, as Django declares them.
    """
    import psycopg

    meta = model._meta
    names = [key, *compare]
    fields = _fields(model, names)
    scope_fields, also_fields = _fields(model, list(scope)), _fields(model, list(also))
    table, pk = _quote(meta.db_table), _quote(_column(meta.pk))
    column = {name: _quote(_column(field)) for name, field in zip(names, fields, strict=True)}

    def typed(field: Field) -> str:
        return f"%s::{field.db_type(connection)}"

    in_scope = " AND ".join(f"t.{_quote(_column(f))} = {typed(f)}" for f in scope_fields) or "TRUE"
    scope_params = [scope[f.attname] for f in scope_fields]
    also_params = [also[f.attname] for f in also_fields]
    matched = f"t.{column[key]} = v.{_quote(key)}"
    held_column = f"t.{_quote(_column(_fields(model, [held])[0]))}"
    stored_values = ", ".join(f"t.{column[name]}" for name in compare)
    new_values = ", ".join(f"v.{_quote(name)}" for name in compare)
    assignments = ", ".join(
        [f"{column[name]} = v.{_quote(name)}" for name in compare]
        + [f"{_quote(_column(f))} = {typed(f)}" for f in also_fields]
    )
    changed_history, tracked = _history_insert(model, "changed")
    created_history, _ = _history_insert(model, "created")
    returned = list(dict.fromkeys([pk, *tracked]))  # the key and every tracked column, once each
    inserted = ", ".join([column[name] for name in names] + [_quote(_column(f)) for f in [*scope_fields, *also_fields]])
    inserted_values = ", ".join(
        [f"v.{_quote(name)}" for name in names] + [typed(f) for f in [*scope_fields, *also_fields]]
    )
    report_column = column[report]
    nothing = f"NULL::{_fields(model, [report])[0].db_type(connection)}"
    part_sql = (
        f"WITH v AS MATERIALIZED (SELECT * FROM {_json_source(fields, names)}), "  # noqa: S608 - quoted identifiers
        f"changed AS (UPDATE {table} AS t SET {assignments} FROM v WHERE {in_scope} AND {matched} "
        f"AND {held_column} IS NULL AND ({stored_values}) IS DISTINCT FROM ({new_values}) "
        f"RETURNING {', '.join(f't.{name}' for name in returned)}), "
        f"created AS (INSERT INTO {table} ({inserted}) SELECT {inserted_values} FROM v "
        f"WHERE NOT EXISTS (SELECT FROM {table} AS t WHERE {in_scope} AND {matched}) ORDER BY v.position "
        f"RETURNING {', '.join(returned)}), "
        f"changed_history AS ({changed_history}), "
        f"created_history AS ({created_history}) "
        f"SELECT '~', {column[key]}, {nothing} FROM changed "
        f"UNION ALL SELECT '+', {column[key]}, {nothing} FROM created "
        f"UNION ALL SELECT '=', t.{column[key]}, t.{report_column} FROM {table} AS t JOIN v ON {matched} "
        f"WHERE {in_scope} AND {held_column} IS NOT NULL AND t.{report_column} IS DISTINCT FROM v.{_quote(report)}"
    )
    key_type = fields[0].db_type(connection)
    absent_sql = (
        f"SELECT '-', t.{column[key]}, {nothing} FROM {table} AS t "  # noqa: S608 - quoted identifiers
        f"WHERE {in_scope} AND {held_column} IS NULL AND NOT t.{column[key]} = ANY(%s::{key_type}[])"
    )
    user = None
    now = timezone.now()
    # After each part's rows, in the order of part_sql's placeholders: the update, the insert, the two history
    # inserts, the held rows.
    part_params = [
        *also_params,
        *scope_params,
        *scope_params,
        *also_params,
        *scope_params,
        now,
        "~",
        user,
        now,
        "+",
        user,
        *scope_params,
    ]
    keys: list[Any] = []
    connection.ensure_connection()
    cursors: list[psycopg.Cursor] = []
    # Errors as Django's own (IntegrityError and the rest), as any query through the ORM raises them.
    try:
        with connection.wrap_database_errors, connection.connection.pipeline():
            # Foreign keys are deferred to the commit, where the checks of thousands of rows would run after the
            # last part; checked as each statement writes, they are done while Python computes the next part.
            _send("SET CONSTRAINTS ALL IMMEDIATE", []).close()
            try:
                for rows in parts:
                    if not rows:
                        continue
                    keys.extend(row[key] for row in rows)
                    cursors.append(_send(part_sql, [_json_rows(fields, names, rows), *part_params]))
                cursors.append(_send(absent_sql, [*scope_params, keys]))
            finally:
                # Also when computing a part failed: a caller that goes on in the transaction finds the keys as
                # Django declares them.
                _send("SET CONSTRAINTS ALL DEFERRED", []).close()
        return [(action, value, extra) for cursor in cursors for action, value, extra in cursor.fetchall()]
    finally:
        for cursor in cursors:
            cursor.close()


def _send(sql: str, params: list[Any]) -> Any:
    """Send one statement in the connection's pipeline, with server-side parameter binding (so that the JSON
    travels as a typed value instead of being quoted into SQL text); its rows are on the cursor returned once the
    pipeline has ended. Recorded like any other statement when queries are logged (with the time it took to
    send, not to run).
    """
    import psycopg

    started = time.monotonic()
    cursor = psycopg.Cursor(connection.connection)
    cursor.execute(sql, params)
    if connection.queries_logged:
        connection.queries_log.append({"sql": sql, "time": f"{time.monotonic() - started:.3f}"})
    return cursor
