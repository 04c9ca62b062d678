"""Bokmål by default, Nynorsk and English chosen per person and remembered; English pages are English, while
documents keep their own language."""

import re

import pytest
from django.conf import settings
from django.urls import reverse

from tests.governance.world import held_meeting

pytestmark = pytest.mark.django_db


def choose(client, language: str):
    response = client.post(reverse("set_language"), {"language": language, "next": "/"})
    assert response.status_code == 302
    return response


def test_nynorsk_is_offered_and_remembered_for_a_year(client):
    assert "nn" in dict(settings.LANGUAGES)
    response = choose(client, "nn")
    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "nn"
    assert int(cookie["max-age"]) >= 364 * 24 * 60 * 60
    html = client.get("/").content.decode()
    assert '<html lang="nn">' in html
    assert "Hovudmeny" in html and "Gå til hovudinnhaldet" in html
    assert "Norsk nynorsk" in html  # the switcher offers it by its own name


def test_the_switcher_offers_all_three_languages(client):
    html = client.get("/").content.decode()
    for code, name in (("nb", "Norsk bokmål"), ("nn", "Norsk nynorsk"), ("en", "English")):
        assert f'value="{code}"' in html and name in html


def test_english_pages_write_dates_in_english(client, personas):
    world = held_meeting(personas)
    choose(client, "en")
    html = client.get(reverse("governance:meeting_list")).content.decode()
    assert "17 November 2026" in html
    assert "17. November 2026" not in html
    client.force_login(personas.secretariat)
    html = client.get(world.meeting.get_absolute_url()).content.decode()
    assert "17. November" not in html


def test_bokmaal_pages_keep_norwegian_dates(client, personas):
    held_meeting(personas)
    choose(client, "nb")
    html = client.get(reverse("governance:meeting_list")).content.decode()
    assert "17. november 2026" in html


def test_a_person_who_chose_nynorsk_reads_nynorsk_after_logging_in_from_a_fresh_browser(client, personas):
    from django.test import Client

    client.force_login(personas.director)
    choose(client, "nn")
    personas.director.refresh_from_db()
    assert personas.director.language == "nn"  # kept on the account, not only in this browser

    fresh = Client()  # another device: no language cookie
    fresh.force_login(personas.director)
    response = fresh.get("/")
    html = response.content.decode()
    assert '<html lang="nn">' in html and "Hovudmeny" in html
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "nn"  # the browser now remembers it too


def test_an_anonymous_choice_stays_in_the_cookie_and_changes_no_account(client, personas):
    choose(client, "en")
    assert '<html lang="en">' in client.get("/").content.decode()
    from members.models import User

    assert not User.objects.exclude(language="").exists()


def test_the_statements_exist_in_both_written_standards(client, personas):
    from tests.factories import network_profile

    network_profile(personas.host)
    for language, accessibility, privacy in (
        ("nb", "Tilgjengelighetserklæring", "Personvernerklæring"),
        ("nn", "Tilgjengeerklæring", "Personvernerklæring"),
        ("en", "Accessibility statement", "Privacy statement"),
    ):
        choose(client, language)
        page = client.get(reverse("accessibility_statement")).content.decode()
        assert f'<html lang="{language}">' in page and accessibility in page
        page = client.get(reverse("privacy")).content.decode()
        assert privacy in page
        if language == "nn":
            assert re.search(r"\bikkje\b", page) and not re.search(r"\bikke\b", page)
