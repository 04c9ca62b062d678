"""Invoices (and credit notes, rendered by the same function) are stored as PDF/A-3."""

from datetime import date

import pytest

from funding.models import Invoice, InvoiceRun
from funding.services import invoice_run_execute
from funding.services.invoices import invoice_document_bytes
from tests.pdf_archival import assert_archival

pytestmark = pytest.mark.django_db


def test_invoices_are_pdf_a(invoicing):
    run = InvoiceRun.objects.create(year=2026, issue_date=date(2026, 11, 23), due_date=date(2026, 12, 23))
    invoice_run_execute(run_id=run.pk)
    invoice = Invoice.objects.filter(kind="invoice").first()
    assert_archival(invoice_document_bytes(invoice=invoice, kind="pdf"), language="nb")
