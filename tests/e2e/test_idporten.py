"""Directors sign as themselves: the whole ID-porten flow in Chromium, against a real OpenID Connect provider on
loopback (tests/oidc/, oidc-provider with ID-porten's claims and levels) and a portal configured for it. The
provider's test-only form stands in for BankID or MinID: it names the person, the level and the method.

The refusals the browser adds nothing to (another nonce, an expired token, a replayed code) are driven over HTTP in
tests/core/test_oidc.py and tests/members/test_idporten_signing.py."""

from __future__ import annotations

import io
import re
import shutil
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from tests.e2e.conftest import SCREENSHOTS, VIEWPORT, LiveSite, Visit, free_port, live_portal, submit
from tests.oidc_provider import CLIENT_SECRET, national_identity_number, running_provider

pytestmark = pytest.mark.e2e

DIRECTOR_PID, LEADER_PID, STRANGER_PID = (national_identity_number(n) for n in (11, 12, 13))


@pytest.fixture(scope="module")
def idporten_site(tmp_path_factory) -> Iterator[LiveSite]:
    """The demo portal with ID-porten configured; the demo's director and leader are registered with their
    (synthetic) national identity numbers."""
    port = free_port()
    portal = f"http://127.0.0.1:{port}"
    client = {
        "client_id": "portal-idporten",
        "redirect_uris": [f"{portal}/accounts/idporten/callback/", f"{portal}/members/agreements/identified/"],
    }
    with running_provider([client]) as provider:
        settings = {
            "IDPORTEN_ISSUER": provider.issuer,
            "IDPORTEN_CLIENT_ID": "portal-idporten",
            "IDPORTEN_CLIENT_SECRET": CLIENT_SECRET,
            "IDENTITY_HASH_KEY": "identity-key-for-the-browser-tests",
        }
        setup = (
            (["register_identity", "direktor"], DIRECTOR_PID + "\n"),
            (["register_identity", "leder"], LEADER_PID + "\n"),
        )
        workdir = tmp_path_factory.mktemp("idporten")
        with live_portal(workdir, port=port, database="idporten", extra_env=settings, setup=setup) as site:
            yield site


@pytest.fixture
def id_visit(browser, idporten_site, request) -> Iterator[Visit]:
    folder = SCREENSHOTS / re.sub(r"^test_", "", request.node.name)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    context = browser.new_context(base_url=idporten_site.url, viewport=VIEWPORT, accept_downloads=True, locale="nb-NO")
    context.set_default_timeout(30_000)
    try:
        yield Visit(page=context.new_page(), site=idporten_site, folder=folder)
    finally:
        context.close()


def at_idporten(visit: Visit, *, pid: str, level: str, method: str, asked: str | None = None) -> None:
    """At the provider's test-only sign-in form: the person, the level and the method, then back to the portal."""
    page = visit.page
    expect(page.get_by_role("heading", name="Test sign-in (not ID-porten)")).to_be_visible()
    if asked is not None:
        expect(page.locator("#asked")).to_have_text(asked)
    page.get_by_label("National identity number (pid)").fill(pid)
    page.get_by_label("Level").select_option(level)
    page.get_by_label("Method (amr)").fill(method)
    visit.shot("at-idporten")
    submit(page, page.get_by_role("button", name="Sign in"))
    expect(page).to_have_url(re.compile(re.escape(visit.site.url)))


def log_in_with_idporten(visit: Visit, pid: str) -> Page:
    page = visit.go("/accounts/login/")
    page.get_by_role("link", name="Logg inn med ID-porten").click()
    at_idporten(visit, pid=pid, level="idporten-loa-substantial", method="MinID", asked="idporten-loa-substantial")
    return page


def open_masfjorden(visit: Visit) -> Page:
    page = visit.go("/members/agreements/")
    page.get_by_role("link", name="Masfjorden", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    return page


def test_a_step_up_at_level_substantial_signs_nothing(id_visit: Visit):
    """Runs before the journey below signs the same agreement."""
    visit = id_visit
    log_in_with_idporten(visit, DIRECTOR_PID)
    page = open_masfjorden(visit)
    page.get_by_label("Vedtaksorgan").fill("Formannskapet")
    page.get_by_label("Saksnummer").fill("109/2025")
    page.get_by_label("Vedtaksdato").fill("09.12.2025")
    page.get_by_role("button", name="Signer med ID-porten").click()
    at_idporten(visit, pid=DIRECTOR_PID, level="idporten-loa-substantial", method="MinID")
    expect(page.get_by_role("status")).to_contain_text("lavere sikkerhetsnivå enn signering krever")
    expect(page.get_by_role("button", name="Signer med ID-porten")).to_be_visible()
    visit.shot("too-low")


def test_director_signs_in_steps_up_and_signs_and_the_leader_countersigns_with_idporten(id_visit: Visit):
    visit = id_visit
    page = log_in_with_idporten(visit, DIRECTOR_PID)
    expect(page.get_by_role("button", name="Logg ut")).to_be_attached()
    visit.shot("signed-in")

    page = open_masfjorden(visit)
    expect(page.get_by_label("Passordet ditt")).to_have_count(0)  # no password, no mailed code
    page.get_by_label("Vedtaksorgan").fill("Formannskapet")
    page.get_by_label("Saksnummer").fill("109/2025")
    page.get_by_label("Vedtaksdato").fill("09.12.2025")
    visit.shot("decision-given")
    page.get_by_role("button", name="Signer med ID-porten").click()
    # The step-up: level high, and a fresh authentication even though the director is signed in at ID-porten.
    at_idporten(visit, pid=DIRECTOR_PID, level="idporten-loa-high", method="BankID", asked="idporten-loa-high")
    expect(page.get_by_role("status")).to_contain_text("Signert. Nå skal nettverkets leder kontrasignere.")
    expect(page.locator("main")).to_contain_text("ID-porten, nivå idporten-loa-high, via BankID")
    visit.shot("signed")

    page.context.clear_cookies()
    log_in_with_idporten(visit, LEADER_PID)  # the leader (secretariat): ID-porten is the second factor too
    page = open_masfjorden(visit)
    page.get_by_role("button", name="Kontrasigner med ID-porten").click()
    at_idporten(visit, pid=LEADER_PID, level="idporten-loa-high", method="Buypass", asked="idporten-loa-high")
    expect(page.get_by_role("status")).to_contain_text("Kontrasignert. Avtalen er forseglet og lagret.")
    sealed = visit.download(page.get_by_role("link", name="Last ned den forseglede avtalen (PDF)"))
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(sealed)).pages)
    # The signature page prints the level and the time of each authentication, and the provider.
    assert re.search(r"ID-porten, nivå idporten-loa-high, via BankID, \d\d\.\d\d\.\d{4} \d\d:\d\d:\d\d", text), text
    assert "via Buypass" in text and "Identitet (nøkkelbasert hash av fødselsnummeret)" in text
    assert DIRECTOR_PID not in text and LEADER_PID not in text
    visit.shot("sealed")


def test_an_unknown_person_is_told_and_gets_no_account(id_visit: Visit):
    page = log_in_with_idporten(id_visit, STRANGER_PID)
    expect(page.get_by_role("heading", level=1)).to_have_text("Ingen konto for deg")
    expect(page.get_by_role("alert")).to_contain_text("portalen har ingen konto for deg")
    id_visit.shot("no-account")
    page = id_visit.go("/members/agreements/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))  # not signed in
