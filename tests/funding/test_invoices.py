"""Invoices and credit notes: content, numbering, immutability, documents, payments and reminders."""

import hashlib
import subprocess
import threading
from datetime import date
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import DatabaseError, connection, connections
from django.test.utils import CaptureQueriesContext
from stdnum import luhn

from funding.choices import InvoiceStatus
from funding.models import Contribution, Invoice, InvoiceLine, InvoiceRun, NumberSeries
from funding.models.invoices import ImmutableInvoiceError
from funding.services import (
    contributions_recompute,
    credit_note_issue,
    invoice_document_bytes,
    invoice_issue,
    invoice_preview,
    invoice_run_execute,
    invoices_mark_overdue,
    payment_register,
    reminder_send,
)
from funding.tasks import render_invoice_documents
from members.services import organisation_update, population_figure_record
from tests.ehf_validation import validate

pytestmark = pytest.mark.django_db
ISSUE, DUE = date(2026, 11, 23), date(2026, 12, 23)


def run(year=2026):
    return invoice_run_execute(run_id=InvoiceRun.objects.create(year=year, issue_date=ISSUE, due_date=DUE).pk)


def own_invoice(personas) -> Invoice:
    return Invoice.objects.get(organisation=personas.own, kind="invoice")


def test_a_run_invoices_every_member_with_an_amount_once(invoicing):
    first = run()
    assert (first.status, first.issued, first.skipped) == ("succeeded", 2, 0)  # Bergen is exempt: 0, no invoice
    again = run()
    assert (again.issued, again.skipped) == (0, 2)
    assert Invoice.objects.count() == 2
    assert sorted(Invoice.objects.values_list("number", flat=True)) == [1, 2]


def test_invoice_content_follows_the_bookkeeping_rules(invoicing):
    run()
    invoice = own_invoice(invoicing)
    assert (invoice.seller_legal_name, invoice.seller_org_number) == ("Bergen kommune", invoicing.host.org_number)
    assert (invoice.buyer_name, invoice.buyer_org_number) == ("Masfjorden kommune", invoicing.own.org_number)
    assert (invoice.issue_date, invoice.due_date) == (ISSUE, DUE)
    assert (invoice.period_start, invoice.period_end) == (date(2026, 1, 1), date(2026, 12, 31))
    assert invoice.buyer_reference == "4634-DIGI"
    assert invoice.total == Decimal(133820)
    assert "ikke omfattet av merverdiavgiftsloven" in invoice.vat_exemption_reason
    line = invoice.lines.get()
    assert line.description == "Medlemsbidrag DigiVestland 2026"
    assert line.note == Contribution.objects.get(organisation=invoicing.own).explanation
    assert luhn.is_valid(invoice.kid) and len(invoice.kid) == 10
    assert Invoice.objects.values("kid").distinct().count() == Invoice.objects.count()
    assert Contribution.objects.get(organisation=invoicing.own).frozen_at is not None


def test_a_member_without_buyer_reference_stops_the_run_before_anything_is_issued(invoicing):
    organisation_update(organisation=invoicing.foreign, buyer_reference="")
    preview = invoice_preview(year=2026)
    assert not preview.can_issue
    assert "buyer's reference" in preview.problems[invoicing.foreign.pk][0]
    with pytest.raises(ValidationError, match="Voss cannot be invoiced"):
        invoice_issue(
            contribution=Contribution.objects.get(organisation=invoicing.foreign), issue_date=ISSUE, due_date=DUE
        )
    assert not Invoice.objects.exists()
    assert NumberSeries.objects.filter(next_number__gt=1).count() == 0


def test_an_issued_invoice_cannot_be_edited_or_deleted(invoicing):
    run()
    invoice = own_invoice(invoicing)
    invoice.total = Decimal(1)
    with pytest.raises(ImmutableInvoiceError):
        invoice.save()
    invoice.refresh_from_db()
    with pytest.raises(ImmutableInvoiceError):
        invoice.delete()
    line = invoice.lines.get()
    line.amount = Decimal(1)
    with pytest.raises(ImmutableInvoiceError):
        line.save()
    with pytest.raises(ImmutableInvoiceError):
        InvoiceLine(invoice=invoice, position=2, description="extra", unit_price=1, amount=1).save()
    # Status may move on; that is not an edit of the document.
    invoice.status = InvoiceStatus.SENT
    invoice.save(update_fields=["status"])


def test_the_guard_reads_the_stored_row_only_for_a_save_that_writes_a_guarded_field(invoicing, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    run()
    invoice = own_invoice(invoicing)
    invoice.status = InvoiceStatus.SENT
    with CaptureQueriesContext(connection) as queries:
        invoice.save(update_fields=["status"])
    assert not [query for query in queries if query["sql"].startswith("SELECT")], "nothing to compare: no read"
    # A guarded field in update_fields is compared with the stored row, also when named by its relation.
    invoice.organisation = invoicing.foreign
    with pytest.raises(ImmutableInvoiceError, match="organisation_id"):
        invoice.save(update_fields=["status", "organisation"])
    invoice_document_bytes(invoice=invoice, kind="pdf")
    invoice.refresh_from_db()
    invoice.pdf_sha256 = "0" * 64
    with pytest.raises(ImmutableInvoiceError, match="pdf_sha256"):
        invoice.save(update_fields=["pdf_sha256"])
    assert Invoice.objects.get(pk=invoice.pk).organisation_id == invoicing.own.pk


def test_the_documents_task_renders_once_under_the_lock_it_reads_first(invoicing, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    run()
    invoice = own_invoice(invoicing)
    Invoice.objects.filter(pk=invoice.pk).update(pdf="", pdf_sha256="", ehf="", ehf_sha256="")  # as before the task
    with CaptureQueriesContext(connection) as queries:
        digest = render_invoice_documents.apply(args=[invoice.pk]).get()
    reads = [query["sql"] for query in queries if query["sql"].startswith('SELECT "funding_invoice"."id"')]
    assert len(reads) == 1, "the invoice is read once, under its lock"
    assert reads[0].endswith("FOR UPDATE") or connection.vendor == "sqlite"  # SQLite locks the whole database
    invoice.refresh_from_db()
    assert digest == invoice.pdf_sha256 and invoice.ehf_sha256
    history = invoice.history.count()
    files = sorted(path.name for path in tmp_path.rglob("*") if path.is_file())
    assert render_invoice_documents.apply(args=[invoice.pk]).get() == digest  # a task delivered twice
    assert invoice.history.count() == history
    assert sorted(path.name for path in tmp_path.rglob("*") if path.is_file()) == files


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the database trigger is PostgreSQL's")
def test_the_database_refuses_edits_that_bypass_the_model(invoicing):
    run()
    invoice = own_invoice(invoicing)
    from django.db import transaction

    for statement in (
        lambda: Invoice.objects.filter(pk=invoice.pk).update(total=Decimal(1)),
        lambda: Invoice.objects.filter(pk=invoice.pk).update(buyer_reference="changed"),
        lambda: InvoiceLine.objects.filter(invoice=invoice).update(amount=Decimal(1)),
        lambda: Invoice.objects.filter(pk=invoice.pk)._raw_delete(connection.alias),
    ):
        with pytest.raises(DatabaseError, match=r"issued|cannot"), transaction.atomic():
            statement()
    invoice.refresh_from_db()
    assert invoice.total == Decimal(133820)


def test_a_credit_note_has_its_own_series_and_reopens_the_contribution(invoicing, django_capture_on_commit_callbacks):
    run()
    invoice = own_invoice(invoicing)
    credit = credit_note_issue(invoice=invoice, reason="Feil folketall", issue_date=date(2026, 11, 30))
    assert (credit.series, credit.number, credit.display_number) == ("credit_note", 1, "K1")
    assert credit.credited_invoice == invoice and credit.total == invoice.total
    assert credit.note == "Krediterer faktura 1 av 23.11.2026. Årsak: Feil folketall"
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.CREDITED
    contribution = Contribution.objects.get(organisation=invoicing.own)
    assert contribution.frozen_at is None
    # The corrected figure gives a new invoice with the next number.
    population_figure_record(organisation=invoicing.own, reference_date=date(2024, 1, 1), count=1694, source="SSB")
    contributions_recompute(year=2026)
    new, created = invoice_issue(contribution=contribution, issue_date=date(2026, 12, 1), due_date=date(2026, 12, 31))
    assert created and new.number == 3 and new.total == Decimal(133880)
    with pytest.raises(ValidationError):
        credit_note_issue(invoice=invoice, reason="again", issue_date=date(2026, 12, 1))


def test_pdf_is_stored_once_and_every_download_returns_the_same_bytes(invoicing, tmp_path):
    run()
    invoice = own_invoice(invoicing)
    first = invoice_document_bytes(invoice=invoice, kind="pdf")
    second = invoice_document_bytes(invoice=Invoice.objects.get(pk=invoice.pk), kind="pdf")
    assert first == second and first.startswith(b"%PDF")
    invoice.refresh_from_db()
    assert invoice.pdf_sha256 == hashlib.sha256(first).hexdigest()
    pdf = tmp_path / "f.pdf"
    pdf.write_bytes(first)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    for expected in (
        "FAKTURA",
        "Masfjorden kommune",
        "Bergen kommune",
        "4634-DIGI",
        invoice.kid,
        "1503.01.12358",
        "23.12.2026",
        "133 820,00",
        "Ingen merverdiavgift",
        "Org.nr.",
    ):
        assert expected in text.replace("\xa0", " "), expected


def test_a_tampered_stored_file_is_detected(invoicing):
    run()
    invoice = own_invoice(invoicing)
    invoice_document_bytes(invoice=invoice, kind="pdf")
    invoice.refresh_from_db()
    with open(invoice.pdf.path, "ab") as handle:
        handle.write(b"x")
    with pytest.raises(RuntimeError, match="does not match its SHA-256"):
        invoice_document_bytes(invoice=invoice, kind="pdf")


def test_ehf_of_invoice_and_credit_note_validate(invoicing):
    run()
    invoice = own_invoice(invoicing)
    report = validate(invoice_document_bytes(invoice=invoice, kind="ehf"), "invoice")
    assert report.schema_errors == [] and report.fatal == []
    credit = credit_note_issue(invoice=invoice, reason="Feil", issue_date=date(2026, 11, 30))
    xml = invoice_document_bytes(invoice=credit, kind="ehf")
    report = validate(xml, "credit_note")
    assert report.schema_errors == [] and report.fatal == []
    assert b"<cbc:ID>1</cbc:ID>" in xml  # the credited invoice number in BillingReference


def test_export_command_writes_one_file_per_invoice(invoicing, tmp_path):
    call_command("invoices", "run", "--year", "2026", "--issue-date", "2026-11-23", "--due-date", "2026-12-23")
    call_command("invoices", "export", "--year", "2026", "--format", "ehf", "--out", str(tmp_path / "ehf"))
    call_command("invoices", "export", "--year", "2026", "--format", "pdf", "--out", str(tmp_path / "pdf"))
    assert sorted(p.name for p in (tmp_path / "ehf").iterdir()) == ["faktura-1.xml", "faktura-2.xml"]
    assert sorted(p.name for p in (tmp_path / "pdf").iterdir()) == ["faktura-1.pdf", "faktura-2.pdf"]
    for path in (tmp_path / "ehf").iterdir():
        report = validate(path.read_bytes(), "invoice")
        assert report.schema_errors == [] and report.fatal == [], (path.name, report.schema_errors, report.fatal)


def test_payments_move_the_status(invoicing):
    run()
    invoice = own_invoice(invoicing)
    payment_register(invoice=invoice, amount=Decimal("33820"), paid_on=date(2026, 12, 1))
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PARTLY_PAID
    payment_register(invoice=invoice, amount=Decimal("100000"), paid_on=date(2026, 12, 5))
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID
    with pytest.raises(ValidationError):
        payment_register(invoice=invoice, amount=Decimal("-5"), paid_on=date(2026, 12, 5))


def test_overdue_and_a_reminder_with_a_new_due_date(invoicing, time_machine, django_capture_on_commit_callbacks):
    run()
    invoice = own_invoice(invoicing)
    time_machine.move_to("2027-01-05 09:00 +01:00")
    assert invoices_mark_overdue() == 2
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.OVERDUE
    with django_capture_on_commit_callbacks(execute=True):  # the reminder leaves once it is recorded
        reminder_send(invoice=invoice, new_due_date=date(2027, 1, 20))
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.ISSUED  # not overdue against the new due date
    assert invoice.due_date == DUE  # the invoice itself is unchanged
    message = mail.outbox[-1]
    assert message.subject == "Purring: faktura 1 fra DigiVestland"
    assert "20.01.2027" in message.body and "133\xa0820,00" in message.body
    assert [name for name, _content, _type in message.attachments] == ["faktura-1.pdf", "faktura-1.xml"]
    assert set(message.to) == {"postmottak@masfjorden.example.no", invoicing.finance.email}


# Issues every contribution of 2026 in the order given by argv[1] (forward, reverse), twice each, once a go file
# appears; run by `manage.py shell` in a process of its own against the test database.
ISSUER = """
import os, sys, time
from datetime import date
from funding.models import Contribution
from funding.services import invoice_issue
ready, go, order = os.environ["ISSUER_READY"], os.environ["ISSUER_GO"], os.environ["ISSUER_ORDER"]
contributions = list(Contribution.objects.filter(year=2026, amount__gt=0).order_by("pk"))
if order == "reverse":
    contributions.reverse()
open(ready, "w").close()
while not os.path.exists(go):
    time.sleep(0.01)
created, issue, due = 0, date(2026, 11, 23), date(2026, 12, 23)
for contribution in contributions:
    for _ in range(2):
        _invoice, new = invoice_issue(contribution=contribution, issue_date=issue, due_date=due)
        created += new
print(created)
"""


def test_concurrent_issuing_gives_no_duplicate_and_no_gap(transactional_db, personas, tmp_path):
    """Threads and processes race to issue the SAME contributions at the same moment, each in its own order."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL; CI runs it")
    import os
    import random
    import sys
    import time

    from django.conf import settings

    from tests.factories import OrganisationFactory, PopulationFigureFactory, contribution_model, network_profile

    network_profile(personas.host)
    for index in range(22):
        PopulationFigureFactory(organisation=OrganisationFactory(name=f"Member {index:02d}"), count=1000 + index)
    contribution_model(year=2026, exempt=[personas.host])
    contributions_recompute(year=2026)
    contributions = list(Contribution.objects.filter(amount__gt=0).order_by("pk"))
    assert len(contributions) == 24

    database = connection.settings_dict
    go = tmp_path / "go"
    processes = []
    for order in ("forward", "reverse"):
        env = {
            **os.environ,
            "DEBUG": "true",
            "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
            "ISSUER_READY": str(tmp_path / f"ready-{order}"),
            "ISSUER_GO": str(go),
            "ISSUER_ORDER": order,
        }
        processes.append(
            subprocess.Popen(
                [sys.executable, "manage.py", "shell", "-c", ISSUER],
                cwd=settings.BASE_DIR,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        )
    deadline = time.monotonic() + 60
    while not all((tmp_path / f"ready-{order}").exists() for order in ("forward", "reverse")):
        assert all(process.poll() is None for process in processes), [p.communicate() for p in processes]
        assert time.monotonic() < deadline, "the issuing processes did not start"
        time.sleep(0.05)

    errors: list[BaseException] = []
    created: list[bool] = []
    orders = [contributions, contributions[::-1], random.Random(14).sample(contributions, len(contributions))]
    barrier = threading.Barrier(len(orders) + 1)

    def issue(order):
        try:
            barrier.wait()
            for contribution in order:
                for _again in range(2):  # again: no duplicate
                    created.append(invoice_issue(contribution=contribution, issue_date=ISSUE, due_date=DUE)[1])
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=issue, args=(order,)) for order in orders]
    for thread in threads:
        thread.start()
    go.touch()
    barrier.wait()
    for thread in threads:
        thread.join()
    for process in processes:
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
        created.extend([True] * int(out.split()[-1]))
    assert errors == []
    assert created.count(True) == len(contributions)  # each was created by exactly one of the racers
    numbers = sorted(Invoice.objects.values_list("number", flat=True))
    assert numbers == list(range(1, len(contributions) + 1))  # no duplicate, no gap
    assert Invoice.objects.values("contribution").distinct().count() == len(contributions)
    assert NumberSeries.objects.get(key="invoice").next_number == len(contributions) + 1
    for invoice in Invoice.objects.all():
        assert invoice.total == invoice.contribution.amount
