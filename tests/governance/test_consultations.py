"""Consultation rounds: opening one on a draft contribution model (each member's amount sent out), answers and
their revisions, reminders once and only before the deadline, and the summary attached to the deciding case."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core import policy
from governance import consultations
from governance.choices import ConsultationPosition, ConsultationSubject
from governance.models import CaseAttachment, ConsultationAnswer, ConsultationReminder
from governance.services import case_create
from tests.factories import UserFactory, contribution_model
from tests.governance.world import steering_group, tiny_pdf
from tests.pdf_archival import assert_archival

pytestmark = pytest.mark.django_db

OPENED = "2026-03-02 09:00:00+01:00"
DEADLINE = dt.date(2026, 3, 20)


def _open_on_model(personas, **extra):
    model = contribution_model(year=2027, status="proposal", name="Modell 2027", exempt=(personas.host,))
    case = case_create(body=steering_group(personas), title="Bidragsmodell 2027", proposed_decision="Vedta.")
    with time_machine.travel(OPENED, tick=False):
        return consultations.consultation_open(
            title="Høring: bidragsmodell 2027",
            subject_kind=ConsultationSubject.CONTRIBUTION_MODEL,
            subject_id=model.pk,
            deadline=DEADLINE,
            case=case,
            opened_by=personas.secretariat,
            **extra,
        )


def _answer(consultation, personas, position=ConsultationPosition.SUPPORTS, comment="", at=OPENED, **extra):
    with time_machine.travel(at, tick=False):
        return consultations.consultation_answer(
            consultation=consultation,
            organisation=personas.own,
            position=position,
            comment=comment,
            answered_by=personas.director,
            **extra,
        )


def test_the_draft_model_is_sent_with_what_each_member_would_pay(personas, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        consultation = _open_on_model(personas)
    version = consultation.versions.get()
    amounts = {row.organisation_id: row.amount for row in version.amounts.all()}
    # 100 000 + 20 per inhabitant: Masfjorden (1 691) 133 820, Voss (16 471) 429 420; the host is exempt.
    assert amounts[personas.own.pk] == Decimal("133820.00")
    assert amounts[personas.foreign.pk] == Decimal("429420.00")
    assert amounts[personas.host.pk] == Decimal("0.00")
    assert_archival(version.file.read(), language="nb", tagged=True)
    assert set(consultation.consulted.all()) == {personas.host, personas.own, personas.foreign}
    assert [sorted(m.to) for m in mail.outbox] == [sorted([personas.director.email, personas.outsider.email])]


def test_a_strategy_needs_its_pdf(personas):
    with pytest.raises(ValidationError) as refused:
        consultations.consultation_open(
            title="Strategi 2027-2030", subject_kind=ConsultationSubject.STRATEGY, deadline=dt.date(2099, 1, 1)
        )
    assert "file" in refused.value.message_dict
    consultation = consultations.consultation_open(
        title="Strategi 2027-2030",
        subject_kind=ConsultationSubject.STRATEGY,
        deadline=dt.date(2099, 1, 1),
        upload=tiny_pdf(2),
    )
    assert consultation.versions.get().pages == 2


def test_a_deadline_in_the_past_is_refused_and_nothing_is_kept(personas):
    from governance.models import Consultation

    with pytest.raises(ValidationError) as refused:
        consultations.consultation_open(
            title="Strategi", subject_kind=ConsultationSubject.STRATEGY, deadline=dt.date(2020, 1, 1), upload=tiny_pdf()
        )
    assert "deadline" in refused.value.message_dict
    assert not Consultation.objects.exists()


def test_an_answer_is_revised_until_the_deadline_and_every_revision_is_kept(personas):
    consultation = _open_on_model(personas)
    _answer(consultation, personas)
    _answer(
        consultation,
        personas,
        ConsultationPosition.REMARKS,
        "Taket bør følge deflatoren.",
        at="2026-03-20 23:00:00+01:00",
        upload=SimpleUploadedFile("brev.pdf", tiny_pdf(), content_type="application/pdf"),
    )
    revisions = list(ConsultationAnswer.objects.filter(organisation=personas.own).order_by("revision"))
    assert [(a.revision, a.position) for a in revisions] == [(1, "supports"), (2, "remarks")]
    assert revisions[1].file.read().startswith(b"%PDF-")
    tally = consultations.consultation_tally(consultation)
    assert (tally.supports, tally.remarks, tally.opposes, tally.unanswered) == (0, 1, 0, 2)
    with pytest.raises(ValidationError, match="deadline has passed"):
        _answer(consultation, personas, at="2026-03-21 00:00:01+01:00")


def test_remarks_and_objections_need_a_comment(personas):
    consultation = _open_on_model(personas)
    with pytest.raises(ValidationError) as refused:
        _answer(consultation, personas, ConsultationPosition.OPPOSES, "  ")
    assert "comment" in refused.value.message_dict
    assert not ConsultationAnswer.objects.exists()


def test_reminders_go_once_to_those_who_have_not_answered_and_not_after_the_deadline(
    personas, django_capture_on_commit_callbacks
):
    consultation = _open_on_model(personas)
    _answer(consultation, personas)
    assert consultations.consultation_send_reminders(today=dt.date(2026, 3, 10)) == 0  # not yet near
    with django_capture_on_commit_callbacks(execute=True):
        assert consultations.consultation_send_reminders(today=dt.date(2026, 3, 16)) == 2
        assert consultations.consultation_send_reminders(today=dt.date(2026, 3, 17)) == 0
    assert set(ConsultationReminder.objects.values_list("organisation", flat=True)) == {
        personas.host.pk,
        personas.foreign.pk,
    }
    assert [m.to for m in mail.outbox] == [[personas.outsider.email]]  # the host has no director with an address here
    ConsultationReminder.objects.all().delete()
    assert consultations.consultation_send_reminders(today=dt.date(2026, 3, 21)) == 0


def test_the_summary_is_attached_to_the_deciding_case_after_the_deadline(personas):
    consultation = _open_on_model(personas)
    _answer(consultation, personas, ConsultationPosition.OPPOSES, "For dyrt for små kommuner.")
    with time_machine.travel("2026-03-20 12:00:00+01:00", tick=False):
        assert not consultations.consultation_can_close(consultation)
        with pytest.raises(ValidationError):
            consultations.consultation_close(consultation=consultation)
    with time_machine.travel("2026-03-21 08:00:00+01:00", tick=False):
        closed = consultations.consultation_close(consultation=consultation)
    attachment = CaseAttachment.objects.get(case=consultation.case)
    assert "Høring: bidragsmodell 2027" in attachment.title
    assert closed.summary_sha256 == attachment.sha256
    from pypdf import PdfReader

    data = attachment.file.read()
    assert_archival(data, language="nb", tagged=True)
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    assert "Masfjorden" in text and "For dyrt for små kommuner." in text
    assert "Ikke svart" in text or "Not answered" in text
    with pytest.raises(ValidationError, match="already closed"):
        consultations.consultation_close(consultation=closed)


def test_who_answers_for_an_organisation(personas):
    consultation = _open_on_model(personas)
    delegate = UserFactory(organisation=personas.own, is_delegate=True)
    assert policy.can_answer_consultation(personas.director, consultation)
    assert policy.can_answer_consultation(delegate, consultation)
    assert not policy.can_answer_consultation(personas.finance, consultation)
    assert not policy.can_answer_consultation(personas.contact, consultation)
    assert not policy.can_answer_consultation(personas.secretariat, consultation)  # not for a member


def test_members_see_counts_and_their_own_answer_then_every_answer_after_the_deadline(client, personas):
    consultation = _open_on_model(personas)
    _answer(consultation, personas, ConsultationPosition.REMARKS, "Vår merknad om taket.")
    url = consultation.get_absolute_url()
    client.force_login(personas.outsider)
    with time_machine.travel("2026-03-10 12:00:00+01:00", tick=False):
        page = client.get(url).content.decode()
        assert "Vår merknad om taket." not in page
        assert "1 of 3 organisations" in page
    with time_machine.travel("2026-03-21 12:00:00+01:00", tick=False):
        assert "Vår merknad om taket." in client.get(url).content.decode()


def test_the_director_answers_through_the_page(client, personas):
    consultation = _open_on_model(personas)
    client.force_login(personas.director)
    url = reverse("governance:consultation_answer", args=[consultation.pk])
    with time_machine.travel("2026-03-10 12:00:00+01:00", tick=False):
        refused = client.post(url, {"position": "opposes", "comment": ""})
        assert refused.status_code == 200 and "Say what the remarks or objections are." in refused.content.decode()
        done = client.post(url, {"position": "supports", "comment": "Godt forslag."})
    assert done.status_code == 302
    assert consultation.answers.get().answered_by == personas.director


def test_the_draft_and_the_deciding_case_point_to_their_rounds(client, personas):
    consultation = _open_on_model(personas)
    client.force_login(personas.secretariat)
    model_page = client.get(reverse("funding:model_detail", args=[consultation.subject_id])).content.decode()
    assert consultation.title in model_page
    assert consultation.title in client.get(consultation.case.get_absolute_url()).content.decode()


def test_after_the_deadline_the_answer_page_sends_the_director_back_to_the_round(client, personas):
    consultation = _open_on_model(personas)
    client.force_login(personas.director)
    with time_machine.travel("2026-03-21 08:00:00+01:00", tick=False):
        response = client.get(reverse("governance:consultation_answer", args=[consultation.pk]))
    assert response.status_code == 302 and response.url == consultation.get_absolute_url()


def test_a_person_who_chose_not_to_get_consultation_mails_is_not_reminded(personas, django_capture_on_commit_callbacks):
    from core.mail_preferences import MailTopic, mail_preferences_set

    _open_on_model(personas)
    mail_preferences_set(user=personas.outsider, declined=[MailTopic.CONSULTATION])
    with django_capture_on_commit_callbacks(execute=True):
        assert consultations.consultation_send_reminders(today=dt.date(2026, 3, 16)) == 3
    # Every member is reminded once (kept), but the foreign member's director chose to go without these mails.
    assert [m.to for m in mail.outbox] == [[personas.director.email]]
