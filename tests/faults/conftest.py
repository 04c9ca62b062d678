"""Private Redis, PostgreSQL and Celery worker processes for the fault tests: each test may kill or restart
them without touching the servers other test runs on this machine share. Every process is stopped in teardown."""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.db import connection

from tests.funding.conftest import invoicing  # noqa: F401 (a fixture, shared with the funding tests)

REPO_ROOT = Path(__file__).resolve().parents[2]
POSTGRES_BIN = sorted(Path("/usr/lib/postgresql").glob("*/bin"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until(condition: Callable[[], object], *, seconds: float, what: str, interval: float = 0.05) -> object:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"{what}: not within {seconds} s")


def stop_process(process: subprocess.Popen, sig: int = signal.SIGTERM, timeout: float = 10) -> None:
    """Stop a process started in a session of its own, with everything it started."""
    if process.poll() is None:
        os.killpg(process.pid, sig)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    # Children a killed parent left behind (a prefork pool's processes) share its process group.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


# ------------------------------------------------------------------------------------------------
# Redis


@dataclass
class PrivateRedis:
    port: int
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            start_new_session=True,
        )
        wait_until(self._answers, seconds=10, what=f"redis-server on port {self.port}")

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        if self.process is not None:
            stop_process(self.process)
            self.process = None


@pytest.fixture
def private_redis() -> Iterator[PrivateRedis]:
    if not shutil.which("redis-server"):
        pytest.skip("redis-server is not installed")
    redis = PrivateRedis(free_port())
    redis.start()
    try:
        yield redis
    finally:
        redis.stop()


# ------------------------------------------------------------------------------------------------
# PostgreSQL


def _as_postgres_user() -> dict:
    """initdb and postgres refuse to run as root: run them as the `postgres` account then."""
    if os.geteuid() != 0:
        return {}
    account = pwd.getpwnam("postgres")
    return {"user": account.pw_uid, "group": account.pw_gid, "extra_groups": []}


@dataclass
class PrivatePostgres:
    directory: Path
    port: int
    bin: Path

    @property
    def data(self) -> Path:
        return self.directory / "data"

    def url(self, name: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def pg_ctl(self, *arguments: str) -> None:
        subprocess.run(
            [str(self.bin / "pg_ctl"), "--pgdata", str(self.data), "--wait", "--silent", *arguments],
            check=True,
            stdout=subprocess.DEVNULL,
            **_as_postgres_user(),
        )

    def init(self) -> None:
        subprocess.run(
            [str(self.bin / "initdb"), "--pgdata", str(self.data), "--username", "postgres", "--auth", "trust"],
            check=True,
            stdout=subprocess.DEVNULL,
            **_as_postgres_user(),
        )

    def start(self) -> None:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.directory} -c fsync=off"
        self.pg_ctl("start", "--log", str(self.directory / "log"), "-o", options)

    def restart(self) -> None:
        self.pg_ctl("restart", "--mode", "fast")

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self.pg_ctl("stop", "--mode", "immediate")


@pytest.fixture
def private_postgres() -> Iterator[PrivatePostgres]:
    if not POSTGRES_BIN:
        pytest.skip("no PostgreSQL server binaries under /usr/lib/postgresql")
    directory = Path(tempfile.mkdtemp(prefix="portal-pg-"))
    if os.geteuid() == 0:
        account = pwd.getpwnam("postgres")
        os.chown(directory, account.pw_uid, account.pw_gid)
    server = PrivatePostgres(directory, free_port(), POSTGRES_BIN[-1])
    try:
        server.init()
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(directory, ignore_errors=True)


# ------------------------------------------------------------------------------------------------
# A Celery worker in a process of its own, on the test database


def database_url_of_the_tests() -> str:
    """The test database's URL for another process; skips the test when that database is not PostgreSQL (SQLite's
    test database lives in this process's memory). CI runs on PostgreSQL."""
    if connection.vendor != "postgresql":
        pytest.skip("needs the test database on PostgreSQL, to share it with another process")
    settings = connection.settings_dict
    user = settings["USER"] or "postgres"
    password = f":{settings['PASSWORD']}" if settings["PASSWORD"] else ""
    return (
        f"postgres://{user}{password}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}/{settings['NAME']}"
    )


@dataclass
class Worker:
    """`celery -A network worker` with one process, on a private broker; started, killed and restarted by tests."""

    broker_url: str
    media_root: Path
    visibility_timeout: int = 2
    process: subprocess.Popen | None = None
    starts: int = 0
    logs: list[Path] = field(default_factory=list)

    def start(self) -> None:
        self.starts += 1
        log = self.media_root.parent / f"worker-{self.starts}.log"
        self.logs.append(log)
        environment = dict(
            os.environ,
            DATABASE_URL=database_url_of_the_tests(),
            REDIS_URL=self.broker_url,
            CELERY_VISIBILITY_TIMEOUT=str(self.visibility_timeout),
            MEDIA_ROOT=str(self.media_root),
            DEBUG="false",
            LOG_LEVEL="WARNING",
        )
        command = [sys.executable, "-m", "celery", "-A", "network", "worker", "--pool", "prefork"]
        command += ["--concurrency", "1", "--without-gossip", "--without-mingle", "--without-heartbeat"]
        command += ["--loglevel", "WARNING", "--hostname", f"fault-{os.getpid()}-{self.starts}@%h"]
        with log.open("wb") as output:
            self.process = subprocess.Popen(
                command, cwd=REPO_ROOT, env=environment, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
            )

    def kill(self) -> None:
        """SIGKILL the worker and its pool process at once: nothing is acknowledged or handed back."""
        assert self.process is not None
        stop_process(self.process, signal.SIGKILL)
        self.process = None

    def restart_after_the_visibility_timeout(self) -> None:
        """Start again once the unacknowledged message is older than the visibility timeout: a worker takes such
        messages back as it starts (after that, kombu looks again only every minute or two)."""
        time.sleep(self.visibility_timeout + 0.5)
        self.start()

    def stop(self) -> None:
        if self.process is not None:
            stop_process(self.process)
            self.process = None

    def log_text(self) -> str:
        return "\n".join(path.read_text(errors="replace")[-3000:] for path in self.logs if path.exists())


@pytest.fixture
def worker(private_redis, tmp_path, settings) -> Iterator[Worker]:
    """A worker on the private Redis; this process sends its tasks there too (put back afterwards)."""
    from network.celery import app

    database_url_of_the_tests()  # skips on SQLite before anything starts
    media = tmp_path / "media"
    media.mkdir()
    settings.MEDIA_ROOT = str(media)
    saved = app.conf.broker_url, app.conf.task_always_eager, app._pool, app.amqp._producer_pool
    app.conf.broker_url, app.conf.task_always_eager = private_redis.url, False
    app._pool = app.amqp._producer_pool = None
    process = Worker(private_redis.url, media)
    try:
        yield process
    finally:
        process.stop()
        if app._pool is not None:
            app._pool.force_close_all()
        app.conf.broker_url, app.conf.task_always_eager, app._pool, app.amqp._producer_pool = saved
