import csv
import io
import re
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from demo.portfolio import create_many_initiatives
from members.models import Organisation
from portfolio import services
from portfolio.models import Initiative, NationalSolution, Offering, StatusReport
from tests.factories import OrganisationFactory
from tests.factories import initiative as make_initiative

pytestmark = pytest.mark.django_db


def test_anyone_reads_the_overview_and_an_initiative_but_not_its_internal_fields(client, project):
    services.status_report_create(
        initiative=project,
        values={"period_start": date(2025, 1, 1), "period_end": date(2025, 6, 30), "rag": "red", "summary": "Sent"},
    )
    overview = client.get(reverse("portfolio:initiative_list")).content.decode()
    assert "Økt andel digitale byggesøknader" in overview
    assert "Budget (NOK)" not in overview and "1 212 345" not in overview
    page = client.get(project.get_absolute_url()).content.decode()
    assert "Økt andel digitale byggesøknader" in page and "Ingrid Haugland" in page
    assert "Red" in page and "Styringsgruppen, sak 37-23" in page  # status and decisions are open
    assert "50 %" in page  # whether the own-effort rule is met is open
    assert "Hemmelig notat om budsjettet" not in page
    assert "612" not in page and "Budget against actual per year" not in page
    assert reverse("portfolio:status_report_pdf", kwargs={"pk": project.status_reports.get().pk}) not in page


def test_signed_in_members_see_budgets_and_internal_notes(client, project, personas):
    client.force_login(personas.contact)
    page = client.get(project.get_absolute_url()).content.decode()
    assert "Hemmelig notat om budsjettet" in page
    assert "612\xa0345" in page or "612 345" in page or "612,345" in page
    assert "Budget against actual per year" in page
    overview = client.get(reverse("portfolio:initiative_list")).content.decode()
    assert "Budget (NOK)" in overview


def test_the_overview_filters_by_state_area_and_owner_and_searches(client, personas, project):
    make_initiative(owner=personas.foreign, title="Sensorpilot i barnehagen", service_area="education")
    url = reverse("portfolio:initiative_list")

    def titles(**params):
        return {i.title for i in client.get(url, params).context["table"].page.object_list.data}

    assert titles() == {"Økt andel digitale byggesøknader", "Sensorpilot i barnehagen"}
    assert titles(state="approved") == {"Økt andel digitale byggesøknader"}
    assert titles(service_area="education") == {"Sensorpilot i barnehagen"}
    assert titles(owner=personas.foreign.pk) == {"Sensorpilot i barnehagen"}
    assert titles(q="ANDEL") == {"Økt andel digitale byggesøknader"}
    assert titles(q="barnehage") == {"Sensorpilot i barnehagen"}


def test_the_overview_exports_csv_without_internal_columns_for_anonymous(client, personas, project):
    response = client.get(reverse("portfolio:initiative_list"), {"_export": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "Initiative" and "Budget (NOK)" not in rows[0]
    assert rows[1][0] == "Økt andel digitale byggesøknader" and rows[1][1] == "Approved"
    client.force_login(personas.director)
    rows = list(
        csv.reader(io.StringIO(client.get(reverse("portfolio:initiative_list"), {"_export": "csv"}).content.decode()))
    )
    assert rows[0][-1] == "Budget (NOK)" and rows[1][-1] == "1212345.00"
    xlsx = client.get(reverse("portfolio:initiative_list"), {"_export": "xlsx"})
    assert xlsx.content[:2] == b"PK"
    assert client.get(reverse("portfolio:initiative_list"), {"_export": "pdf"}).status_code == 400


def test_the_overview_is_paginated_with_25_per_page(client, personas):
    create_many_initiatives(60)
    response = client.get(reverse("portfolio:initiative_list"), {"page": 3})
    assert response.context["count"] == 60
    assert len(response.context["table"].page.object_list) == 10


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def _with_reports(n):
    owners = [OrganisationFactory() for _ in range(3)]
    for i in range(n):
        project = make_initiative(owner=owners[i % 3], participants=[(owners[(i + 1) % 3], "participant")])
        services.funding_line_add(initiative=project, values={"year": 2025, "source": "ks", "budget": 1000})
        StatusReport.objects.create(
            initiative=project, period_start=date(2025, 1, 1), period_end=date(2025, 6, 30), rag="green", summary="s"
        )


@pytest.mark.parametrize("role", ["anonymous", "director"])
def test_the_overview_runs_the_same_number_of_queries_for_2_and_20_initiatives(client, personas, role):
    if role != "anonymous":
        client.force_login(personas.director)
    url = reverse("portfolio:initiative_list")
    _with_reports(2)
    few = _queries(client, url)
    _with_reports(18)
    assert _queries(client, url) == few


def test_the_service_catalogue_is_open_and_its_queries_do_not_grow(client):
    def add(n):
        for _ in range(n):
            Offering.objects.create(
                kind="template",
                title=f"Mal {Offering.objects.count()}",
                description="DPIA-mal",
                contact_name="Sekretariatet",
                contact_email="post@example.no",
                how_to_take_part="Last ned",
            )

    add(2)
    url = reverse("portfolio:offering_list")
    few = _queries(client, url)
    add(18)
    assert _queries(client, url) == few
    page = client.get(url).content.decode()
    assert "DPIA-mal" in page and "post@example.no" in page and "Last ned" in page


def test_the_member_list_is_open_and_linked_from_the_portfolio(client, personas):
    assert client.get(reverse("members:organisation_list")).status_code == 200
    assert reverse("members:organisation_list") in client.get(reverse("portfolio:initiative_list")).content.decode()


def _solutions_and_members(n_members):
    for name in ("DigiHelse", "Kjernejournal", "Digisos"):
        NationalSolution.objects.get_or_create(name=name)
    for _ in range(n_members):
        organisation = OrganisationFactory()
        for solution in NationalSolution.objects.all():
            services.adoption_set(solution=solution, organisation=organisation, status="planned", status_date=None)


@pytest.mark.parametrize("name", ["portfolio:rollout_matrix", "portfolio:rollout_dashboard"])
def test_rollout_pages_run_the_same_number_of_queries_for_2_and_20_members(client, personas, name):
    client.force_login(personas.contact)
    _solutions_and_members(2)
    few = _queries(client, reverse(name))
    _solutions_and_members(18)
    assert _queries(client, reverse(name)) == few


def test_the_dashboard_shows_adoption_shares_as_chart_data_and_as_a_table(client, personas):
    client.force_login(personas.secretariat)
    solution = NationalSolution.objects.create(name="Kjernejournal")
    members = list(Organisation.objects.filter(membership_status="member"))  # the host, own and foreign
    assert len(members) == 3
    services.adoption_set(solution=solution, organisation=members[0], status="adopted", status_date=date(2025, 1, 1))
    services.adoption_set(solution=solution, organisation=members[1], status="in_progress", status_date=None)
    response = client.get(reverse("portfolio:rollout_dashboard"))
    chart = response.context["chart"]
    assert chart["labels"] == ["Kjernejournal"]
    assert [d["data"] for d in chart["datasets"]] == [[1], [0], [1], [1]]  # not started, planned, in progress, adopted
    page = response.content.decode()
    assert 'id="rollout-chart"' in page and 'data-chart="rollout-chart"' in page
    assert "33.3\xa0%" in page  # one of three members has adopted it
    assert "<caption>" in page


def test_a_member_changes_its_own_adoption_status_but_not_anothers(client, personas):
    solution = NationalSolution.objects.create(name="Digisos")
    client.force_login(personas.contact)
    url = reverse("portfolio:adoption_update", kwargs={"solution": solution.pk, "organisation": personas.own.pk})
    response = client.post(url, {"status": "adopted", "status_date": "2026-02-01", "note": ""})
    assert response.status_code == 302
    assert solution.adoptions.get(organisation=personas.own).status == "adopted"
    matrix = client.get(reverse("portfolio:rollout_matrix")).content.decode()
    assert "Adopted" in matrix and "01.02.2026" in matrix
    foreign = reverse(
        "portfolio:adoption_update", kwargs={"solution": solution.pk, "organisation": personas.foreign.pk}
    )
    assert client.post(foreign, {"status": "adopted"}).status_code == 404
    assert not solution.adoptions.filter(organisation=personas.foreign).exists()


def test_the_secretariat_creates_an_initiative_and_records_a_decision(client, personas):
    client.force_login(personas.secretariat)
    response = client.post(
        reverse("portfolio:initiative_create"),
        {
            "title": "Felles hendelseshåndtering",
            "summary": "Felles rutine for sikkerhetshendelser",
            "focus_area": "proposals",
            "service_area": "security",
            "owner": personas.host.pk,
            "participants": [personas.own.pk],
            "pilots": [personas.foreign.pk],
        },
    )
    initiative = Initiative.objects.get(title="Felles hendelseshåndtering")
    assert response.status_code == 302 and initiative.state == "idea"
    assert sorted(initiative.participations.values_list("organisation__name", "role")) == [
        ("Masfjorden", "participant"),
        ("Voss", "pilot"),
    ]
    url = reverse("portfolio:initiative_transition", kwargs={"pk": initiative.pk})
    refused = client.post(url, {"to_state": "approved", "reason": "x"})
    assert refused.status_code == 200 and "to_state" in refused.context["form"].errors
    response = client.post(url, {"to_state": "concept", "reason": "Faggruppen anbefalte det"})
    assert response.status_code == 302
    initiative.refresh_from_db()
    assert initiative.state == "concept"
    page = client.get(initiative.get_absolute_url()).content.decode()
    assert "Faggruppen anbefalte det" in page


def test_a_gate_error_is_shown_on_the_field(client, personas):
    initiative = make_initiative(owner=None, summary="")
    client.force_login(personas.secretariat)
    response = client.post(
        reverse("portfolio:initiative_transition", kwargs={"pk": initiative.pk}),
        {"to_state": "concept", "reason": "Prøver"},
    )
    assert response.context["form"].errors["to_state"] == [
        "A concept needs a summary.",
        "A concept needs an owner organisation.",
    ]
    assert 'aria-describedby="' in response.content.decode()


def test_the_secretariat_adds_funding_benefits_values_and_status_reports(client, personas, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    initiative = make_initiative(owner=personas.own)
    client.force_login(personas.secretariat)
    pk = {"pk": initiative.pk}
    assert (
        client.post(
            reverse("portfolio:funding_line_create", kwargs=pk),
            {
                "year": 2025,
                "source": "own_effort",
                "organisation": personas.own.pk,
                "hours": "100",
                "budget": "60000",
                "actual": "0",
            },
        ).status_code
        == 302
    )
    assert (
        client.post(
            reverse("portfolio:benefit_create", kwargs=pk),
            {
                "description": "Raskere svar",
                "owner": "Tjenesteeier",
                "indicator": "Dager",
                "baseline": "30",
                "target": "10",
            },
        ).status_code
        == 302
    )
    benefit = initiative.benefits.get()
    assert (
        client.post(
            reverse("portfolio:benefit_value_create", kwargs=pk),
            {"benefit": benefit.pk, "measured_on": "2025-12-31", "value": "21"},
        ).status_code
        == 302
    )
    assert (
        client.post(
            reverse("portfolio:status_report_create", kwargs=pk),
            {"period_start": "2025-01-01", "period_end": "2025-06-30", "rag": "yellow", "summary": "Litt forsinket"},
        ).status_code
        == 302
    )
    report = initiative.status_reports.get()
    pdf = client.get(reverse("portfolio:status_report_pdf", kwargs={"pk": report.pk}))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    page = client.get(initiative.get_absolute_url()).content.decode()
    assert "Raskere svar" in page and "31.12.2025: 21" in page and "Litt forsinket" in page


def test_the_rollout_matrix_downloads_as_csv_and_excel(client, personas):
    solution = NationalSolution.objects.create(name="Digisos")
    services.adoption_set(solution=solution, organisation=personas.own, status="adopted", status_date=date(2025, 2, 1))
    client.force_login(personas.contact)
    response = client.get(reverse("portfolio:rollout_matrix"), {"_export": "csv", "q": "Masf"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows == [["Member", "Number", "Digisos", "Digisos: date"], ["Masfjorden", "4634", "Adopted", "2025-02-01"]]
    assert client.get(reverse("portfolio:rollout_matrix"), {"_export": "xlsx"}).content[:2] == b"PK"


def test_the_public_overview_export_carries_no_formula(client, personas, project):
    """Titles and names typed as formulas come out as text in CSV and Excel; the budget stays a number."""
    import openpyxl

    title, leader = '=HYPERLINK("http://127.0.0.1:9/x","Klikk")', "-2+3+cmd|' /C calc'!A0"
    Initiative.objects.filter(pk=project.pk).update(title=title, project_leader=leader)
    rows = list(
        csv.reader(
            io.StringIO(
                client.get(reverse("portfolio:initiative_list"), {"_export": "csv"}).content.decode("utf-8-sig")
            )
        )
    )
    assert rows[1][0] == "'" + title
    assert rows[1][5] == "'" + leader
    client.force_login(personas.director)
    sheet = openpyxl.load_workbook(
        io.BytesIO(client.get(reverse("portfolio:initiative_list"), {"_export": "xlsx"}).content)
    ).active
    cells = {cell.value: cell.data_type for cell in sheet[2]}
    assert cells[title] == "s" and cells[leader] == "s"
    assert sheet.cell(row=2, column=sheet.max_column).value == 1212345
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_visitors_get_the_public_pages_from_the_cache_and_a_change_shows_at_once(client, project, personas):
    from django.test import Client

    pages = [reverse("portfolio:initiative_list"), project.get_absolute_url(), reverse("portfolio:offering_list")]
    for url in pages:
        client.get(url)
    with CaptureQueriesContext(connection) as queries:
        cached = [client.get(url) for url in pages]
    assert len(queries) == len(pages)  # the generation's number only: nothing rendered again
    assert "Økt andel digitale byggesøknader" in cached[0].content.decode()
    services.initiative_update(initiative=project, values={"title": "Digitale byggesøknader for alle"})
    for url in pages[:2]:
        page = client.get(url).content.decode()
        assert "Digitale byggesøknader for alle" in page and "Økt andel" not in page
    services.status_report_create(
        initiative=project,
        values={"period_start": date(2025, 1, 1), "period_end": date(2025, 6, 30), "rag": "red", "summary": "Sent"},
    )
    assert "Red" in client.get(pages[0]).content.decode()  # a status report changes the overview too
    # The form token in a cached page is the visitor's own: another visitor can switch the language with it.
    other = Client(enforce_csrf_checks=True)
    page = other.get(pages[0]).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
    switched = other.post(reverse("set_language"), {"language": "nn", "next": "/", "csrfmiddlewaretoken": token})
    assert switched.status_code == 302
    # Signed in, the page is drawn for the person (budgets included), never taken from the visitors' cache.
    client.force_login(personas.contact)
    assert "Budget (NOK)" in client.get(pages[0]).content.decode()
