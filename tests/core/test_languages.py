"""Bokmål by default, Nynorsk and English chosen per person and remembered; English pages are English, while
documents keep their own language."""

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
