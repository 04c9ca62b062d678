"""The member list and the portfolio overview write their rows in a template of their own (templates/tables/),
for speed. Each must draw exactly what django-tables2 draws from the table's columns, for every kind of value:
filled in, empty, a choice, a date, a number, a yes/no, a link, a colour with its words."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.test import RequestFactory
from django.utils import translation
from django_tables2 import RequestConfig

from members.choices import MembershipStatus
from members.selectors import organisation_list
from members.tables import OrganisationTable, SecretariatOrganisationTable
from portfolio.models import FundingPlanLine, Initiative, StatusReport
from portfolio.selectors import initiative_list
from portfolio.tables import InitiativeTable, InternalInitiativeTable
from tests.factories import OrganisationFactory, PopulationFigureFactory, initiative

pytestmark = pytest.mark.django_db

STOCK = "django_tables2/bootstrap5-responsive.html"


def _normalised(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r">\s+<", "><", html)).strip()


def _both(table_class, queryset, user):
    """The table drawn by its own template and by django-tables2's, for the same request and rows."""
    request = RequestFactory().get("/")
    request.user = user
    drawn = []
    for template in (None, STOCK):
        table = table_class(queryset, template_name=template) if template else table_class(queryset)
        RequestConfig(request, paginate={"per_page": 25}).configure(table)
        drawn.append(_normalised(table.as_html(request)))
    return drawn


@pytest.mark.parametrize("language", ["nb", "nn", "en"])
@pytest.mark.parametrize("table_class", [OrganisationTable, SecretariatOrganisationTable])
def test_the_member_rows_are_what_the_columns_draw(personas, table_class, language):
    full = OrganisationFactory(
        name="Fjord & Fjell <kommune>",
        county="Vestland",
        buyer_reference="REF-9",
        member_from=date(2019, 3, 1),
    )
    PopulationFigureFactory(organisation=full, count=1234567, reference_date=date(2025, 1, 1))
    OrganisationFactory(
        name="Uten tall", county="", buyer_reference="", member_from=None, membership_status=MembershipStatus.INVITED
    )
    with translation.override(language):
        ours, stock = _both(table_class, organisation_list(user=personas.secretariat), personas.secretariat)
    assert "Fjord &amp; Fjell &lt;kommune&gt;" in ours and "01.03.2019" in ours
    assert ours.count("<tr") > 3
    assert ours == stock


@pytest.mark.parametrize("language", ["nb", "en"])
@pytest.mark.parametrize("table_class", [InitiativeTable, InternalInitiativeTable])
def test_the_portfolio_rows_are_what_the_columns_draw(personas, table_class, language):
    owner = personas.secretariat.organisation
    reported = initiative(
        owner=owner,
        title="Digital <byggesak>",
        project_leader="Kari Nordmann",
        start=date(2026, 1, 15),
        end=date(2027, 6, 30),
    )
    Initiative.objects.filter(pk=reported.pk).update(escalated_to_ks=True)
    StatusReport.objects.create(
        initiative=reported,
        period_start=date(2026, 1, 1),
        period_end=date(2026, 3, 31),
        rag="green",
        summary="Godt i gang",
    )
    StatusReport.objects.create(
        initiative=reported,
        period_start=date(2026, 4, 1),
        period_end=date(2026, 6, 30),
        rag="yellow",
        summary="Forsinket",
    )
    FundingPlanLine.objects.create(initiative=reported, source="ks", year=2026, budget=Decimal("250000.50"))
    FundingPlanLine.objects.create(initiative=reported, source="own_effort", year=2027, budget=Decimal("1000"))
    initiative(owner=None, title="Uten eier")
    with translation.override(language):
        ours, stock = _both(table_class, initiative_list(user=personas.secretariat), personas.secretariat)
    assert "Digital &lt;byggesak&gt;" in ours and 'class="rag rag-yellow"' in ours
    assert ("251" in ours) == (table_class is InternalInitiativeTable)
    assert ours == stock
