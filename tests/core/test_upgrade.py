"""An existing database upgrades without losing a row: a database migrated and filled with the demo by the code
before the kernel moved to core/ (and governance became its own app) is migrated forward by today's code; every
table keeps its row count (under its new name), no content type is left under the old `network` label, and the
portal answers on it. PostgreSQL only (the production database); it takes a few minutes."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import dj_database_url
import pytest

ROOT = Path(__file__).resolve().parents[2]
BEFORE_THE_MOVE = "3e4e40050e2c55f766b2c9faccf07fb13d4aa986"

pytestmark = pytest.mark.upgrade

PORTAL_WORKS = """
from django.test import Client
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice
from django.test import RequestFactory
from funding.models import Invoice
from members.models import User

client = Client()
assert client.get("/governance/").status_code == 200, "governance"
user = User.objects.filter(is_secretariat=True, is_active=True).order_by("pk").first()
device = TOTPDevice.objects.filter(user=user).first() or TOTPDevice.objects.create(user=user, name="upgrade")
client.force_login(user)
request = RequestFactory().get("/")
request.session, request.user = client.session, user
otp_login(request, device)
request.session.save()
invoice = Invoice.objects.order_by("pk").first()
assert invoice is not None, "the demo has invoices"
for path in ("/", "/governance/", invoice.get_absolute_url(), "/funding/invoices/"):
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
print("portal works")
"""


def _server(url: str) -> dict:
    parsed = dj_database_url.parse(url)
    params = {k: parsed[v] for k, v in (("host", "HOST"), ("port", "PORT"), ("user", "USER")) if parsed.get(v)}
    if parsed.get("PASSWORD"):
        params["password"] = parsed["PASSWORD"]
    return params


def _row_counts(url: str) -> dict[str, int]:
    import psycopg
    from psycopg import sql

    parsed = dj_database_url.parse(url)
    with psycopg.connect(dbname=parsed["NAME"], **_server(url)) as connection:
        tables = [
            name
            for (name,) in connection.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
            )
        ]
        return {
            table: connection.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))).fetchone()[0]
            for table in tables
        }


def _query(url: str, statement: str) -> list[tuple]:
    import psycopg

    with psycopg.connect(dbname=dj_database_url.parse(url)["NAME"], **_server(url)) as connection:
        return connection.execute(statement).fetchall()


def _run(command: list[str], *, cwd: Path, env: dict[str, str]) -> str:
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=1200)
    assert done.returncode == 0, (
        f"{' '.join(command[1:])} in {cwd} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    )
    return done.stdout


# Tables renamed by later migrations: the agreement model was called Invitation before.
RENAMED = {
    "members_invitation": "members_agreement",
    "members_historicalinvitation": "members_historicalagreement",
}
# Rows the new code adds for its new models (a content type and four permissions each): these may only grow.
MAY_GROW = {"django_content_type", "auth_permission"}


def _new_name(old: str, new_tables: set[str]) -> str:
    if old in RENAMED:
        return RENAMED[old]
    if old in new_tables or not old.startswith("network_"):
        return old
    candidates = [f"{app}_{old.removeprefix('network_')}" for app in ("core", "governance")]
    found = [name for name in candidates if name in new_tables]
    assert len(found) == 1, f"{old} has no single new table among {candidates}"
    return found[0]


def test_a_database_from_before_the_move_upgrades_without_losing_a_row():
    configured = os.environ.get("DATABASE_URL", "")
    if not configured.startswith(("postgres://", "postgresql://")):
        pytest.skip("the upgrade is tested on PostgreSQL, the production database")
    archive = subprocess.run(
        ["git", "archive", "--format=tar", BEFORE_THE_MOVE], cwd=ROOT, capture_output=True, timeout=120
    )
    assert archive.returncode == 0, (
        f"commit {BEFORE_THE_MOVE} is needed to build the old tree (fetch the full history): "
        f"{archive.stderr.decode(errors='replace')}"
    )
    import psycopg
    from psycopg import sql

    name = f"{dj_database_url.parse(configured)['NAME']}_upgrade"
    url = configured.rsplit("/", 1)[0] + "/" + name
    with psycopg.connect(dbname="postgres", autocommit=True, **_server(configured)) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        with tempfile.TemporaryDirectory(prefix="portal-upgrade-") as work:
            old_tree, media = Path(work) / "old", Path(work) / "media"
            old_tree.mkdir()
            with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
                tar.extractall(old_tree, filter="data")
            env = {
                **os.environ,
                "DEBUG": "true",
                "DATABASE_URL": url,
                "REDIS_URL": "",  # background work in process
                "MEDIA_ROOT": str(media),
                "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
                "SEAL_CERTIFICATE_PATH": str(Path(work) / "seal" / "cert.pem"),
                "SEAL_KEY_PATH": str(Path(work) / "seal" / "key.pem"),
                "SEAL_TRUST_ROOT_PATH": str(Path(work) / "seal" / "cert.pem"),
                "LOG_LEVEL": "WARNING",
                "PYTHONPATH": "",
            }
            old = [sys.executable, str(old_tree / "manage.py")]
            _run([*old, "migrate", "--noinput", "-v0"], cwd=old_tree, env=env)
            _run([*old, "create_seal_certificate", "--out", str(Path(work) / "seal")], cwd=old_tree, env=env)
            _run([*old, "load_demo"], cwd=old_tree, env=env)
            before = _row_counts(url)
            assert any(table.startswith("network_") for table in before), "the old tree keeps governance in network"
            assert before["funding_invoice"] > 0 and before["network_meeting"] > 0, "the demo filled the database"

            new = [sys.executable, str(ROOT / "manage.py")]
            _run([*new, "migrate", "--noinput", "-v0"], cwd=ROOT, env=env)
            after = _row_counts(url)

            lost = {
                f"{table} -> {_new_name(table, set(after))}": (count, after.get(_new_name(table, set(after))))
                for table, count in before.items()
                if table != "django_migrations"
                and not (table in MAY_GROW and (after.get(table) or 0) >= count)
                and after.get(_new_name(table, set(after))) != count
            }
            assert not lost, f"row counts changed (before, after): {lost}"
            assert not [table for table in after if table.startswith("network_")]
            assert _query(url, "SELECT app_label, model FROM django_content_type WHERE app_label = 'network'") == []
            moved = _query(url, "SELECT count(*) FROM django_content_type WHERE app_label IN ('core', 'governance')")
            assert moved[0][0] > 0

            _run([*new, "check"], cwd=ROOT, env=env)
            assert "portal works" in _run([*new, "shell", "-c", PORTAL_WORKS], cwd=ROOT, env=env)
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **_server(configured)) as connection:
            connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
