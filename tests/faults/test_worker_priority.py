"""A worker's pool processes run below its main process (WORKER_NICE), in a real `celery -A network worker`."""

from __future__ import annotations

import os

import pytest
from django.conf import settings

from tests.faults.conftest import wait_until

pytestmark = [pytest.mark.fault, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _children(pid: int) -> list[int]:
    path = f"/proc/{pid}/task/{pid}/children"
    with open(path, encoding="ascii") as file:
        return [int(child) for child in file.read().split()]


def _pool_at(main: int, niceness: int) -> bool:
    """The main process has its pool process(es) and each runs at `niceness` (read again each time: a process seen
    while the worker starts may be gone the next moment)."""
    try:
        pool = _children(main)
        return bool(pool) and all(os.getpriority(os.PRIO_PROCESS, child) == niceness for child in pool)
    except (FileNotFoundError, ProcessLookupError):
        return False


def test_the_pool_process_runs_below_the_main_process(worker):
    assert settings.WORKER_NICE == 5  # the product's default: the worker is started with the test's settings
    worker.start()
    main = worker.process.pid
    base = os.getpriority(os.PRIO_PROCESS, 0)  # the worker's main process starts with this process's niceness
    wait_until(
        lambda: _pool_at(main, base + settings.WORKER_NICE),
        seconds=90,
        what=f"the pool process at niceness {base + settings.WORKER_NICE} (the main process's is {base})",
    )
    assert os.getpriority(os.PRIO_PROCESS, main) == base  # the main process keeps its own
