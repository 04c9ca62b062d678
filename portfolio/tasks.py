"""Background work for the portfolio: thin tasks that load by id and call a service."""

from __future__ import annotations

import logging

from celery import shared_task
from kombu.exceptions import OperationalError

from portfolio import services

logger = logging.getLogger(__name__)


@shared_task(bind=True, acks_late=True, max_retries=5, default_retry_delay=30)
def render_status_report_pdf(self, report_id: int) -> str:
    from portfolio.models import StatusReport

    return services.status_report_pdf_ensure(report=StatusReport.objects.get(pk=report_id)).pdf_sha256


def enqueue_status_report_pdf(report_id: int) -> None:
    """Render in a worker; if the queue is down the PDF is rendered on first download instead."""
    try:
        render_status_report_pdf.delay(report_id)
    except OperationalError:
        logger.warning("Could not queue the PDF of status report %s; it will be rendered on first download", report_id)
