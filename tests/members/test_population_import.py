"""Population files: the national file imports as it is; a bad file is refused whole, naming line and field."""

from datetime import date
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from members.models import PopulationFigure
from members.population_file import PopulationFileError
from members.services import population_import
from tests.factories import OrganisationFactory, PopulationFigureFactory

NATIONAL_FILE = Path(__file__).resolve().parents[2] / "members" / "data" / "kommuner-2024.csv"
HEADER = "kommunenummer,name,county,population,population_date\n"


@pytest.fixture
def vestland(db):
    bergen = OrganisationFactory(name="Bergen", number="4601")
    masfjorden = OrganisationFactory(name="Masfjorden", number="4634")
    PopulationFigureFactory(organisation=masfjorden, reference_date=date(2024, 1, 1), count=1000, source="old")
    return bergen, masfjorden


def snapshot():
    return sorted(PopulationFigure.objects.values_list("organisation_id", "reference_date", "count", "source"))


def test_national_file_imports_the_network_members_and_skips_the_rest(vestland):
    bergen, masfjorden = vestland
    result = population_import(text=NATIONAL_FILE.read_text(encoding="utf-8"), source="SSB 07459")
    assert (result.created, result.updated, result.outside_network) == (1, 1, 355)
    assert PopulationFigure.objects.get(organisation=bergen).count == 291940
    assert PopulationFigure.objects.get(organisation=masfjorden).count == 1694
    # Importing the same file again changes nothing.
    again = population_import(text=NATIONAL_FILE.read_text(encoding="utf-8"), source="SSB 07459")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)


def test_a_correction_is_kept_in_the_history(vestland):
    _bergen, masfjorden = vestland
    population_import(text=HEADER + "4634,Masfjorden,Vestland,1694,2024-01-01\n", source="SSB")
    figure = PopulationFigure.objects.get(organisation=masfjorden)
    assert [h.count for h in figure.history.order_by("history_date")] == [1000, 1694]


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ("4634,Masfjorden,Vestland,abc,2024-01-01\n", "Line 3, population: 'abc' is not a whole number."),
        ("4634,Masfjorden,Vestland,-5,2024-01-01\n", "Line 3, population: '-5' is negative."),
        ("4634,Masfjorden,Vestland,,2024-01-01\n", "Line 3, population: '' is not a whole number."),
        ("4634,Masfjorden,Vestland,12,01.01.2024\n", "Line 3, population_date: '01.01.2024' is not a date"),
        ("463,Masfjorden,Vestland,12,2024-01-01\n", "Line 3, kommunenummer: '463' is not a four-digit"),
        ("4699,Nowhere,Vestland,12,2024-01-01\n", "Line 3, kommunenummer: 4699 (Nowhere) is an unknown municipality"),
        ("9999,Nowhere,X,12,2024-01-01\n", "Line 3, kommunenummer: 9999 (Nowhere) is an unknown municipality number."),
        (
            "4601,Bergen,Vestland,5,2024-01-01\n4601,Bergen,Vestland,6,2024-01-01\n",
            "Line 3, kommunenummer: 4601 for 2024-01-01 repeats line 2.",
        ),
        ("4601,Bergen,Vestland,5\n", "Line 3: expected 5 columns, found 4."),
        # Beyond what the inhabitants column holds, digits int() cannot read, and dates and names out of range.
        ("4634,Masfjorden,Vestland,2147483648,2024-01-01\n", "Line 3, population: 2147483648 is more than 2147483647."),
        ("4634,Masfjorden,Vestland,1²,2024-01-01\n", "Line 3, population: '1²' is not a whole number."),
        ("4634,Masfjorden,Vestland,²,2024-01-01\n", "Line 3, population: '²' is not a whole number."),
        ("463²,Masfjorden,Vestland,12,2024-01-01\n", "Line 3, kommunenummer: '463²' is not a four-digit"),
        (
            "4634,Masfjorden,Vestland,12,0001-01-01\n",
            "Line 3, population_date: 0001-01-01 is not between the years 1900 and 2200.",
        ),
        ("4634," + "M" * 201 + ",Vestland,12,2024-01-01\n", "Line 3, name: 201 characters, more than the 200 allowed."),
        ("4634,Masfjorden," + "V" * 101 + ",12,2024-01-01\n", "Line 3, county: 101 characters, more than the 100"),
    ],
)
def test_a_bad_file_is_refused_whole_and_names_line_and_field(vestland, rows, message):
    before = snapshot()
    # A good row first: it must not be saved either.
    text = HEADER + "4601,Bergen,Vestland,291940,2024-01-01\n" + rows
    with pytest.raises(PopulationFileError) as error:
        population_import(text=text, source="SSB")
    assert any(line.startswith(message) for line in error.value.errors), error.value.errors
    assert snapshot() == before


def test_a_wrong_header_is_named(vestland):
    with pytest.raises(PopulationFileError) as error:
        population_import(text="number,population\n4601,5\n", source="SSB")
    assert error.value.errors == [
        "Line 1: the header must be kommunenummer,name,county,population,population_date, but is number,population."
    ]


def test_all_problems_are_listed_in_line_order(vestland):
    text = HEADER + "4634,M,Vestland,x,2024-01-01\n4699,X,Vestland,5,2024-01-01\n4601,B,Vestland,-1,2024-01-01\n"
    with pytest.raises(PopulationFileError) as error:
        population_import(text=text, source="SSB")
    assert [e.split(",")[0] for e in error.value.errors] == ["Line 2", "Line 3", "Line 4"]


def test_command_reports_the_error_and_saves_nothing(vestland, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "4601,Bergen,Vestland,291940,2024-01-01\n4634,Masfjorden,Vestland,-3,2024-01-01\n")
    before = snapshot()
    with pytest.raises(CommandError, match=r"bad.csv: not imported, nothing was saved.\nLine 3, population: '-3'"):
        call_command("import_population", str(bad))
    assert snapshot() == before


def test_command_imports_the_national_file(vestland, capsys):
    call_command("import_population", str(NATIONAL_FILE))
    assert "1 new, 1 corrected, 0 unchanged (reference date 01.01.2024); 355 rows outside" in capsys.readouterr().out


def test_upload_form_shows_every_error_and_saves_nothing(client, personas):
    client.force_login(personas.secretariat)
    before = snapshot()
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("pop.csv", (HEADER + "4634,Masfjorden,Vestland,12x,2024-01-01\n").encode())
    response = client.post(reverse("members:population_import"), {"file": upload, "source": "SSB"})
    assert response.status_code == 200
    assert "Line 2, population: &#x27;12x&#x27; is not a whole number." in response.content.decode()
    assert snapshot() == before


def test_upload_form_imports_and_reports(client, personas):
    client.force_login(personas.secretariat)
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("pop.csv", NATIONAL_FILE.read_bytes())
    response = client.post(reverse("members:population_import"), {"file": upload, "source": "SSB"}, follow=True)
    assert "354 rows for municipalities outside the network were skipped" in response.content.decode()
    assert PopulationFigure.objects.get(organisation=personas.foreign).count == 16471


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("pop.xlsx", b"PK\x03\x04", "Choose a file ending in .csv, .json."),
        ("pop.csv", b"\x00\x01binary", "The file is not a text file."),
        ("pop.csv", "kommunenummer;navn\n".encode("utf-16"), "not a text file"),
    ],
)
def test_upload_form_refuses_files_that_are_not_csv_text(client, personas, name, content, message):
    client.force_login(personas.secretariat)
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        reverse("members:population_import"), {"file": SimpleUploadedFile(name, content), "source": "SSB"}
    )
    assert message in response.content.decode()


def test_upload_form_refuses_a_too_large_file(client, personas, settings):
    settings.UPLOAD_MAX_BYTES = 100
    client.force_login(personas.secretariat)
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("pop.csv", NATIONAL_FILE.read_bytes())
    response = client.post(reverse("members:population_import"), {"file": upload, "source": "SSB"})
    assert "the limit is 100 bytes" in response.content.decode()
