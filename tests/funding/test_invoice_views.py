"""Invoices as a finance officer and the secretariat meet them in the browser, and bank statements."""

import csv
import hashlib
import io
from datetime import date
from decimal import Decimal

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from funding.models import BankImport, Invoice, InvoiceRun, Payment
from funding.services import invoice_run_execute
from tests.ehf_validation import validate

pytestmark = pytest.mark.django_db


@pytest.fixture
def issued(invoicing):
    run = InvoiceRun.objects.create(year=2026, issue_date=date(2026, 11, 23), due_date=date(2026, 12, 23))
    invoice_run_execute(run_id=run.pk)
    return invoicing


def own(personas):
    return Invoice.objects.get(organisation=personas.own, kind="invoice")


def foreign(personas):
    return Invoice.objects.get(organisation=personas.foreign, kind="invoice")


def test_finance_officer_sees_and_downloads_own_invoices_only(client, issued):
    client.force_login(issued.finance)
    response = client.get(reverse("funding:invoice_list"))
    assert [i.buyer_name for i in response.context["invoices"]] == ["Masfjorden kommune"]
    pdf = client.get(reverse("funding:invoice_pdf", kwargs={"pk": own(issued).pk}))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert pdf["Content-Disposition"] == 'attachment; filename="faktura-1.pdf"'
    again = client.get(reverse("funding:invoice_pdf", kwargs={"pk": own(issued).pk}))
    assert again.content == pdf.content
    assert hashlib.sha256(pdf.content).hexdigest() == own(issued).pdf_sha256
    ehf = client.get(reverse("funding:invoice_ehf", kwargs={"pk": own(issued).pk}))
    report = validate(ehf.content, "invoice")
    assert report.schema_errors == [] and report.fatal == [], (report.schema_errors, report.fatal)
    assert ehf["Content-Type"].startswith("application/xml")
    for name in ("funding:invoice_pdf", "funding:invoice_ehf", "funding:invoice_detail"):
        assert client.get(reverse(name, kwargs={"pk": foreign(issued).pk})).status_code == 404


def test_finance_officer_exports_own_invoices(client, issued):
    client.force_login(issued.finance)
    response = client.get(reverse("funding:invoice_list"), {"_export": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [row[2] for row in rows[1:]] == ["Masfjorden kommune"]


def test_secretariat_sees_totals_per_year(client, issued):
    from funding.services import payment_register

    payment_register(invoice=own(issued), amount=Decimal(133820), paid_on=date(2026, 12, 1))
    client.force_login(issued.secretariat)
    response = client.get(reverse("funding:invoice_list"), {"year": "2026"})
    assert response.context["totals"] == [
        {
            "year": 2026,
            "invoiced": Decimal(563240),
            "credited": Decimal(0),
            "paid": Decimal(133820),
            "outstanding": Decimal(429420),
            "overpaid": Decimal(0),
        }
    ]
    detail = client.get(reverse("funding:invoice_detail", kwargs={"pk": own(issued).pk})).context
    assert (detail["paid"], detail["outstanding"]) == (Decimal(133820), Decimal(0))
    paid = client.get(reverse("funding:invoice_list"), {"status": "paid"}).context["invoices"]
    assert [i.buyer_name for i in paid] == ["Masfjorden kommune"]


def test_secretariat_runs_invoices_from_the_preview(client, invoicing, django_capture_on_commit_callbacks):
    client.force_login(invoicing.secretariat)
    preview = client.get(reverse("funding:invoice_run", kwargs={"year": 2026}))
    assert preview.context["preview"].can_issue and preview.context["preview"].total == Decimal(563240)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("funding:invoice_run", kwargs={"year": 2026}),
            {"issue_date": "2026-11-23", "due_date": "2026-12-23"},
        )
    run = InvoiceRun.objects.get()
    assert response.url == run.get_absolute_url()
    assert client.get(reverse("funding:invoice_run_status", kwargs={"pk": run.pk})).json()["issued"] == 2
    assert Invoice.objects.exclude(pdf_sha256="").count() == 2  # rendered by the job after commit


def test_a_due_date_before_the_invoice_date_is_refused(client, invoicing):
    client.force_login(invoicing.secretariat)
    response = client.post(
        reverse("funding:invoice_run", kwargs={"year": 2026}), {"issue_date": "2026-11-23", "due_date": "2026-11-01"}
    )
    assert "due date cannot be before" in response.content.decode() or "Forfallsdato" in response.content.decode()
    assert not Invoice.objects.exists()


def test_sending_attaches_pdf_and_ehf(client, issued, django_capture_on_commit_callbacks):
    client.force_login(issued.secretariat)
    with django_capture_on_commit_callbacks(execute=True):  # the mail leaves once the sending is recorded
        client.post(reverse("funding:invoice_send", kwargs={"pk": own(issued).pk}))
    message = mail.outbox[-1]
    assert message.subject == "Faktura 1 fra DigiVestland"
    assert [(name, mimetype) for name, _content, mimetype in message.attachments] == [
        ("faktura-1.pdf", "application/pdf"),
        ("faktura-1.xml", "application/xml"),
    ]
    assert own(issued).status == "sent"


def test_a_payment_form_with_a_bad_amount_says_so_and_saves_nothing(client, issued):
    client.force_login(issued.secretariat)
    response = client.post(
        reverse("funding:invoice_payment", kwargs={"pk": own(issued).pk}),
        {"amount": "abc", "paid_on": "2026-12-01"},
        follow=True,
    )
    assert any("Amount" in str(m) or "Beløp" in str(m) for m in response.context["messages"])
    assert not Payment.objects.exists()


def test_credit_note_from_the_invoice_page(client, issued):
    client.force_login(issued.secretariat)
    client.post(
        reverse("funding:invoice_credit", kwargs={"pk": own(issued).pk}),
        {"reason": "Feil folketall", "issue_date": "2026-11-30"},
    )
    credit = Invoice.objects.get(kind="credit_note")
    assert credit.display_number == "K1" and credit.credited_invoice == own(issued)
    client.force_login(issued.finance)
    assert client.get(reverse("funding:invoice_pdf", kwargs={"pk": credit.pk})).content.startswith(b"%PDF")


def bank_file(*rows: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("kontoutskrift.csv", ("date,amount,kid,reference\n" + "\n".join(rows)).encode())


def test_bank_statement_matches_by_kid_and_reports_the_rest(client, issued):
    client.force_login(issued.secretariat)
    masfjorden, voss = own(issued), foreign(issued)
    upload = bank_file(
        f"2026-12-01,133820.00,{masfjorden.kid},Masfjorden",
        f'2026-12-02,"400 000,00",{voss.kid},Voss',
        "2026-12-03,500.00,1000099996,Ukjent",
    )
    response = client.post(reverse("funding:bank_import"), {"file": upload})
    report = response.context["record"].report
    assert [r["kid"] for r in report["registered"]] == [masfjorden.kid, voss.kid]
    assert [r["kid"] for r in report["unknown_kid"]] == ["1000099996"]
    assert report["underpaid"][0]["difference"] == "29420.00"
    masfjorden.refresh_from_db()
    voss.refresh_from_db()
    assert (masfjorden.status, voss.status) == ("paid", "partly_paid")
    assert Payment.objects.count() == 2  # the unknown KID is not registered anywhere


def test_the_same_bank_statement_is_not_imported_twice(client, issued):
    client.force_login(issued.secretariat)
    line = f"2026-12-01,100.00,{own(issued).kid},x"
    client.post(reverse("funding:bank_import"), {"file": bank_file(line)})
    response = client.post(reverse("funding:bank_import"), {"file": bank_file(line)})
    assert "it is not imported again" in response.content.decode() or "ikke importert" in response.content.decode()
    assert Payment.objects.count() == 1


def test_a_malformed_bank_statement_is_refused_whole_naming_line_and_column(client, issued):
    client.force_login(issued.secretariat)
    upload = bank_file(f"2026-12-01,100.00,{own(issued).kid},ok", "01/12/2026,abc,12x,bad")
    response = client.post(reverse("funding:bank_import"), {"file": upload})
    errors = response.context["form"].errors["file"]
    assert "Line 3, date: '01/12/2026' is not a date (YYYY-MM-DD or DD.MM.YYYY)." in errors
    assert "Line 3, amount: 'abc' is not an amount in kroner and øre." in errors
    assert "Line 3, kid: '12x' is not a KID (digits only)." in errors
    assert not Payment.objects.exists() and not BankImport.objects.exists()


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("2026-12-01,100.00,{kid},R" + "x" * 200, "Line 2, reference: 201 characters, more than the 200 allowed."),
        ("2026-12-01,100.00,1²,ok", "Line 2, kid: '1²' is not a KID (digits only)."),
        ("2026-12-01,100.00," + "1" * 26 + ",ok", "Line 2, kid: 26 digits, more than the 25 a KID has."),
        ("2026-12-01,1000000000000.00,{kid},ok", "Line 2, amount: 1000000000000.00 is more than 999999999999.99."),
        ("0001-01-01,100.00,{kid},ok", "Line 2, date: 0001-01-01 is not between the years 1900 and 2200."),
    ],
)
def test_bank_values_beyond_their_columns_are_refused_naming_line_and_column(client, issued, line, message):
    client.force_login(issued.secretariat)
    response = client.post(reverse("funding:bank_import"), {"file": bank_file(line.format(kid=own(issued).kid))})
    assert response.status_code == 200
    assert message in response.context["form"].errors["file"]
    assert not Payment.objects.exists() and not BankImport.objects.exists()


def test_the_invoice_list_shows_a_page_at_a_time_with_the_totals_of_them_all(client, issued, monkeypatch):
    monkeypatch.setattr("core.paging.PER_PAGE", 1)
    client.force_login(issued.secretariat)
    first = client.get(reverse("funding:invoice_list"), {"year": "2026"})
    assert len(first.context["invoices"]) == 1 and first.context["page_obj"].paginator.count == 2
    assert first.context["totals"][0]["invoiced"] == Decimal(563240)  # every invoice of the year
    assert "2 invoices and credit notes" in first.content.decode()
    last = client.get(reverse("funding:invoice_list"), {"year": "2026", "page": "9"})  # past the end: the last
    shown = [*first.context["invoices"], *last.context["invoices"]]
    assert len({i.pk for i in shown}) == 2
