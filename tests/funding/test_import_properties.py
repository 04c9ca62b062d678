"""Any bank statement or contribution model file, however malformed: a clear error naming what is wrong, or a
complete import; never a crash and never a partial write (hypothesis)."""

import csv
import datetime
import io
import json
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from funding.bank_file import parse_bank_file
from funding.calculation import ModelError
from funding.model_io import load_model
from funding.models import BankImport, Invoice, Payment
from funding.services import bank_statement_import
from tests.funding.test_invoice_views import issued  # noqa: F401 - a fixture

DB_EXAMPLES = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
LINE_OR_FILE = re.compile(r"^(Line \d+(, (date|amount|kid): |: )|The file )")

dates = st.one_of(
    st.dates().map(lambda d: d.isoformat()), st.dates().map(lambda d: d.strftime("%d.%m.%Y")), st.text(max_size=12)
)
amounts = st.one_of(
    st.decimals(min_value=-(10**7), max_value=10**7, places=2).map(str),
    st.integers(-(10**6), 10**9).map(lambda n: f"{n:,}".replace(",", " ") + ",00"),
    st.text(max_size=12),
)


def bank_csv(rows, delimiter=",") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(["date", "amount", "kid", "reference"])
    writer.writerows(rows)
    return out.getvalue().encode()


def counts():
    return (Payment.objects.count(), BankImport.objects.count(), list(Invoice.objects.values_list("pk", "status")))


@given(raw=st.binary(max_size=400))
def test_any_bytes_are_rows_or_a_validation_error(raw):
    try:
        parse_bank_file(raw)
    except ValidationError as error:
        assert error.messages and all(message.strip() for message in error.messages)


@pytest.mark.django_db
@DB_EXAMPLES
@given(data=st.data(), delimiter=st.sampled_from([",", ";"]))
def test_a_statement_is_imported_whole_or_refused_whole(issued, data, delimiter):  # noqa: F811
    kids = list(Invoice.objects.filter(kind="invoice").values_list("kid", flat=True))
    kid = st.one_of(st.sampled_from(kids), st.from_regex(r"\A[0-9]{10}\Z"), st.text(max_size=11))
    rows = data.draw(st.lists(st.tuples(dates, amounts, kid, st.text(max_size=20)), min_size=1, max_size=6))
    raw = bank_csv(rows, delimiter)
    before = counts()
    try:
        record = bank_statement_import(raw=raw, file_name="statement.csv")
    except ValidationError as error:
        assert error.messages
        for message in error.messages:
            assert LINE_OR_FILE.match(message), message
        assert counts() == before, "a refused file wrote something"
    else:
        report = record.report
        assert Payment.objects.count() - before[0] == len(report["registered"])
        accounted = ("registered", "unknown_kid", "not_open", "already_registered")
        assert len(rows) == sum(len(report[key]) for key in accounted)
        # What was saved is what the file says, line by line.
        saved = sorted(record.payment_set.values_list("paid_on", "amount", "kid", "reference", "invoice__kid"))
        expected = sorted(
            (*written_payment(rows[int(entry["line"]) - 2]), rows[int(entry["line"]) - 2][2].strip())
            for entry in report["registered"]
        )
        assert saved == expected


def written_payment(row) -> tuple:
    """A row as a person reads it: the date in either format, the amount in kroner and øre, KID and reference."""
    date_text, amount_text, kid, reference = (cell.strip() for cell in row)
    day = (
        datetime.date.fromisoformat(date_text)
        if "-" in date_text
        else datetime.datetime.strptime(date_text, "%d.%m.%Y").date()
    )
    amount_text = amount_text.replace(" ", "").replace("\xa0", "")
    if "," in amount_text:
        amount_text = amount_text.replace(".", "").replace(",", ".")
    return day, Decimal(amount_text), kid, reference


@given(text=st.text(max_size=300))
def test_any_text_is_a_model_or_a_model_error(text):
    try:
        load_model(text, source="model.json")
    except ModelError as error:
        assert str(error).startswith("model.json"), str(error)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8) | st.floats(allow_nan=False),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=10,
)


@given(data=st.data())
def test_a_model_with_any_key_changed_is_a_model_or_an_error_naming_the_key(data, reference_model_text):
    document = json.loads(reference_model_text)
    path = []
    node = document
    while isinstance(node, dict | list) and node and data.draw(st.booleans()):
        key = data.draw(st.sampled_from(sorted(node) if isinstance(node, dict) else list(range(len(node)))))
        path.append(key)
        if not isinstance(node[key], dict | list):
            break
        node = node[key]
    if not path:
        return
    parent = document
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = data.draw(json_values)
    try:
        load_model(json.dumps(document), source="model.json")
    except ModelError as error:
        message = str(error)
        assert message.startswith("model.json"), message
        assert len(message) > len("model.json: "), message


@pytest.fixture(scope="module")
def reference_model_text():
    from pathlib import Path

    folder = Path(__file__).resolve().parents[1] / "data" / "reference" / "contributions"
    return sorted(folder.rglob("model.json"))[0].read_text()
