"""Board packs and minutes as PDF: order, contents with the right page numbers, language, and the worker."""

import io
import re

import pytest
from django.core.management import call_command
from pypdf import PdfReader

from core.runs import RunStatus
from governance import documents, services
from governance.choices import DocumentKind
from tests.governance.world import held_meeting

pytestmark = pytest.mark.django_db


def _pages(data: bytes) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages]


def test_the_board_pack_has_notice_agenda_contents_papers_and_attachments_in_order(personas):
    world = held_meeting(personas, publish=False)
    progress: list[int] = []
    pack = documents.board_pack_pdf(world.meeting, on_progress=progress.append)
    pages = _pages(pack.data)
    assert pack.pages == len(pages)
    assert progress == sorted(progress)
    assert "Møteinnkalling" in pages[0]
    assert "Saksliste" in pages[0]
    assert "17. november 2026" in pages[0]

    # The contents: "Saksframlegg: <title> <page>" and "Vedlegg: <title> <page>".
    contents = "\n".join(pages[:3])
    listed = {title: int(page) for title, page in re.findall(r"(?:Saksframlegg|Vedlegg): (.+?) (\d+)\n", contents)}
    assert set(listed) == {"Bidragsmodell 2027", "Beregning", "Forhandlinger om driftsavtale", "Tilbud"}
    paper_one, paper_two = listed["Bidragsmodell 2027"], listed["Forhandlinger om driftsavtale"]
    assert "Sak 1/26: Bidragsmodell 2027" in pages[paper_one - 1]
    assert "Sak 2/26: Forhandlinger om driftsavtale" in pages[paper_two - 1]
    # The attachments follow their paper: two pages after the first, one after the second.
    assert listed["Beregning"] == paper_one + 1
    assert paper_two == listed["Beregning"] + 2
    assert listed["Tilbud"] == paper_two + 1 == pack.pages
    # Every page, the attachments' too, carries its number.
    for number, text in enumerate(pages, start=1):
        assert f"Side {number} av {pack.pages}" in text


def test_the_board_pack_and_minutes_are_written_in_nynorsk_for_a_nynorsk_body(personas):
    world = held_meeting(personas, language="nn")
    pack = _pages(documents.board_pack_pdf(world.meeting).data)
    assert "Framlegg til vedtak" in "".join(pack)
    assert "tysdag 17. november 2026" in pack[0]
    minutes = "".join(_pages(documents.minutes_pdf(world.meeting, public=False).data))
    assert "Møteprotokoll" in minutes
    assert "samrøystes" in minutes
    assert "Til stades" in minutes


def test_public_minutes_name_an_exempt_case_and_its_basis_but_nothing_more(personas):
    world = held_meeting(personas)
    full = "".join(_pages(documents.minutes_pdf(world.meeting, public=False).data))
    public = "".join(_pages(documents.minutes_pdf(world.meeting, public=True).data))
    assert "Forhandlinger om driftsavtale" in full
    assert "Fullmakt gis." in full
    assert "Forhandlinger om driftsavtale" not in public
    assert "Fullmakt gis." not in public
    assert "Unntatt offentlighet, offl. § 23" in public
    assert "Modellen vedtas." in public
    assert "enstemmig" in public


def test_a_rendering_run_stores_the_pdf_with_its_hash(personas, django_capture_on_commit_callbacks):
    world = held_meeting(personas, publish=False)
    with django_capture_on_commit_callbacks(execute=True):
        run = services.document_run_start(meeting=world.meeting, kind=DocumentKind.BOARD_PACK)
    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED, run.error
    assert run.progress == 100
    assert run.pages == len(_pages(run.file.read()))
    # Running the finished run again changes nothing.
    assert services.document_run_execute(run_id=run.pk).finished_at == run.finished_at


def test_the_command_writes_the_board_pack(personas, tmp_path):
    world = held_meeting(personas, publish=False)
    out = tmp_path / "pack.pdf"
    call_command("meetings", "board-pack", str(world.meeting.pk), "--out", str(out), stdout=io.StringIO())
    assert out.read_bytes().startswith(b"%PDF-")
    assert len(PdfReader(out).pages) == documents.board_pack_pdf(world.meeting).pages


def test_the_public_minutes_leave_out_the_video_link(personas):
    world = held_meeting(personas)
    world.meeting.video_link = "https://video.example/sg"
    world.meeting.save()
    assert "video.example" in "".join(_pages(documents.minutes_pdf(world.meeting, public=False).data))
    assert "video.example" not in "".join(_pages(documents.minutes_pdf(world.meeting, public=True).data))


def _bookmarks(reader: PdfReader, outline, depth: int = 0) -> list[tuple[int, str, int]]:
    """Each bookmark as (depth, title, page index), in order; nested lists are the children of the item before."""
    found = []
    for item in outline:
        if isinstance(item, list):
            found.extend(_bookmarks(reader, item, depth + 1))
        else:
            found.append((depth, item.title, reader.get_destination_page_number(item)))
    return found


def test_the_board_pack_bookmarks_each_case_and_attachment_once_and_each_resolves_to_its_page(personas):
    world = held_meeting(personas, publish=False)
    pack = documents.board_pack_pdf(world.meeting)
    reader = PdfReader(io.BytesIO(pack.data))
    pages = _pages(pack.data)
    bookmarks = _bookmarks(reader, reader.outline)
    titles = [title for _depth, title, _page in bookmarks]
    assert len(titles) == len(set(titles)), titles
    assert [(depth, title) for depth, title, _page in bookmarks] == [
        (0, "Innkalling og saksliste"),
        (0, "1/26 Bidragsmodell 2027"),
        (1, "Beregning"),
        (0, "2/26 Forhandlinger om driftsavtale"),
        (1, "Tilbud"),
    ]
    by_title = {title: page for _depth, title, page in bookmarks}
    assert by_title["Innkalling og saksliste"] == 0
    assert "Sak 1/26: Bidragsmodell 2027" in pages[by_title["1/26 Bidragsmodell 2027"]]
    assert "Sak 2/26: Forhandlinger om driftsavtale" in pages[by_title["2/26 Forhandlinger om driftsavtale"]]
    # Each attachment starts on the page after its paper's last page, as the contents list it.
    contents = "\n".join(pages[:3])
    listed = {title: int(page) for title, page in re.findall(r"(?:Saksframlegg|Vedlegg): (.+?) (\d+)\n", contents)}
    assert by_title["Beregning"] == listed["Beregning"] - 1
    assert by_title["Tilbud"] == listed["Tilbud"] - 1
