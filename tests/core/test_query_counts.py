"""Every list page runs as many SQL queries with 20 rows as with 2: no query per row (N+1).

Each case adds rows in two steps (2, then 18 more), renders the page after each and compares the number of
queries; it also checks that the last row added is on the page, so the rows really are rendered.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from itertools import count

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.conftest import Personas, client_for
from tests.factories import OrganisationFactory, PopulationFigureFactory, UserFactory, contribution_model

_serial = count(1)


def _members(personas: Personas, n: int, *, population: bool = True) -> list:
    organisations = []
    for _ in range(n):
        organisation = OrganisationFactory(name=f"Radkommune {next(_serial):03d}")
        if population:
            PopulationFigureFactory(organisation=organisation, count=1000)
        organisations.append(organisation)
    return organisations


def _grow_members(personas: Personas, n: int) -> str:
    return _members(personas, n)[-1].name


def _grow_people(personas: Personas, n: int) -> str:
    people = [UserFactory(organisation=personas.own, last_name=f"Radperson {next(_serial):03d}") for _ in range(n)]
    for _ in range(n):
        PopulationFigureFactory(organisation=personas.own, reference_date=date(2000, 1, 1) + timedelta(next(_serial)))
    return people[-1].last_name


def _grow_missing_population(personas: Personas, n: int) -> str:
    return _members(personas, n, population=False)[-1].name


def _grow_contributions(personas: Personas, n: int) -> str:
    from funding.models import ContributionModel
    from funding.services import contributions_recompute

    if not ContributionModel.objects.filter(year=2026).exists():
        contribution_model(year=2026, exempt=[personas.host])
    name = _members(personas, n)[-1].name
    contributions_recompute(year=2026)
    return name


def _grow_invoices(personas: Personas, n: int) -> str:
    from core.models import NetworkProfile
    from funding.models import Contribution
    from funding.services import invoice_issue
    from tests.factories import network_profile

    if not NetworkProfile.objects.exists():
        network_profile(personas.host)
    name = _grow_contributions(personas, n)
    for contribution in Contribution.objects.filter(year=2026, amount__gt=0, invoices__isnull=True):
        invoice_issue(contribution=contribution, issue_date=date(2026, 1, 15), due_date=date(2026, 2, 14))
    return name


def _grow_invoice_years(personas: Personas, n: int) -> str:
    """Invoices of n more years (the list's totals have a row per year)."""
    from core.models import NetworkProfile
    from funding.models import Contribution
    from funding.services import contributions_recompute, invoice_issue
    from tests.factories import network_profile

    if not NetworkProfile.objects.exists():
        network_profile(personas.host)
    years = [2030 + next(_serial) % 60 for _ in range(n)]  # the personas are members from 2021
    for year in years:
        contribution_model(year=year, exempt=[personas.host], population_date=date(2024, 1, 1))
        contributions_recompute(year=year)
        for contribution in Contribution.objects.filter(year=year, amount__gt=0):
            invoice_issue(contribution=contribution, issue_date=date(year, 1, 15), due_date=date(year, 2, 14))
    return f'<th scope="row">{years[-1]}</th>'


def _one_invoice(personas: Personas):
    """The own organisation's 2026 invoice, issued on first use."""
    from funding.models import Contribution, Invoice
    from funding.services import contributions_recompute, invoice_issue
    from tests.factories import network_profile

    invoice = Invoice.objects.filter(organisation=personas.own).first()
    if invoice is None:
        network_profile(personas.host)
        contribution_model(year=2026, exempt=[personas.host])
        contributions_recompute(year=2026)
        contribution = Contribution.objects.get(organisation=personas.own, year=2026)
        invoice, _created = invoice_issue(
            contribution=contribution, issue_date=date(2026, 1, 15), due_date=date(2026, 2, 14)
        )
    return invoice


def _grow_payments(personas: Personas, n: int) -> str:
    """Part payments of the own organisation's invoice."""
    from funding.services import payment_register

    references = [f"Radbetaling {next(_serial):03d}" for _ in range(n)]
    for reference in references:
        payment_register(
            invoice=_one_invoice(personas), amount=Decimal(10), paid_on=date(2026, 2, 1), reference=reference
        )
    return references[-1]


def _grow_agreements(personas: Personas, n: int) -> str:
    from members.models import Agreement, AgreementTemplate

    template = AgreementTemplate.objects.first() or AgreementTemplate.objects.create(
        title="Avtale", period_start=date(2025, 1, 1), body="§ 1"
    )
    organisations = _members(personas, n)
    for organisation in organisations:
        Agreement.objects.create(
            template=template,
            organisation=organisation,
            document="agreements/stand-in.pdf",
            document_sha256="0" * 64,
            expires_on=date(2030, 1, 1),
        )
    return organisations[-1].name


def _grow_models(personas: Personas, n: int) -> str:
    names = [f"Radmodell {next(_serial):03d}" for _ in range(n)]
    for name in names:
        year = 2000 + next(_serial) % 90
        contribution_model(year=year, status="proposal", name=name, base_year=year)
    return names[-1]


def _grow_budgets(personas: Personas, n: int) -> str:
    from funding.services import budget_save

    years = [1990 + next(_serial) % 100 for _ in range(n)]
    for year in years:
        budget_save(year=year, staff_costs=Decimal(1000))
    return str(years[-1])


def _grow_suggestions(personas: Personas, n: int) -> str:
    from portfolio.models import Suggestion, SuggestionSupport

    titles = []
    for _ in range(n):
        organisation = OrganisationFactory(name=f"Idekommune {next(_serial):03d}")
        suggestion = Suggestion.objects.create(
            organisation=organisation, title=f"Idé {next(_serial):03d}", problem="p", who_meets_it="w", gain="g"
        )
        SuggestionSupport.objects.create(suggestion=suggestion, organisation=personas.own)
        titles.append(suggestion.title)
    return titles[-1]


@dataclass(frozen=True)
class ListPage:
    url: str
    role: str
    grow: Callable[[Personas, int], str]  # adds n rows; returns a text the last row shows on the page
    kwargs: Callable[[Personas], dict] | None = None


PAGES = {
    "dashboard (members without population)": ListPage("dashboard", "secretariat", _grow_missing_population),
    "member list": ListPage("members:organisation_list", "anonymous", _grow_members),
    "member detail (people, population figures)": ListPage(
        "members:organisation_detail", "secretariat", _grow_people, kwargs=lambda p: {"pk": p.own.pk}
    ),
    "contribution list": ListPage("funding:contribution_list", "secretariat", _grow_contributions),
    "invoice list": ListPage("funding:invoice_list", "secretariat", _grow_invoices),
    "invoice list (years)": ListPage("funding:invoice_list", "secretariat", _grow_invoice_years),
    "invoice detail (payments)": ListPage(
        "funding:invoice_detail", "secretariat", _grow_payments, kwargs=lambda p: {"pk": _one_invoice(p).pk}
    ),
    "agreement list": ListPage("members:agreement_list", "secretariat", _grow_agreements),
    "model list": ListPage("funding:model_list", "secretariat", _grow_models),
    "budget list": ListPage("funding:budget_list", "secretariat", _grow_budgets),
    "ideas and needs": ListPage("portfolio:suggestion_list", "anonymous", _grow_suggestions),
}


def _queries(client, url: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response.content.decode()


@pytest.mark.parametrize("page", PAGES.values(), ids=PAGES.keys())
def test_a_list_page_runs_the_same_queries_for_2_and_for_20_rows(client, personas, page):
    client = client_for(client, personas, page.role)
    url = reverse(page.url, kwargs=page.kwargs(personas) if page.kwargs else None)
    page.grow(personas, 2)
    client.get(url)  # the first request fills per-process caches (content types, the network profile)
    with_2, _ = _queries(client, url)
    last = page.grow(personas, 18)
    with_20, content = _queries(client, url)
    assert last in content
    assert with_20 == with_2, f"{with_2} queries with 2 rows, {with_20} with 20"
