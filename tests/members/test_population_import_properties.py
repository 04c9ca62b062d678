"""Any population file, however malformed: every problem named with its line and column, or a complete
import; never a crash and never a partial write (hypothesis)."""

import csv
import io
import re
from datetime import date, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from members.models import PopulationFigure
from members.population_file import PopulationFileError
from members.services import population_import
from tests.factories import OrganisationFactory, PopulationFigureFactory

HEADER = ["kommunenummer", "name", "county", "population", "population_date"]
NUMBERS = ["4601", "4634", "4621", "0301", "4699", "9999", "463", "46341", "", "46a1"]
PROBLEM = re.compile(
    r"^(Line \d+(, (kommunenummer|population|population_date): |: )"
    r"|The file (is empty|has a header but no rows)\.$|No row in the file)"
)
DB_EXAMPLES = settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)

counts = st.one_of(st.integers(-5, 400_000).map(str), st.text(max_size=6), st.just("1 694"), st.just("12.0"))
dates = st.one_of(
    st.dates(min_value=date(2019, 1, 1), max_value=date(2026, 12, 31)).map(date.isoformat),
    st.sampled_from(["2024-01-01", "01.01.2024", "2024-02-30", ""]),
    st.text(max_size=10),
)
rows = st.lists(
    st.lists(st.one_of(st.sampled_from(NUMBERS), st.text(max_size=5)), min_size=1, max_size=1).flatmap(
        lambda number: st.tuples(st.just(number[0]), st.text(max_size=10), st.just("Vestland"), counts, dates)
    ),
    min_size=0,
    max_size=6,
)
headers = st.one_of(st.just(HEADER), st.permutations(HEADER), st.lists(st.text(max_size=8), max_size=5))


def population_csv(header, body) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(body)
    return out.getvalue()


def snapshot():
    return sorted(PopulationFigure.objects.values_list("organisation_id", "reference_date", "count", "source"))


def history_count():
    return PopulationFigure.history.count()


@pytest.fixture
def network(db):
    bergen = OrganisationFactory(name="Bergen", number="4601")
    masfjorden = OrganisationFactory(name="Masfjorden", number="4634")
    PopulationFigureFactory(organisation=masfjorden, reference_date=date(2024, 1, 1), count=1000, source="old")
    return {"4601": bergen, "4634": masfjorden}


@DB_EXAMPLES
@given(header=headers, body=rows)
def test_a_file_is_imported_whole_or_refused_whole_with_every_problem_named(network, header, body):
    text = population_csv(header, body)
    before, history_before = snapshot(), history_count()
    try:
        population_import(text=text, source="SSB test")
    except PopulationFileError as error:
        assert error.errors
        for message in error.errors:
            assert PROBLEM.match(message), message
        assert snapshot() == before and history_count() == history_before, "a refused file wrote something"
    else:
        assert header == HEADER
        # The figures now are those before, with every row of a member in the file written over them.
        expected = {(organisation, day): (count, source) for organisation, day, count, source in before}
        for number, _name, _county, count, reference_date in body:
            if number in network:
                day = read_date(reference_date)
                expected[(network[number].pk, day)] = (int(count.replace(" ", "")), "SSB test")
        assert snapshot() == sorted((*key, *value) for key, value in expected.items())


def read_date(text: str) -> date:
    text = text.strip()
    return date.fromisoformat(text) if "-" in text else datetime.strptime(text, "%d.%m.%Y").date()


@DB_EXAMPLES
@given(text=st.text(max_size=300))
def test_any_text_is_imported_or_refused_with_a_message(network, text):
    before = snapshot()
    try:
        population_import(text=text, source="SSB test")
    except PopulationFileError as error:
        assert error.errors and all(message.strip() for message in error.errors)
        assert snapshot() == before


def test_old_mac_line_endings_are_read(network):
    text = "\r".join([",".join(HEADER), "4601,Bergen,Vestland,291940,2024-01-01", ""])
    assert population_import(text=text, source="SSB test").created == 1


def test_a_field_larger_than_the_csv_reader_takes_is_a_file_error_and_writes_nothing(network):
    before = snapshot()
    text = ",".join(HEADER) + "\n4601,Bergen,Vestland,1,2024-01-01\n4634," + "x" * 200_000 + ",Vestland,1,2024-01-01\n"
    with pytest.raises(PopulationFileError) as error:
        population_import(text=text, source="SSB test")
    assert error.value.errors[0].startswith("Line 3: this is not valid CSV (field larger than field limit")
    assert snapshot() == before
