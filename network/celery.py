"""The Celery application; configured from Django settings (CELERY_*)."""

import gc
import os

from celery import Celery
from celery.schedules import crontab
from celery.signals import setup_logging, worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "network.settings")

app = Celery("network")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Every periodic schedule of the portal, in one place (run by `celery -A network beat`).
app.conf.beat_schedule = {
    "mark-overdue-invoices": {"task": "funding.tasks.mark_overdue_invoices", "schedule": crontab(hour=6, minute=0)},
    "remind-and-expire-agreements": {
        "task": "members.tasks.remind_and_expire_agreements",
        "schedule": crontab(hour=7, minute=0),
    },
    # Invoice Responses from the Peppol access point (does nothing while PEPPOL_SFTP_HOST is empty).
    "collect-invoice-responses": {"task": "funding.tasks.collect_invoice_responses", "schedule": 300.0},
    # The annual cycle: the owners of duties that fall due soon are reminded, each duty once a year.
    "remind-duties": {"task": "annual.tasks.remind_duties", "schedule": crontab(hour=7, minute=15)},
    # Consultation rounds: members that have not answered a round closing soon are reminded, each once per round.
    "remind-consultations": {
        "task": "governance.tasks.send_consultation_reminders",
        "schedule": crontab(hour=7, minute=30),
    },
    # Retention (core/retention.py, stated in the privacy statement): sessions, login attempts, mail files, history.
    "purge-personal-data": {"task": "core.tasks.purge_personal_data", "schedule": crontab(hour=3, minute=30)},
    # Keeps beat's schedule file fresh (its healthcheck) and shows a worker takes tasks.
    "heartbeat": {"task": "core.tasks.heartbeat", "schedule": 60.0},
}


@worker_process_init.connect
def _freeze_inherited_objects(**kwargs) -> None:
    """Keep the garbage collector from walking the objects every prefork child inherits (Django, templates):
    they live as long as the process, and walking them cost several per cent of each PDF render."""
    gc.freeze()


@setup_logging.connect
def _log_as_the_portal_does(**kwargs) -> None:
    """Workers and beat write the portal's JSON lines (LOGGING in the settings: request id, user id), not Celery's
    own format."""
    from logging.config import dictConfig

    from django.conf import settings

    dictConfig(settings.LOGGING)
