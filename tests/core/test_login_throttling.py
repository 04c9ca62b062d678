"""Login throttling (django-axes): a username is locked from one address after repeated failed logins."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db
RIGHT, WRONG = "correct-horse-battery", "not-the-password"


def attempt(client, password: str, *, username: str = "oyvind", address: str = "10.0.0.1"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address)


def lock(client, settings, **kwargs):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert attempt(client, WRONG, **kwargs).status_code == 200  # the form, with its error
    assert attempt(client, WRONG, **kwargs).status_code == 429  # the last failure allowed locks at once


def test_the_limit_locks_even_the_right_password_with_a_clear_message(client, personas, settings):
    lock(client, settings)
    response = attempt(client, RIGHT)
    assert response.status_code == 429
    text = response.content.decode()
    assert "Too many failed logins" in text
    assert "failed 5 times in a row" in text and "Try again in 15 minutes" in text
    assert not client.get(reverse("dashboard")).context["user"].is_authenticated


def test_the_lock_is_per_username_and_address(client, personas, settings):
    lock(client, settings)
    assert attempt(client, RIGHT, address="10.0.0.2").status_code == 302  # the same user elsewhere
    client.post(reverse("logout"))
    assert attempt(client, RIGHT, username="kari").status_code == 302  # another user from the same address


def test_fewer_failures_than_the_limit_do_not_lock_and_a_success_starts_the_count_again(client, personas, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        attempt(client, WRONG)
    assert attempt(client, RIGHT).status_code == 302
    client.post(reverse("logout"))
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        attempt(client, WRONG)
    assert attempt(client, RIGHT).status_code == 302


def test_the_lock_ends_after_the_cool_off(client, personas, settings):
    lock(client, settings)
    assert attempt(client, RIGHT).status_code == 429
    later = timezone.now() + settings.AXES_COOLOFF_TIME + datetime.timedelta(seconds=5)
    with time_machine.travel(later):
        assert attempt(client, RIGHT).status_code == 302


def test_the_message_is_in_norwegian(norwegian, personas, settings):
    lock(norwegian, settings)
    text = attempt(norwegian, RIGHT).content.decode()
    assert "For mange mislykkede innlogginger" in text
    assert "15 minutter" in text


def test_behind_the_proxy_one_clients_failures_do_not_lock_the_username_for_everyone(client, personas, settings):
    """Every request comes from the proxy; the lock must follow the client's address it forwards."""
    from django.test import Client

    settings.TRUSTED_PROXIES = ["10.20.0.5"]
    attacker = Client(REMOTE_ADDR="10.20.0.5", HTTP_X_FORWARDED_FOR="203.0.113.66")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert attacker.post(reverse("login"), {"username": "oyvind", "password": WRONG}).status_code == 200
    assert attacker.post(reverse("login"), {"username": "oyvind", "password": WRONG}).status_code == 429
    colleague = Client(REMOTE_ADDR="10.20.0.5", HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert colleague.post(reverse("login"), {"username": "oyvind", "password": RIGHT}).status_code == 302
    assert attacker.post(reverse("login"), {"username": "oyvind", "password": RIGHT}).status_code == 429
