"""Governance objects for tests: a steering group in which the personas' director holds a seat, a held
meeting with a public and an exempt case, and small real PDFs."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.utils import timezone

from core.runs import RunStatus
from governance import services
from governance.choices import BodyKind, DecisionRule, DocumentKind, MembershipRole, Outcome
from governance.models import Body, BodyMembership, Case, Meeting, MeetingDocumentRun
from tests.conftest import Personas


def tiny_pdf(pages: int = 1, text: str = "Vedlegg") -> bytes:
    """A real PDF of `pages` blank A4 pages (pypdf), small enough for any test."""
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595.28, height=841.89)
    writer.add_metadata({"/Title": text})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def raw_pdf(*objects: bytes) -> bytes:
    """A PDF written object by object (1 0 obj is the catalogue), with a correct cross-reference table:
    for files that pypdf would never write, such as a page without a size or a page tree 5000 levels deep."""
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def pdf_stream(data: bytes, *filters: str) -> bytes:
    """A stream object holding `data` as stored, under the given filters."""
    names = b"[" + b" ".join(b"/" + name.encode() for name in filters) + b"]"
    return b"<< /Length %d /Filter %s >>\nstream\n" % (len(data), names) + data + b"\nendstream"


def aware(year: int, month: int, day: int, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime(year, month, day, hour))


def steering_group(personas: Personas, language: str = "nb") -> Body:
    body = Body.objects.create(
        name="Styringsgruppen",
        kind=BodyKind.STEERING_GROUP,
        mandate="Vedtar budsjett og bidragsmodell.",
        decision_rule=DecisionRule.CONSENSUS,
        language=language,
    )
    BodyMembership.objects.create(
        body=body,
        person=personas.director,
        name="Dag Direktør",
        organisation=personas.own,
        role=MembershipRole.LEADER,
        term_start=dt.date(2025, 1, 1),
    )
    BodyMembership.objects.create(
        body=body, name="Observatør KS", role=MembershipRole.OBSERVER, term_start=dt.date(2025, 1, 1)
    )
    return body


@dataclass
class GovernanceWorld:
    body: Body
    meeting: Meeting
    public_case: Case
    exempt_case: Case


def held_meeting(personas: Personas, *, publish: bool = True, language: str = "nb") -> GovernanceWorld:
    body = steering_group(personas, language=language)
    meeting = services.meeting_create(body=body, starts_at=aware(2026, 11, 17), place="Bergen rådhus")
    public = services.case_create(
        body=body, meeting=meeting, title="Bidragsmodell 2027", proposed_decision="Modellen vedtas.", agenda_position=1
    )
    exempt = services.case_create(
        body=body,
        meeting=meeting,
        title="Forhandlinger om driftsavtale",
        proposed_decision="Fullmakt gis.",
        exempt=True,
        legal_basis="offl. § 23",
        agenda_position=2,
    )
    services.attachment_add(case=public, title="Beregning", upload=tiny_pdf(2))
    services.attachment_add(case=exempt, title="Tilbud", upload=tiny_pdf(1))
    services.meeting_send_notice(meeting=meeting)
    seats = {seat.pk: "present" for seat in body.memberships.all()}
    services.meeting_record_attendance(meeting=meeting, attendance=seats)
    services.decision_record(case=public, outcome=Outcome.ADOPTED, text="Modellen vedtas.")
    services.decision_record(case=exempt, outcome=Outcome.ADOPTED, text="Fullmakt gis.")
    if publish:
        services.minutes_approve(meeting=meeting, approved_in="Sak 1/27")
        services.minutes_publish(meeting=meeting)
    meeting.refresh_from_db()
    return GovernanceWorld(body, meeting, public, exempt)


def stored_documents(meeting: Meeting) -> None:
    """Rendered documents as a worker leaves them (small stand-ins, not rendered here: that is slow)."""
    for kind in (DocumentKind.BOARD_PACK, DocumentKind.MINUTES):
        run = MeetingDocumentRun(
            meeting=meeting, kind=kind, year=2026, status=RunStatus.SUCCEEDED, pages=1, finished_at=timezone.now()
        )
        run.file.save(f"{kind}.pdf", ContentFile(tiny_pdf(text="full")), save=False)
        run.public_file.save(f"{kind}-public.pdf", ContentFile(tiny_pdf(text="public")), save=False)
        run.save()
