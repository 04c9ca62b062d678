"""Content-Security-Policy, cookies and the other security headers; every page works under the policy."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

from tests.conftest import client_for
from tests.test_access_matrix import MATRIX, world_once  # noqa: F401 - `world_once` is a fixture used below

ROOT = Path(__file__).resolve().parents[2]
# Data blocks (json_script, type="application/json") are never executed, so the policy allows them.
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\b(src=|type=\"application/json\"))[^>]*>", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<style\b|\sstyle=\"", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"\son[a-z]+=\"", re.IGNORECASE)


def directives(response) -> dict[str, set[str]]:
    header = response["Content-Security-Policy"]
    return {name: set(values) for name, *values in (part.split() for part in header.split(";") if part.strip())}


@pytest.mark.django_db
def test_the_policy_allows_only_the_portals_own_scripts_and_styles(client):
    policy = directives(client.get(reverse("login")))
    assert policy["default-src"] == {"'self'"}
    assert policy["script-src"] == {"'self'"}
    assert policy["style-src"] == {"'self'"}
    assert policy["frame-ancestors"] == {"'none'"} and policy["object-src"] == {"'none'"}
    assert not any("unsafe" in value for values in policy.values() for value in values)


@pytest.mark.django_db
def test_other_security_headers(client):
    response = client.get(reverse("login"))
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.django_db
def test_cookies_are_secure_and_hsts_is_a_year_over_https(client, personas, settings):
    # Production values (DEBUG off): the defaults of network/settings.py, checked in test_deployment too.
    assert settings.SESSION_COOKIE_SECURE and settings.CSRF_COOKIE_SECURE and settings.SESSION_COOKIE_HTTPONLY
    assert settings.SECURE_HSTS_SECONDS == 31_536_000 and settings.SECURE_HSTS_INCLUDE_SUBDOMAINS
    response = client.get(reverse("login"), secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    client.post(reverse("login"), {"username": "oyvind", "password": "correct-horse-battery"}, secure=True)
    assert client.cookies["sessionid"]["secure"] and client.cookies["sessionid"]["httponly"]
    assert client.cookies["csrftoken"]["secure"]


def _served_templates():
    for path in (ROOT / "templates").rglob("*.html"):
        if not {"emails", "pdf"} & set(path.relative_to(ROOT / "templates").parts):
            yield path


@pytest.mark.parametrize("path", list(_served_templates()), ids=lambda p: str(p.relative_to(ROOT / "templates")))
def test_no_template_has_inline_script_style_or_event_handler(path):
    text = path.read_text()
    assert not INLINE_SCRIPT.search(text), "inline <script>: move it to static/js"
    assert not INLINE_STYLE.search(text), "style attribute or <style>: use a class in static/css/portal.css"
    assert not EVENT_HANDLER.search(text), "on...= handler: bind it in static/js"


def _pages():
    for case in MATRIX:
        if case.method != "get":
            continue
        for which, expectations in case.expect.items():
            for role in ("secretariat", "director", "anonymous"):
                if expectations[role] == 200:
                    yield pytest.param(case, which, role, id=f"{case.name}-{which or 'page'}-{role}")


class TestEveryPage:
    """Every page each role can open, against one world (built once for the class)."""

    @pytest.mark.django_db
    @pytest.mark.parametrize(("case", "which", "role"), list(_pages()))
    def test_every_page_renders_without_anything_the_policy_blocks(self, client, world_once, case, which, role):  # noqa: F811
        kwargs = dict(case.kwargs)
        if case.target is not None:
            kwargs.update(case.target(world_once, which))
        response = client_for(client, world_once, role).get(reverse(case.name, kwargs=kwargs or None))
        assert response.status_code == 200
        if not response["Content-Type"].startswith("text/html"):
            return
        html = response.content.decode()
        assert "Content-Security-Policy" in response
        assert not INLINE_SCRIPT.search(html)
        assert not INLINE_STYLE.search(html)
        assert not EVENT_HANDLER.search(html)
        # Links to other sites are fine; nothing the page loads (scripts, images, styles) comes from elsewhere.
        assert not re.search(r'(src="(https?:)?//)|(<link[^>]+href="(https?:)?//)', html), "everything is served here"


def test_passwords_are_hashed_with_argon2_outside_the_suite():
    """The suite swaps in a fast hasher (conftest); the portal itself hashes with Argon2id."""
    from tests.core.test_deployment import PRODUCTION, manage

    code = "from django.contrib.auth.hashers import make_password; print(make_password('a-long-passphrase-2026'))"
    result = manage("shell", "-c", code, env=PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1].startswith("argon2$argon2id$")
