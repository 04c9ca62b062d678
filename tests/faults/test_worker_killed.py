"""A Celery worker killed (SIGKILL, worker and pool process at once) in the middle of an invoice run or of
rendering invoice documents, then started again: the work completes, with no invoice twice and none missing.

The tasks are acknowledged late and the broker's visibility timeout is short here (2 s), so the message of the
task that was running when the worker died is delivered again when a worker next starts; the tasks are
idempotent, so the second delivery finishes the work instead of repeating it.
"""

from __future__ import annotations

import hashlib
from datetime import date
from unittest import mock

import pytest
import redis

from core.runs import RunStatus
from funding.models import Contribution, Invoice, InvoiceRun
from funding.services import contributions_recompute, invoice_issue
from funding.services import invoices as invoice_services
from funding.services.invoices import DOCUMENTS_PER_TASK
from funding.tasks import issue_invoice_run, render_documents_of_invoices, render_invoice_documents
from tests.factories import OrganisationFactory, PopulationFigureFactory, contribution_model, network_profile
from tests.faults.conftest import wait_until

pytestmark = [pytest.mark.fault, pytest.mark.worker]

MEMBERS = 20
ISSUE_DATE, DUE_DATE = date(2026, 1, 15), date(2026, 2, 14)


@pytest.fixture
def year_to_invoice(transactional_db, personas) -> list[int]:
    """2026's contributions of MEMBERS members plus the personas' (committed: the worker is another process)."""
    network_profile(personas.host)
    for _ in range(MEMBERS):
        PopulationFigureFactory(organisation=OrganisationFactory(), count=5000)
    contribution_model(year=2026, exempt=[personas.host])
    contributions_recompute(year=2026)
    return list(Contribution.objects.filter(year=2026, amount__gt=0).values_list("pk", flat=True))


def _unacknowledged(url: str) -> int:
    """Messages a worker took but did not acknowledge (kombu's Redis transport keeps them in a hash)."""
    return redis.Redis.from_url(url).hlen("unacked")


def _assert_complete(contributions: list[int], media_root: str) -> None:
    """Every contribution has exactly one invoice, numbered without gaps or repeats, with both documents stored
    as recorded."""
    invoices = list(Invoice.objects.filter(year=2026).order_by("number"))
    assert sorted(invoice.contribution_id for invoice in invoices) == sorted(contributions)
    assert [invoice.number for invoice in invoices] == list(range(1, len(contributions) + 1))
    for invoice in invoices:
        assert invoice.pdf_sha256 and invoice.ehf_sha256, invoice
        with invoice.pdf.open("rb") as pdf:
            assert hashlib.sha256(pdf.read()).hexdigest() == invoice.pdf_sha256
        assert invoice.pdf.path.startswith(media_root)
        # Rendered once: one history row stored the documents, however often the task was delivered.
        assert invoice.history.exclude(pdf_sha256="").count() == 1, invoice


def _documents_done(count: int) -> bool:
    return Invoice.objects.exclude(pdf_sha256="").exclude(ehf_sha256="").count() == count


def test_a_worker_killed_during_an_invoice_run_finishes_it_after_a_restart(worker, year_to_invoice, settings):
    total = len(year_to_invoice)
    run = InvoiceRun.objects.create(year=2026, issue_date=ISSUE_DATE, due_date=DUE_DATE)
    worker.start()
    issue_invoice_run.delay(run.pk)
    wait_until(
        lambda: Invoice.objects.filter(run=run).count() >= 3 and _unacknowledged(worker.broker_url),
        seconds=90,
        what="the run issuing invoices",
    )
    worker.kill()

    issued = Invoice.objects.count()
    assert 0 < issued < total, f"the worker was to be killed in the middle of the run ({issued} of {total})"
    run.refresh_from_db()
    assert run.status == RunStatus.RUNNING
    assert _unacknowledged(worker.broker_url) >= 1  # the run's task, waiting to be delivered again

    worker.restart_after_the_visibility_timeout()
    wait_until(lambda: InvoiceRun.objects.get(pk=run.pk).is_finished, seconds=90, what="the run finishing")
    wait_until(lambda: _documents_done(total), seconds=120, what="every invoice's documents", interval=0.2)
    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED, run.error
    assert (run.issued, run.skipped) == (total, 0)  # also those issued before the worker was killed
    _assert_complete(year_to_invoice, settings.MEDIA_ROOT)


def _one_task_each(invoice_ids: list[int]) -> None:
    for invoice_id in invoice_ids:
        render_invoice_documents.delay(invoice_id)


def _in_groups(invoice_ids: list[int]) -> None:
    """As an invoice run sends them."""
    for start in range(0, len(invoice_ids), DOCUMENTS_PER_TASK):
        render_documents_of_invoices.delay(invoice_ids[start : start + DOCUMENTS_PER_TASK])


@pytest.mark.parametrize("send", [_one_task_each, _in_groups], ids=["one task each", "in groups"])
def test_a_worker_killed_while_rendering_documents_renders_each_once_after_a_restart(
    worker, year_to_invoice, settings, send
):
    """The task that was running is delivered again and renders what its first delivery had not stored."""
    total = len(year_to_invoice)
    held: list[int] = []
    with mock.patch.object(invoice_services, "_queue_documents", held.append):
        for contribution in Contribution.objects.filter(pk__in=year_to_invoice).order_by("pk"):
            invoice_issue(contribution=contribution, issue_date=ISSUE_DATE, due_date=DUE_DATE)
    assert len(held) == total
    worker.start()
    send(held)
    # Killed while it holds a render it has not acknowledged (rendering, or about to: a render takes 0.1-0.3 s).
    wait_until(
        lambda: Invoice.objects.exclude(pdf_sha256="").count() >= 2 and _unacknowledged(worker.broker_url),
        seconds=90,
        what="documents being rendered",
    )
    worker.kill()

    rendered = Invoice.objects.exclude(pdf_sha256="").count()
    assert rendered < total, "the worker was to be killed before it had rendered every invoice"

    worker.restart_after_the_visibility_timeout()
    wait_until(lambda: _documents_done(total), seconds=120, what="every invoice's documents", interval=0.2)
    _assert_complete(year_to_invoice, settings.MEDIA_ROOT)


def test_a_resumed_run_queues_the_documents_its_lost_worker_may_not_have_queued(
    invoicing, django_capture_on_commit_callbacks
):
    """In-process: a worker that died between an invoice's commit and queuing its documents left an invoice
    without them; the run, delivered again, queues them (and counts the invoice as its own)."""
    run = InvoiceRun.objects.create(year=2026, issue_date=ISSUE_DATE, due_date=DUE_DATE, status=RunStatus.RUNNING)
    first = Contribution.objects.filter(year=2026, amount__gt=0).order_by("organisation__name", "pk").first()
    with mock.patch.object(invoice_services, "_queue_documents"):  # lost with the worker
        before, _created = invoice_issue(contribution=first, issue_date=ISSUE_DATE, due_date=DUE_DATE, run=run)
    queued: list[int] = []
    with (
        mock.patch.object(invoice_services, "_queue_documents", queued.append),
        django_capture_on_commit_callbacks(execute=True),
    ):
        run = invoice_services.invoice_run_execute(run_id=run.pk)
    assert run.status == RunStatus.SUCCEEDED
    assert before.pk in queued
    assert sorted(queued) == sorted(Invoice.objects.values_list("pk", flat=True))
    assert (run.issued, run.skipped) == (Invoice.objects.count(), 0)
