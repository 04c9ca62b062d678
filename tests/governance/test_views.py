"""Governance pages: the secretariat's meeting flow in the browser's terms, links both ways, and lists whose
number of queries does not grow with their rows."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from governance import services
from governance.choices import Outcome
from governance.models import Body, BodyMembership, Case, DecisionArea, DecisionAuthority, Meeting
from members.models import AgreementTemplate
from tests.factories import contribution_model, initiative
from tests.governance.world import aware, held_meeting, steering_group, stored_documents, tiny_pdf

pytestmark = pytest.mark.django_db


def test_the_secretariat_runs_a_meeting_from_notice_to_published_minutes(client, personas):
    body = steering_group(personas)
    client.force_login(personas.secretariat)
    response = client.post(
        reverse("governance:meeting_create"),
        {"body": body.pk, "starts_at": "2026-12-10T09:00", "place": "Bergen", "video_link": "", "notice_text": ""},
    )
    meeting = Meeting.objects.get()
    assert response.url == meeting.get_absolute_url()
    response = client.post(
        reverse("governance:case_create") + f"?meeting={meeting.pk}",
        {
            "body": body.pk,
            "meeting": meeting.pk,
            "title": "Budsjett 2027",
            "agenda_position": 1,
            "case_officer": personas.secretariat.pk,
            "proposed_decision": "Budsjettet vedtas.",
        },
    )
    case = Case.objects.get()
    assert response.url == case.get_absolute_url()
    assert case.reference == "1/26"
    response = client.post(
        reverse("governance:attachment_add", args=[case.pk]),
        {"title": "Budsjett", "file": SimpleUploadedFile("budsjett.pdf", tiny_pdf(2), "application/pdf")},
    )
    assert response.status_code == 302
    assert case.attachments.get().pages == 2
    client.post(reverse("governance:meeting_notice", args=[meeting.pk]))
    seats = {f"seat_{seat.pk}": "present" for seat in body.memberships.all()}
    client.post(reverse("governance:meeting_attendance", args=[meeting.pk]), seats)
    client.post(
        reverse("governance:decision_record", args=[case.pk]),
        {"outcome": "adopted", "text": "Budsjettet vedtas.", "unanimous": "on"},
    )
    client.post(reverse("governance:minutes_approve", args=[meeting.pk]), {"approved_in": "Sak 2/26"})
    client.post(reverse("governance:minutes_publish", args=[meeting.pk]))
    meeting.refresh_from_db()
    assert meeting.status == "minutes_approved"
    assert meeting.minutes_approved_in == "Sak 2/26"
    assert meeting.minutes_published_at is not None
    assert case.decision.outcome == Outcome.ADOPTED


def test_a_file_that_is_not_a_pdf_is_refused_at_the_field(client, personas):
    world = held_meeting(personas, publish=False)
    world.public_case.decision.delete()
    client.force_login(personas.secretariat)
    response = client.post(
        reverse("governance:attachment_add", args=[world.public_case.pk]),
        {"title": "Notat", "file": SimpleUploadedFile("notat.pdf", b"Just text pretending", "application/pdf")},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "The file is not a PDF" in html
    assert 'aria-describedby="id_file_' in html or "id_file" in html
    assert world.public_case.attachments.count() == 1


def test_the_secretariat_removes_an_attachment_with_a_button_before_the_notice(client, personas):
    body = steering_group(personas)
    meeting = services.meeting_create(body=body, starts_at=aware(2026, 12, 10))
    case = services.case_create(body=body, meeting=meeting, title="Budsjett 2027", proposed_decision="Vedtas.")
    attachment = services.attachment_add(case=case, title="Feil vedlegg", upload=tiny_pdf())
    client.force_login(personas.secretariat)
    url = reverse("governance:attachment_remove", args=[attachment.pk])
    page = client.get(case.get_absolute_url()).content.decode()
    assert f'action="{url}"' in page
    assert "Remove Feil vedlegg" in page
    assert client.get(url).status_code == 405
    response = client.post(url, follow=True)
    assert response.redirect_chain[-1][0] == case.get_absolute_url()
    assert "The attachment Feil vedlegg is removed." in response.content.decode()
    assert not case.attachments.exists()


def test_no_remove_button_once_the_notice_is_sent(client, personas):
    body = steering_group(personas)
    meeting = services.meeting_create(body=body, starts_at=aware(2026, 12, 10))
    case = services.case_create(body=body, meeting=meeting, title="Budsjett 2027", proposed_decision="Vedtas.")
    attachment = services.attachment_add(case=case, title="Vedlegg", upload=tiny_pdf())
    services.meeting_send_notice(meeting=meeting)
    client.force_login(personas.secretariat)
    url = reverse("governance:attachment_remove", args=[attachment.pk])
    assert url not in client.get(case.get_absolute_url()).content.decode()
    response = client.post(url, follow=True)
    assert "it can no longer be removed" in response.content.decode()
    assert case.attachments.get() == attachment


def test_the_exempt_case_is_hidden_from_the_public_agenda_and_shown_to_members(client, personas):
    world = held_meeting(personas)
    url = world.meeting.get_absolute_url()
    public = client.get(url).content.decode()
    assert "Bidragsmodell 2027" in public
    assert "Forhandlinger om driftsavtale" not in public
    client.force_login(personas.director)
    assert "Forhandlinger om driftsavtale" in client.get(url).content.decode()


def test_a_member_downloads_the_board_pack_and_the_public_gets_the_public_minutes(client, personas):
    world = held_meeting(personas)
    stored_documents(world.meeting)
    minutes = client.get(reverse("governance:minutes_pdf", args=[world.meeting.pk]))
    assert b"public" in b"".join(minutes.streaming_content)
    client.force_login(personas.director)
    pack = client.get(reverse("governance:board_pack_pdf", args=[world.meeting.pk]))
    assert pack["Content-Type"] == "application/pdf"
    assert b"".join(pack.streaming_content).startswith(b"%PDF-")
    minutes = client.get(reverse("governance:minutes_pdf", args=[world.meeting.pk]))
    assert b"full" in b"".join(minutes.streaming_content)


def test_the_case_lists_what_it_adopted_and_the_model_and_agreement_link_back(client, personas):
    world = held_meeting(personas)
    model = contribution_model(year=2027, exempt=[personas.host])
    model.adopted_in_case, model.adopted_by = world.public_case, "Styringsgruppen, sak 1/26"
    model.adopted_on = date(2026, 11, 17)
    model.save()
    template = AgreementTemplate.objects.create(
        title="Samarbeidsavtale", period_start=date(2025, 1, 1), body="§ 1", adopted_in_case=world.public_case
    )
    client.force_login(personas.secretariat)
    case_page = client.get(world.public_case.get_absolute_url()).content.decode()
    assert model.get_absolute_url() in case_page
    assert str(template) in case_page
    assert world.public_case.get_absolute_url() in client.get(model.get_absolute_url()).content.decode()
    assert world.public_case.get_absolute_url() in client.get(reverse("funding:model_list")).content.decode()
    agreements = client.get(reverse("members:agreement_list")).content.decode()
    assert world.public_case.get_absolute_url() in agreements


def test_adopting_a_model_in_a_case_records_the_case(client, personas):
    from funding.models import ContributionModel

    world = held_meeting(personas)
    proposal = contribution_model(year=2027, exempt=[personas.host], status="proposal")
    client.force_login(personas.secretariat)
    response = client.post(
        reverse("funding:model_adopt", args=[proposal.pk]),
        {"adopted_on": "2026-11-17", "adopted_in_case": world.public_case.pk, "adopted_by": ""},
    )
    assert response.status_code == 302
    proposal = ContributionModel.objects.get(pk=proposal.pk)
    assert proposal.adopted_in_case == world.public_case
    assert proposal.adopted_by == "Styringsgruppen, sak 1/26"


def test_a_portfolio_decision_names_its_case_and_the_case_lists_it(client, personas):
    world = held_meeting(personas)
    idea = initiative(owner=personas.host)
    client.force_login(personas.secretariat)
    response = client.post(
        reverse("portfolio:initiative_transition", args=[idea.pk]),
        {"to_state": "concept", "reason": "Styringsgruppen ba om et konsept.", "decided_in": world.public_case.pk},
    )
    assert response.status_code == 302
    assert idea.transitions.get().decided_in == world.public_case
    assert world.public_case.get_absolute_url() in client.get(idea.get_absolute_url()).content.decode()
    case_page = client.get(world.public_case.get_absolute_url()).content.decode()
    assert "Portfolio decisions" in case_page and idea.title in case_page


def test_a_decision_is_public_once_the_minutes_are_published(client, personas):
    world = held_meeting(personas, publish=False)
    url = world.public_case.get_absolute_url()
    assert ">Decision</h2>" not in client.get(url).content.decode()
    assert "Adopted" not in client.get(world.meeting.get_absolute_url()).content.decode()
    client.force_login(personas.director)  # a member of the body reads it from the meeting on
    assert ">Decision</h2>" in client.get(url).content.decode()
    services.minutes_approve(meeting=world.meeting, approved_in="Sak 1/27")
    services.minutes_publish(meeting=world.meeting)
    client.logout()
    assert ">Decision</h2>" in client.get(url).content.decode()


def test_minutes_rendered_before_approval_are_never_the_public_ones(client, personas):
    world = held_meeting(personas, publish=False)
    stored_documents(world.meeting)  # a draft, rendered while the meeting was only held
    services.minutes_approve(meeting=world.meeting, approved_in="Sak 1/27")
    services.minutes_publish(meeting=world.meeting)
    assert client.get(reverse("governance:minutes_pdf", args=[world.meeting.pk])).status_code == 404
    client.force_login(personas.director)
    assert client.get(reverse("governance:minutes_pdf", args=[world.meeting.pk])).status_code == 200


def test_an_initiative_names_an_exempt_deciding_case_only_to_those_who_may_read_it(client, personas):
    from portfolio.services import initiative_transition

    world = held_meeting(personas)
    idea = initiative(owner=personas.host)
    initiative_transition(initiative=idea, to_state="concept", reason="Vedtatt.", decided_in=world.exempt_case)
    case_url = world.exempt_case.get_absolute_url()
    assert case_url not in client.get(idea.get_absolute_url()).content.decode()
    client.force_login(personas.director)
    assert case_url in client.get(idea.get_absolute_url()).content.decode()


# -- Lists: the number of queries does not grow with the rows ----------------------------------------


def _more_rows(prefix: str, n: int) -> None:
    """n more bodies, each with a seat, a meeting with a public case, and a row in the decision matrix."""
    for i in range(n):
        body = Body.objects.create(name=f"{prefix} {i}", kind="expert_group", mandate="-", decision_rule="advisory")
        BodyMembership.objects.create(body=body, name=f"Leder {i}", role="leader", term_start=date(2025, 1, 1))
        meeting = services.meeting_create(body=body, starts_at=aware(2026, 1, 1 + i))
        services.case_create(body=body, meeting=meeting, title=f"{prefix} sak {i}", proposed_decision="-")
        services.meeting_send_notice(meeting=meeting)
        area = DecisionArea.objects.create(name=f"{prefix} område {i}")
        DecisionAuthority.objects.create(area=area, body=body, authority="decides")


@pytest.mark.parametrize(
    "url",
    [
        reverse("governance:body_list"),
        reverse("governance:decision_matrix"),
        reverse("governance:meeting_list"),
        reverse("governance:case_list"),
    ],
)
@pytest.mark.parametrize("role", ["anonymous", "secretariat"])
def test_list_pages_do_not_query_per_row(client, personas, url, role):
    held_meeting(personas)
    if role == "secretariat":
        client.force_login(personas.secretariat)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    _more_rows("Faggruppe", 2)
    few = count()
    _more_rows("Utvalg", 10)
    assert count() == few


def test_the_meeting_page_does_not_query_per_case(client, personas):
    world = held_meeting(personas)
    client.force_login(personas.secretariat)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            client.get(world.meeting.get_absolute_url())
        return len(queries)

    few = count()
    for i in range(6):
        case = Case.objects.create(
            body=world.body, meeting=world.meeting, year=2026, number=10 + i, title=f"Sak {i}", proposed_decision="-"
        )
        services.attachment_add(case=case, title="Vedlegg", upload=tiny_pdf())
    assert count() == few
