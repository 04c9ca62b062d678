"""Background work: thin tasks that load by id, call a service and own the retries."""

from __future__ import annotations

import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.utils.translation import gettext as _

from core.runs import enqueue, enqueue_run
from funding import services

logger = logging.getLogger(__name__)


@shared_task(bind=True, acks_late=True, max_retries=3, default_retry_delay=10)
def recompute_contributions(self, run_id: int) -> str:
    run = services.recompute_run_execute(run_id=run_id)
    return run.status


def enqueue_recompute(run_id: int) -> None:
    from funding.models import RecomputeRun

    enqueue_run(
        recompute_contributions,
        RecomputeRun,
        run_id,
        _("The task queue could not be reached; the recompute was not started. Try again."),
    )


@shared_task(bind=True, acks_late=True, max_retries=3, default_retry_delay=10)
def issue_invoice_run(self, run_id: int) -> str:
    # The issued invoices' documents are queued in groups as their transactions commit.
    return services.invoice_run_execute(run_id=run_id).status


@shared_task(bind=True, acks_late=True, max_retries=5, default_retry_delay=30)
def render_invoice_documents(self, invoice_id: int) -> str:
    return services.invoice_documents_render(invoice_id=invoice_id).pdf_sha256


@shared_task
def mark_overdue_invoices() -> int:
    return services.invoices_mark_overdue()


def enqueue_invoice_run(run_id: int) -> None:
    from funding.models import InvoiceRun

    enqueue_run(
        issue_invoice_run,
        InvoiceRun,
        run_id,
        _("The task queue could not be reached; no invoice was issued. Try again."),
    )


@shared_task(bind=True, acks_late=True)
def render_documents_of_invoices(self, invoice_ids: list[int]) -> int:
    """The documents of several issued invoices (an invoice run sends them in groups: the broker and the worker's
    main process then handle one message for the group, not one per invoice). Each invoice is rendered in its own
    transaction, so a task delivered again renders only what is not stored yet. One that fails is logged and the
    others are still rendered; the task then fails naming it, and its documents are rendered on first download."""
    failed = []
    for invoice_id in invoice_ids:
        try:
            services.invoice_documents_render(invoice_id=invoice_id)
        except SoftTimeLimitExceeded:
            raise  # the task's time is up: what is not stored yet is rendered on first download
        except Exception:
            logger.exception("The documents of invoice %s could not be rendered", invoice_id)
            failed.append(invoice_id)
    if failed:
        raise RuntimeError(f"the documents of invoices {failed} could not be rendered (see the log above)")
    return len(invoice_ids)


def enqueue_documents(invoice_id: int) -> None:
    """Render in a worker; if the queue is down, or rendering fails, the documents are rendered on first download
    instead: rendering never undoes or stops the issuing."""
    enqueue(render_invoice_documents, invoice_id, best_effort=True)


def enqueue_documents_of_invoices(invoice_ids: list[int]) -> None:
    """As `enqueue_documents`, for several invoices in one task."""
    if len(invoice_ids) == 1:
        enqueue_documents(invoice_ids[0])
    elif invoice_ids:
        enqueue(render_documents_of_invoices, list(invoice_ids), best_effort=True)


@shared_task(bind=True, acks_late=True, max_retries=None)
def deliver_invoice(self, delivery_id: int) -> str:
    """Hand one document to the Peppol access point; on failure try again with doubling backoff (1 min … 4 h)."""
    from django.conf import settings

    from funding.access_point import AccessPointError
    from funding.services import delivery as delivery_services

    try:
        return delivery_services.delivery_transmit(delivery_id=delivery_id).status
    except AccessPointError as error:
        if self.request.retries >= settings.PEPPOL_DELIVERY_MAX_RETRIES:
            return delivery_services.delivery_give_up(delivery_id=delivery_id).status
        countdown = min(60 * 2**self.request.retries, 4 * 3600)
        raise self.retry(exc=error, countdown=countdown) from None


@shared_task
def collect_invoice_responses() -> int:
    """Read the access point's Invoice Responses (every few minutes while an access point is configured)."""
    from django.conf import settings

    from funding.services import delivery as delivery_services

    if not settings.PEPPOL_SFTP_HOST:
        return 0
    return len(delivery_services.invoice_responses_collect().applied)


def enqueue_delivery(delivery_id: int) -> None:
    """Queue the hand-over; if the task queue is down the delivery stays queued and the outbox offers it again."""
    enqueue(deliver_invoice, delivery_id, best_effort=True)
