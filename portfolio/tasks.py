"""Background work for the portfolio: thin tasks that load by id and call a service."""

from __future__ import annotations

from celery import shared_task

from core.runs import enqueue
from portfolio import services


@shared_task(bind=True, acks_late=True, max_retries=5, default_retry_delay=30)
def render_status_report_pdf(self, report_id: int) -> str:
    from portfolio.models import StatusReport

    return services.status_report_pdf_ensure(report=StatusReport.objects.get(pk=report_id)).pdf_sha256


def enqueue_status_report_pdf(report_id: int) -> None:
    """Render in a worker; if the queue is down the PDF is rendered on first download instead."""
    enqueue(render_status_report_pdf, report_id)
