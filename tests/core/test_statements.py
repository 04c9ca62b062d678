"""The accessibility statement and the privacy statement: public, linked from every page, naming who is responsible."""

import pytest
from django.urls import reverse

from core.templatetags.portal import orgnr
from tests.factories import network_profile

pytestmark = pytest.mark.django_db


def test_every_page_links_to_both_statements(client):
    page = client.get(reverse("members:organisation_list")).content.decode()
    assert f'href="{reverse("accessibility_statement")}"' in page
    assert f'href="{reverse("privacy")}"' in page


def test_the_accessibility_statement_names_the_standard_deviations_and_where_to_complain(norwegian, personas):
    network_profile(personas.host)
    page = norwegian.get(reverse("accessibility_statement")).content.decode()
    assert "Tilgjengelighetserklæring" in page and "WCAG 2.1" in page
    assert "Kjente avvik" in page and "PDF/UA" in page
    assert "post@digivestland.example.no" in page  # how to report a problem
    assert "https://www.uutilsynet.no/" in page and "Digitaliseringsdirektoratet" in page


def test_the_privacy_statement_names_the_host_municipality_as_controller(norwegian, personas):
    network_profile(personas.host)
    page = norwegian.get(reverse("privacy")).content.decode()
    assert "Personvernerklæring" in page
    assert f"Behandlingsansvarlig er {personas.host.legal_name}" in page
    assert orgnr(personas.host.org_number) in page  # as the portal writes organisation numbers
    for processed in ("IP-adresse", "nettleser", "Engangskoder", "bokføringsloven", "Datatilsynet"):
        assert processed in page


def test_without_a_network_profile_the_host_organisation_is_named(client, personas):
    page = client.get(reverse("privacy")).content.decode()
    assert f"The data controller is {personas.host.legal_name}" in page
