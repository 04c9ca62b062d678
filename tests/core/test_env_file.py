"""The development `.env`: `make install` writes it, the settings read it, the environment wins over it,
and production still refuses to start without a SECRET_KEY."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from core.env import load_env_file, read_env_file

ROOT = Path(__file__).resolve().parents[2]


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "DJANGO_SETTINGS_MODULE"}}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_reads_names_values_comments_export_and_quotes(tmp_path):
    path = tmp_path / ".env"
    path.write_text(
        "# a comment\n\nDEBUG=true\nexport SECRET_KEY='abc def'\nNETWORK_NAME=\"Digi Rogaland\"\nEMPTY=\nURL=a=b\n"
    )
    assert read_env_file(path) == {
        "DEBUG": "true",
        "SECRET_KEY": "abc def",
        "NETWORK_NAME": "Digi Rogaland",
        "EMPTY": "",
        "URL": "a=b",
    }


def test_a_line_that_is_not_a_setting_is_refused_with_its_number(tmp_path):
    path = tmp_path / ".env"
    path.write_text("DEBUG=true\nthis is not a setting\n")
    with pytest.raises(ImproperlyConfigured, match="line 2"):
        read_env_file(path)


def test_the_environment_wins_over_the_file(tmp_path, monkeypatch):
    path = tmp_path / ".env"
    path.write_text("NETWORK_NAME=From the file\nLOG_LEVEL=DEBUG\n")
    monkeypatch.setenv("NETWORK_NAME", "From the environment")
    monkeypatch.delenv("LOG_LEVEL", raising=False)
    load_env_file(path)
    assert os.environ["NETWORK_NAME"] == "From the environment"
    assert os.environ["LOG_LEVEL"] == "DEBUG"
    monkeypatch.delenv("LOG_LEVEL")


def test_a_missing_file_is_no_error(tmp_path):
    load_env_file(tmp_path / "absent")


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_writes_a_development_env_that_the_readme_commands_work_with(tmp_path):
    result = subprocess.run(
        ["make", "-s", "-f", str(ROOT / "Makefile"), "-C", str(tmp_path), f"PYTHON={sys.executable}", ".env"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    written = read_env_file(tmp_path / ".env")
    assert written["DEBUG"] == "true"
    assert len(written["SECRET_KEY"]) >= 50

    # A README command with nothing but the written file: no settings error.
    ran = manage("import_population", "--help", env={"ENV_FILE": str(tmp_path / ".env")})
    assert ran.returncode == 0, ran.stderr
    assert "SECRET_KEY must be set" not in ran.stderr

    # An existing .env is kept as it is.
    (tmp_path / ".env").write_text("DEBUG=true\nSECRET_KEY=kept\n")
    subprocess.run(
        ["make", "-s", "-f", str(ROOT / "Makefile"), "-C", str(tmp_path), f"PYTHON={sys.executable}", ".env"],
        check=True,
        timeout=60,
    )
    assert read_env_file(tmp_path / ".env")["SECRET_KEY"] == "kept"


def test_production_still_refuses_to_start_without_a_secret_key(tmp_path):
    path = tmp_path / ".env"
    path.write_text("DEBUG=true\n")
    ran = manage("check", env={"ENV_FILE": str(path), "DEBUG": "false"})
    assert ran.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in ran.stderr
    ran = manage("check", env={"ENV_FILE": ""})
    assert "SECRET_KEY must be set when DEBUG is off" in ran.stderr
