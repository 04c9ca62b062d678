"""Each person chooses the mails they get; the mails the law or the account needs are always sent."""

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse

from core.mail_preferences import MailTopic, mail_preferences_set, wanted
from core.models import MailOptOut
from governance import services
from governance.models import BodyMembership
from tests.governance.world import aware, steering_group

pytestmark = pytest.mark.django_db


def test_the_page_lets_a_person_turn_a_mail_off_and_lists_those_always_sent(client, personas):
    client.force_login(personas.finance)
    page = client.get(reverse("mail_preferences"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Signing codes when you sign an agreement" in text
    assert "Password reset links" in text
    # Everything optional is ticked until the person chooses otherwise.
    assert text.count("checked") == len(MailTopic.values)

    wanted_now = [topic for topic in MailTopic.values if topic != MailTopic.INVOICE]
    response = client.post(reverse("mail_preferences"), {"wanted": wanted_now})
    assert response.status_code == 302
    assert set(MailOptOut.objects.filter(user=personas.finance).values_list("topic", flat=True)) == {"invoice"}
    # The choice is the person's own: nobody else's changes.
    assert not MailOptOut.objects.exclude(user=personas.finance).exists()

    client.post(reverse("mail_preferences"), {"wanted": MailTopic.values})
    assert not MailOptOut.objects.filter(user=personas.finance).exists()


def test_an_unknown_mail_is_refused_with_the_field_named(client, personas):
    client.force_login(personas.contact)
    page = client.post(reverse("mail_preferences"), {"wanted": ["spam"]})
    assert page.status_code == 200
    assert "Select a valid choice" in page.content.decode()
    assert not MailOptOut.objects.exists()


def test_a_person_who_turned_board_documents_off_gets_no_notice_and_the_others_do(
    personas, django_capture_on_commit_callbacks
):
    body = steering_group(personas)
    BodyMembership.objects.create(
        body=body, person=personas.contact, name="Kari", organisation=personas.own, term_start=dt.date(2025, 1, 1)
    )
    mail_preferences_set(user=personas.director, declined=[MailTopic.BOARD_DOCUMENTS])
    meeting = services.meeting_create(body=body, starts_at=aware(2026, 11, 17), place="Bergen")
    services.case_create(body=body, meeting=meeting, title="Budsjett", proposed_decision="Vedtas.")
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_send_notice(meeting=meeting)
    assert [message.to for message in mail.outbox] == [[personas.contact.email]]


def test_addresses_of_no_person_and_differently_written_addresses_are_handled(personas):
    mail_preferences_set(user=personas.finance, declined=[MailTopic.INVOICE])
    kept = wanted(MailTopic.INVOICE, ["faktura@masfjorden.kommune.no", personas.finance.email.upper()])
    assert kept == ["faktura@masfjorden.kommune.no"]
    with pytest.raises(ValueError):
        wanted("nonsense", [])


def test_the_invoice_reaches_its_address_whatever_the_finance_officer_chose(personas):
    from core.emails import send_templated

    mail_preferences_set(user=personas.finance, declined=[MailTopic.INVOICE])
    context = {"meeting": None, "url": "/", "base_url": "http://portal"}
    sent = send_templated(
        "minutes-published",
        context,
        ["faktura@masfjorden.kommune.no", personas.finance.email],
        topic=MailTopic.INVOICE,
        always_to=["faktura@masfjorden.kommune.no"],
    )
    assert sent is not None and sent.to == ["faktura@masfjorden.kommune.no"]
    # Nobody left who wants it: nothing is sent.
    assert send_templated("minutes-published", context, [personas.finance.email], topic=MailTopic.INVOICE) is None
