"""Population figures as Statistics Norway publishes table 07459: the statistics bank's CSV and the API's JSON-stat
2.0 import like the portal's CSV, all or nothing, the reference date read from the table's year."""

import json
from datetime import date
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from members.models import PopulationFigure
from members.population_file import PopulationFileError, decode_upload
from members.services import population_import
from members.ssb_population import JSON_STAT, SSB_CSV, parse_any_population_file, population_file_format
from tests.members.test_population_import import vestland  # noqa: F401 - a fixture

DATA = Path(__file__).resolve().parents[1] / "data" / "population"
STATBANK = DATA / "ssb-07459-statbank.csv"
API = DATA / "ssb-07459-api.json"


def figures():
    return sorted(PopulationFigure.objects.values_list("organisation__number", "reference_date", "count"))


@pytest.mark.parametrize(("path", "kind"), [(STATBANK, SSB_CSV), (API, JSON_STAT)])
def test_both_shapes_of_table_07459_give_vestland_per_1_january(path, kind):
    text = decode_upload(path.read_bytes())
    assert population_file_format(text) == kind
    rows, errors = parse_any_population_file(text)
    assert errors == []
    # 43 municipalities of Vestland; the county row and Bergen as it was before 2020 ("..") are skipped.
    assert len(rows) == 43 and {row.reference_date for row in rows} == {date(2024, 1, 1)}
    by_number = {row.number: row for row in rows}
    assert (by_number["4634"].population, by_number["4634"].name) == (1694, "Masfjorden")
    assert by_number["4613"].name == "Bømlo"  # the statistics bank's Windows-1252 read right


@pytest.mark.parametrize("path", [STATBANK, API])
def test_a_table_07459_download_imports_by_command_and_again_changes_nothing(vestland, path, capsys):  # noqa: F811
    call_command("import_population", str(path))
    assert "1 new, 1 corrected, 0 unchanged (reference date 01.01.2024); 41 rows outside" in capsys.readouterr().out
    assert figures() == [("4601", date(2024, 1, 1), 291940), ("4634", date(2024, 1, 1), 1694)]
    again = population_import(text=decode_upload(path.read_bytes()), source="SSB, tabell 07459")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)


@pytest.mark.parametrize("path", [STATBANK, API])
def test_the_browser_upload_takes_both_shapes(client, personas, path):
    client.force_login(personas.secretariat)
    upload = SimpleUploadedFile(path.name, path.read_bytes())
    response = client.post(reverse("members:population_import"), {"file": upload, "source": "SSB"}, follow=True)
    assert "40 rows for municipalities outside the network were skipped" in response.content.decode()
    assert ("4634", date(2024, 1, 1), 1694) in figures() and ("4621", date(2024, 1, 1), 16471) in figures()


def _refused(text: str) -> list[str]:
    with pytest.raises(PopulationFileError) as caught:
        population_import(text=text, source="SSB")
    return caught.value.errors


STATBANK_HEAD = '"07459: Befolkning, etter region, statistikkvariabel og år"\n\n"region";"Personer 2024"\n'


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ('"K-4634 Masfjorden";abc\n', "Line 4, Personer 2024: 'abc' is not a whole number."),
        ('"4634 Masfjorden";-5\n', "Line 4, Personer 2024: '-5' is negative."),
        ('"K-4699 Nowhere";12\n', "Line 4, Personer 2024: 4699 (Nowhere) is an unknown municipality number."),
        ('"Masfjorden";12\n', "Line 4, Personer 2024: 'Masfjorden' is not a region code of Statistics Norway."),
        ('"K-4634 Masfjorden";12\n"4634 Masfjorden";13\n', "Line 5, Personer 2024: municipality 4634 for 2024-01-01"),
        ('"K-4601 Bergen";1\n"K-4634 Masfjorden";12;3\n', "Line 5: expected 2 columns, found 3."),
    ],
)
def test_a_bad_statbank_file_is_refused_whole_naming_line_and_column(vestland, rows, message):  # noqa: F811
    before = figures()
    errors = _refused(STATBANK_HEAD + rows)
    assert any(error.startswith(message) for error in errors), errors
    assert figures() == before


def test_a_table_broken_down_by_sex_is_refused(vestland):  # noqa: F811
    text = '"region";"kjønn";"Personer 2024"\n"K-4634 Masfjorden";"Menn";900\n'
    assert _refused(text) == [
        "Line 1: the table is broken down by kjønn; download table 07459 with only region and year "
        "(the other variables summed)."
    ]


def test_the_long_layout_reads_the_year_from_its_column(vestland):  # noqa: F811
    text = '"region","statistikkvariabel","år","07459: Befolkning"\n"K-4634 Masfjorden","Personer","2025",1700\n'
    result = population_import(text=text, source="SSB")
    assert result.created == 1 and ("4634", date(2025, 1, 1), 1700) in figures()


def test_a_bad_json_stat_value_is_named_by_region_and_year(vestland):  # noqa: F811
    data = json.loads(API.read_text())
    position = data["dimension"]["Region"]["category"]["index"]["K-4634"]
    data["value"][position] = -5
    assert _refused(json.dumps(data)) == ["Region K-4634 (Masfjorden), 2024: '-5' is negative."]
    data["value"] = data["value"][:-1]
    assert _refused(json.dumps(data)) == ["The dataset has 43 values for 44 cells."]
    assert _refused('{"version": "2.0", "class": "dataset",')[0].startswith("Line 1: this is not valid JSON")


def test_the_command_refuses_a_bad_download_and_saves_nothing(vestland, tmp_path):  # noqa: F811
    path = tmp_path / "07459.csv"
    path.write_bytes((STATBANK_HEAD + '"K-4601 Bergen";1\n"K-4634 Masfjorden";x\n').encode("cp1252"))
    before = figures()
    with pytest.raises(CommandError, match=r"Line 5, Personer 2024: 'x' is not a whole number\."):
        call_command("import_population", str(path))
    assert figures() == before
