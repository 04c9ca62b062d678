"""The portal in a real browser: one live portal with the demo data and one Chromium for this whole package.

The portal runs under gunicorn in its own process, on its own database (`<database>_browser` on PostgreSQL, an
SQLite file otherwise), loaded with `migrate` and `load_demo` exactly as `make run` does. Background jobs run in
that process and emails are written to files the tests read (the signing code). Chromium is Debian's
(`scripts/system-packages.sh --test`); Playwright never downloads a browser here.

Each journey step is saved as a screenshot under test-artifacts/screenshots/<journey>/.
"""

from __future__ import annotations

import contextlib
import email
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import Message
from pathlib import Path

import dj_database_url
import pytest
from django_otp.oath import TOTP
from playwright.sync_api import Browser, Download, Locator, Page, expect, sync_playwright
from playwright.sync_api import Error as PlaywrightError

from demo.members import DEMO_PASSWORD, DEMO_TOTP_KEY

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--lang=nb-NO"]
VIEWPORT = {"width": 1280, "height": 900}
# A journey waits for the state it needs; on a busy machine that can take longer than Playwright's 5 s default.
expect.set_options(timeout=30_000)
# The demo logins (members/demo.py) by the role they stand for.
LOGINS = {
    "secretariat": "sekretariat",
    "leader": "leder",
    "director": "direktor",
    "finance": "okonomi",
    "contact": "kontakt",
    "board": "styremedlem",  # a member of the steering group
}


@dataclass(frozen=True)
class TotpState:
    last_t: int
    drift: int
    failures: int
    failed_at: datetime | None


@dataclass
class LiveSite:
    """The running portal: its address and the emails it has sent."""

    url: str
    mail_dir: Path
    database_url: str

    def totp_state(self, username: str) -> TotpState:
        """The state django-otp keeps on the person's authenticator, read from the portal's own database: the last
        time step accepted, the drift it has learnt and its throttling after failed codes."""
        query = (
            "SELECT d.last_t, d.drift, d.throttling_failure_count, d.throttling_failure_timestamp"
            " FROM otp_totp_totpdevice d JOIN members_user u ON u.id = d.user_id"
            " WHERE u.username = %s AND d.confirmed"
        )
        if self.database_url.startswith("sqlite:///"):
            with contextlib.closing(sqlite3.connect(self.database_url.removeprefix("sqlite:///"))) as connection:
                row = connection.execute(query.replace("%s", "?"), (username,)).fetchone()
        else:
            import psycopg

            with psycopg.connect(self.database_url) as connection:
                row = connection.execute(query, (username,)).fetchone()
        assert row is not None, f"{username} has no authenticator"
        last_t, drift, failures, failed_at = row
        if isinstance(failed_at, str):
            failed_at = datetime.fromisoformat(failed_at)
        if failed_at is not None and failed_at.tzinfo is None:
            failed_at = failed_at.replace(tzinfo=UTC)
        return TotpState(last_t=last_t, drift=drift, failures=failures, failed_at=failed_at)

    def emails(self) -> list[Message]:
        """Every email sent so far, oldest first (the file backend writes one file per connection)."""
        messages = []
        for path in sorted(self.mail_dir.glob("*.log"), key=lambda p: p.stat().st_mtime_ns):
            for chunk in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
                if chunk.strip():
                    messages.append(email.message_from_bytes(chunk.lstrip()))
        return messages

    def signing_code(self, *, to: str) -> str:
        """The six-digit code in the latest signing-code email to `to`."""
        for message in reversed(self.emails()):
            if to in message["To"]:
                match = re.search(r"\b(\d{6})\b", _plain_text(message))
                if match:
                    return match.group(1)
        raise AssertionError(f"no signing code was emailed to {to}")


def _plain_text(message: Message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            payload = part.get_payload(decode=True)
            return payload.decode(part.get_content_charset() or "utf-8") if isinstance(payload, bytes) else ""
    return ""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _fresh_database(workdir: Path, suffix: str = "browser") -> str:
    """A database of the browser tests' own, next to the one the suite is configured with."""
    configured = os.environ.get("DATABASE_URL", "")
    if not configured.startswith(("postgres://", "postgresql://")):
        return f"sqlite:///{workdir / 'portal.sqlite3'}"
    import psycopg
    from psycopg import sql

    parsed = dj_database_url.parse(configured)
    name = f"{parsed['NAME']}_{suffix}"
    params = {k: parsed[v] for k, v in (("host", "HOST"), ("port", "PORT"), ("user", "USER")) if parsed.get(v)}
    if parsed.get("PASSWORD"):
        params["password"] = parsed["PASSWORD"]
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return configured.rsplit("/", 1)[0] + "/" + name


def _wait_until_up(url: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the portal did not start:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url + "/accounts/login/", timeout=5) as response:  # noqa: S310 - local
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"the portal did not answer within a minute:\n{log.read_text()[-3000:]}")


@contextlib.contextmanager
def live_portal(
    workdir: Path,
    *,
    port: int | None = None,
    database: str = "browser",
    extra_env: dict[str, str] | None = None,
    setup: tuple[tuple[list[str], str], ...] = (),
) -> Iterator[LiveSite]:
    """The demo portal under gunicorn on its own database; `extra_env` adds settings, `setup` runs management
    commands (with their standard input) after load_demo."""
    mail_dir = workdir / "mail"
    mail_dir.mkdir()
    port = port or free_port()
    env = {
        **os.environ,
        "DEBUG": "false",
        "DATABASE_URL": _fresh_database(workdir, database),
        "REDIS_URL": "",
        "CELERY_TASK_ALWAYS_EAGER": "true",  # background jobs in the portal's own process
        "LANGUAGE_CODE": "nb",  # the portal as its users meet it
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "STATIC_MANIFEST": "false",
        "WHITENOISE_USE_FINDERS": "true",
        "MEDIA_ROOT": str(workdir / "media"),
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
        "SEAL_CERTIFICATE_PATH": str(workdir / "seal" / "cert.pem"),
        "SEAL_KEY_PATH": str(workdir / "seal" / "key.pem"),
        "SEAL_TRUST_ROOT_PATH": str(workdir / "seal" / "cert.pem"),
        "PORTAL_BASE_URL": f"http://127.0.0.1:{port}",
        "LOG_LEVEL": "WARNING",
        **(extra_env or {}),
    }
    manage = [sys.executable, str(ROOT / "manage.py")]
    # The seal first: with DEBUG off, migrate's checks refuse to run without one (core/checks.py).
    for command in (["create_seal_certificate", "--out", str(workdir / "seal")], ["migrate", "--noinput", "-v0"]):
        subprocess.run([*manage, *command], env=env, cwd=ROOT, check=True, capture_output=True)
    subprocess.run([*manage, "load_demo"], env=env, cwd=ROOT, check=True, capture_output=True)
    for command, stdin in setup:
        subprocess.run([*manage, *command], env=env, cwd=ROOT, check=True, capture_output=True, input=stdin.encode())
    log = workdir / "server.log"
    gunicorn = Path(sys.executable).with_name("gunicorn")
    with log.open("wb") as output:
        server = subprocess.Popen(
            [str(gunicorn), "network.wsgi", "--bind", f"127.0.0.1:{port}", "--threads", "4", "--timeout", "300"],
            env=env,
            cwd=ROOT,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, server, log)
        yield LiveSite(url=url, mail_dir=mail_dir, database_url=env["DATABASE_URL"])
    finally:
        server.terminate()
        server.wait(timeout=30)
        if "5.." in log.read_text() or "Traceback" in log.read_text():
            sys.stderr.write(log.read_text()[-5000:])


@pytest.fixture(scope="package")
def site(tmp_path_factory) -> Iterator[LiveSite]:
    with live_portal(tmp_path_factory.mktemp("portal")) as portal:
        yield portal


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is missing at {CHROMIUM}: run scripts/system-packages.sh --test")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@dataclass
class Visit:
    """One person's browser tab on the live portal, saving a numbered screenshot for each step."""

    page: Page
    site: LiveSite
    folder: Path
    steps: list[str] = field(default_factory=list)

    def go(self, path: str) -> Page:
        response = self.page.goto(self.site.url + path)
        assert response is not None and response.ok, f"{path}: {response and response.status}"
        return self.page

    def shot(self, step: str) -> Path:
        self.steps.append(step)
        path = self.folder / f"{len(self.steps):02d}-{step}.png"
        self.page.screenshot(path=path, full_page=True)
        return path

    def download(self, link: Locator) -> bytes:
        """Click a download link and return the bytes the browser saved (kept beside the screenshots)."""
        with self.page.expect_download() as info:
            link.click()
        download: Download = info.value
        assert download.failure() is None, download.failure()
        saved = self.folder / download.suggested_filename
        download.save_as(saved)
        return saved.read_bytes()


def main_menu(page: Page) -> Locator:
    """The main menu, ready to be used: where the window is narrow enough to fold it behind its button, it is opened
    and returned only once fully open (Bootstrap's collapse has class `show` and is no longer `collapsing`), so a
    link in it is clicked where it stays, however slowly the machine animates."""
    page.wait_for_load_state("load")  # the page's scripts have run, so the button opens the menu
    menu = page.get_by_role("navigation", name="Hovedmeny")
    toggle = menu.locator(".navbar-toggler")
    panel = menu.locator(".navbar-collapse")
    if toggle.is_visible():
        if toggle.get_attribute("aria-expanded") != "true":
            toggle.click()
        expect(toggle).to_have_attribute("aria-expanded", "true")
        expect(panel).to_have_class(re.compile(r"(^|\s)show(\s|$)"))
        expect(panel).not_to_have_class(re.compile(r"(^|\s)collapsing(\s|$)"))
    expect(panel).to_be_visible()
    return menu


def menu_link(page: Page, name: str) -> Locator:
    """A link of the main menu, ready to click: its group's dropdown (Members, Money) is opened first when the link
    sits in one, and the link is returned once it is visible."""
    menu = main_menu(page)
    link = menu.get_by_role("link", name=name, exact=True, include_hidden=True)
    if not link.is_visible():
        toggle = menu.locator("li.dropdown", has_text=name).locator(".dropdown-toggle")
        toggle.click()
        expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(link).to_be_visible()
    return link


def submit(page: Page, button: Locator) -> None:
    """Click a button that sends a form and wait until the page it leads to has loaded (not just the old one)."""
    with page.expect_navigation(wait_until="load"):
        button.click()


def totp_code(site: LiveSite, username: str) -> str:
    """The code the portal accepts next, as django-otp decides it: a time step within one of the clock plus the
    drift it has learnt, and after the last step it accepted (a code is taken once). The step chosen is also valid
    if the clock passes into the next period before the portal checks it. After a failed code the device is
    throttled for a while; this waits for that state to pass, not for a fixed time."""
    state = site.totp_state(username)
    if state.failures and state.failed_at is not None:
        allowed_at = state.failed_at.timestamp() + 2 ** (state.failures - 1)
        while time.time() < allowed_at:
            time.sleep(0.2)
    totp = TOTP(bytes.fromhex(DEMO_TOTP_KEY))
    now_t = totp.t()
    step = max(state.last_t + 1, now_t + state.drift)
    totp.drift = step - now_t
    return f"{totp.token():06d}"


def log_in(visit: Visit, username: str, password: str = DEMO_PASSWORD) -> None:
    """Log in through the login page, as a person would (the one place a second login step goes)."""
    page = visit.go("/accounts/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    submit(page, page.locator("main form button[type=submit]"))
    # The secretariat's second step: the code the demo authenticator shows for the time step the portal will take.
    if "/accounts/login/code/" in page.url:
        visit.shot("login-code")
        page.locator("#id_token").fill(totp_code(visit.site, username))
        submit(page, page.locator("main form button[type=submit]"))
    assert "/accounts/login/" not in page.url, f"{username} could not log in"


@pytest.fixture
def visit(browser, site, request) -> Iterator[Visit]:
    """A fresh browser context (no cookies) named after the test, with its own screenshot folder."""
    folder = SCREENSHOTS / re.sub(r"^test_", "", request.node.name).replace("[", "-").rstrip("]")
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    context = browser.new_context(base_url=site.url, viewport=VIEWPORT, accept_downloads=True, locale="nb-NO")
    context.set_default_timeout(30_000)
    visit = Visit(page=context.new_page(), site=site, folder=folder)
    try:
        yield visit
        report = getattr(request.node, "report_call", None)
        if report is not None and report.failed:
            with contextlib.suppress(PlaywrightError):
                visit.shot("failed")  # where the journey stopped
    finally:
        context.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.report_call = report
    return report
