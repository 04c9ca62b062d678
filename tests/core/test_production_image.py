"""The production image's build and serve steps, run on this machine (no container engine needed):
`collectstatic` with the manifest storage into a fresh folder, then gunicorn with DEBUG off over exactly those
files, and every page of the access matrix asked for, anonymously and as signed-in roles, without a 500."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import urllib.error
import urllib.request

import pytest
from django.urls import reverse

import tests.test_access_matrix as matrix
from tests.conftest import VerifyingClient
from tests.faults.conftest import REPO_ROOT, database_url_of_the_tests, free_port, stop_process, wait_until

world = matrix.world  # the access matrix's objects of every kind, for the own and the foreign organisation

ROLES_SERVED = ["anonymous", "secretariat", "director", "outsider"]


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def _get(url: str, cookie: str | None = None) -> tuple[int, bytes, dict]:
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})  # noqa: S310 (loopback)
    try:
        with _opener.open(request, timeout=30) as reply:
            return reply.status, reply.read(), dict(reply.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read(), dict(error.headers)
    except OSError:  # not listening yet
        return 0, b"", {}


def _collectstatic(static_root) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    return subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=REPO_ROOT,
        env={**clean, "DEBUG": "true", "STATIC_MANIFEST": "true", "STATIC_ROOT": str(static_root)},
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def collected(tmp_path_factory):
    """The Dockerfile's build step: every file a stylesheet or script refers to must exist (MissingFileError)."""
    static_root = tmp_path_factory.mktemp("static")
    result = _collectstatic(static_root)
    assert result.returncode == 0, result.stderr[-3000:]
    return static_root


def test_collectstatic_with_the_manifest_storage_succeeds(collected):
    manifest = json.loads((collected / "staticfiles.json").read_text())
    assert "vendor/chart.js-4.6.1/chart.umd.min.js" in manifest["paths"]


@pytest.fixture
def served(transactional_db, media_root, world, settings, tmp_path, collected):
    """gunicorn with DEBUG off, the manifest storage and no finders, over exactly the collected static folder."""
    static_root = collected
    port = free_port()
    environment = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"},
        "DEBUG": "false",
        "SECRET_KEY": settings.SECRET_KEY,  # the sessions signed in here must be valid there
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": database_url_of_the_tests(),
        "REDIS_URL": "",
        "STATIC_ROOT": str(static_root),
        "STATIC_MANIFEST": "true",
        "WHITENOISE_USE_FINDERS": "false",
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "LANGUAGE_CODE": "nb",
        "LOG_LEVEL": "WARNING",
    }
    command = [sys.executable, "-m", "gunicorn", "network.wsgi:application", "--bind", f"127.0.0.1:{port}"]
    command += ["--workers", "2", "--log-level", "warning"]
    log = tmp_path / "gunicorn.log"
    with log.open("w") as output:
        server = subprocess.Popen(
            command, cwd=REPO_ROOT, env=environment, start_new_session=True, stdout=output, stderr=output
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until(
            lambda: server.poll() is not None or _get(f"{base}/healthz")[0] == 200,
            seconds=60,
            what="gunicorn answering",
        )
        assert server.poll() is None, log.read_text()[-3000:]
        yield base, static_root, log
    finally:
        stop_process(server)


def _session_cookie(user) -> str:
    client = VerifyingClient()  # one client for each role: a second login would end the first one's session
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}"


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def test_every_page_answers_without_an_error_under_gunicorn_with_debug_off(served, world):
    base, static_root, log = served
    cookies = {role: None if role == "anonymous" else _session_cookie(world.by_role(role)) for role in ROLES_SERVED}
    asked, failures = 0, []
    for case in matrix.MATRIX:
        if case.method != "get":
            continue
        for which, expectations in case.expect.items():
            kwargs = dict(case.kwargs)
            if case.target is not None:
                kwargs.update(case.target(world, which))
            url = reverse(case.name, kwargs=kwargs or None)
            for role in ROLES_SERVED:
                status, _, headers = _get(base + url, cookies[role])
                asked += 1
                expected = expectations[role]
                if expected == matrix.LOGIN:
                    ok = status == 302 and headers.get("Location", "").startswith(reverse("login"))
                else:
                    ok = status == expected
                if not ok:
                    failures.append(f"{url} as {role}: {status}, expected {expected}")
    assert asked > 100
    assert failures == [], "\n".join(failures) + "\n" + log.read_text()[-3000:]

    # The pages refer to hashed static names from the manifest, served from the collected folder.
    status, body, _ = _get(f"{base}/")
    assert status == 200
    references = set(re.findall(r'(?:href|src)="(/static/[^"]+)"', body.decode()))
    assert references, "the dashboard names no static file"
    manifest = json.loads((static_root / "staticfiles.json").read_text())
    hashed = set(manifest["paths"].values())
    for reference in references:
        assert reference.removeprefix("/static/") in hashed, f"{reference} is not a hashed name from the manifest"
        status, content, headers = _get(base + reference)
        assert status == 200, reference
        assert content == (static_root / reference.removeprefix("/static/")).read_bytes()
        assert "immutable" in headers.get("Cache-Control", ""), reference
