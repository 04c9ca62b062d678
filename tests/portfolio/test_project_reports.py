"""The initiative's own people report: project leaders and contacts of the owner and participating organisations file
status reports and realised benefit values (per organisation: their own organisation's only); gate decisions stay
with the secretariat."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from core import policy
from portfolio import services
from portfolio.models import BenefitValue, StatusReport
from tests.factories import UserFactory
from tests.factories import initiative as make_initiative

pytestmark = pytest.mark.django_db

BENEFIT = {
    "description": "Færre manuelle søknader",
    "owner": "Tjenesteeier",
    "indicator": "Andel digitale",
    "unit": "%",
    "baseline": Decimal(10),
    "target": Decimal(80),
}


@pytest.fixture
def project(personas):
    """An initiative owned by the own organisation, with the foreign one taking part, and a project leader each."""
    initiative = make_initiative(owner=personas.own, participants=[(personas.foreign, "participant")])
    personas.leader = UserFactory(username="per", organisation=personas.own, is_project_leader=True)
    personas.foreign_leader = UserFactory(username="pia", organisation=personas.foreign, is_project_leader=True)
    return initiative


def test_project_leaders_and_contacts_of_the_initiatives_organisations_report(personas, project):
    for user in (personas.leader, personas.foreign_leader, personas.contact, personas.secretariat):
        assert policy.can_report_on(user, project), user
    for user in (personas.director, personas.finance, personas.outsider):
        assert not policy.can_report_on(user, project), user
    elsewhere = make_initiative(owner=personas.host)
    assert not policy.can_report_on(personas.leader, elsewhere)
    # The gate decisions stay with the secretariat.
    assert not policy.can(personas.leader, "initiative.manage")


def test_a_project_leader_files_a_status_report_through_the_page(personas, project, client):
    client.force_login(personas.leader)
    url = reverse("portfolio:status_report_create", kwargs={"pk": project.pk})
    response = client.post(
        url,
        {"period_start": "2026-07-01", "period_end": "2026-09-30", "rag": "yellow", "summary": "Forsinket levering."},
    )
    assert response.status_code == 302
    report = StatusReport.objects.get()
    assert report.reported_by == personas.leader and report.rag == "yellow"
    client.force_login(personas.director)
    assert client.post(url, {}).status_code == 403


def test_a_benefit_kept_per_organisation_is_reported_by_that_organisation_only(personas, project, client):
    theirs = services.benefit_add(initiative=project, values={**BENEFIT, "organisation": personas.foreign})
    common = services.benefit_add(initiative=project, values={**BENEFIT, "description": "Felles gevinst"})
    with pytest.raises(ValidationError):
        services.benefit_value_record(benefit=theirs, measured_on="2026-06-30", value=Decimal(40), by=personas.leader)
    services.benefit_value_record(benefit=common, measured_on="2026-06-30", value=Decimal(40), by=personas.leader)
    services.benefit_value_record(
        benefit=theirs, measured_on="2026-06-30", value=Decimal(55), by=personas.foreign_leader
    )
    assert set(BenefitValue.objects.values_list("benefit__description", "value")) == {
        ("Felles gevinst", Decimal(40)),
        ("Færre manuelle søknader", Decimal(55)),
    }
    client.force_login(personas.leader)
    page = client.get(reverse("portfolio:benefit_value_create", kwargs={"pk": project.pk})).content.decode()
    assert "Felles gevinst" in page and f'value="{theirs.pk}"' not in page
