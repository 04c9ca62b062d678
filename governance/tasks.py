"""Background work for governance: rendering board packs and minutes to PDF, mailing the secretariat's messages."""

from __future__ import annotations

from celery import shared_task
from django.utils.translation import gettext as _

from core.runs import enqueue_run
from governance import services


@shared_task(bind=True, acks_late=True, max_retries=3, default_retry_delay=10)
def render_meeting_document(self, run_id: int) -> str:
    return services.document_run_execute(run_id=run_id).status


def enqueue_document_run(run_id: int) -> None:
    from governance.models import MeetingDocumentRun

    enqueue_run(
        render_meeting_document,
        MeetingDocumentRun,
        run_id,
        _("The task queue could not be reached; the document was not rendered. Try again."),
    )


@shared_task(acks_late=True)
def send_consultation_reminders() -> int:
    """Daily: remind the members that have not answered a round whose deadline is near (each once)."""
    from governance.consultations import consultation_send_reminders

    return consultation_send_reminders()


@shared_task(bind=True, acks_late=True, max_retries=3, default_retry_delay=30)
def send_announcement(self, announcement_id: int) -> int:
    return services.announcement_send(announcement_id=announcement_id)


def enqueue_announcement(announcement_id: int) -> None:
    from core.runs import enqueue

    enqueue(send_announcement, announcement_id)
