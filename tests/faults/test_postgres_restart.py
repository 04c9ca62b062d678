"""PostgreSQL restarted under a running portal: the next requests succeed.

gunicorn serves the portal from a private PostgreSQL with persistent connections (DB_CONN_MAX_AGE), so after the
restart its worker holds a connection the server has closed. CONN_HEALTH_CHECKS makes Django notice that at the
start of the next request and connect again, instead of failing that request with a 500.
"""

from __future__ import annotations

import os
import subprocess
import sys
import urllib.error
import urllib.request

import psycopg
import pytest

from members.models import Organisation
from tests.faults.conftest import REPO_ROOT, database_url_of_the_tests, free_port, stop_process, wait_until

pytestmark = pytest.mark.fault


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as reply:  # noqa: S310 (loopback, our own server)
            return reply.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return 0


def _copy_test_database(server, name: str) -> None:
    """The test database (schema and the personas) into a new database `name` on the private server."""
    source = database_url_of_the_tests()
    with psycopg.connect(server.url("postgres"), autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    dump = subprocess.run(
        [str(server.bin / "pg_dump"), "--no-owner", "--no-privileges", source],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [str(server.bin / "psql"), "--quiet", "--set", "ON_ERROR_STOP=1", server.url(name)],
        input=dump.stdout,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def _start_time(server, name: str) -> object:
    with psycopg.connect(server.url(name)) as connection:
        return connection.execute("SELECT pg_postmaster_start_time()").fetchone()[0]


def test_after_a_postgresql_restart_the_next_requests_succeed(transactional_db, personas, private_postgres):
    _copy_test_database(private_postgres, "portal")
    port = free_port()
    environment = dict(
        os.environ,
        DATABASE_URL=private_postgres.url("portal"),
        DB_CONN_MAX_AGE="600",
        REDIS_URL="",
        DEBUG="false",
        LOG_LEVEL="WARNING",
    )
    command = [sys.executable, "-m", "gunicorn", "network.wsgi:application", "--bind", f"127.0.0.1:{port}"]
    command += ["--workers", "1", "--log-level", "warning"]
    server = subprocess.Popen(command, cwd=REPO_ROOT, env=environment, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    pages = ["/healthz", "/", "/members/", f"/members/{Organisation.objects.get(name='Masfjorden').pk}/"]
    try:
        wait_until(lambda: _status(f"{base}/healthz") == 200, seconds=60, what="gunicorn answering")
        assert [_status(base + page) for page in pages] == [200] * len(pages)
        before = _start_time(private_postgres, "portal")

        private_postgres.restart()

        assert _start_time(private_postgres, "portal") != before  # really a new server process
        assert [_status(base + page) for page in pages] == [200] * len(pages)
    finally:
        stop_process(server)
