"""In Chromium: the secretariat signs in with password and code, then every page it can open renders without
anything the Content-Security-Policy blocks (no violation event, no console error)."""

import shutil

import pytest
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.test_access_matrix import MATRIX, world  # noqa: F401 - `world` is a fixture

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__violations.push(e.violatedDirective + " " + e.blockedURI);
});
"""


# Files, JSON and calendar feeds, not pages: a browser downloads them instead of rendering.
DOWNLOADS = ("_pdf", "_ehf", "_document", "_sealed", "_export", "_status", "_download", "_feed", "_csv")
# Plain-text answers for monitoring, not pages (a browser then asks for a favicon the portal does not serve).
NOT_PAGES = {"health"}


def secretariat_pages(world):  # noqa: F811
    for case in MATRIX:
        if case.method != "get" or case.name.endswith(DOWNLOADS) or case.name in NOT_PAGES:
            continue
        for which, expect in case.expect.items():
            if expect["secretariat"] == 200:
                kwargs = dict(case.kwargs)
                if case.target is not None:
                    kwargs.update(case.target(world, which))
                yield reverse(case.name, kwargs=kwargs or None)


def test_two_step_login_and_every_page_under_the_policy(live_server, world):  # noqa: F811
    playwright = pytest.importorskip("playwright.sync_api")
    device = TOTPDevice.objects.get(user=world.secretariat)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)  # valid a step either side
    # Every database read before the browser starts: Playwright runs an event loop in this thread.
    pages = list(secretariat_pages(world))
    problems: list[str] = []
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
        )
        page = browser.new_page()
        page.add_init_script(RECORD_VIOLATIONS)
        page.on(
            "console",
            lambda message: (
                problems.append(f"{page.url}: {message.text} {message.location.get('url', '')}")
                if message.type == "error"
                else None
            ),
        )

        page.goto(live_server.url + reverse("login"))
        page.fill("#id_username", world.secretariat.username)
        page.fill("#id_password", "correct-horse-battery")
        page.click("main form button.btn-primary")
        assert reverse("otp_verify") in page.url
        page.fill("#id_token", f"{totp.token():06d}")
        page.click("main form button.btn-primary")
        assert page.url == live_server.url + reverse("dashboard")

        for path in pages:
            response = page.goto(live_server.url + path)
            assert response is not None and response.status == 200, path
            if "text/html" not in (response.headers.get("content-type") or ""):
                continue
            page.wait_for_load_state("load")
            problems += [f"{path}: {violation}" for violation in page.evaluate("window.__violations")]
        browser.close()
    assert len(pages) > 20
    assert problems == []
