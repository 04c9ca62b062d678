"""DigiVestland's grant: the county governor's discretionary funds, 2.6 MNOK for four projects in 2024, applied
for, awarded into each project's funding plan under the own-effort rule, and reported on as PDF and CSV."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from portfolio import grants, services
from portfolio.models import FundingPlanLine, Grant
from tests.conftest import client_for
from tests.factories import initiative as make_initiative
from tests.pdf_archival import assert_archival

pytestmark = pytest.mark.django_db

# The four projects, the amount applied for each (2.6 MNOK in all) and the own effort in each funding plan.
PROJECTS = [
    ("Digitale byggesøknader", Decimal(800000), Decimal(900000)),
    ("Informasjonssikkerhet i kommunene", Decimal(700000), Decimal(700000)),
    ("Velferdsteknologi", Decimal(600000), Decimal(650000)),
    ("Kompetanseløft digital transformasjon", Decimal(500000), Decimal(500000)),
]


@pytest.fixture
def grantor(db):
    return grants.grantor_get_or_create(
        name="Statsforvalteren i Vestland, skjønnsmidler",
        source="county_governor",
        report_form="Rapport om bruk av skjønnsmidler",
    )


@pytest.fixture
def projects(personas):
    made = []
    for title, _applied, own in PROJECTS:
        project = make_initiative(owner=personas.own, title=title)
        services.funding_line_add(
            initiative=project,
            values={"year": 2024, "source": "own_effort", "organisation": personas.own, "budget": own},
        )
        made.append(project)
    return made


@pytest.fixture
def application(grantor, projects):
    return grants.grant_save(
        values={"grantor": grantor, "year": 2024, "title": "Skjønnsmidler 2024"},
        items=[
            grants.ItemInput(initiative=project, applied=applied)
            for project, (_title, applied, _own) in zip(projects, PROJECTS, strict=True)
        ],
    )


def _award_all(grant, **overrides):
    amounts = {item.pk: overrides.get(item.initiative.title, item.applied) for item in grant.items.all()}
    return grants.grant_award(
        grant=grant,
        decided_on=date(2024, 3, 15),
        awarded=amounts,
        conditions="Midlene skal brukes til fornyings- og innovasjonsprosjekter, ikke til drift.",
        report_due=date(2025, 3, 1),
        grantor_reference="2024/1234",
    )


def _grant_lines(project):
    return list(FundingPlanLine.objects.filter(initiative=project, source="county_governor"))


def test_the_award_goes_into_each_funding_plan_once(application, projects):
    grants.grant_submit(grant=application, applied_on=date(2024, 1, 31))
    grant = _award_all(application)

    assert grant.status == "awarded"
    assert sum(item.awarded for item in grant.items.all()) == Decimal(2600000)
    for project, (_title, applied, _own) in zip(projects, PROJECTS, strict=True):
        (line,) = _grant_lines(project)
        assert (line.year, line.budget) == (2024, applied)
        assert "Skjønnsmidler 2024" in line.description

    # A corrected decision changes the same lines: the award is never typed twice.
    grant = _award_all(grant, **{"Velferdsteknologi": Decimal(400000), "Digitale byggesøknader": Decimal(0)})
    assert grant.status == "partly"
    assert [line.budget for line in _grant_lines(projects[2])] == [Decimal(400000)]
    assert _grant_lines(projects[0]) == []


def test_an_award_above_half_the_funding_plan_is_refused_naming_the_project(application, projects):
    grants.grant_submit(grant=application, applied_on=date(2024, 1, 31))
    # Own effort in "Kompetanseløft" is 500 000; more than that in grants would leave it below half.
    FundingPlanLine.objects.filter(initiative=projects[3], source="own_effort").update(budget=Decimal(400000))

    with pytest.raises(ValidationError) as refused:
        _award_all(application)

    (message,) = refused.value.messages
    assert message.startswith("Kompetanseløft digital transformasjon: a grant of NOK\xa0500,000")
    assert "NOK\xa0900,000" in message  # the funding plan with the grant
    assert "NOK\xa0400,000 (44 %)" in message  # own effort and its share
    assert "at most NOK\xa0400,000" in message
    # Nothing half-saved: no project got its line, and the application is still only sent.
    assert FundingPlanLine.objects.filter(source="county_governor").count() == 0
    assert Grant.objects.get().status == "applied"


def test_an_application_is_checked_against_the_rule_when_sent(application, projects):
    FundingPlanLine.objects.filter(initiative=projects[0], source="own_effort").delete()
    with pytest.raises(ValidationError, match="Digitale byggesøknader: a grant of NOK"):
        grants.grant_submit(grant=application, applied_on=date(2024, 1, 31))
    assert Grant.objects.get().status == "draft"


def test_refused_when_nothing_is_awarded(application, projects):
    grants.grant_submit(grant=application, applied_on=date(2024, 1, 31))
    grant = _award_all(application, **{title: Decimal(0) for title, _a, _o in PROJECTS})
    assert grant.status == "refused"
    assert not grants.grant_can_report(grant)
    assert FundingPlanLine.objects.filter(source="county_governor").count() == 0


def test_a_sent_application_is_not_changed(application, projects):
    grants.grant_submit(grant=application, applied_on=date(2024, 1, 31))
    with pytest.raises(ValidationError, match="has been sent"):
        grants.grant_save(
            grant=application,
            values={"title": "Endret"},
            items=[grants.ItemInput(initiative=projects[0], applied=Decimal(1))],
        )


def _report_everything(grant):
    entries = {}
    for item in grant.items.all():
        entries[item.pk] = grants.ReportInput(
            spent=item.awarded - Decimal(50000) if item.initiative.title == "Velferdsteknologi" else item.awarded,
            own_effort=grants.own_effort_in_plan(item, grant.year),
            progress="I rute",
            results='=HYPERLINK("http://evil")' if item.initiative.title == "Velferdsteknologi" else "Gevinster målt",
        )
    return grants.grant_report_save(grant=grant, report=entries)


def test_the_report_is_filed_as_an_archival_pdf_and_the_funds_used_become_actuals(application, projects):
    grants.grant_submit(grant=application, applied_on=date(2024, 1, 31))
    grant = _award_all(application)
    with pytest.raises(ValidationError, match="The report is not complete"):
        grants.grant_report_submit(grant=grant, reported_on=date(2025, 2, 20))

    grant = _report_everything(grant)
    (line,) = _grant_lines(projects[2])
    assert line.actual == Decimal(550000)

    with pytest.raises(ValidationError) as refused:
        grants.grant_report_save(
            grant=grant,
            report={
                grant.items.get(initiative=projects[0]).pk: grants.ReportInput(
                    spent=Decimal(800001), own_effort=Decimal(0), progress="", results=""
                )
            },
        )
    assert refused.value.messages == [
        "Digitale byggesøknader: NOK\xa0800,001 used is more than the NOK\xa0800,000 awarded."
    ]

    grant = grants.grant_report_submit(grant=grant, reported_on=date(2025, 2, 20))
    assert grant.status == "reported"
    pdf = grants.grant_report_pdf_bytes(grant=grant)
    assert_archival(pdf, language="nb")
    assert not grants.grant_can_award(grant) and not grants.grant_can_report(grant)


def test_the_csv_has_the_grantors_columns_and_runs_no_formula(application, projects):
    grants.grant_submit(grant=application, applied_on=date(2024, 1, 31))
    grant = _report_everything(_award_all(application))

    header, rows = grants.grant_report_table(grant)
    assert header[:8] == [
        "Prosjekt",
        "Prosjekteier",
        "Status",
        "Søkt beløp (kr)",
        "Tildelt beløp (kr)",
        "Brukt (kr)",
        "Ubrukt (kr)",
        "Egeninnsats (kr)",
    ]
    assert rows[-1][:8] == ["Sum", "", "", 2600000, 2600000, 2550000, 50000, 2750000]


def test_the_pages_take_the_secretariat_through_the_grant(client, personas, grantor, projects):
    client = client_for(client, personas, "secretariat")
    response = client.post(
        reverse("portfolio:grant_create"),
        {
            "grantor": grantor.pk,
            "year": 2024,
            "title": "Skjønnsmidler 2024",
            "items-TOTAL_FORMS": 2,
            "items-INITIAL_FORMS": 0,
            "items-0-initiative": projects[0].pk,
            "items-0-applied": "800000",
            "items-1-initiative": projects[1].pk,
            "items-1-applied": "700000",
        },
    )
    grant = Grant.objects.get()
    assert response.status_code == 302 and response.url == grant.get_absolute_url()
    client.post(reverse("portfolio:grant_submit", args=[grant.pk]), {"applied_on": "2024-01-31"})
    items = {item.initiative_id: item.pk for item in grant.items.all()}
    response = client.post(
        reverse("portfolio:grant_award", args=[grant.pk]),
        {
            "decided_on": "2024-03-15",
            "report_due": "2025-03-01",
            f"awarded_{items[projects[0].pk]}": "800000",
            f"awarded_{items[projects[1].pk]}": "900000",
        },
    )
    assert "more than the NOK\xa0700,000 applied for" in response.content.decode()
    client.post(
        reverse("portfolio:grant_award", args=[grant.pk]),
        {
            "decided_on": "2024-03-15",
            "report_due": "2025-03-01",
            f"awarded_{items[projects[0].pk]}": "800000",
            f"awarded_{items[projects[1].pk]}": "700000",
        },
    )
    page = client.get(grant.get_absolute_url()).content.decode()
    assert "Record the grantor" in page and "Write the report" in page
    response = client.get(reverse("portfolio:grant_report_csv", args=[grant.pk]))
    table = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert table[0][0] == "Prosjekt" and table[-1][4] == "1500000.00"


def test_csv_cells_that_look_like_formulas_are_text(application, projects, client, personas):
    grants.grant_submit(grant=application, applied_on=date(2024, 1, 31))
    grant = _report_everything(_award_all(application))
    response = client_for(client, personas, "secretariat").get(reverse("portfolio:grant_report_csv", args=[grant.pk]))
    text = response.content.decode("utf-8-sig")
    assert "'=HYPERLINK" in text
    assert "\n=HYPERLINK" not in text and ",=HYPERLINK" not in text


def test_a_report_falling_due_is_on_the_secretariats_start_page(application, projects, client, personas):
    grants.grant_submit(grant=application, applied_on=date(2024, 1, 31))
    _award_all(application)  # the report is due 1 March 2025
    secretariat = client_for(client, personas, "secretariat")
    with time_machine.travel(date(2024, 12, 1)):
        assert "Report on Skjønnsmidler 2024" not in secretariat.get(reverse("dashboard")).content.decode()
    with time_machine.travel(date(2025, 2, 1)):
        page = secretariat.get(reverse("dashboard")).content.decode()
        assert "Report on Skjønnsmidler 2024" in page and "Grant reports due" in page
    director = client_for(client, personas, "director")
    with time_machine.travel(date(2025, 2, 1)):
        assert "Report on Skjønnsmidler 2024" not in director.get(reverse("dashboard")).content.decode()


def test_the_grant_page_is_in_bokmaal(application, projects, norwegian, personas):
    grants.grant_submit(grant=application, applied_on=date(2024, 1, 31))
    page = client_for(norwegian, personas, "secretariat").get(application.get_absolute_url()).content.decode()
    assert "Registrer tilskuddsgivers vedtak" in page and "Søkt beløp" not in page and "Søkt" in page
