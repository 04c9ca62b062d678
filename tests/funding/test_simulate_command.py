"""`manage.py contributions simulate`: CSV of each member's contribution, clear errors for bad input."""

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

REFERENCE = Path(__file__).parents[1] / "data" / "reference" / "contributions"
REFERENCE_CASES = sorted(path.name for path in REFERENCE.iterdir() if path.is_dir())
REPOSITORY = Path(__file__).parents[2]

MODEL = {
    "name": "DigiVestland 2021-2024",
    "mode": "formula",
    "base_year": 2021,
    "year": 2021,
    "cap_indexed": False,
    "rules": {"municipality": {"fixed": "100000", "per_inhabitant": "20", "cap": "500000"}},
    "overrides": {"4601": {"exempt": True, "description": "vertskommune"}},
}
MEMBERS = "id,kind,population,months\n4634,municipality,1691,\n4601,municipality,291940,\n1,municipality,1691,6\n"


def simulate(model: Path, members: Path) -> list[dict[str, str]]:
    """The command's CSV output as rows."""
    stdout = io.StringIO()
    call_command("contributions", "simulate", "--model", str(model), "--members", str(members), stdout=stdout)
    return list(csv.DictReader(io.StringIO(stdout.getvalue())))


def write(folder: Path, model: object = MODEL, members: str = MEMBERS) -> tuple[Path, Path]:
    """model.json (a dict as JSON, or text as is) and members.csv in the folder."""
    model_path, members_path = folder / "model.json", folder / "members.csv"
    model_path.write_text(model if isinstance(model, str) else json.dumps(model), encoding="utf-8")
    members_path.write_text(members, encoding="utf-8")
    return model_path, members_path


@pytest.mark.parametrize("case", REFERENCE_CASES)
def test_reference_case_through_the_command(case):
    folder = REFERENCE / case

    rows = simulate(folder / "model.json", folder / "members.csv")

    with (folder / "expected.csv").open(newline="", encoding="utf-8") as file:
        expected = [(row["id"], row["amount"]) for row in csv.DictReader(file)]
    assert [(row["id"], row["amount"]) for row in rows] == expected


def test_output_is_csv_with_id_amount_and_explanation_in_input_order(tmp_path):
    stdout = io.StringIO()
    model, members = write(tmp_path)

    call_command("contributions", "simulate", "--model", str(model), "--members", str(members), stdout=stdout)

    lines = stdout.getvalue().splitlines()
    assert lines[0] == "id,amount,explanation"
    assert [line.split(",")[:2] for line in lines[1:]] == [["4634", "133820"], ["4601", "0"], ["1", "66910"]]
    rows = list(csv.DictReader(io.StringIO(stdout.getvalue())))
    assert rows[1]["explanation"] == "Fritatt: vertskommune"
    assert rows[2]["explanation"].endswith("medlem 6 av 12 måneder: 133\xa0820 × 6/12 = 66\xa0910")


@pytest.mark.parametrize(
    ("model", "members", "message"),
    [
        (MODEL, MEMBERS.replace("4634,municipality", "4634,fylke"), "members.csv, line 2, kind: 'fylke' is not"),
        (MODEL, MEMBERS.replace("1691,6", "-5,6"), "members.csv, line 4, population: '-5' is negative"),
        (MODEL, MEMBERS.replace("291940,", ","), "members.csv, line 3, population: missing"),
        (MODEL, MEMBERS.replace("1691,6", "1691,13"), "members.csv, line 4, months: '13' is not between 1 and 12"),
        ('{"name": "x",\n "mode": }', MEMBERS, "model.json, line 2, column 10: malformed JSON"),
        ({**MODEL, "target": "1"}, MEMBERS, "model.json: target: unknown key"),
        (
            {**MODEL, "rules": {"municipality": {"fixed": "1", "per_inhabitant": "2", "cap": "abc"}}},
            MEMBERS,
            "model.json: rules.municipality.cap: 'abc' is not a number",
        ),
        (
            MODEL,
            MEMBERS + "30,county_municipality,1252384,\n",
            "model.json: rules: no rule for kind 'county_municipality', needed by member 30",
        ),
    ],
)
def test_bad_input_is_a_command_error_naming_the_file_and_the_place(tmp_path, model, members, message):
    model_path, members_path = write(tmp_path, model, members)

    with pytest.raises(CommandError) as raised:
        simulate(model_path, members_path)

    assert message in str(raised.value)


def test_missing_file_is_a_command_error(tmp_path):
    with pytest.raises(CommandError, match=r"nowhere\.json: No such file"):
        simulate(tmp_path / "nowhere.json", tmp_path / "members.csv")


def test_an_action_is_required():
    with pytest.raises(CommandError, match="ACTION"):
        call_command("contributions")


def test_bad_input_exits_non_zero_from_the_command_line(tmp_path):
    model, members = write(tmp_path, members=MEMBERS.replace("1691,6", "-5,6"))

    finished = subprocess.run(
        [sys.executable, "manage.py", "contributions", "simulate", "--model", str(model), "--members", str(members)],
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
        env={**os.environ, "DEBUG": "1"},
        check=False,
        timeout=120,
    )

    assert finished.returncode != 0
    assert "members.csv, line 4, population: '-5' is negative" in finished.stderr
    assert finished.stdout == ""
