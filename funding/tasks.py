"""Background work: thin tasks that load by id, call a service and own the retries."""

from __future__ import annotations

import logging

from celery import shared_task
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError

from funding import services

logger = logging.getLogger(__name__)


@shared_task(bind=True, acks_late=True, max_retries=3, default_retry_delay=10)
def recompute_contributions(self, run_id: int) -> str:
    run = services.recompute_run_execute(run_id=run_id)
    return run.status


def enqueue_recompute(run_id: int) -> None:
    """Send the run to a worker; when the queue cannot be reached, the run says so instead of waiting forever."""
    try:
        recompute_contributions.delay(run_id)
    except OperationalError:
        logger.exception("Could not queue recompute run %s", run_id)
        services.recompute_run_fail(
            run_id=run_id, error=_("The task queue could not be reached; the recompute was not started. Try again.")
        )
