"""scripts/backup.sh and scripts/restore.sh: a backup restored into an empty database holds the same data."""

import hashlib
import os
import subprocess
import uuid
from pathlib import Path

import psycopg
import pytest
from django.db import connection
from psycopg import sql

from tests.test_access_matrix import world  # noqa: F401 - a fixture: objects of every kind, with stored files

ROOT = Path(__file__).resolve().parents[2]


def url_of(name: str) -> str:
    s = connection.settings_dict
    password = f":{s['PASSWORD']}" if s["PASSWORD"] else ""
    return f"postgresql://{s['USER']}{password}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{name}"


def table_fingerprints(url: str) -> dict[str, tuple[int, str]]:
    """Row count and a checksum of every row, per table."""
    with psycopg.connect(url) as db:
        tables = [
            row[0]
            for row in db.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name"
            )
        ]
        fingerprints = {}
        for table in tables:
            query = sql.SQL("SELECT count(*), md5(coalesce(string_agg(t::text, ' ' ORDER BY t::text), '')) FROM {} t")
            count, digest = db.execute(query.format(sql.Identifier(table))).fetchone()
            fingerprints[table] = (count, digest)
        return fingerprints


def file_fingerprints(folder: Path) -> dict[str, str]:
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def run(script: str, archive: Path, *, database: str, media: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": url_of(database), "MEDIA_ROOT": str(media)}
    return subprocess.run(
        [str(ROOT / "scripts" / script), str(archive)], env=env, capture_output=True, text=True, timeout=300
    )


@pytest.fixture
def empty_database():
    """A fresh, uniquely named PostgreSQL database, dropped afterwards."""
    if connection.vendor != "postgresql":
        pytest.skip("the backup scripts are for PostgreSQL (CI runs on it); SQLite: see the README")
    name = f"restore_check_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(url_of("postgres"), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    yield name
    with psycopg.connect(url_of("postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.mark.django_db(transaction=True)
def test_a_backup_restores_into_an_empty_database_with_the_same_data(
    empty_database,
    media,
    world,  # noqa: F811
    tmp_path,
):
    from funding.models import Invoice
    from funding.services import invoice_documents_ensure

    for invoice in Invoice.objects.all():
        invoice_documents_ensure(invoice=invoice)
    source_files = file_fingerprints(media)
    assert any(name.endswith(".pdf") for name in source_files)
    source = table_fingerprints(url_of(connection.settings_dict["NAME"]))
    assert source["members_organisation"][0] == 3 and source["funding_invoice"][0] >= 2

    archive = tmp_path / "portal-backup.tar.gz"
    backup = run("backup.sh", archive, database=connection.settings_dict["NAME"], media=media)
    assert backup.returncode == 0, backup.stderr
    restored_media = tmp_path / "restored-media"
    restore = run("restore.sh", archive, database=empty_database, media=restored_media)
    assert restore.returncode == 0, restore.stderr

    assert table_fingerprints(url_of(empty_database)) == source
    assert file_fingerprints(restored_media) == source_files


def test_a_damaged_archive_is_refused(tmp_path, empty_database):
    archive = tmp_path / "broken.tar.gz"
    work = tmp_path / "content"
    (work / "media").mkdir(parents=True)
    (work / "database.dump").write_bytes(b"not the dump that was summed")
    (work / "SHA256SUMS").write_text(f"{'0' * 64}  database.dump\n")
    subprocess.run(["tar", "-czf", str(archive), "-C", str(work), "."], check=True)
    result = run("restore.sh", archive, database=empty_database, media=tmp_path / "m")
    assert result.returncode != 0 and "the archive is damaged" in result.stderr


def test_the_scripts_refuse_a_database_that_is_not_postgresql(tmp_path):
    env = {**os.environ, "DATABASE_URL": "sqlite:///db.sqlite3"}
    for script in ("backup.sh", "restore.sh"):
        result = subprocess.run(
            [str(ROOT / "scripts" / script), str(tmp_path / "x.tar.gz")], env=env, capture_output=True, text=True
        )
        assert result.returncode == 2 and "must name a PostgreSQL database" in result.stderr
