"""Invoice runs that meet a failure: recorded as failed with the reason, and started again without issuing twice."""

from datetime import date

import weasyprint

from core.models import NetworkProfile
from core.runs import RunStatus
from funding.models import Contribution, Invoice, InvoiceLine, InvoiceRun, NumberSeries
from funding.services import invoice_document_bytes, invoice_issue, invoice_run_start

ISSUE, DUE = date(2026, 11, 23), date(2026, 12, 23)


def _render_fails(*args, **kwargs):
    raise RuntimeError("WeasyPrint: cannot load font")


def test_a_pdf_that_cannot_be_rendered_does_not_stop_the_run(transactional_db, invoicing, monkeypatch):
    """Tasks in-process (the embedded default): the documents are rendered later, the invoices are issued."""
    monkeypatch.setattr(weasyprint.HTML, "write_pdf", _render_fails)
    run = invoice_run_start(year=2026, issue_date=ISSUE, due_date=DUE)  # autocommit: executed at once
    run.refresh_from_db()
    assert (run.status, run.issued, run.error) == (RunStatus.SUCCEEDED, 2, "")
    assert sorted(Invoice.objects.values_list("number", flat=True)) == [1, 2]
    assert set(Invoice.objects.values_list("pdf_sha256", flat=True)) == {""}  # not rendered yet
    monkeypatch.undo()
    invoice = Invoice.objects.get(number=1)
    assert invoice_document_bytes(invoice=invoice, kind="pdf").startswith(b"%PDF")  # rendered on first use


def test_an_unexpected_error_fails_the_run_with_its_reason_and_a_new_start_resumes(transactional_db, invoicing):
    first = Contribution.objects.filter(year=2026, amount__gt=0).order_by("organisation__name").first()
    invoice_issue(contribution=first, issue_date=ISSUE, due_date=DUE)
    # A line text with a placeholder the portal does not fill in makes issuing raise KeyError.
    NetworkProfile.objects.update(invoice_line_text="Medlemsbidrag {nettverk} {year}")
    failed = invoice_run_start(year=2026, issue_date=ISSUE, due_date=DUE)
    failed.refresh_from_db()
    assert failed.status == RunStatus.FAILED
    assert "nettverk" in failed.error
    assert failed.finished_at is not None
    # Nothing half-written: one invoice with its line, the number of the failed one is free again.
    assert Invoice.objects.count() == 1 and InvoiceLine.objects.count() == 1
    assert NumberSeries.objects.get(key="invoice").next_number == 2

    NetworkProfile.objects.update(invoice_line_text="Medlemsbidrag {network} {year}")
    again = invoice_run_start(year=2026, issue_date=ISSUE, due_date=DUE)
    assert again.pk != failed.pk
    again.refresh_from_db()
    assert (again.status, again.issued, again.skipped) == (RunStatus.SUCCEEDED, 1, 1)
    assert sorted(Invoice.objects.values_list("number", flat=True)) == [1, 2]
    assert Invoice.objects.values("contribution").distinct().count() == 2
    assert InvoiceRun.objects.filter(status=RunStatus.FAILED).get().pk == failed.pk


def test_a_pdf_that_cannot_be_rendered_after_a_request_commits_does_not_fail_the_request(
    invoicing, monkeypatch, django_capture_on_commit_callbacks
):
    """Issued inside a transaction (a request): the rendering that runs when it commits must not raise either."""
    monkeypatch.setattr(weasyprint.HTML, "write_pdf", _render_fails)
    contribution = Contribution.objects.filter(year=2026, amount__gt=0).first()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        invoice, created = invoice_issue(contribution=contribution, issue_date=ISSUE, due_date=DUE)
    assert created and callbacks  # the rendering queued for after the commit ran, and did not raise
    invoice.refresh_from_db()
    assert (invoice.status, invoice.pdf_sha256) == ("issued", "")
