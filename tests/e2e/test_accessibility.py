"""WCAG 2.1 AA in a real browser: axe-core on every main page for every role (no serious or critical violation),
visible focus, errors tied to their fields, and no sideways scrolling on a phone (390 px) or a laptop (1280 px).

A new page is one line in PAGES: where it is, who may open it, and (for a detail page) which link to follow.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import LOGINS, SCREENSHOTS, VIEWPORT, LiveSite, Visit, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.accessibility]

ROLES = ["anonymous", "secretariat", "director", "finance", "contact", "board"]
EVERYONE = frozenset(ROLES)
SIGNED_IN = EVERYONE - {"anonymous"}
MONEY = frozenset({"secretariat", "director", "finance"})
DIRECTORS = frozenset({"secretariat", "director"})
SECRETARIAT = frozenset({"secretariat"})
# Masfjorden's people and invoicing details: the secretariat, its director and its contact (who keeps them).
KEEPERS = frozenset({"secretariat", "director", "contact"})
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]},
    "resultTypes": ["violations"],
}
BLOCKING = {"serious", "critical"}
# A phone and a laptop: no page may scroll sideways at either width.
WIDTHS = (390, 1280)
SETTLED = "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(done, 100))))"
ADOPTED = "DigiVestland 2025–2028"


def first_link_in(table: str) -> Callable[[Page], None]:
    """Open the first row's link in the table with this accessible name."""
    return lambda page: page.get_by_role("table", name=table).get_by_role("link").first.click()


def link(name: str) -> Callable[[Page], None]:
    return lambda page: page.get_by_role("main").get_by_role("link", name=name, exact=True).first.click()


def compare_all_2026(page: Page) -> None:
    for box in page.get_by_role("checkbox", name="2026").all():
        box.check()
    page.get_by_role("button", name="Sammenlign").click()


CONSULTATION = "Høyring: bidragsmodell for 2027"


def open_answer(page: Page) -> None:
    """The round on the 2027 model, then its answer form (to answer, or to revise an answer a journey gave)."""
    link(CONSULTATION)(page)
    page.get_by_role("main").get_by_role("link", name=re.compile(r"^(Svar|Endre svaret)$")).click()


@dataclass(frozen=True)
class Screen:
    name: str
    path: str
    roles: frozenset[str]
    then: Callable[[Page], None] | None = None


PAGES = [
    Screen("dashboard", "/", EVERYONE),
    Screen("login", "/accounts/login/", frozenset({"anonymous"})),
    Screen("password-reset", "/accounts/password/reset/", frozenset({"anonymous"})),
    Screen("password-change", "/accounts/password/change/", SIGNED_IN),
    Screen("accessibility-statement", "/accessibility/", EVERYONE),
    Screen("privacy", "/privacy/", EVERYONE),
    Screen("members", "/members/", EVERYONE),
    Screen("organisation", "/members/?q=Masfjorden", EVERYONE, link("Masfjorden")),
    Screen("organisation-new", "/members/new/", SECRETARIAT),
    Screen("population-import", "/members/populations/import/", SECRETARIAT),
    Screen("register-import", "/members/register/", SECRETARIAT),
    Screen("agreements", "/members/agreements/", DIRECTORS),
    Screen("agreement", "/members/agreements/", DIRECTORS, link("Masfjorden")),
    Screen("agreement-invite", "/members/agreements/invite/", SECRETARIAT),
    Screen("contributions", "/funding/contributions/", MONEY),
    Screen("contribution", "/funding/contributions/", MONEY, first_link_in("Medlemsbidrag med beregningsgrunnlag")),
    Screen("invoices", "/funding/invoices/", MONEY),
    Screen("peppol-outbox", "/funding/deliveries/", SECRETARIAT),
    Screen("invoice", "/funding/invoices/", MONEY, first_link_in("Fakturaer og kreditnotaer")),
    Screen("models", "/funding/models/", SIGNED_IN),
    Screen("model", "/funding/models/", SIGNED_IN, link(ADOPTED)),
    Screen("model-edit", "/funding/models/", SECRETARIAT, lambda page: [link(n)(page) for n in (ADOPTED, "Rediger")]),
    Screen("scenarios", "/funding/scenarios/", SECRETARIAT, compare_all_2026),
    Screen("budgets", "/funding/budget/", SIGNED_IN),
    Screen("budget", "/funding/budget/2026/", SIGNED_IN),
    Screen("budget-edit", "/funding/budget/2026/edit/", SECRETARIAT),
    Screen("invoice-run", "/funding/invoices/run/2026/", SECRETARIAT),
    Screen("bank-import", "/funding/payments/import/", SECRETARIAT),
    # The network's year: the annual cycle, calendar addresses, budget against actuals and the annual report.
    Screen("annual-cycle", "/year/", SECRETARIAT),
    Screen("calendar", "/year/calendar/", SIGNED_IN),
    Screen("actuals", "/year/actuals/2025/", SIGNED_IN),
    Screen("actuals-import", "/year/actuals/import/", SECRETARIAT),
    Screen("annual-report", "/year/report/2025/", SIGNED_IN),
    # The portfolio: open pages, rollouts for signed-in users, registering for the secretariat.
    Screen("portfolio", "/portfolio/", EVERYONE),
    Screen("portfolio-search", "/portfolio/?q=bygg&state=execution", EVERYONE),
    Screen("initiative", "/portfolio/", EVERYONE, link("Økt andel digitale byggesøknader")),
    Screen("service-catalogue", "/portfolio/services/", EVERYONE),
    Screen("rollouts", "/portfolio/rollouts/", SIGNED_IN),
    Screen("rollout-dashboard", "/portfolio/rollouts/dashboard/", SIGNED_IN),
    Screen("initiative-new", "/portfolio/new/", SECRETARIAT),
    # Members keep their own details; ideas and needs.
    Screen(
        "invoicing-details",
        "/members/?q=Masfjorden",
        KEEPERS,
        lambda page: [link(n)(page) for n in ("Masfjorden", "Endre fakturaopplysninger")],
    ),
    Screen(
        "person-new",
        "/members/?q=Masfjorden",
        KEEPERS,
        lambda page: [link(n)(page) for n in ("Masfjorden", "Legg til person")],
    ),
    Screen(
        "person-edit",
        "/members/?q=Masfjorden",
        KEEPERS,
        lambda page: [link(n)(page) for n in ("Masfjorden", "Øyvind Økonomisjef")],
    ),
    Screen("ideas", "/portfolio/ideas/", EVERYONE),
    Screen("idea", "/portfolio/ideas/", EVERYONE, link("Felles løsning for digital søknad om TT-kort")),
    Screen("idea-new", "/portfolio/ideas/new/", SIGNED_IN),
    Screen(
        "idea-assess",
        "/portfolio/ideas/",
        SECRETARIAT,
        lambda page: [link(n)(page) for n in ("Felles løsning for digital søknad om TT-kort", "Vurder")],
    ),
    # Governance: bodies, decision matrix, meetings and cases; the steering group's member sees its papers.
    Screen("bodies", "/governance/", EVERYONE),
    Screen("decision-matrix", "/governance/decision-matrix/", EVERYONE),
    Screen("meetings", "/governance/meetings/", EVERYONE),
    Screen("meeting", "/governance/meetings/", EVERYONE, first_link_in("Møter i nettverkets organer, nyeste først")),
    Screen("cases", "/governance/cases/", EVERYONE),
    Screen("case", "/governance/cases/", EVERYONE, first_link_in("Saker etter nummer")),
    Screen("meeting-new", "/governance/meetings/new/", SECRETARIAT),
    Screen("case-new", "/governance/cases/new/", SECRETARIAT),
    # Consultation rounds: followed by everyone signed in, answered by Masfjorden's director.
    Screen("consultations", "/governance/consultations/", SIGNED_IN),
    Screen("consultation", "/governance/consultations/", SIGNED_IN, link(CONSULTATION)),
    Screen("consultation-answer", "/governance/consultations/", frozenset({"director"}), open_answer),
    Screen("consultation-new", "/governance/consultations/new/", SECRETARIAT),
    # The council of representatives with its seats; the secretariat's messages and each person's choice of mails.
    Screen("council", "/governance/", EVERYONE, link("Representantskapet")),
    Screen("news", "/governance/news/", SIGNED_IN),
    Screen("news-new", "/governance/news/new/", SECRETARIAT),
    Screen("my-mails", "/accounts/mail/", SIGNED_IN),
]


@pytest.fixture(scope="module")
def sessions(browser: Browser, site: LiveSite) -> dict[str, dict]:
    """Each role logs in once; its cookies are reused for every page it visits."""
    states: dict[str, dict] = {}
    for role, username in LOGINS.items():
        context = browser.new_context(base_url=site.url)
        log_in(Visit(page=context.new_page(), site=site, folder=SCREENSHOTS), username)
        states[role] = context.storage_state()
        context.close()
    return states


@pytest.fixture
def as_role(browser: Browser, site: LiveSite, sessions) -> Iterator[Callable[[str], Page]]:
    contexts = []

    def open_page(role: str) -> Page:
        state = sessions.get(role)
        context = browser.new_context(base_url=site.url, viewport=VIEWPORT, locale="nb-NO", storage_state=state)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


def describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        targets = ", ".join(" ".join(node["target"]) for node in violation["nodes"][:5])
        lines.append(f"{violation['impact']}: {violation['id']} – {violation['help']} ({targets})")
    return "\n".join(lines)


def _cases() -> Iterator:
    for screen in PAGES:
        for role in ROLES:
            if role in screen.roles:
                yield pytest.param(screen, role, id=f"{screen.name}-{role}")


@pytest.mark.parametrize(("screen", "role"), list(_cases()))
def test_page_has_no_serious_accessibility_problem(as_role, site: LiveSite, screen: Screen, role: str):
    page = as_role(role)
    response = page.goto(site.url + screen.path)
    assert response is not None and response.ok, f"{screen.path} as {role}: {response and response.status}"
    if screen.then:  # each step opens another page: wait for that page, not the one already loaded
        with page.expect_navigation(wait_until="load"):
            screen.then(page)
    assert "/accounts/login/" not in page.url or screen.name == "login", f"{role} was sent to log in"
    folder = SCREENSHOTS / "accessibility" / role
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=folder / f"{screen.name}.png", full_page=True)

    violations = Axe().run(page, options=AXE_OPTIONS).response["violations"]
    blocking = [v for v in violations if v["impact"] in BLOCKING]
    assert not blocking, f"{page.url} as {role}:\n{describe(blocking)}"
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": VIEWPORT["height"]})
        page.evaluate(SETTLED)  # charts redraw for the new width a frame or two later
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{page.url} as {role} scrolls sideways by {overflow}px at {width}px"


def test_the_secretariat_menu_fits_on_one_line_at_laptop_width(as_role, site: LiveSite):
    page = as_role("secretariat")
    page.set_viewport_size({"width": 1280, "height": VIEWPORT["height"]})
    page.goto(site.url + "/")
    expect(page.locator(".navbar-toggler")).to_be_hidden()
    items = "#main-nav > ul.navbar-nav.me-auto > li"
    tops = page.evaluate(f"[...document.querySelectorAll('{items}')].map(li => li.getBoundingClientRect().top)")
    assert len(tops) >= 5 and max(tops) - min(tops) < 10, f"the menu folds at 1280 px: {tops}"


def test_the_invoice_documents_are_on_screen_on_a_phone(as_role, site: LiveSite):
    page = as_role("finance")
    page.set_viewport_size({"width": 390, "height": VIEWPORT["height"]})
    page.goto(site.url + "/funding/invoices/")
    for name in ("PDF", "EHF"):
        box = page.get_by_role("main").get_by_role("link", name=name).first.bounding_box()
        assert box is not None and box["x"] + box["width"] <= 390, f"the {name} link is off screen: {box}"


FOCUS_STYLE = """element => {
  const style = getComputedStyle(element);
  const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
  return outline || (style.boxShadow && style.boxShadow !== 'none');
}"""


@pytest.mark.parametrize(("path", "role"), [("/", "secretariat"), ("/funding/budget/2026/edit/", "secretariat")])
def test_every_control_shows_where_the_keyboard_focus_is(as_role, site: LiveSite, path: str, role: str):
    page = as_role(role)
    page.goto(site.url + path)
    seen = 0
    for _ in range(60):
        page.keyboard.press("Tab")
        focused = page.evaluate_handle("document.activeElement")
        if focused.evaluate("element => element === document.body"):
            break
        description = focused.evaluate("e => e.outerHTML.slice(0, 120)")
        assert focused.evaluate(FOCUS_STYLE), f"no visible focus on {description}"
        seen += 1
    assert seen >= 10


CONTRAST = """element => {
  const luminance = rgb => {
    const [r, g, b] = rgb.match(/[\\d.]+/g).slice(0, 3).map(Number).map(v => v / 255)
      .map(v => v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const border = luminance(getComputedStyle(element).borderTopColor);
  const [light, dark] = [Math.max(border, 1), Math.min(border, 1)];  // against the white page
  return (light + 0.05) / (dark + 0.05);
}"""


@pytest.mark.parametrize("path", ["/funding/budget/2026/edit/", "/funding/scenarios/"])
def test_form_controls_stand_out_from_the_page(as_role, site: LiveSite, path: str):
    """WCAG 1.4.11: the border of an input, a select or a checkbox has at least 3:1 contrast (axe does not check it)."""
    page = as_role("secretariat")
    page.goto(site.url + path)
    controls = page.locator("main").locator("input:not([type=hidden]), select, textarea")
    assert controls.count() > 0
    for control in controls.all():
        ratio = control.evaluate(CONTRAST)
        assert ratio >= 3, f"{control.get_attribute('name')}: border contrast {ratio:.2f}:1"


def test_the_skip_link_is_first_and_moves_the_focus_to_the_content(as_role, site: LiveSite):
    page = as_role("finance")
    page.goto(site.url + "/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Gå til hovedinnhold")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_errors_are_tied_to_their_fields(as_role, site: LiveSite):
    page = as_role("secretariat")
    page.goto(site.url + "/funding/budget/2026/edit/")
    page.locator("#id_staff_costs").fill("-5")
    page.locator("#id_grant_income").fill("-1")
    page.locator("main form [type=submit]").first.click()
    invalid = page.locator("main [aria-invalid=true]")
    expect(invalid.first).to_be_visible()
    for field in invalid.all():
        described_by = (field.get_attribute("aria-describedby") or "").split()
        messages = [page.locator(f"[id='{ref}']") for ref in described_by]
        errors = [m for m in messages if m.count() and "invalid-feedback" in (m.get_attribute("class") or "")]
        assert errors, f"{field.get_attribute('name')}: the error message is not tied to the field"
        expect(errors[0]).to_be_visible()
        expect(errors[0]).not_to_be_empty()
