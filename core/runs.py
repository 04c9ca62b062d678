"""Background runs a user starts (recompute, invoice runs, meeting documents): their state, and how they are
sent to a worker once the transaction that asked for them commits."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Completed")
    FAILED = "failed", _("Failed")


class BackgroundRun(models.Model):
    """What every background job a user starts keeps: who asked, when, how far it has come, and how it ended."""

    year = models.PositiveIntegerField(_("budget year"))
    status = models.CharField(_("status"), max_length=12, choices=RunStatus.choices, default=RunStatus.QUEUED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("requested by")
    )
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.year} ({self.get_status_display()})"

    @property
    def is_finished(self) -> bool:
        return self.status in (RunStatus.SUCCEEDED, RunStatus.FAILED)

    @property
    def is_queued(self) -> bool:
        """Waiting for a worker."""
        return self.status == RunStatus.QUEUED

    @property
    def has_failed(self) -> bool:
        return self.status == RunStatus.FAILED

    @property
    def has_succeeded(self) -> bool:
        return self.status == RunStatus.SUCCEEDED

    def state(self) -> dict:
        """What the progress bar in the browser polls for (static/js/run-progress.js)."""
        return {
            "status": self.status,
            "label": self.get_status_display(),
            "progress": self.progress,
            "finished": self.is_finished,
            "error": self.error,
        }

    @classmethod
    def claim(cls, run_id: int) -> Any:
        """The run, marked as running in its own transaction; a finished run is returned as it is."""
        with transaction.atomic():
            run = cls._default_manager.select_for_update().get(pk=run_id)
            if not run.is_finished:
                run.status, run.started_at, run.progress = RunStatus.RUNNING, timezone.now(), 5
                run.save(update_fields=["status", "started_at", "progress"])
        return run

    @classmethod
    def fail(cls, run_id: int, error: str) -> None:
        """Mark a run that has not finished as failed, e.g. when the task queue cannot be reached."""
        cls._default_manager.filter(pk=run_id, status__in=[RunStatus.QUEUED, RunStatus.RUNNING]).update(
            status=RunStatus.FAILED, error=error, finished_at=timezone.now(), progress=100
        )


def enqueue(task: Any, *args: Any, on_unavailable: Callable[[], None] | None = None, best_effort: bool = False) -> None:
    """Send `task(*args)` to a worker once the current transaction commits (at once outside a transaction), so a
    rollback sends nothing. When no broker answers, `on_unavailable` says so (a run is marked failed); without it
    the work waits for its first use (documents are then rendered on first download).

    With tasks in-process (no broker) the task runs inside `send`, so its errors reach whoever committed.
    `best_effort` work (rendering documents) logs its error instead: what committed stays done."""

    def send() -> None:
        try:
            task.delay(*args)
        except OperationalError:
            logger.warning("Could not queue %s%r; the task queue did not answer", task.name, args)
            if on_unavailable is not None:
                on_unavailable()
        except Exception:
            if not best_effort:
                raise
            logger.exception("%s%r failed; it is done again on first use", task.name, args)

    transaction.on_commit(send)


def enqueue_run(task: Any, run_model: type[BackgroundRun], run_id: int, error: str) -> None:
    """Send a run to a worker after commit; when the queue cannot be reached the run is marked failed with
    `error`, instead of waiting for ever."""
    enqueue(task, run_id, on_unavailable=lambda: run_model.fail(run_id=run_id, error=error))
