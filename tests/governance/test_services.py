"""Case papers, attachments, meetings, decisions, minutes and who sees which papers."""

import zlib
from datetime import date

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from core import policy
from governance import services
from governance.choices import MeetingStatus, Outcome
from governance.models import Body, BodyMembership, Case
from tests.governance.world import (
    aware,
    held_meeting,
    pdf_stream,
    raw_pdf,
    steering_group,
    stored_documents,
    tiny_pdf,
)

pytestmark = pytest.mark.django_db


def _planned(personas, language="nb"):
    body = steering_group(personas, language=language)
    meeting = services.meeting_create(body=body, starts_at=aware(2026, 12, 10))
    case = services.case_create(body=body, meeting=meeting, title="Budsjett 2027", proposed_decision="Vedtas.")
    return body, meeting, case


# -- Attachments ----------------------------------------------------------------------------------


def test_a_pdf_attachment_is_stored_with_its_pages_and_hash(personas):
    _body, _meeting, case = _planned(personas)
    attachment = services.attachment_add(case=case, title="Budsjett", upload=tiny_pdf(3))
    assert attachment.pages == 3
    assert attachment.position == 1
    assert len(attachment.sha256) == 64
    assert attachment.file.read().startswith(b"%PDF-")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"PK\x03\x04 a word document", "not a PDF"),
        (b"%PDF-1.7\nthis is no real pdf", "cannot be read"),
    ],
)
def test_an_attachment_is_checked_by_its_content(personas, content, message):
    _body, _meeting, case = _planned(personas)
    with pytest.raises(ValidationError, match=message) as caught:
        services.attachment_add(case=case, title="Vedlegg", upload=content)
    assert "file" in caught.value.message_dict
    assert not case.attachments.exists()


def test_an_attachment_over_the_limit_is_refused_with_the_limit(personas, settings):
    settings.UPLOAD_MAX_BYTES = 500
    _body, _meeting, case = _planned(personas)
    with pytest.raises(ValidationError, match="the limit is 500"):
        services.attachment_add(case=case, title="Stor", upload=tiny_pdf(5))


A4 = b"/MediaBox [0 0 595 842]"


def _deep_page_tree(levels: int) -> bytes:
    """A catalogue, `levels` nested /Pages nodes and one page at the bottom."""
    nodes = [b"<< /Type /Catalog /Pages 2 0 R >>"]
    for level in range(levels):
        number = 2 + level
        parent = b" /Parent %d 0 R" % (number - 1) if level else b""
        nodes.append(b"<< /Type /Pages /Kids [%d 0 R] /Count 1%s %s >>" % (number + 1, parent, A4))
    nodes.append(b"<< /Type /Page /Parent %d 0 R >>" % (levels + 1))
    return raw_pdf(*nodes)


def _page_with_contents(stream: bytes) -> bytes:
    return raw_pdf(
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R " + A4 + b" /Contents 4 0 R >>",
        stream,
    )


def test_hand_written_pdfs_of_the_checks_below_are_accepted_when_sound(personas):
    _body, _meeting, case = _planned(personas)
    shallow = services.attachment_add(case=case, title="Grunt", upload=_deep_page_tree(3))
    assert shallow.pages == 1
    text = zlib.compress(b"BT /F1 12 Tf 72 712 Td (Vedlegg) Tj ET\n" * 1000)
    packed = services.attachment_add(
        case=case, title="Tekst", upload=_page_with_contents(pdf_stream(text, "FlateDecode"))
    )
    assert packed.pages == 1


def _protected(user_password: str) -> bytes:
    import io

    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(tiny_pdf(2))))
    writer.encrypt(user_password=user_password, owner_password="eier", algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_a_pdf_protected_only_against_changes_is_accepted_and_one_that_needs_a_password_is_not(personas):
    _body, _meeting, case = _planned(personas)
    assert services.attachment_add(case=case, title="Låst for endring", upload=_protected("")).pages == 2
    with pytest.raises(ValidationError, match="The PDF is password protected"):
        services.attachment_add(case=case, title="Passord", upload=_protected("hemmelig"))
    assert case.attachments.count() == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            lambda: raw_pdf(
                b"<< /Type /Catalog /Pages 2 0 R >>",
                b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                b"<< /Type /Page /Parent 2 0 R >>",
            ),
            "Page 1 of the PDF has no page size",
        ),
        (
            # 300 MB of zeros packed into a few hundred kilobytes.
            lambda: _page_with_contents(pdf_stream(zlib.compress(bytes(300 * 1024 * 1024)), "FlateDecode")),
            "The PDF unpacks to more than 128 MB",
        ),
        (
            # The same, packed twice: small on disk, and the outer layer alone inflates to little.
            lambda: _page_with_contents(
                pdf_stream(zlib.compress(zlib.compress(bytes(300 * 1024 * 1024)), 9), "FlateDecode", "FlateDecode")
            ),
            "The PDF unpacks to more than 128 MB",
        ),
        (lambda: _deep_page_tree(5000), "nested more than 32 levels deep"),
    ],
    ids=["no-mediabox", "decompression-bomb", "double-packed-bomb", "deep-page-tree"],
)
def test_a_pdf_the_board_pack_could_not_merge_is_refused_at_upload(personas, content, message):
    _body, _meeting, case = _planned(personas)
    content = content()
    assert len(content) < 2_000_000
    with pytest.raises(ValidationError, match=message) as caught:
        services.attachment_add(case=case, title="Vedlegg", upload=content)
    assert "file" in caught.value.message_dict
    assert not case.attachments.exists()


def test_an_attachment_is_removed_before_the_board_pack_and_the_rest_close_up(
    personas, django_capture_on_commit_callbacks
):
    _body, _meeting, case = _planned(personas)
    first = services.attachment_add(case=case, title="Budsjett", upload=tiny_pdf(1, "en"))
    second = services.attachment_add(case=case, title="Notat", upload=tiny_pdf(2, "to"))
    third = services.attachment_add(case=case, title="Kart", upload=tiny_pdf(3, "tre"))
    storage, name = first.file.storage, first.file.name
    assert storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True):
        services.attachment_remove(attachment=first)
    assert [(a.pk, a.position) for a in case.attachments.all()] == [(second.pk, 1), (third.pk, 2)]
    assert not storage.exists(name)
    assert storage.exists(second.file.name)


@pytest.mark.parametrize(
    ("step", "message"),
    [
        ("notice", "The notice of the meeting is sent with this attachment"),
        ("board_pack", "The board pack of the meeting is rendered with this attachment"),
    ],
)
def test_an_attachment_stays_once_the_board_pack_or_notice_is_out(personas, step, message):
    _body, meeting, case = _planned(personas)
    attachment = services.attachment_add(case=case, title="Budsjett", upload=tiny_pdf())
    if step == "notice":
        services.meeting_send_notice(meeting=meeting)
    else:
        stored_documents(meeting)
    with pytest.raises(ValidationError, match=message):
        services.attachment_remove(attachment=attachment)
    assert case.attachments.get() == attachment
    assert attachment.file.storage.exists(attachment.file.name)


def test_an_attachment_of_a_decided_case_stays(personas):
    world = held_meeting(personas, publish=False)
    attachment = world.public_case.attachments.get()
    with pytest.raises(ValidationError, match="The case is decided"):
        services.attachment_remove(attachment=attachment)
    assert world.public_case.attachments.get() == attachment


# -- Meetings and decisions -----------------------------------------------------------------------


def test_the_notice_needs_a_case_and_goes_to_the_members_in_the_bodys_language(personas):
    body = steering_group(personas, language="nn")
    empty = services.meeting_create(body=body, starts_at=aware(2026, 12, 10))
    with pytest.raises(ValidationError, match="at least one case"):
        services.meeting_send_notice(meeting=empty)
    services.case_create(
        body=body, meeting=empty, title="Tilsetjing", proposed_decision="-", exempt=True, legal_basis="offl. § 25"
    )
    meeting = services.meeting_send_notice(meeting=empty)
    assert meeting.status == MeetingStatus.NOTICE_SENT


def test_the_notice_email_is_in_nynorsk_and_hides_exempt_titles(personas, django_capture_on_commit_callbacks):
    body = steering_group(personas, language="nn")
    meeting = services.meeting_create(body=body, starts_at=aware(2026, 12, 10, 9))
    services.case_create(
        body=body, meeting=meeting, title="Tilsetjing av arkitekt", proposed_decision="-", exempt=True, legal_basis="x"
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_send_notice(meeting=meeting)
    (message,) = mail.outbox
    assert message.to == [personas.director.email]
    assert "Møteinnkalling" in message.subject
    assert "10. desember 2026" in message.body
    assert "Unnateke offentlegheit" in message.body
    assert "Tilsetjing av arkitekt" not in message.body


def test_a_decision_needs_a_held_meeting_and_votes_when_not_unanimous(personas):
    body, meeting, case = _planned(personas)
    with pytest.raises(ValidationError, match="has been held"):
        services.decision_record(case=case, outcome=Outcome.ADOPTED, text="Vedtatt.")
    services.meeting_send_notice(meeting=meeting)
    seat = body.memberships.get(person=personas.director)
    services.meeting_record_attendance(meeting=meeting, attendance={seat.pk: "present"})
    with pytest.raises(ValidationError) as caught:
        services.decision_record(case=case, outcome=Outcome.ADOPTED, text="Vedtatt.", unanimous=False)
    assert "votes_for" in caught.value.message_dict
    with pytest.raises(ValidationError, match="not rejected"):
        services.decision_record(
            case=case, outcome=Outcome.REJECTED, text="-", unanimous=False, votes_for=5, votes_against=2
        )
    decision = services.decision_record(
        case=case, outcome=Outcome.AMENDED, text="Vedtatt med endring.", unanimous=False, votes_for=5, votes_against=2
    )
    assert (decision.votes_for, decision.votes_against) == (5, 2)
    with pytest.raises(ValidationError, match="no longer changes"):
        services.case_update(case=Case.objects.get(pk=case.pk), title="Ny tittel")


def test_only_members_of_the_body_are_recorded_as_attending(personas):
    _body, meeting, _case = _planned(personas)
    services.meeting_send_notice(meeting=meeting)
    elsewhere = Body.objects.create(name="Annet organ", kind="committee", mandate="-", decision_rule="advisory")
    other = BodyMembership.objects.create(body=elsewhere, name="Utenforstående", term_start=date(2025, 1, 1))
    with pytest.raises(ValidationError, match="Only members of the body"):
        services.meeting_record_attendance(meeting=meeting, attendance={other.pk: "present"})


def test_minutes_are_approved_when_every_case_is_decided_then_published(personas, django_capture_on_commit_callbacks):
    world = held_meeting(personas, publish=False)
    extra = services.case_create(body=world.body, meeting=world.meeting, title="Eventuelt", proposed_decision="-")
    with pytest.raises(ValidationError, match=extra.reference):
        services.minutes_approve(meeting=world.meeting)
    services.decision_record(case=extra, outcome=Outcome.POSTPONED, text="Utsatt til neste møte.")
    with pytest.raises(ValidationError, match="Approve the minutes"):
        services.minutes_publish(meeting=world.meeting)
    meeting = services.minutes_approve(meeting=world.meeting, approved_in="Sak 1/27")
    assert meeting.status == MeetingStatus.MINUTES_APPROVED
    assert meeting.document_runs.filter(kind="minutes").exists()
    with pytest.raises(ValidationError, match="no case can be added"):
        services.case_create(body=world.body, meeting=meeting, title="For sent", proposed_decision="-")
    with django_capture_on_commit_callbacks(execute=True):
        published = services.minutes_publish(meeting=meeting)
    assert published.minutes_published_at is not None
    (message,) = [m for m in mail.outbox if "protokoll" in m.subject.lower()]
    assert message.to == [personas.director.email]


# -- Who sees which papers -------------------------------------------------------------------------


def test_exempt_cases_are_for_the_bodys_members_and_the_secretariat(personas):
    from django.contrib.auth.models import AnonymousUser

    world = held_meeting(personas)
    everything = Case.objects.all()
    assert set(policy.restrict_cases(everything, AnonymousUser())) == {world.public_case}
    assert set(policy.restrict_cases(everything, personas.outsider)) == {world.public_case}
    assert set(policy.restrict_cases(everything, personas.finance)) == {world.public_case}
    assert set(policy.restrict_cases(everything, personas.director)) == {world.public_case, world.exempt_case}
    assert set(policy.restrict_cases(everything, personas.secretariat)) == {world.public_case, world.exempt_case}


def test_cases_are_public_only_once_the_notice_is_sent(personas):
    from django.contrib.auth.models import AnonymousUser

    _body, meeting, case = _planned(personas)
    assert not policy.restrict_cases(Case.objects.all(), AnonymousUser()).exists()
    assert policy.restrict_cases(Case.objects.all(), personas.director).get() == case
    services.meeting_send_notice(meeting=meeting)
    assert policy.restrict_cases(Case.objects.all(), AnonymousUser()).get() == case


def test_a_seat_whose_term_has_ended_no_longer_shows_papers(personas):
    world = held_meeting(personas)
    world.body.memberships.filter(person=personas.director).update(term_end=aware(2025, 6, 30).date())
    assert not policy.can_see_body_papers(personas.director, world.body.pk)
    assert policy.can_see_body_papers(personas.secretariat, world.body.pk)
