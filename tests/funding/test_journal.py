"""The journal for the host's accounts: every voucher balances, and the journal of a budget year agrees with the
year's totals (receivables = outstanding - overpaid, revenue = invoiced - credited, bank = paid)."""

import csv
import io
from collections import defaultdict
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse

from funding.invoice_selectors import invoice_totals
from funding.journal import COLUMNS, journal_csv, journal_postings, journal_sums
from funding.models import InvoiceRun
from funding.services import bank_statement_import, credit_note_issue
from tests.funding.bank_files import DATA
from tests.funding.test_invoice_views import foreign, issued, own  # noqa: F401 - a fixture

pytestmark = pytest.mark.django_db


@pytest.fixture
def year_of_money(issued, settings):  # noqa: F811
    """Masfjorden pays in full, Voss pays 400 000 and is then credited in full (so it has paid too much)."""
    settings.JOURNAL_PROJECT = "DIGI-VL"
    bank_statement_import(raw=(DATA / "ocr-giro.txt").read_bytes(), file_name="ocr-giro.txt")
    credit_note_issue(invoice=foreign(issued), reason="Feil beløp", issue_date=date(2026, 12, 5))
    return issued


def test_the_journal_of_a_year_agrees_with_the_years_totals(year_of_money):
    totals = invoice_totals(user=year_of_money.secretariat)[0]
    assert totals["year"] == 2026 and totals["overpaid"] == Decimal("400000.00")
    postings = journal_postings(year=2026)
    assert journal_sums(postings) == {
        "1500": totals["outstanding"] - totals["overpaid"],
        "1750": -(totals["invoiced"] - totals["credited"]),
        "1920": totals["paid"],
    }
    vouchers: dict[str, Decimal] = defaultdict(Decimal)
    for posting in postings:
        vouchers[posting.voucher] += posting.amount
    assert set(vouchers.values()) == {Decimal(0)} and len(vouchers) == 5  # 2 invoices, 1 credit note, 2 payments
    assert {posting.project for posting in postings} == {"DIGI-VL"}
    assert {posting.kind for posting in postings} == {"municipality"}


def test_the_csv_is_documented_columns_and_the_command_writes_the_same(year_of_money, tmp_path, capsys):
    text = journal_csv(journal_postings(year=2026))
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0] == COLUMNS
    assert rows[1] == [
        "2026-11-23",
        "1",
        "1",
        own(year_of_money).buyer_org_number,
        "Masfjorden kommune",
        "1500",
        "133820.00",
        "DIGI-VL",
        "municipality",
        "Faktura 1 Masfjorden kommune",
    ]
    assert sorted(row[5:7] for row in rows if row[1] == "K1") == [["1500", "-429420.00"], ["1750", "429420.00"]]
    out = tmp_path / "journal.csv"
    call_command("invoices", "journal", "--year", "2026", "--out", str(out))
    assert out.read_bytes().decode("utf-8") == text
    assert "10 postings written" in capsys.readouterr().out


def test_a_run_or_a_period_gives_its_own_postings(year_of_money, client):
    run = InvoiceRun.objects.get()
    assert {p.voucher for p in journal_postings(run_id=run.pk)} == {"1", "2"}
    december = journal_postings(date_from=date(2026, 12, 1), date_to=date(2026, 12, 31))
    # The credit note of 5 December and the two payments of 1 December, not the invoices of November.
    assert [p.voucher[:3] for p in december[::2]] == ["INN", "INN", "K1"] and len(december) == 6
    client.force_login(year_of_money.secretariat)
    page = client.get(reverse("funding:journal"), {"run": run.pk}).content.decode()
    assert "4 postings; sums per account" in page
    download = client.get(reverse("funding:journal"), {"year": 2026, "download": "1"})
    assert download["Content-Disposition"] == 'attachment; filename="journal.csv"'
    assert download.content.decode() == journal_csv(journal_postings(year=2026))
    refused = client.get(reverse("funding:journal"), {"date_from": "2026-12-31", "date_to": "2026-12-01"})
    assert "The period ends before it begins." in refused.content.decode()
