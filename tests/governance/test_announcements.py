"""Messages from the secretariat: chosen by role, body or organisation, counted before sending, mailed once in the
background to those who want them, and kept on the news page for signed-in people."""

import pytest
from django.core import mail
from django.urls import reverse

from core.mail_preferences import MailTopic, mail_preferences_set
from governance import services
from governance.models import Announcement
from tests.governance.world import steering_group

pytestmark = pytest.mark.django_db


def test_people_are_chosen_by_role_body_or_organisation(personas):
    body = steering_group(personas)  # the director sits in it
    by_role = services.announcement_people(roles=["finance_officer"])
    assert set(by_role) == {personas.finance, personas.outsider}
    assert set(services.announcement_people(bodies=[body])) == {personas.director}
    assert set(services.announcement_people(organisations=[personas.foreign], bodies=[body])) == {
        personas.outsider,
        personas.director,
    }


def test_the_secretariat_counts_then_sends_and_the_message_goes_once(
    client, personas, django_capture_on_commit_callbacks
):
    mail_preferences_set(user=personas.contact, declined=[MailTopic.MESSAGE])
    client.force_login(personas.secretariat)
    data = {"title": "Ny bidragsmodell", "text": "Høringen åpner 1. mars.", "organisations": [personas.own.pk]}
    preview = client.post(reverse("governance:announcement_create"), {**data, "preview": "1"})
    assert "mailed to 2 people" in preview.content.decode()
    assert "1 of those chosen has turned off" in preview.content.decode()
    assert not Announcement.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("governance:announcement_create"), {**data, "send": "1"})
    assert response.status_code == 302
    announcement = Announcement.objects.get()
    assert sorted(message.to[0] for message in mail.outbox) == sorted([personas.director.email, personas.finance.email])
    assert all(len(message.to) == 1 for message in mail.outbox)
    assert announcement.recipients == 2 and announcement.sent_at is not None
    # The task may run again (a retry, a worker restart): nothing is sent twice.
    assert services.announcement_send(announcement_id=announcement.pk) == 0
    assert len(mail.outbox) == 2


def test_a_message_to_nobody_is_refused_and_nothing_is_kept(client, personas):
    client.force_login(personas.secretariat)
    page = client.post(reverse("governance:announcement_create"), {"title": "x", "text": "y", "send": "1"})
    assert page.status_code == 200
    assert "Choose who gets the message" in page.content.decode()
    assert not Announcement.objects.exists()


def test_the_news_page_shows_messages_to_signed_in_people_only(client, personas):
    services.announcement_create(title="Velkommen til portalen", text="Her kommer nyheter.", roles=["director"])
    assert client.get(reverse("governance:news")).status_code == 302  # to sign in
    client.force_login(personas.outsider)
    page = client.get(reverse("governance:news")).content.decode()
    assert "Velkommen til portalen" in page
    assert "Write a message" not in page
    assert client.get(reverse("governance:announcement_create")).status_code == 403
