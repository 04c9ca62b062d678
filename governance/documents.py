"""Board packs and minutes as PDF (WeasyPrint for the portal's own pages, pikepdf to merge them with the attachments).

Documents are written in the body's language (Bokmål or Nynorsk), with Norwegian dates and numbers.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext_noop

from core.documents import html_to_pdf
from core.models import NetworkProfile
from core.pdfa import PdfaConversionFailed, pdfa_converted
from core.tagged_pdf import PdfPart, tagged_merge
from governance.choices import ROLE_ORDER, Vote
from governance.models import Case, CaseAttachment, Decision, Meeting, RollCallVote

logger = logging.getLogger(__name__)
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


def _archival_attachments(cases: list[Case]) -> tuple[dict[int, bytes], list[CaseAttachment]]:
    """Each attachment as the board pack includes it: a PDF/A copy made by Ghostscript (the upload is kept as
    it came), or the upload itself when no copy could be made; the second list names those."""
    copies: dict[int, bytes] = {}
    as_uploaded: list[CaseAttachment] = []
    for case in cases:
        for attachment in case.attachments.all():
            with attachment.file.open("rb") as handle:
                original = handle.read()
            try:
                copies[attachment.pk] = pdfa_converted(original, pages=attachment.pages)
            except PdfaConversionFailed as error:
                logger.warning("Attachment %s kept as uploaded in the board pack: %s", attachment.pk, error)
                copies[attachment.pk] = original
                as_uploaded.append(attachment)
    return copies, as_uploaded


def board_pack_pdf(meeting: Meeting, on_progress: Callable[[int], None] = lambda percent: None) -> Rendered:
    """Notice, agenda and contents, then each case paper followed by its attachments, numbered throughout.

    The pack is tagged: the portal's pages keep their structure, and each attachment page is one figure whose
    alternative text names the attachment. It is PDF/A-3a when it has no attachments, PDF/A-3b when it has (their
    content is as uploaded, only made archival), and no PDF/A at all when an attachment could not be made
    archival; the contents page then names that attachment."""
    language = meeting.body.language
    network = _network_name()
    cases = _agenda(meeting)
    base = {"meeting": meeting, "body": meeting.body, "network": network}

    # Each paper alone, so that its length is known before the contents are written.
    papers: list[tuple[Case, bytes]] = []
    for index, case in enumerate(cases, start=1):
        papers.append((case, _render("governance/pdf/case_paper.html", {**base, "case": case}, language, tagged=True)))
        on_progress(5 + 60 * index // max(len(cases), 1))
    lengths = [(case, _page_count(data)) for case, data in papers]
    attachments, as_uploaded = _archival_attachments(cases)
    on_progress(75)

    # The contents list page numbers; if writing them changes the front part's length, count again.
    front_pages, front = 1, b""
    notice = {**base, "cases": cases, "as_uploaded": as_uploaded}
    for _attempt in range(4):
        entries = _table_of_contents(front_pages, lengths)
        front = _render("governance/pdf/board_pack_front.html", {**notice, "toc": entries}, language, tagged=True)
        if _page_count(front) == front_pages:
            break
        front_pages = _page_count(front)
    on_progress(80)

    # One bookmark for the front part, one per case and one per attachment under its case. The parts' own
    # outlines (WeasyPrint makes one from the headings) are left out, or every case would be listed twice.
    with translation.override(language):
        figure = translation.gettext("Attachment “%(title)s”, page %(page)s of %(pages)s, as uploaded to the case")
    parts = [PdfPart(front, bookmark=translation_of(FRONT_OUTLINE, language))]
    for case, data in papers:
        parts.append(PdfPart(data, bookmark=f"{case.reference} {case.title}"))
        for attachment in case.attachments.all():
            title = attachment.title.replace("{", "{{").replace("}", "}}")  # the pages are filled in per page
            alt = figure % {"title": title, "page": "{page}", "pages": "{pages}"}
            parts.append(PdfPart(attachments[attachment.pk], bookmark=attachment.title, nested=True, figure_alt=alt))
    total = sum(_page_count(part.data) for part in parts)
    on_progress(90)

    # Page numbers on every page, attachments included: "Side 7 av 23" in the lower right corner.
    stamps = _render("governance/pdf/page_stamp.html", {**base, "pages": range(total)}, language)
    name = f"{meeting.body.name} {meeting.starts_at:%d.%m.%Y}"
    conformance: Literal["A", "B"] | None = "B" if attachments else "A"
    if as_uploaded:
        conformance = None
    data = tagged_merge(parts, like=front, title=name, conformance=conformance, stamps=stamps)
    return Rendered(data, total)


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
