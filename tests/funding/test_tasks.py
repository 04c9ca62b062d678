"""Recompute through a real Celery worker on Redis, and what happens when Redis is down."""

import time

import pytest
from django.conf import settings

from core import told
from core.runs import RunStatus
from funding.models import Contribution, RecomputeRun
from funding.services import recompute_start
from network.celery import app
from tests.factories import contribution_model

needs_redis = pytest.mark.skipif(not settings.REDIS_URL, reason="needs REDIS_URL (CI sets it)")


def _wait_until_finished(run_id: int, seconds: float = 30) -> RecomputeRun:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        run = RecomputeRun.objects.get(pk=run_id)
        if run.is_finished:
            return run
        time.sleep(0.2)
    raise AssertionError(f"run {run_id} did not finish in {seconds} s: {run.status}")


@needs_redis
@pytest.mark.worker
def test_recompute_runs_in_a_real_worker(transactional_db, personas):
    from celery.contrib.testing.worker import start_worker

    contribution_model(year=2026, exempt=[personas.host])
    assert app.conf.task_always_eager is False
    with start_worker(app, perform_ping_check=False, shutdown_timeout=10):
        run = recompute_start(year=2026, reason=told.kept("test"))  # autocommit: queued to Redis at once
        run = _wait_until_finished(run.pk)
    assert run.status == RunStatus.SUCCEEDED, run.error
    assert run.report["created"] == 3
    assert Contribution.objects.get(organisation=personas.own).amount == 133820


@pytest.mark.worker
def test_with_the_queue_down_a_started_job_says_it_failed(transactional_db, personas):
    contribution_model(year=2026, exempt=[personas.host])
    # Point the app at a port nothing listens on, with fresh connection pools; put everything back afterwards.
    saved = app.conf.broker_url, app.conf.task_always_eager, app._pool, app.amqp._producer_pool
    app.conf.broker_url, app.conf.task_always_eager = "redis://127.0.0.1:1/0", False
    app._pool = app.amqp._producer_pool = None
    try:
        started = time.monotonic()
        run = recompute_start(year=2026, reason=told.kept("test"))
        elapsed = time.monotonic() - started
    finally:
        if app._pool is not None:
            app._pool.force_close_all()
        app.conf.broker_url, app.conf.task_always_eager, app._pool, app.amqp._producer_pool = saved
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED
    assert "task queue could not be reached" in run.error or "køen" in run.error
    assert elapsed < 15
    assert not Contribution.objects.exists()
