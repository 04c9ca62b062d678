"""What every benchmark shares: the Figure it reports, Django on a dedicated database, and timing."""

from __future__ import annotations

import contextlib
import gc
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/portal_bench"
REPETITIONS = 3
# A statement that runs longer than this is cancelled (PostgreSQL statement_timeout), so that a pathological
# query plan ends the measurement instead of the afternoon; BENCH_STATEMENT_TIMEOUT=0 switches it off.
DEFAULT_STATEMENT_TIMEOUT = 60.0
POSTGRES_SCHEMES = ("postgres", "postgresql", "pgsql", "postgis")

Direction = Literal["<=", ">="]


@dataclass(frozen=True)
class Figure:
    """One figure a benchmark reports against its target, e.g. a ratio that must stay at most 5."""

    name: str
    value: float
    target: float
    direction: Direction

    def __post_init__(self) -> None:
        if self.direction not in ("<=", ">="):
            raise ValueError(f"{self.name}: direction must be '<=' or '>=', not {self.direction!r}")

    @property
    def met(self) -> bool:
        return self.value <= self.target if self.direction == "<=" else self.value >= self.target

    def line(self) -> str:
        """`name: value (target <= X)`, the value with 2 decimals."""
        return f"{self.name}: {self.value:.2f} (target {self.direction} {self.target:g})"


def info(text: str) -> None:
    """An informational line: starts with '# ' so it never reads as a figure."""
    print(f"# {text}", flush=True)


# ------------------------------------------------------------------------------------------------
# Django on the benchmark database


def database_url() -> str:
    return os.environ.get("BENCH_DATABASE_URL") or DEFAULT_DATABASE_URL


_configured_url: str | None = None


def setup_django(database_url: str) -> None:
    """Point Django at `database_url` (created if missing), set it up and migrate; safe to call again."""
    global _configured_url
    if _configured_url is not None:
        if _configured_url != database_url:
            raise RuntimeError(f"Django is already set up on {_configured_url}, not {database_url}")
        return
    if str(REPO_ROOT) not in sys.path:
        sys.path.insert(0, str(REPO_ROOT))
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DEBUG", "false")
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-never-used-for-a-real-portal-0123456789")
    os.environ["REDIS_URL"] = ""  # tasks run in-process:
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "true"  # without Redis the portal would queue them for a worker
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "network.settings")
    _create_database(database_url)

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db.backends.signals import connection_created

    connection_created.connect(_configure_session, dispatch_uid="bench.common.configure_session")
    call_command("migrate", verbosity=0, interactive=False)
    _configured_url = database_url
    if settings.DEBUG:
        info("warning: DEBUG is on, so Django records every query; timings are slower than in production")
    if not is_postgres():
        info(f"warning: the benchmark database is {settings.DATABASES['default']['ENGINE']}, not PostgreSQL")


def _connection_parameters(database_url: str) -> dict[str, Any]:
    import dj_database_url

    config = dj_database_url.parse(database_url)
    parameters = {
        "user": config.get("USER"),
        "password": config.get("PASSWORD"),
        "host": config.get("HOST"),
        "port": config.get("PORT"),
        **config.get("OPTIONS", {}),
    }
    return {key: value for key, value in parameters.items() if value not in (None, "")}


def database_name(database_url: str) -> str:
    import dj_database_url

    return str(dj_database_url.parse(database_url)["NAME"])


def _create_database(database_url: str) -> None:
    """CREATE DATABASE through the `postgres` maintenance database, unless it exists."""
    if database_url.split(":", 1)[0] not in POSTGRES_SCHEMES:
        return
    import psycopg
    from psycopg import errors, sql

    name = database_name(database_url)
    with psycopg.connect(dbname="postgres", autocommit=True, **_connection_parameters(database_url)) as connection:
        if connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return
        with contextlib.suppress(errors.DuplicateDatabase):  # created by a concurrent run
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def statement_timeout() -> float:
    """Seconds a statement may run on PostgreSQL before it is cancelled; 0: no limit."""
    return float(os.environ.get("BENCH_STATEMENT_TIMEOUT") or DEFAULT_STATEMENT_TIMEOUT)


def keeps_server_jit() -> bool:
    """BENCH_JIT=server measures with the server's JIT setting; by default the benchmarks switch JIT off.

    With JIT on, PostgreSQL 15 spends minutes compiling the 70 000-branch CASE of a 5 000-row
    bulk_update (see bench/README.md), during which the backend ignores the statement timeout and
    holds up DROP DATABASE for everyone on the server.
    """
    return os.environ.get("BENCH_JIT") == "server"


def _configure_session(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('statement_timeout', %s, false)", [f"{int(statement_timeout() * 1000)}"])
        if not keeps_server_jit():
            cursor.execute("SELECT set_config('jit', 'off', false)")


def server_description() -> str:
    """E.g. `PostgreSQL 15.20, jit off (...), statement timeout 60 s`, for the informational lines."""
    from django.db import connection

    if not is_postgres():
        return connection.vendor
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('server_version'), current_setting('jit')")
        version, jit = cursor.fetchone()
    jit_source = "the server's setting" if keeps_server_jit() else "set by the bench; see BENCH_JIT"
    limit = statement_timeout()
    return f"PostgreSQL {version}, jit {jit} ({jit_source}), statement timeout " + (f"{limit:g} s" if limit else "off")


def is_postgres() -> bool:
    from django.db import connection

    return connection.vendor == "postgresql"


def reset_database() -> None:
    """Empty every table (flush): the benchmark database is dedicated to the benchmarks.

    Refuses a database whose name lacks "bench" unless BENCH_ALLOW_FLUSH=1, so that a mistyped
    BENCH_DATABASE_URL cannot wipe a real portal.
    """
    from django.core.management import call_command
    from django.db import connection

    name = str(connection.settings_dict["NAME"])
    if "bench" not in name.lower() and os.environ.get("BENCH_ALLOW_FLUSH") != "1":
        raise RuntimeError(
            f"refusing to flush database {name!r}: its name has no 'bench' (set BENCH_ALLOW_FLUSH=1 to allow)"
        )
    call_command("flush", interactive=False, verbosity=0)


def vacuum(*models: Any) -> None:
    """VACUUM ANALYZE the tables of `models` (PostgreSQL), so each repetition starts without dead rows."""
    from django.db import connection

    if not is_postgres() or not models:
        return
    tables = ", ".join(connection.ops.quote_name(model._meta.db_table) for model in models)
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {tables}")


# ------------------------------------------------------------------------------------------------
# Timing


class TimedOut(Exception):
    """A repetition had a statement cancelled by the statement timeout; its time is a lower bound."""

    def __init__(self, seconds: float, completed: list[float]):
        self.seconds = seconds  # how long the cancelled repetition ran
        self.completed = completed  # the timings of the repetitions before it
        super().__init__(f"a statement hit the statement timeout after {seconds:.1f} s")


def _cancelled_by_timeout(error: BaseException) -> bool:
    try:
        from psycopg.errors import QueryCanceled
    except ImportError:  # no PostgreSQL driver, so no statement timeout either
        return False
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, QueryCanceled):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def best_of(
    function: Callable[[], object],
    *,
    repetitions: int = REPETITIONS,
    before: Callable[[], object] | None = None,
) -> float:
    """The shortest of `repetitions` timings of `function()` in seconds (time.perf_counter).

    `before()` runs untimed ahead of each repetition (e.g. to reset the data); garbage is collected
    before each one too, so one repetition does not pay for the last one's garbage. A repetition cancelled
    by the statement timeout ends the measurement with TimedOut.
    """
    if repetitions < 1:
        raise ValueError("repetitions must be at least 1")
    timings: list[float] = []
    for _ in range(repetitions):
        if before is not None:
            before()
        gc.collect()
        start = time.perf_counter()
        try:
            function()
        except Exception as error:
            if _cancelled_by_timeout(error):
                raise TimedOut(time.perf_counter() - start, timings) from error
            raise
        timings.append(time.perf_counter() - start)
    return min(timings)
