"""Gapless counters: invoice and credit-note numbers, case numbers per body and year."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import models, transaction

M = TypeVar("M", bound=models.Model)


def counter_lock(model: type[M], *, defaults: dict[str, Any] | None = None, **key: Any) -> M:
    """The counter row `key` of `model`, created if missing and locked until the caller's transaction ends.

    Two first takers meet at the row's unique key, and the loser takes the row the winner made.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("a counter row is locked inside the transaction that uses it")
    model._default_manager.bulk_create([model(**key, **(defaults or {}))], ignore_conflicts=True)
    return model._default_manager.select_for_update().get(**key)


def counter_advance(
    model: type[models.Model], *, field: str, defaults: dict[str, Any] | None = None, **key: Any
) -> int:
    """Advance the counter row `key` of `model` by one and return the new value of `field`.

    It runs inside the transaction that saves the numbered thing, so a rollback gives the number back and no
    number is skipped. One statement adds one and returns the sum; it locks the row until the transaction
    ends, so no two takers get the same value. A missing row is created first (two first takers meet at its
    unique key, and the loser takes the row the winner made).
    """
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise RuntimeError("counter_advance must run inside the transaction that saves the numbered object")
    quote = connection.ops.quote_name
    columns = {f.name: quote(f.column) for f in model._meta.concrete_fields}
    column = columns[field]
    where = " AND ".join(f"{columns[name]} = %s" for name in key)
    sql = f"UPDATE {quote(model._meta.db_table)} SET {column} = {column} + 1 WHERE {where} RETURNING {column}"  # noqa: S608
    params = [getattr(value, "pk", value) for value in key.values()]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
        if row is None:
            counter_lock(model, defaults=defaults, **key)
            cursor.execute(sql, params)
            row = cursor.fetchone()
    return int(row[0])
