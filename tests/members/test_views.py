import csv
import io

import openpyxl
import pytest
from django.urls import reverse

from members.models import Organisation
from members.services import organisation_update
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_member_list_is_public_with_populations(client, personas, norwegian):
    response = client.get(reverse("members:organisation_list"))
    text = response.content.decode()
    assert "Masfjorden" in text and "Voss" in text
    assert "1\xa0691" in text  # Norwegian thousands separator
    assert "Organisation number" not in text  # secretariat columns only


def test_member_list_search_filter_and_sort(client, personas):
    url = reverse("members:organisation_list")
    assert [row.name for row in client.get(url, {"q": "masf"}).context["table"].data] == ["Masfjorden"]
    assert [row.name for row in client.get(url, {"q": "4621"}).context["table"].data] == ["Voss"]
    by_population = client.get(url, {"sort": "-population"}).context["table"].data
    assert [row.name for row in by_population] == ["Bergen", "Voss", "Masfjorden"]
    organisation_update(organisation=personas.foreign, membership_status="withdrawn", member_until="2024-12-31")
    members_only = client.get(url, {"membership_status": "member"}).context["table"].data
    assert {row.name for row in members_only} == {"Bergen", "Masfjorden"}


def test_member_list_paginates(client, personas):
    from tests.factories import OrganisationFactory

    for _ in range(30):
        OrganisationFactory()
    response = client.get(reverse("members:organisation_list"))
    assert len(response.context["table"].page.object_list) == 25
    assert len(client.get(reverse("members:organisation_list"), {"page": 2}).context["table"].page.object_list) == 8


def test_member_list_exports_csv_and_xlsx_with_the_filter(client, personas):
    url = reverse("members:organisation_list")
    response = client.get(url, {"_export": "csv", "q": "Masfjorden"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1][:2] == ["Masfjorden", "4634"]
    assert "1691" in rows[1]
    response = client.get(url, {"_export": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    names = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert names == ["Bergen", "Masfjorden", "Voss"]
    assert client.get(url, {"_export": "exe"}).status_code == 400


@pytest.mark.parametrize(
    ("role", "sees_people", "sees_history"),
    [
        ("anonymous", False, False),
        ("secretariat", True, True),
        ("director", True, False),
        ("finance", True, False),
        ("contact", True, False),
        ("outsider", False, False),
    ],
)
def test_organisation_detail_shows_people_only_to_own_organisation(client, personas, role, sees_people, sees_history):
    text = client_for(client, personas, role).get(personas.own.get_absolute_url()).content.decode()
    assert "Masfjorden" in text
    assert (personas.finance.email in text) is sees_people
    assert ("4634-DIGI" in text) is sees_people  # buyer's reference
    assert ("Change history" in text or "Endringslogg" in text) is sees_history


def test_history_names_who_changed_what(client, personas):
    client.force_login(personas.secretariat)
    response = client.post(
        reverse("members:organisation_update", kwargs={"pk": personas.own.pk}),
        {
            "kind": "municipality",
            "name": "Masfjorden",
            "org_number": personas.own.org_number,
            "county": "Vestland",
            "buyer_reference": "ØKONOMI-1",
            "membership_status": "member",
            "member_from": "2021-01-01",
        },
    )
    assert response.status_code == 302
    history = client.get(personas.own.get_absolute_url()).context["history"]
    change = history[0]
    assert change.who == personas.secretariat.get_full_name()
    assert ("4634-DIGI", "ØKONOMI-1") in [(c.old, c.new) for c in change.changes]


def test_create_form_names_the_bad_field_and_saves_nothing(client, personas):
    client.force_login(personas.secretariat)
    count = Organisation.objects.count()
    response = client.post(
        reverse("members:organisation_create"),
        {
            "kind": "municipality",
            "name": "Ny",
            "number": "12",
            "org_number": "123456789",
            "membership_status": "member",
        },
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "org_number" in form.errors
    assert "member_from" in form.errors or "number" in form.errors
    assert Organisation.objects.count() == count


def test_create_form_registers_an_organisation(client, personas):
    client.force_login(personas.secretariat)
    response = client.post(
        reverse("members:organisation_create"),
        {
            "kind": "municipality",
            "name": "Kinn",
            "number": "4602",
            "membership_status": "invited",
            "invited_on": "2026-09-01",
        },
    )
    organisation = Organisation.objects.get(name="Kinn")
    assert response.url == organisation.get_absolute_url()
    assert organisation.number == "4602"


def test_population_form_records_a_figure(client, personas):
    client.force_login(personas.secretariat)
    response = client.post(
        reverse("members:population_create", kwargs={"pk": personas.own.pk}),
        {"reference_date": "2025-01-01", "count": "1702", "source": "SSB"},
    )
    assert response.status_code == 302
    assert personas.own.population_figures.get(reference_date="2025-01-01").count == 1702


def test_population_form_refuses_a_negative_count(client, personas):
    client.force_login(personas.secretariat)
    response = client.post(
        reverse("members:population_create", kwargs={"pk": personas.own.pk}),
        {"reference_date": "2025-01-01", "count": "-3", "source": "SSB"},
    )
    assert "count" in response.context["form"].errors
    assert not personas.own.population_figures.filter(reference_date="2025-01-01").exists()


def test_dashboard_per_role(client, personas):
    anonymous = client.get(reverse("dashboard")).content.decode()
    assert "Log in" in anonymous or "Logg inn" in anonymous
    client.force_login(personas.secretariat)
    secretariat = client.get(reverse("dashboard"))
    assert "missing_population" in secretariat.context
    client.force_login(personas.finance)
    finance = client.get(reverse("dashboard"))
    assert finance.context["own"] == personas.own
    assert "missing_population" not in finance.context


def test_english_is_selectable(client, personas):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"}, follow=True)
    assert response.context["LANGUAGE_CODE"] == "en"


def test_bokmal_is_the_default_whatever_the_browser_asks(client, personas, settings):
    settings.LANGUAGE_CODE = "nb"
    response = client.get(reverse("members:organisation_list"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    text = response.content.decode()
    assert '<html lang="nb">' in text
    assert "Medlemsorganisasjoner" in text and "Innbyggere" in text
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "Member organisations" in client.get(reverse("members:organisation_list")).content.decode()


def test_import_errors_are_in_bokmal_by_default(client, personas, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.LANGUAGE_CODE = "nb"
    client.force_login(personas.secretariat)
    upload = SimpleUploadedFile(
        "pop.csv", b"kommunenummer,name,county,population,population_date\n4634,M,V,-5,2024-01-01\n"
    )
    response = client.post(reverse("members:population_import"), {"file": upload, "source": "SSB"})
    assert "Linje 2, population: &#x27;-5&#x27; er negativt." in response.content.decode()
