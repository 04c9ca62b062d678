"""The Celery application; configured from Django settings (CELERY_*)."""

import gc
import os

from celery import Celery
from celery.schedules import crontab
from celery.signals import setup_logging, task_prerun, worker_init, worker_process_init

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


@worker_init.connect
def _load_weasyprint_once(**kwargs) -> None:
    """WeasyPrint (and the libraries it binds: Pango, HarfBuzz, Fontconfig) loaded in the worker's main process,
    so that each process it forks, and each that replaces one (CELERY_WORKER_MAX_MEMORY_PER_CHILD), has it
    without loading it again. Fonts are loaded in each process, on its first document (core.documents)."""
    import weasyprint  # noqa: F401


@worker_process_init.connect
def _freeze_inherited_objects(**kwargs) -> None:
    """Keep the garbage collector from walking the objects every prefork child inherits (Django, templates):
    they live as long as the process, and walking them cost several per cent of each PDF render."""
    gc.freeze()


@worker_process_init.connect
def _keep_database_connections(**kwargs) -> None:
    """A worker process keeps its connection for WORKER_DB_CONN_MAX_AGE seconds (see the settings)."""
    from django.conf import settings
    from django.db import connections

    for alias in settings.DATABASES:
        connections[alias].settings_dict["CONN_MAX_AGE"] = settings.WORKER_DB_CONN_MAX_AGE


@task_prerun.connect
def _replace_failed_or_old_connections(task=None, **kwargs) -> None:
    """Before each task in a worker, as Django does before each request: a connection that failed or is older than
    its CONN_MAX_AGE is closed (the task then opens a new one), and the next query checks the connection is alive.
    Not for a task run eagerly, inside the caller's transaction."""
    if task is None or getattr(task.request, "is_eager", False):
        return
    from django.db import close_old_connections

    close_old_connections()


@setup_logging.connect
def _log_as_the_portal_does(**kwargs) -> None:
    """Workers and beat write the portal's JSON lines (LOGGING in the settings: request id, user id), not Celery's
    own format."""
    from logging.config import dictConfig

    from django.conf import settings

    dictConfig(settings.LOGGING)
