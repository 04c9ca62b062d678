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


# ------------------------------------------------------------------------------------------------
# Encrypted archives with the seal, restored into empty folders; the backup service's rotation


@pytest.fixture
def age_keys(tmp_path) -> tuple[Path, Path]:
    """An age key pair: the public key as the server has it, the private key as kept off the server."""
    identity = tmp_path / "identity.txt"
    subprocess.run(["age-keygen", "-o", str(identity)], check=True, capture_output=True)
    recipients = tmp_path / "recipients.txt"
    public = subprocess.run(["age-keygen", "-y", str(identity)], check=True, capture_output=True, text=True).stdout
    recipients.write_text(public)
    return recipients, identity


@pytest.fixture
def seal_files(tmp_path) -> Path:
    folder = tmp_path / "seal"
    folder.mkdir()
    (folder / "key.pem").write_text("-----BEGIN PRIVATE KEY-----\nsecret\n-----END PRIVATE KEY-----\n")
    (folder / "cert.pem").write_text("-----BEGIN CERTIFICATE-----\npublic\n-----END CERTIFICATE-----\n")
    return folder


def run_with(script: str, *args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(ROOT / "scripts" / script), *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.django_db(transaction=True)
def test_an_encrypted_backup_with_the_seal_restores_into_empty_folders(
    empty_database, media, personas, tmp_path, age_keys, seal_files
):
    from django.core.files.storage import default_storage

    default_storage.save("invoices/2026/1.pdf", __import__("io").BytesIO(b"%PDF-1.7 invoice"))
    recipients, identity = age_keys
    source = table_fingerprints(url_of(connection.settings_dict["NAME"]))
    archive = tmp_path / "backups" / "portal.tar.gz.age"
    archive.parent.mkdir()
    seal = {"SEAL_KEY_PATH": str(seal_files / "key.pem"), "SEAL_CERTIFICATE_PATH": str(seal_files / "cert.pem")}
    backup = run_with(
        "backup.sh",
        str(archive),
        DATABASE_URL=url_of(connection.settings_dict["NAME"]),
        MEDIA_ROOT=str(media),
        BACKUP_RECIPIENTS_FILE=str(recipients),
        **seal,
    )
    assert backup.returncode == 0, backup.stderr
    assert "2 seal files" in backup.stdout and "(encrypted)" in backup.stdout
    content = archive.read_bytes()
    assert content.startswith(b"age-encryption.org/v1")
    assert b"PRIVATE KEY" not in content and b"invoice" not in content
    assert archive.stat().st_mode & 0o777 == 0o600  # umask 077: nobody else reads it

    restored_media, restored_seal = tmp_path / "restored-media", tmp_path / "restored-seal"
    without_key = run_with(
        "restore.sh", str(archive), DATABASE_URL=url_of(empty_database), MEDIA_ROOT=str(restored_media)
    )
    assert without_key.returncode != 0 and "set BACKUP_IDENTITY_FILE" in without_key.stderr
    restore = run_with(
        "restore.sh",
        str(archive),
        DATABASE_URL=url_of(empty_database),
        MEDIA_ROOT=str(restored_media),
        SEAL_RESTORE_DIR=str(restored_seal),
        BACKUP_IDENTITY_FILE=str(identity),
        RESTORE_OWNER=f"{os.getuid()}:{os.getgid()}",
    )
    assert restore.returncode == 0, restore.stderr
    assert table_fingerprints(url_of(empty_database)) == source
    assert file_fingerprints(restored_media) == file_fingerprints(media)
    assert file_fingerprints(restored_seal) == file_fingerprints(seal_files)
    assert (restored_seal / "key.pem").stat().st_mode & 0o077 == 0


def test_an_unencrypted_backup_leaves_the_seals_private_key_out(empty_database, tmp_path, seal_files):
    archive = tmp_path / "plain.tar.gz"
    result = run_with(
        "backup.sh",
        str(archive),
        DATABASE_URL=url_of(empty_database),
        MEDIA_ROOT=str(tmp_path / "no-media"),
        SEAL_KEY_PATH=str(seal_files / "key.pem"),
        SEAL_CERTIFICATE_PATH=str(seal_files / "cert.pem"),
    )
    assert result.returncode == 0, result.stderr
    assert "left out of an unencrypted archive" in result.stderr
    listing = subprocess.run(["tar", "-tzf", str(archive)], capture_output=True, text=True, check=True).stdout
    assert "seal/cert.pem" in listing and "key.pem" not in listing


def test_restore_refuses_a_folder_that_is_not_empty_and_changes_nothing(empty_database, tmp_path):
    archive = tmp_path / "portal.tar.gz"
    source = tmp_path / "media"
    (source / "invoices").mkdir(parents=True)
    (source / "invoices" / "1.pdf").write_bytes(b"%PDF new")
    assert (
        run_with("backup.sh", str(archive), DATABASE_URL=url_of(empty_database), MEDIA_ROOT=str(source)).returncode == 0
    )
    target = tmp_path / "old-media"
    (target / "invoices").mkdir(parents=True)
    (target / "invoices" / "old.pdf").write_bytes(b"%PDF old")
    result = run_with("restore.sh", str(archive), DATABASE_URL=url_of(empty_database), MEDIA_ROOT=str(target))
    assert result.returncode == 3
    assert f"{target} is not empty" in result.stderr
    assert file_fingerprints(target) == {"invoices/old.pdf": hashlib.sha256(b"%PDF old").hexdigest()}


def test_the_password_goes_through_a_password_file_not_the_command_line(empty_database, tmp_path):
    """pg_dump is given the URL without its password; the password file only this user reads holds it."""
    shim = tmp_path / "bin"
    shim.mkdir()
    seen = tmp_path / "seen"
    # A pg_dump that records its arguments and the password file it was given, then fails.
    (shim / "pg_dump").write_text(
        f'#!/bin/sh\necho "$@" > {seen}/args\ncat "$PGPASSFILE" > {seen}/pgpass\n'
        f'stat -c %a "$PGPASSFILE" > {seen}/mode\nexit 1\n'
    )
    (shim / "pg_dump").chmod(0o755)
    seen.mkdir()
    secret = tmp_path / "db_password"
    secret.write_text("s3cret:pass\n")
    result = run_with(
        "backup.sh",
        str(tmp_path / "x.tar.gz"),
        DATABASE_URL="postgres://portal@db:5432/portal",
        DATABASE_PASSWORD_FILE=str(secret),
        PATH=f"{shim}:{os.environ['PATH']}",
    )
    assert result.returncode != 0
    assert "s3cret" not in (seen / "args").read_text()
    assert "--dbname=postgres://portal@db:5432/portal" in (seen / "args").read_text()
    assert (seen / "pgpass").read_text() == "db:5432:portal:portal:s3cret\\:pass\n"
    assert (seen / "mode").read_text().strip() == "600"
    assert not (tmp_path / "x.tar.gz").exists()


def test_the_backup_service_keeps_the_stated_number_of_archives(empty_database, tmp_path, age_keys):
    recipients, _ = age_keys
    daily = tmp_path / "backups" / "daily"
    daily.mkdir(parents=True)
    for day in range(1, 10):  # nine older nightly archives
        (daily / f"portal-202601{day:02d}-020000.tar.gz.age").write_bytes(b"old")
    result = run_with(
        "backup-service.sh",
        "--once",
        DATABASE_URL=url_of(empty_database),
        MEDIA_ROOT=str(tmp_path / "media"),
        BACKUP_DIR=str(tmp_path / "backups"),
        BACKUP_RECIPIENTS_FILE=str(recipients),
    )
    assert result.returncode == 0, result.stderr
    kept = sorted(path.name for path in daily.iterdir())
    assert len(kept) == 7
    assert kept[:6] == [f"portal-202601{day:02d}-020000.tar.gz.age" for day in range(4, 10)]
    assert (daily / kept[-1]).read_bytes().startswith(b"age-encryption.org/v1")  # tonight's, encrypted


def test_the_backup_service_refuses_to_write_unencrypted_archives(tmp_path):
    result = run_with("backup-service.sh", "--once", DATABASE_URL="postgres://x@db/portal", BACKUP_DIR=str(tmp_path))
    assert result.returncode != 0 and "archives are always encrypted" in result.stderr
