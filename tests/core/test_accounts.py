"""Log in, log out and reset a forgotten password by email."""

import re

import pytest
from django.core import mail
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_login_and_logout(client, personas):
    response = client.post(reverse("login"), {"username": "oyvind", "password": "correct-horse-battery"})
    assert response.status_code == 302 and response.url == reverse("dashboard")
    assert client.get(reverse("dashboard")).context["user"] == personas.finance
    client.post(reverse("logout"))
    assert not client.get(reverse("dashboard")).context["user"].is_authenticated


def test_a_wrong_password_is_refused_with_a_message(client, personas):
    response = client.post(reverse("login"), {"username": "oyvind", "password": "wrong"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()


def test_password_reset_by_email_works_once(client, personas):
    client.post(reverse("password_reset"), {"email": personas.finance.email})
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/accounts/password/reset/[^\s\"]+/)", mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    assert form_page.context["validlink"]
    new = {"new_password1": "a-new-long-passphrase-2026", "new_password2": "a-new-long-passphrase-2026"}
    client.post(form_page.redirect_chain[-1][0], new)
    personas.finance.refresh_from_db()
    assert personas.finance.check_password("a-new-long-passphrase-2026")
    assert not client.get(link, follow=True).context["validlink"]  # the link works once


def test_no_email_reveals_whether_an_account_exists(client, personas):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.no"})
    assert response.status_code == 302 and mail.outbox == []
