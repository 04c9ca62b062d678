"""A steering-group member logs in with a real browser and downloads the board pack; another member's
director sees neither the exempt case nor the download."""

import io

import pytest
from django.db import connections
from pypdf import PdfReader

from governance import documents
from governance.choices import DocumentKind
from governance.models import MeetingDocumentRun
from tests.governance.world import held_meeting

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser_page(monkeypatch):
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the test's own database work is still synchronous.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_page(accept_downloads=True)
        yield page
        browser.close()
        # While that loop runs, Django keeps this thread's database connections apart from those it had before
        # (asgiref's Local, for a thread with a running loop): the test's own are closed here, while the loop
        # still runs, or they would outlive the test database.
        connections.close_all()


def _log_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "correct-horse-battery")
    page.press("#id_password", "Enter")
    page.wait_for_load_state()


def _rendered_pack(meeting) -> None:
    from django.core.files.base import ContentFile
    from django.utils import timezone

    from core.runs import RunStatus

    pack = documents.board_pack_pdf(meeting)
    run = MeetingDocumentRun(
        meeting=meeting,
        kind=DocumentKind.BOARD_PACK,
        year=2026,
        status=RunStatus.SUCCEEDED,
        pages=pack.pages,
        finished_at=timezone.now(),
    )
    run.file.save("pack.pdf", ContentFile(pack.data), save=False)
    run.save()


def test_a_steering_group_member_downloads_the_board_pack(live_server, personas, browser_page, tmp_path):
    world = held_meeting(personas)
    _rendered_pack(world.meeting)
    _log_in(browser_page, live_server.url, personas.director.username)
    browser_page.goto(live_server.url + world.meeting.get_absolute_url())
    assert browser_page.get_by_text("Forhandlinger om driftsavtale").is_visible()
    with browser_page.expect_download() as info:
        browser_page.get_by_role("link", name="Download the board pack (PDF)").click()
    target = tmp_path / "pack.pdf"
    info.value.save_as(target)
    reader = PdfReader(io.BytesIO(target.read_bytes()))
    assert "Møteinnkalling" in reader.pages[0].extract_text()


def test_a_director_outside_the_body_sees_no_exempt_case_and_no_board_pack(live_server, personas, browser_page):
    world = held_meeting(personas)
    _rendered_pack(world.meeting)
    _log_in(browser_page, live_server.url, personas.outsider.username)
    browser_page.goto(live_server.url + world.meeting.get_absolute_url())
    assert browser_page.get_by_text("Bidragsmodell 2027").is_visible()
    assert browser_page.get_by_text("Forhandlinger om driftsavtale").count() == 0
    assert browser_page.get_by_role("link", name="Download the board pack (PDF)").count() == 0
    response = browser_page.goto(live_server.url + f"/governance/meetings/{world.meeting.pk}/board-pack.pdf")
    assert response.status == 404
