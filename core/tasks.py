"""Background work of the kernel: the nightly purges (core/retention.py) and the heartbeat beat sends every minute."""

from __future__ import annotations

from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

from core import retention

HEARTBEAT_KEY = "portal:heartbeat"


@shared_task
def purge_personal_data() -> dict[str, object]:
    return {
        "sessions": retention.sessions_purge_expired(),
        "login_attempts": retention.login_attempts_purge(),
        "mail_files": retention.mail_files_purge(),
        "history": retention.history_purge(),
    }


@shared_task
def heartbeat() -> str:
    """Sent by beat every minute and run by a worker: beat's schedule file and this key show both are alive."""
    now = timezone.now().isoformat()
    cache.set(HEARTBEAT_KEY, now, timeout=None)
    return now
