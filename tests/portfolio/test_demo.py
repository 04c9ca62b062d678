import pytest
from django.urls import reverse

from demo.members import load_demo as load_members
from demo.portfolio import create_many_initiatives, load_demo
from portfolio.models import Adoption, Initiative, NationalSolution, Offering, StatusReport, Transition
from portfolio.selectors import funding_summary

pytestmark = pytest.mark.django_db


def _counts():
    return [m.objects.count() for m in (Initiative, Transition, StatusReport, NationalSolution, Adoption, Offering)]


def test_the_demo_portfolio_covers_the_life_cycle_and_loading_it_again_changes_nothing(
    settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    load_members()
    with django_capture_on_commit_callbacks(execute=True):
        load_demo()
    first = _counts()
    assert set(Initiative.objects.values_list("state", flat=True)) == {
        "idea",
        "concept",
        "approved",
        "planning",
        "execution",
        "rollout",
        "completed",
        "parked",
        "rejected",
    }
    # Every member has a status for each of the four national solutions.
    assert first[3:5] == [4, 4 * 40]
    # The county governor's 2.6 MNOK of 2024 over four projects; one concept falls short of the own-effort rule.
    grants = [funding_summary(i).check for i in Initiative.objects.all()]
    assert sum(c.grants for c in grants if c.grant_funded) == 2600000 + 1200000 + 500000
    short = Initiative.objects.get(title="Felles hendelseshåndtering")
    assert not funding_summary(short).check.rule_met
    assert StatusReport.objects.exclude(pdf_sha256="").count() == first[2] > 0  # the worker ran in-process
    load_demo()
    assert _counts() == first


def test_many_initiatives_can_be_made_for_a_load_test_and_the_overview_pages_them(client, personas):
    assert create_many_initiatives(120) == 120
    assert Initiative.objects.count() == 120
    response = client.get(reverse("portfolio:initiative_list"), {"state": "idea"})
    assert response.context["count"] == Initiative.objects.filter(state="idea").count() > 0


def test_the_open_pages_are_in_bokmaal(norwegian, personas):
    create_many_initiatives(3)
    page = norwegian.get(reverse("portfolio:initiative_list")).content.decode()
    assert "Nettverkets portefølje" in page and "Strategisk satsingsområde" in page
    assert "Tjenestekatalog" in norwegian.get(reverse("portfolio:offering_list")).content.decode()


def test_the_demo_grant_writes_the_award_into_four_funding_plans_once_and_is_reported(
    settings, tmp_path, django_capture_on_commit_callbacks
):
    from portfolio.models import FundingPlanLine, Grant

    settings.MEDIA_ROOT = tmp_path
    load_members()
    load_demo()
    load_demo()
    grant = Grant.objects.get()
    assert grant.status == "reported" and grant.report_pdf_sha256
    assert sum(item.awarded for item in grant.items.all()) == 2600000
    lines = FundingPlanLine.objects.filter(source="county_governor")
    assert lines.count() == 4 and all(line.grant_item.grant == grant for line in lines)
