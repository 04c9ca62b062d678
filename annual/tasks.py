"""Background work of the network's year: thin tasks that load by id, call a service and own the retries."""

from __future__ import annotations

from celery import shared_task

from annual import services


@shared_task(acks_late=True)
def remind_duties() -> int:
    """Daily (Celery beat): remind the owners of duties that fall due soon; each reminder goes once."""
    return services.duty_reminders_send()


@shared_task(bind=True, acks_late=True, max_retries=3, default_retry_delay=10)
def render_annual_report(self, run_id: int) -> str:
    return services.annual_report_render_execute(run_id=run_id).status
