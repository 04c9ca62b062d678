"""The embedded default (no REDIS_URL): tasks go to a real Celery worker over kombu's SQLAlchemy transport on an
SQLite file, so the page that starts a job answers at once; eager mode is only on when asked for."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from core import told
from core.runs import RunStatus
from funding.models import Contribution, RecomputeRun
from funding.services import recompute_start
from network.celery import app
from tests.factories import contribution_model

ROOT = Path(__file__).resolve().parents[2]


def celery_settings(**env: str) -> list[str]:
    names = {"REDIS_URL", "CELERY_BROKER_URL", "CELERY_TASK_ALWAYS_EAGER", "DJANGO_SETTINGS_MODULE"}
    clean = {k: v for k, v in os.environ.items() if k not in names}
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-v0",
            "-c",
            "from django.conf import settings as s; print(s.CELERY_BROKER_URL); print(s.CELERY_TASK_ALWAYS_EAGER)",
        ],
        cwd=ROOT,
        env={**clean, "ENV_FILE": "", "DEBUG": "true", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_without_redis_tasks_go_to_an_sqlite_queue_for_a_worker():
    broker, eager = celery_settings()
    assert broker == f"sqla+sqlite:///{ROOT / 'var' / 'celery.sqlite'}"
    assert eager == "False"


def test_redis_and_eager_mode_when_asked_for():
    assert celery_settings(REDIS_URL="redis://127.0.0.1:6379/3") == ["redis://127.0.0.1:6379/3", "False"]
    assert celery_settings(CELERY_TASK_ALWAYS_EAGER="true")[1] == "True"


@pytest.fixture
def sqlite_queue(tmp_path):
    """The app pointed at a private SQLite queue with fresh connection pools; everything put back afterwards."""
    saved = app.conf.broker_url, app.conf.task_always_eager, app._pool, app.amqp._producer_pool
    saved_options = app.conf.broker_transport_options
    app.conf.broker_url = f"sqla+sqlite:///{tmp_path / 'celery.sqlite'}"
    app.conf.broker_transport_options = {}
    app.conf.task_always_eager = False
    app._pool = app.amqp._producer_pool = None
    try:
        yield
    finally:
        if app._pool is not None:
            app._pool.force_close_all()
        app.conf.broker_url, app.conf.task_always_eager, app._pool, app.amqp._producer_pool = saved
        app.conf.broker_transport_options = saved_options


@pytest.mark.worker
def test_a_started_run_waits_for_the_worker_and_the_worker_finishes_it(transactional_db, personas, sqlite_queue):
    from celery.contrib.testing.worker import start_worker

    contribution_model(year=2026, exempt=[personas.host])
    started = time.monotonic()
    run = recompute_start(year=2026, reason=told.kept("test"))  # queued in the SQLite file; nothing runs in this call
    assert time.monotonic() - started < 5
    run.refresh_from_db()
    assert run.status == RunStatus.QUEUED
    assert not Contribution.objects.exists()

    with start_worker(app, perform_ping_check=False, shutdown_timeout=10):
        deadline = time.monotonic() + 60
        while not RecomputeRun.objects.get(pk=run.pk).is_finished and time.monotonic() < deadline:
            time.sleep(0.2)
    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED, run.error
    assert Contribution.objects.get(organisation=personas.own).amount == 133820
