"""Error pages in the portal's layout and the reader's language, and 404 for agreements one may not see."""

import pytest
from django.http import HttpResponse
from django.test import Client, override_settings
from django.urls import path, reverse

pytestmark = pytest.mark.django_db


def _boom(request):
    raise RuntimeError("a failure in a view")


def _fine(request):
    return HttpResponse("ok")


urlpatterns = [path("boom/", _boom), path("fine/", _fine)]
handler500 = "core.views.server_error"


def test_404_is_in_the_layout_and_in_bokmaal(norwegian):
    response = norwegian.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert 'id="main-nav"' in html  # the portal's menu
    assert "Fant ikke siden" in html
    assert 'lang="nb"' in html


def test_404_in_english_when_chosen(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_403_is_in_the_layout(norwegian, personas):
    norwegian.force_login(personas.contact)
    response = norwegian.get(reverse("members:organisation_create"))
    assert response.status_code == 403
    html = response.content.decode()
    assert 'id="main-nav"' in html and "Ingen tilgang" in html


def test_400_before_authentication_still_renders(norwegian):
    # A host outside ALLOWED_HOSTS fails before the authentication middleware has run.
    response = norwegian.get("/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    html = response.content.decode()
    assert "Ugyldig forespørsel" in html and 'id="main-nav"' in html


@override_settings(ROOT_URLCONF=__name__)
def test_500_renders_without_the_request_context(settings):
    client = Client(raise_request_exception=False)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nb"
    response = client.get("/boom/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "Noe gikk galt" in html
    assert settings.NETWORK_NAME in html
    assert "bootstrap.min.css" in html


def test_500_template_renders_with_an_empty_context():
    # Django's own handler renders it with no context at all; nothing in it may need the request.
    from django.template import loader

    html = loader.get_template("500.html").render({})
    assert "Something went wrong" in html
