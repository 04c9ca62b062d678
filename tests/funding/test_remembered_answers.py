"""Answers kept while the tables they are worked out from are as they were (core.db.remembered): the secretariat's
"needs attention" list on the start page, and the invoice list's years and totals per year. Each covers every table
it reads, and a committed change to any of them is seen at once."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.db import tables_fingerprint
from core.runs import RunStatus
from funding import invoice_selectors
from funding.attention import ATTENTION_READS, _money_attention, money_attention
from funding.models import Contribution, Invoice, Payment, RecomputeRun
from funding.services import invoice_issue, payment_register

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="the fingerprint is PostgreSQL's"),
]

TODAY = date(2026, 12, 3)


def _tables_read(function) -> set[str]:
    with CaptureQueriesContext(connection) as queries:
        function()
    read = {
        table
        for query in queries.captured_queries
        for table in re.findall(r'(?:FROM|JOIN)\s+"([a-z_0-9]+)"', query["sql"])
    }
    assert read, "no query was captured"
    return read


def _issued(personas) -> Invoice:
    contribution = Contribution.objects.get(organisation=personas.own, year=2026)
    invoice, _created = invoice_issue(
        contribution=contribution, issue_date=date(2026, 9, 1), due_date=date(2026, 10, 1)
    )
    return invoice


def test_the_attention_list_covers_every_table_it_reads(invoicing):
    _issued(invoicing)
    RecomputeRun.objects.create(year=2026, status=RunStatus.FAILED, error="x")
    assert _tables_read(lambda: _money_attention(TODAY)) <= {model._meta.db_table for model in ATTENTION_READS}


@pytest.mark.django_db(transaction=True)  # committed writes, so that the kept answer is used and tested
def test_the_attention_list_shows_a_change_at_once(invoicing):
    invoice = _issued(invoicing)
    assert tables_fingerprint(*ATTENTION_READS) is not None
    overdue = money_attention(today=TODAY)
    assert any(invoice.display_number in item.text for item in overdue)
    with CaptureQueriesContext(connection) as queries:
        assert money_attention(today=TODAY) == overdue
    assert len(queries) == 1  # kept: only the fingerprint is read
    payment_register(invoice=invoice, amount=invoice.total, paid_on=TODAY)
    assert not any(invoice.display_number in item.text for item in money_attention(today=TODAY))
    RecomputeRun.objects.create(year=2026, status=RunStatus.FAILED, error="Tidsavbrudd")
    assert any("Tidsavbrudd" in item.text for item in money_attention(today=TODAY))
    assert money_attention(today=TODAY) == _money_attention(TODAY)


@pytest.mark.django_db(transaction=True)
def test_the_invoice_totals_and_years_show_a_change_at_once(invoicing):
    secretariat, director = invoicing.secretariat, invoicing.director
    assert invoice_selectors.invoice_years(user=secretariat) == []
    invoice = _issued(invoicing)
    assert invoice_selectors.invoice_years(user=secretariat) == [2026]
    totals = invoice_selectors.invoice_totals(user=secretariat)
    assert [(row["invoiced"], row["paid"]) for row in totals] == [(invoice.total, Decimal(0))]
    with CaptureQueriesContext(connection) as queries:
        assert invoice_selectors.invoice_totals(user=secretariat) == totals
        assert invoice_selectors.invoice_years(user=secretariat) == [2026]
    assert len(queries) == 2  # kept: only the fingerprints are read
    payment_register(invoice=invoice, amount=Decimal(1000), paid_on=TODAY)
    (row,) = invoice_selectors.invoice_totals(user=secretariat)
    assert (row["paid"], row["outstanding"]) == (Decimal(1000), invoice.total - 1000)
    Payment.objects.filter(invoice=invoice).update(amount=Decimal(2000))  # behind the portal's back
    (row,) = invoice_selectors.invoice_totals(user=secretariat)
    assert row["paid"] == Decimal(2000)
    # Each user's own answer: the director of another organisation sees none of it.
    outsider = invoicing.outsider
    assert invoice_selectors.invoice_totals(user=outsider) == []
    assert invoice_selectors.invoice_years(user=outsider) == []
    assert invoice_selectors.invoice_years(user=director) == [2026]
