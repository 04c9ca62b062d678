"""How long the portal keeps personal data it does not need for ever, and the purges that enforce it (GDPR 5(1)(e)).

Run every night by Celery beat (network/celery.py); the periods are settings, and the privacy statement
(templates/core/privacy.html) states the same values.

- Sessions: expired ones are deleted (the cookie's lifetime is SESSION_COOKIE_AGE).
- Login attempts recorded by django-axes (username, IP address, browser): deleted after AXES_RETENTION_DAYS.
- Mail written to files in development (EMAIL_FILE_PATH): deleted after MAIL_FILE_RETENTION_DAYS.
- Change history (django-simple-history): for money records (HISTORY_MONEY_APPS: contributions, invoices, budgets)
  five years after the end of the year the change was made (bokføringsloven § 13); for other records
  HISTORY_RETENTION_YEARS after the end of the year.
"""

from __future__ import annotations

import datetime
import time
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone

# The Bookkeeping Act (bokføringsloven § 13): accounting records are kept five years after the accounting year's end.
MONEY_HISTORY_YEARS = 5


@dataclass(frozen=True)
class Periods:
    session_days: int
    login_attempt_days: int
    mail_file_days: int
    money_history_years: int
    other_history_years: int


def periods() -> Periods:
    return Periods(
        session_days=settings.SESSION_COOKIE_AGE // 86400,
        login_attempt_days=settings.AXES_RETENTION_DAYS,
        mail_file_days=settings.MAIL_FILE_RETENTION_DAYS,
        money_history_years=MONEY_HISTORY_YEARS,
        other_history_years=settings.HISTORY_RETENTION_YEARS,
    )


def kept_from(years: int, now: datetime.datetime | None = None) -> datetime.datetime:
    """The first moment still kept when records are kept `years` after the end of their year: a change made on any
    day of 2020 is kept to the end of 2025 with five years, so in 2026 everything before 2021 goes."""
    now = timezone.localtime(now)
    return now.replace(year=now.year - years, month=1, day=1, hour=0, minute=0, second=0, microsecond=0)


@transaction.atomic
def sessions_purge_expired() -> int:
    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted


@transaction.atomic
def login_attempts_purge() -> int:
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    cutoff = timezone.now() - datetime.timedelta(days=settings.AXES_RETENTION_DAYS)
    return sum(
        model.objects.filter(attempt_time__lt=cutoff).delete()[0]
        for model in (AccessAttempt, AccessLog, AccessFailureLog)
    )


def mail_files_purge() -> int:
    folder = settings.EMAIL_FILE_PATH
    if not folder or not Path(folder).is_dir():
        return 0
    cutoff = time.time() - settings.MAIL_FILE_RETENTION_DAYS * 86400
    deleted = 0
    for path in Path(folder).iterdir():
        if path.is_file() and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            deleted += 1
    return deleted


def _historical_models():
    return [model for model in apps.get_models() if any(f.name == "history_date" for f in model._meta.fields)]


@transaction.atomic
def history_purge(now: datetime.datetime | None = None) -> dict[str, int]:
    """History rows older than their period; the records themselves are not touched."""
    money_apps = set(settings.HISTORY_MONEY_APPS)
    deleted = {}
    for model in _historical_models():
        years = MONEY_HISTORY_YEARS if model._meta.app_label in money_apps else settings.HISTORY_RETENTION_YEARS
        count, _ = model.objects.filter(history_date__lt=kept_from(years, now)).delete()
        if count:
            deleted[model._meta.label] = count
    return deleted
