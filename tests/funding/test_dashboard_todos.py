"""Each role's start page shows its own to-dos: a director the agreements waiting for their signature, a finance
officer the invoices overdue or falling due soon; never another organisation's."""

import datetime

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.urls import reverse

from funding.choices import InvoiceStatus
from funding.models import Invoice, InvoiceRun
from funding.services import invoice_run_execute, payment_register
from members.choices import AgreementStatus
from members.models import Agreement, AgreementTemplate

pytestmark = pytest.mark.django_db


def invite(organisation, *, status=AgreementStatus.INVITED, expires_on=datetime.date(2026, 12, 20)):
    template, _ = AgreementTemplate.objects.get_or_create(
        title="Samarbeidsavtale 2026", defaults={"period_start": datetime.date(2026, 1, 1), "body": "§ 1"}
    )
    agreement = Agreement(
        template=template, organisation=organisation, document_sha256="0" * 64, expires_on=expires_on, status=status
    )
    agreement.document.save(f"a-{organisation.pk}.pdf", ContentFile(b"%PDF-1.7 stand-in"), save=False)
    agreement.save()
    return agreement


def todo_section(client) -> str:
    html = client.get(reverse("dashboard")).content.decode()
    start = html.index('id="todo"')
    return html[start : html.index("</section>", start)]


@time_machine.travel(datetime.datetime(2026, 12, 2, 9, 0), tick=False)
def test_a_director_sees_the_agreements_waiting_for_their_signature(client, personas):
    own = invite(personas.own)
    foreign = invite(personas.foreign)
    client.force_login(personas.director)
    section = todo_section(client)
    assert "Agreements waiting for your signature" in section
    assert own.get_absolute_url() in section
    assert foreign.get_absolute_url() not in section

    own.status = AgreementStatus.SIGNED
    own.save()
    section = todo_section(client)
    assert own.get_absolute_url() not in section
    assert "Nothing is waiting for you." in section


@time_machine.travel(datetime.datetime(2026, 12, 2, 9, 0), tick=False)
def test_a_finance_officer_sees_invoices_overdue_and_due_soon(client, invoicing):
    run = InvoiceRun.objects.create(
        year=2026, issue_date=datetime.date(2026, 11, 1), due_date=datetime.date(2026, 12, 10)
    )
    invoice_run_execute(run_id=run.pk)
    own = Invoice.objects.get(organisation=invoicing.own, kind="invoice")
    foreign = Invoice.objects.get(organisation=invoicing.foreign, kind="invoice")
    client.force_login(invoicing.finance)

    section = todo_section(client)
    assert "Invoices due within two weeks" in section
    assert own.get_absolute_url() in section
    assert foreign.get_absolute_url() not in section
    assert "Overdue invoices" not in section

    Invoice.objects.filter(pk=own.pk).update(status=InvoiceStatus.OVERDUE)
    section = todo_section(client)
    assert "Overdue invoices" in section and own.get_absolute_url() in section

    with time_machine.travel(datetime.datetime(2026, 12, 2, 10, 0), tick=False):
        payment_register(invoice=Invoice.objects.get(pk=own.pk), amount=own.total, paid_on=datetime.date(2026, 12, 2))
    assert own.get_absolute_url() not in todo_section(client)


@time_machine.travel(datetime.datetime(2026, 11, 2, 9, 0), tick=False)
def test_an_invoice_due_later_is_not_yet_a_todo(client, invoicing):
    run = InvoiceRun.objects.create(
        year=2026, issue_date=datetime.date(2026, 11, 1), due_date=datetime.date(2026, 12, 10)
    )
    invoice_run_execute(run_id=run.pk)
    client.force_login(invoicing.finance)
    assert "Nothing is waiting for you." in todo_section(client)


def test_the_secretariat_has_a_todo_section(client, personas):
    client.force_login(personas.secretariat)
    assert "To do" in todo_section(client)
