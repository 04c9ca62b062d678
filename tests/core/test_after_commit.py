"""Mails and background work leave only when the transaction that asked for them commits: a rollback sends no mail
and starts no task, while the same call committed does both."""

from datetime import date, timedelta

import pytest
from celery.signals import task_prerun
from django.core import mail
from django.db import transaction
from django.utils import timezone

from core import told
from funding.models import Invoice, InvoiceRun, RecomputeRun
from funding.services import contributions_recompute, invoice_run_execute, invoice_send, recompute_start, reminder_send
from governance import services as governance
from tests.factories import contribution_model, network_profile
from tests.governance.world import aware, steering_group

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def invoicing(personas):
    network_profile(personas.host)
    contribution_model(year=2026, exempt=[personas.host])
    contributions_recompute(year=2026)
    personas.own.email = "postmottak@masfjorden.example.no"
    personas.own.save()
    return personas


class Abandoned(Exception):
    """Raised after a service call, so the transaction around it rolls back."""


@pytest.fixture
def tasks_started():
    """The names of the Celery tasks that start while the test runs (tasks run in process in the suite)."""
    started: list[str] = []

    def record(sender=None, **kwargs):
        started.append(sender.name)

    task_prerun.connect(record, weak=False)
    yield started
    task_prerun.disconnect(record)


def test_a_rolled_back_transaction_sends_no_invoice_and_no_reminder(invoicing, time_machine):
    run = InvoiceRun.objects.create(year=2026, issue_date=date(2026, 11, 23), due_date=date(2026, 12, 23))
    invoice_run_execute(run_id=run.pk)
    invoice = Invoice.objects.get(organisation=invoicing.own, kind="invoice")
    time_machine.move_to("2027-01-11 10:00 +01:00")  # overdue: a reminder may be sent

    with pytest.raises(Abandoned), transaction.atomic():
        invoice_send(invoice=invoice)
        reminder_send(invoice=invoice, new_due_date=timezone.localdate() + timedelta(days=14))
        raise Abandoned
    assert mail.outbox == []
    invoice.refresh_from_db()
    assert invoice.sent_at is None and not invoice.reminders.exists()

    invoice_send(invoice=invoice)
    (message,) = mail.outbox
    assert message.subject == "Faktura 1 fra DigiVestland"


def test_a_rolled_back_transaction_sends_no_meeting_notice(personas):
    body = steering_group(personas, language="nb")
    meeting = governance.meeting_create(body=body, starts_at=aware(2026, 12, 10, 9))
    governance.case_create(body=body, meeting=meeting, title="Budsjett 2027", proposed_decision="-")

    with pytest.raises(Abandoned), transaction.atomic():
        governance.meeting_send_notice(meeting=meeting)
        raise Abandoned
    assert mail.outbox == []

    governance.meeting_send_notice(meeting=meeting)
    assert [message.to for message in mail.outbox] == [[personas.director.email]]


def test_a_rolled_back_transaction_starts_no_task(invoicing, tasks_started):
    with pytest.raises(Abandoned), transaction.atomic():
        recompute_start(year=2026, reason=told.kept("test"))
        raise Abandoned
    assert tasks_started == []
    assert not RecomputeRun.objects.exists()

    run = recompute_start(year=2026, reason=told.kept("test"))
    assert tasks_started == ["funding.tasks.recompute_contributions"]
    run.refresh_from_db()
    assert run.status == "succeeded"
