"""Password reset links and signing codes are rate-limited per email address and per client (IP), with a
message that says when to try again; a refused request sends nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from core.models import ThrottleHit
from core.throttle import PASSWORD_RESET, SIGNING_CODE
from members import agreements
from tests.members.test_agreements import seal, signing  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


def reset(client, email: str, ip: str = "10.1.1.1"):
    return client.post(reverse("password_reset"), {"email": email}, REMOTE_ADDR=ip)


def test_password_reset_is_limited_per_address(client, personas, time_machine):
    time_machine.move_to(timezone.localtime().replace(hour=9, minute=0, second=0) + timedelta(days=1), tick=False)
    for _request in range(PASSWORD_RESET.per_address):
        assert reset(client, personas.finance.email).status_code == 302
    assert len(mail.outbox) == 3
    refused = reset(client, personas.finance.email.upper(), ip="10.2.2.2")  # another client, the same address
    assert refused.status_code == 200
    assert "Too many requests for this email address in the last hour. Try again after 10:00." in (
        refused.content.decode()
    )
    assert len(mail.outbox) == 3
    assert reset(client, personas.director.email, ip="10.2.2.2").status_code == 302  # other addresses are not held
    time_machine.move_to(timezone.localtime() + timedelta(hours=1, seconds=1), tick=False)
    assert reset(client, personas.finance.email).status_code == 302
    assert len(mail.outbox) == 5


def test_password_reset_is_limited_per_client(client, personas):
    for number in range(PASSWORD_RESET.per_client):
        assert reset(client, f"nobody{number}@example.no").status_code == 302
    refused = reset(client, personas.finance.email)
    assert "Too many requests from your network in the last hour." in refused.content.decode()
    assert mail.outbox == []
    assert reset(client, personas.finance.email, ip="10.9.9.9").status_code == 302
    assert len(mail.outbox) == 1
    # Only digests are kept, never the address or the IP.
    assert not ThrottleHit.objects.filter(key__contains="@").exists()


def test_signing_code_requests_are_limited_per_address_wrong_passwords_included(signing):  # noqa: F811
    director = agreements.Actor(user=signing.director, ip_address="10.3.3.3")
    sent = len(mail.outbox)
    for _guess in range(SIGNING_CODE.per_address):
        with pytest.raises(ValidationError, match="The password is not correct"):
            agreements.signing_code_send(agreement=signing.agreement, actor=director, password="guess", party="member")
    elsewhere = agreements.Actor(user=signing.director, ip_address="10.4.4.4")
    with pytest.raises(ValidationError, match="Too many requests for this email address in the last hour"):
        agreements.signing_code_send(
            agreement=signing.agreement, actor=elsewhere, password="correct-horse-battery", party="member"
        )
    assert len(mail.outbox) == sent


def test_the_refusal_shows_on_the_signing_page(client, signing):  # noqa: F811
    client.force_login(signing.director)
    url = reverse("members:agreement_sign_start", kwargs={"pk": signing.agreement.pk})
    data = {
        "password": "guess",
        "decision_body": "Formannskapet",
        "decision_case": "109/2020",
        "decision_date": "17.11.2020",
    }
    for _guess in range(SIGNING_CODE.per_address):
        client.post(url, data)
    page = client.post(url, {**data, "password": "correct-horse-battery"})
    assert "Too many requests for this email address in the last hour" in page.content.decode()
