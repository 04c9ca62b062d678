"""The money year as users met it beside the tested paths: outstanding after credits, stale contributions,
the invoiced period, reminders, issue dates in number order, and the links between contribution and invoice."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from funding.models import Invoice, InvoiceRun
from funding.services import credit_note_issue, invoice_run_execute, payment_register

pytestmark = pytest.mark.django_db
ISSUE, DUE = date(2026, 11, 23), date(2026, 12, 23)


def run(year=2026, issue_date=ISSUE, due_date=DUE):
    return invoice_run_execute(run_id=InvoiceRun.objects.create(year=year, issue_date=issue_date, due_date=due_date).pk)


def own_invoice(personas) -> Invoice:
    return Invoice.objects.get(organisation=personas.own, kind="invoice")


# ------------------------------------------------------------------------------------------------
# Outstanding = amount − payments − credits, on every page and in the yearly totals


def test_a_fully_credited_invoice_owes_nothing_on_its_page_and_in_the_year(client, invoicing):
    run()
    invoice = own_invoice(invoicing)
    credit = credit_note_issue(invoice=invoice, reason="Feil folketall", issue_date=date(2026, 11, 30))
    client.force_login(invoicing.secretariat)
    page = client.get(reverse("funding:invoice_detail", kwargs={"pk": invoice.pk}))
    assert (page.context["credited"], page.context["outstanding"]) == (Decimal(133820), Decimal(0))
    assert 'Outstanding</th><td class="text-end amount fw-bold">NOK\xa00.00' in page.content.decode()
    totals = client.get(reverse("funding:invoice_list")).context["totals"]
    foreign_total = Invoice.objects.get(organisation=invoicing.foreign, kind="invoice").total
    assert totals == [
        {
            "year": 2026,
            "invoiced": Decimal(133820) + foreign_total,
            "credited": Decimal(133820),
            "paid": Decimal(0),
            "outstanding": foreign_total,
            "overpaid": Decimal(0),
        }
    ]
    assert credit.outstanding is None


def test_a_paid_then_credited_invoice_shows_the_overpayment(client, invoicing):
    run()
    invoice = own_invoice(invoicing)
    payment_register(invoice=invoice, amount=Decimal(100000), paid_on=date(2026, 11, 25))
    credit_note_issue(invoice=invoice, reason="Feil folketall", issue_date=date(2026, 11, 30))
    client.force_login(invoicing.secretariat)
    page = client.get(reverse("funding:invoice_detail", kwargs={"pk": invoice.pk}))
    assert (page.context["outstanding"], page.context["overpaid"]) == (Decimal(-100000), Decimal(100000))
    assert 'Overpaid</th><td class="text-end amount fw-bold">NOK\xa0100,000.00' in page.content.decode()
    year = client.get(reverse("funding:invoice_list")).context["totals"][0]
    assert (year["paid"], year["overpaid"]) == (Decimal(100000), Decimal(100000))


def test_the_credit_note_page_reads_as_a_credit_note(client, invoicing, settings):
    settings.LANGUAGE_CODE = "nb"
    run()
    credit = credit_note_issue(invoice=own_invoice(invoicing), reason="Feil", issue_date=date(2026, 11, 30))
    client.force_login(invoicing.secretariat)
    html = client.get(reverse("funding:invoice_detail", kwargs={"pk": credit.pk})).content.decode()
    assert "Kreditnotadato" in html and "Fakturadato" not in html
    assert 'Kreditert beløp</th><td class="text-end amount fw-bold">−kr\xa0133\xa0820,00' in html
