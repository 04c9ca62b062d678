"""Board packs and minutes as PDF (WeasyPrint for the portal's own pages, pypdf to merge the attachments).

Documents are written in the body's language (Bokmål or Nynorsk), with Norwegian dates and numbers.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext_noop

from core.documents import archival_merged, html_to_pdf
from core.models import NetworkProfile
from governance.choices import ROLE_ORDER, Vote
from governance.models import Case, Decision, Meeting, RollCallVote

A4_WIDTH_PT = 595.28
FRONT_OUTLINE = gettext_noop("Notice and agenda")


@dataclass(frozen=True)
class Rendered:
    data: bytes
    pages: int


@dataclass(frozen=True)
class TocEntry:
    reference: str
    title: str
    page: int
    is_attachment: bool = False


def _page_count(data: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(data)).pages)


def _render(template: str, context: dict, language: str, *, tagged: bool = False) -> bytes:
    with translation.override(language):
        return html_to_pdf(render_to_string(template, {**context, "language": language}), tagged=tagged)


def _network_name() -> str:
    profile = NetworkProfile.objects.order_by("pk").first()
    return profile.name if profile else settings.NETWORK_NAME


def _agenda(meeting: Meeting) -> list[Case]:
    return list(
        meeting.cases.select_related("case_officer", "decision", "body")
        .prefetch_related("attachments")
        .order_by("agenda_position", "number")
    )


def _table_of_contents(front_pages: int, papers: list[tuple[Case, int]]) -> list[TocEntry]:
    """Where each case paper and attachment starts, when the front part (notice, agenda, contents) has
    `front_pages` pages."""
    entries, page = [], front_pages + 1
    for case, paper_pages in papers:
        entries.append(TocEntry(case.reference, case.title, page))
        page += paper_pages
        for attachment in case.attachments.all():
            entries.append(TocEntry(case.reference, attachment.title, page, is_attachment=True))
            page += attachment.pages
    return entries


def board_pack_pdf(meeting: Meeting, on_progress: Callable[[int], None] = lambda percent: None) -> Rendered:
    """Notice, agenda and contents, then each case paper followed by its attachments, numbered throughout."""
    from pypdf import PdfReader, PdfWriter, Transformation

    language = meeting.body.language
    network = _network_name()
    cases = _agenda(meeting)
    base = {"meeting": meeting, "body": meeting.body, "network": network}

    # Each paper alone, so that its length is known before the contents are written.
    papers: list[tuple[Case, bytes]] = []
    for index, case in enumerate(cases, start=1):
        papers.append((case, _render("governance/pdf/case_paper.html", {**base, "case": case}, language)))
        on_progress(5 + 70 * index // max(len(cases), 1))
    lengths = [(case, _page_count(data)) for case, data in papers]

    # The contents list page numbers; if writing them changes the front part's length, count again.
    front_pages, front = 1, b""
    for _attempt in range(4):
        entries = _table_of_contents(front_pages, lengths)
        front = _render("governance/pdf/board_pack_front.html", {**base, "cases": cases, "toc": entries}, language)
        if _page_count(front) == front_pages:
            break
        front_pages = _page_count(front)
    on_progress(80)

    # One bookmark for the front part, one per case and one per attachment under its case, each pointing at
    # the page object it starts on. The parts' own outlines (WeasyPrint makes one from the headings) are left
    # out, or every case would be listed twice.
    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(front)), import_outline=False)
    writer.add_outline_item(title=translation_of(FRONT_OUTLINE, language), page_number=writer.pages[0])
    for case, data in papers:
        start = len(writer.pages)
        writer.append(PdfReader(io.BytesIO(data)), import_outline=False)
        parent = writer.add_outline_item(title=f"{case.reference} {case.title}", page_number=writer.pages[start])
        for attachment in case.attachments.all():
            with attachment.file.open("rb") as handle:
                reader = PdfReader(io.BytesIO(handle.read()))
            start = len(writer.pages)
            writer.append(reader, import_outline=False)
            writer.add_outline_item(title=attachment.title, page_number=writer.pages[start], parent=parent)
    on_progress(90)

    # Page numbers on every page, attachments included: "Side 7 av 23" in the lower right corner.
    stamps = PdfReader(
        io.BytesIO(_render("governance/pdf/page_stamp.html", {**base, "pages": range(len(writer.pages))}, language))
    )
    for page, stamp in zip(writer.pages, stamps.pages, strict=True):
        box = page.mediabox
        shift = Transformation().translate(tx=float(box.right) - A4_WIDTH_PT, ty=float(box.bottom))
        page.merge_transformed_page(stamp, shift)
    title = f"{meeting.body.name} {meeting.starts_at:%d.%m.%Y}"
    writer.add_metadata({"/Title": title, "/Creator": network})
    output = io.BytesIO()
    writer.write(output)
    # pypdf writes a new catalogue: the front part's archival entries (PDF/A, output intent, language) go back in.
    return Rendered(archival_merged(output.getvalue(), like=front, title=title), len(writer.pages))


def translation_of(text: str, language: str) -> str:
    with translation.override(language):
        return translation.gettext(text)


@dataclass(frozen=True)
class RollCall:
    """A roll call as the minutes print it: each member's vote, and the totals counted from them."""

    votes: list[RollCallVote]
    totals: list[tuple[Any, int]]  # (the vote's label, translated when the minutes are written; the count)


def roll_call_of(decision: Decision) -> RollCall:
    votes = list(decision.roll_call.select_related("organisation", "seat").order_by("organisation__name"))
    totals = [(label, sum(1 for vote in votes if vote.vote == value)) for value, label in Vote.choices]
    return RollCall(votes, totals)


def minutes_pdf(meeting: Meeting, *, public: bool) -> Rendered:
    """The minutes; the public version names exempt cases and their legal basis, nothing more."""
    cases = _agenda(meeting)
    context = {
        "meeting": meeting,
        "body": meeting.body,
        "network": _network_name(),
        "cases": cases,
        "attendance": sorted(
            meeting.attendance.select_related("membership__organisation"),
            key=lambda row: (ROLE_ORDER[row.membership.role], row.membership.name),
        ),
        "public": public,
        "roll_calls": {
            case.pk: roll_call_of(case.decision)
            for case in cases
            if getattr(case, "decision", None) is not None and case.decision.by_roll_call
        },
    }
    data = _render("governance/pdf/minutes.html", context, meeting.body.language, tagged=True)
    return Rendered(data, _page_count(data))
