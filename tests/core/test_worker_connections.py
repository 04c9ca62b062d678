"""Worker processes keep their database connection between tasks, and replace one that failed or grew old."""

from types import SimpleNamespace

import pytest
from django.db import connection

from network import celery as worker

pytestmark = pytest.mark.django_db(transaction=True)


def _task(*, eager: bool) -> SimpleNamespace:
    return SimpleNamespace(request=SimpleNamespace(is_eager=eager))


@pytest.fixture
def worker_process(settings):
    """What a worker process does when it starts: CONN_MAX_AGE from WORKER_DB_CONN_MAX_AGE."""
    settings.WORKER_DB_CONN_MAX_AGE = 600
    before = connection.settings_dict["CONN_MAX_AGE"]
    worker._keep_database_connections()
    yield
    connection.settings_dict["CONN_MAX_AGE"] = before
    connection.close()


def test_celery_leaves_the_connection_to_the_portal():
    from django.conf import settings

    assert worker.app.conf.get("CELERY_DB_REUSE_MAX") == settings.CELERY_DB_REUSE_MAX > 0


def test_a_worker_keeps_its_connection_from_one_task_to_the_next(worker_process):
    assert connection.settings_dict["CONN_MAX_AGE"] == 600
    connection.close()
    connection.ensure_connection()
    first = connection.connection
    worker._replace_failed_or_old_connections(task=_task(eager=False))
    connection.ensure_connection()
    assert connection.connection is first


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL connections")
def test_a_connection_that_failed_or_grew_old_is_replaced_before_the_next_task(worker_process):
    connection.ensure_connection()
    first = connection.connection
    connection.errors_occurred = True  # as after a query the server broke off
    connection.close_at = 0  # and older than its CONN_MAX_AGE
    worker._replace_failed_or_old_connections(task=_task(eager=False))
    connection.ensure_connection()
    assert connection.connection is not first


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL connections")
def test_without_a_kept_connection_each_task_gets_a_new_one(settings):
    settings.WORKER_DB_CONN_MAX_AGE = 0
    worker._keep_database_connections()
    connection.close()
    connection.ensure_connection()
    first = connection.connection
    worker._replace_failed_or_old_connections(task=_task(eager=False))
    connection.ensure_connection()
    assert connection.connection is not first


def test_an_eager_task_runs_on_the_callers_connection(worker_process):
    connection.ensure_connection()
    first = connection.connection
    connection.close_at = 0
    worker._replace_failed_or_old_connections(task=_task(eager=True))
    assert connection.connection is first
