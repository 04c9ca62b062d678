"""An invoice run of 400 members: the portal's time per invoice against WeasyPrint alone, and its scaling.

The issue: *"`bench/` prints, for an invoice run of 400 members, the time per invoice against rendering the
same HTML with WeasyPrint alone (the limit), as a ratio; target at most 1.25. It also prints the throughput
with one and with two worker processes; target at least 1.7 times."* Issue 24 tightened them to 1.1 and 1.9.

Two figures (see bench/README.md for the details):

- `invoice_render_vs_weasyprint`: in this process, the portal's whole path for the run (`invoice_run_start` with
  Celery eager, as without a broker: each `invoice_issue` and, once a group of invoices has committed, the
  `render_documents_of_invoices` task with `invoice_documents_render` for each: PDF by WeasyPrint, EHF, SHA-256,
  storage) divided by `weasyprint.HTML(string=html).write_pdf()` on the HTML the portal rendered for each
  invoice. The two are interleaved: WeasyPrint alone renders an invoice's HTML right after the portal has stored
  its documents, on a clock of its own that the portal's clock leaves out, so that a shared machine slowing down
  or speeding up during the run changes both alike. Measured once (a run takes tens of seconds).
- `invoice_throughput_2_vs_1_workers`: the invoices a second a Celery worker (`celery -A network worker --pool
  prefork`) with two processes renders the documents of, divided by those with one process. The invoices are
  issued in this process with the documents' tasks held back; both workers are started, each on a queue of its
  own, and the run's invoices go to them (in groups, as an invoice run sends them) in four blocks, to one, two,
  two and one process (so a machine that slows down steadily changes both alike). Without Redis (or with
  BENCH_INVOICE_POOL=processes) spawned processes share each block instead. After each block, WeasyPrint alone
  renders the same invoices' HTML in as many processes forked from this one, and the run prints that ratio too:
  what two cores gave the renders alone in the same run, which the portal's figure can approach but hardly pass.

Set BENCH_PROFILE=1 to print a cProfile of the in-process path for an extra, smaller run.
"""

from __future__ import annotations

import contextlib
import cProfile
import functools
import gc
import io
import os
import pstats
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from itertools import count
from pathlib import Path
from typing import Any

from bench.common import (
    REPO_ROOT,
    Figure,
    database_url,
    info,
    is_postgres,
    keeps_server_jit,
    reset_database,
    server_description,
    statement_timeout,
    vacuum,
)

SIZE = int(os.environ.get("BENCH_INVOICES") or 400)
PROFILE_SIZE = 60
YEAR = 2026
ISSUE_DATE = date(YEAR, 1, 15)
DUE_DATE = ISSUE_DATE + timedelta(days=30)
POPULATION_DATE = date(2024, 1, 1)
RATIO_TARGET = 1.1
SCALING_TARGET = 1.9
WORKERS = (1, 2)
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/15"
QUEUE = f"bench-invoices-{os.getpid()}"  # a queue of its own: two runs on one Redis database do not mix
RENDER_TASK = "funding.tasks.render_invoice_documents"  # one invoice
RENDER_GROUP_TASK = "funding.tasks.render_documents_of_invoices"  # several, as an invoice run sends them
POLL_SECONDS = 0.5  # each poll costs a query, about 1 ms of PostgreSQL, while the workers render


def redis_url() -> str:
    return os.environ.get("BENCH_REDIS_URL") or DEFAULT_REDIS_URL


def run() -> list[Figure]:
    info(f"invoices: {server_description()}")
    if not is_postgres():
        info("invoices: the figures are meant for PostgreSQL; this database gives other ones")
    _warm_up_weasyprint()
    _disturbed.clear()
    figures = [_render_ratio(SIZE)]
    figures.append(_scaling(SIZE))
    for timing, cores in _disturbed:
        info(
            f"invoices: warning: other processes used {cores:.2f} of the {os.cpu_count()} cores during {timing}, "
            "so that timing may be longer than on a quiet machine"
        )
    if os.environ.get("BENCH_PROFILE") == "1":
        _profile(min(SIZE, PROFILE_SIZE))
    return figures


# ------------------------------------------------------------------------------------------------
# Data


def _org_numbers(prefix: str) -> Iterator[str]:
    """Valid organisation numbers (stdnum.no.orgnr) starting with `prefix`, ascending."""
    from stdnum.no import orgnr

    for serial in count(1):
        base = f"{prefix}{serial:07d}"
        for check in "0123456789":
            if orgnr.is_valid(base + check):
                yield base + check
                break


def create_members(size: int, *, member_from: date = date(2021, 1, 1)) -> list:
    """`size` member municipalities that can be invoiced, each with a population figure (300 to 300 000
    inhabitants, log-uniform, the same for the same `size`)."""
    from members.choices import MembershipStatus, OrganisationKind
    from members.models import Organisation, PopulationFigure

    numbers = _org_numbers("8")
    organisations = Organisation.objects.bulk_create(
        Organisation(
            kind=OrganisationKind.MUNICIPALITY,
            name=f"Benchkommune {index:03d}",
            org_number=(org_number := next(numbers)),
            county="Vestland",
            street_address=f"Rådhusvegen {index + 1}",
            postal_code=f"{5000 + index % 1000:04d}",
            city="Benchby",
            email=f"postmottak{index}@bench.example.no",
            einvoice_endpoint=f"0192:{org_number}",
            buyer_reference=f"REF-{index:03d}",
            membership_status=MembershipStatus.MEMBER,
            member_from=member_from,
        )
        for index in range(size)
    )
    rng = random.Random(size)  # reproducible figures, not secrets
    PopulationFigure.objects.bulk_create(
        PopulationFigure(
            organisation=organisation,
            reference_date=POPULATION_DATE,
            count=round(300 * 1000 ** rng.random()),  # 300 .. 300 000, spread like municipalities
            source="SSB (bench)",
        )
        for organisation in organisations
    )
    return organisations


def create_network_profile() -> None:
    """tests.factories.network_profile's values, with an organisation number of its own."""
    from core.models import NetworkProfile

    NetworkProfile.objects.create(
        name="DigiVestland",
        legal_name="Bergen kommune",
        org_number=next(_org_numbers("9")),
        street_address="Postboks 7700",
        postal_code="5020",
        city="Bergen",
        email="post@digivestland.example.no",
        bank_account="15030112358",
    )


def adopt_model(year: int) -> None:
    """An adopted formula model for `year`: tests.factories.contribution_model's, saved as a proposal, then adopted
    directly."""
    from funding.choices import ModelStatus
    from funding.models import ContributionModel
    from funding.services import RuleInput, contribution_model_save

    model = contribution_model_save(
        values={
            "name": f"Bench {year}",
            "year": year,
            "base_year": year,
            "mode": "formula",
            "population_date": POPULATION_DATE,
        },
        rules=[RuleInput("municipality", Decimal(100000), Decimal(20), Decimal(500000))],
        overrides=[],
    )
    ContributionModel.objects.filter(pk=model.pk).update(status=ModelStatus.ADOPTED)


def _populate(size: int) -> None:
    """Empty the database; `size` member municipalities that can be invoiced, an adopted 2026 model, their
    contributions and the network profile (as tests/funding/conftest.py's `invoicing` fixture, with no
    exempt host, so every member gets an invoice)."""
    from funding.models import Contribution
    from funding.services import contributions_recompute

    reset_database()
    create_members(size)
    create_network_profile()
    adopt_model(YEAR)
    contributions_recompute(year=YEAR)
    invoiceable = Contribution.objects.filter(year=YEAR, amount__gt=0).count()
    if invoiceable != size:
        raise AssertionError(f"expected {size} contributions to invoice, got {invoiceable}")
    _vacuum()


def _vacuum() -> None:
    """VACUUM ANALYZE what the run reads and writes, so that autovacuum does not run during a timing."""
    from core.models import NetworkProfile
    from funding.models import Contribution, Invoice, InvoiceLine, InvoiceRun, NumberSeries
    from members.models import Organisation

    vacuum(
        Organisation,
        NetworkProfile,
        Contribution,
        Contribution.history.model,
        Invoice,
        Invoice.history.model,
        InvoiceLine,
        InvoiceRun,
        NumberSeries,
    )


def _check_documents(ids: list[int], media: Path) -> None:
    """Every invoice has both documents with their SHA-256, and the files are in `media`."""
    from funding.models import Invoice

    rendered = Invoice.objects.filter(pk__in=ids).exclude(pdf_sha256="").exclude(ehf_sha256="").count()
    files = sum(1 for path in media.rglob("*") if path.is_file())
    if rendered != len(ids) or files != 2 * len(ids):
        raise AssertionError(
            f"expected {len(ids)} invoices with documents and {2 * len(ids)} files in {media}, "
            f"got {rendered} and {files}"
        )


@contextmanager
def _media_root() -> Iterator[Path]:
    """A temporary MEDIA_ROOT for the stored documents, removed afterwards."""
    from django.test import override_settings

    directory = Path(tempfile.mkdtemp(prefix="bench-invoices-"))
    try:
        with override_settings(MEDIA_ROOT=str(directory)):
            yield directory
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def _warm_up_weasyprint() -> None:
    """Import WeasyPrint and load its fonts untimed, so neither timing pays for it."""
    from weasyprint import HTML

    HTML(string="<p style=\"font: 9pt 'DejaVu Sans'\"><strong>Faktura</strong> 1</p>").write_pdf()


# ------------------------------------------------------------------------------------------------
# CPU accounting: the machine is shared (other people's tests take a core at times), so each timing says
# where the CPU went: the measured processes, PostgreSQL and Redis, and the rest. Linux /proc; elsewhere only
# the measured processes' own time is known.


@dataclass(frozen=True)
class _CpuSample:
    machine: tuple[float, float] | None  # busy and steal CPU seconds of the machine since boot
    # pid: (name, parent, CPU seconds of itself, the same with its reaped children's)
    processes: dict[int, tuple[str, int, float, float]]


def _cpu_sample() -> _CpuSample:
    tick = os.sysconf("SC_CLK_TCK")
    try:
        fields = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
        user, nice, system, _idle, _iowait, irq, softirq, steal = fields
        machine: tuple[float, float] | None = ((user + nice + system + irq + softirq) / tick, steal / tick)
    except (OSError, ValueError):
        machine = None
    processes = {}
    for entry in Path("/proc").iterdir() if machine else ():
        if entry.name.isdigit():
            try:
                text = (entry / "stat").read_text()
            except OSError:  # exited meanwhile
                continue
            name, rest = text[text.index("(") + 1 : text.rindex(")")], text[text.rindex(")") + 1 :].split()
            # utime, stime, cutime, cstime: a reaped child's time moves to its parent's cutime/cstime.
            own, reaped = sum(map(int, rest[11:13])) / tick, sum(map(int, rest[13:15])) / tick
            processes[int(entry.name)] = (name, int(rest[1]), own, own + reaped)
    return _CpuSample(machine, processes)


def _subtree_cpu(sample: _CpuSample, roots: list[int]) -> float:
    tree, frontier = set(roots), list(roots)
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, (_, ppid, *_) in sample.processes.items() if ppid == parent and pid not in tree]
        tree.update(children)
        frontier.extend(children)
    return sum(sample.processes[pid][3] for pid in tree if pid in sample.processes)


def _services(sample: _CpuSample) -> list[int]:
    """The PostgreSQL postmaster(s) and Redis servers on this machine."""
    names = {pid: name for pid, (name, *_) in sample.processes.items()}
    return [
        pid
        for pid, (name, ppid, *_) in sample.processes.items()
        if (name == "postgres" and names.get(ppid) != "postgres") or name == "redis-server"
    ]


# (timing, cores) of the timings during which processes other than the measured ones, PostgreSQL and Redis
# kept more than DISTURBED cores busy on average.
_disturbed: list[tuple[str, float]] = []
DISTURBED = 0.2


def _cpu_split(before: _CpuSample, after: _CpuSample, measured: float) -> tuple[float, float, float, float] | None:
    """CPU seconds between two samples: (this process, PostgreSQL and Redis, the rest, steal), where the rest is
    the machine's busy time less `measured`, this process and the services; None without /proc/stat.

    Approximate: a process's time is only known while it runs or once its parent has reaped it."""
    if not (before.machine and after.machine):
        return None
    pid = os.getpid()
    this = after.processes[pid][2] - before.processes[pid][2] if pid in before.processes else 0.0
    roots = _services(after)
    services = _subtree_cpu(after, roots) - _subtree_cpu(before, roots)
    busy, steal = (end - start for start, end in zip(before.machine, after.machine, strict=True))
    return this, services, max(busy - measured - this - services, 0.0), steal


def _cpu_note(
    timing: str, wall: float, before: _CpuSample, after: _CpuSample, name: str, measured: float | list[int]
) -> str:
    """E.g. `CPU: the worker 1.71 cores, this process 0.01, PostgreSQL and Redis 0.20, the rest 0.05 of 2 (steal
    0.00)`: CPU seconds per second of the timing. `measured`: the processes' CPU seconds, or their root pids."""
    if isinstance(measured, list):
        measured = _subtree_cpu(after, measured) - _subtree_cpu(before, measured)
    note = f"CPU: {name} {measured / wall:.2f} cores"
    split = _cpu_split(before, after, 0.0 if name == "this process" else measured)
    if split is None:
        return note
    this, services, rest, steal = split
    if name == "this process":  # `measured` is this process's time, already in `this`
        this = 0.0
    else:
        note += f", this process {this / wall:.2f}"
    if rest / wall > DISTURBED:
        _disturbed.append((timing, rest / wall))
    return note + (
        f", PostgreSQL and Redis {services / wall:.2f}, the rest {rest / wall:.2f} "
        f"of {os.cpu_count()} (steal {steal / wall:.2f})"
    )


def _wait_for_quiet(timing: str) -> None:
    """With BENCH_QUIET_WAIT=<seconds>: wait up to that long for a 3-second window in which processes other than
    this one, PostgreSQL and Redis keep less than DISTURBED cores busy (the machine is shared)."""
    limit = float(os.environ.get("BENCH_QUIET_WAIT") or 0)
    if limit <= 0:
        return
    deadline = time.monotonic() + limit
    while True:
        before = _cpu_sample()
        time.sleep(3)
        split = _cpu_split(before, _cpu_sample(), 0.0)
        if split is None or split[2] / 3 < DISTURBED:
            return
        if time.monotonic() > deadline:
            info(f"invoices: other processes still keep {split[2] / 3:.2f} cores busy; measuring {timing} anyway")
            return


# ------------------------------------------------------------------------------------------------
# The portal's path against WeasyPrint alone, in this process


class _Timers:
    """Total seconds and calls of wrapped functions (a breakdown of the portal's path)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.calls: dict[str, int] = {}

    def wrap(self, name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - start
                self.calls[name] = self.calls.get(name, 0) + 1

        return timed


@contextmanager
def _timed_parts(*, alone: Callable[[str], None]) -> Iterator[_Timers]:
    """Time the parts of the document rendering where the portal looks them up (a few microseconds a call), and
    call `alone` with each invoice's HTML once the portal has stored that invoice's documents."""
    from funding import documents, services
    from funding.services import invoices

    timers = _Timers()
    pages: list[str] = []

    def keep_html(function: Callable[..., str]) -> Callable[..., str]:
        def kept(*args: Any, **kwargs: Any) -> str:
            pages.append(html := function(*args, **kwargs))
            return html

        return kept

    def then_alone(function: Callable[..., Any]) -> Callable[..., Any]:
        def rendered(*args: Any, **kwargs: Any) -> Any:
            result = function(*args, **kwargs)
            while pages:
                alone(pages.pop(0))
            return result

        return rendered

    targets = [
        # What the documents' tasks call for each invoice; WeasyPrint alone renders right after it returns.
        (services, "invoice_documents_render", lambda function: then_alone(timers.wrap("render", function))),
        (documents, "invoice_html", lambda function: keep_html(timers.wrap("invoice_html", function))),
        (documents, "html_to_pdf", lambda function: timers.wrap("html_to_pdf", function)),  # WeasyPrint, as called
        (invoices, "invoice_ehf", lambda function: timers.wrap("invoice_ehf", function)),
    ]
    originals = [(module, name, getattr(module, name)) for module, name, _ in targets]
    try:
        for (module, name, function), (*_, wrapped) in zip(originals, targets, strict=True):
            setattr(module, name, wrapped(function))
        yield timers
    finally:
        for module, name, function in originals:
            setattr(module, name, function)


def _render_ratio(size: int) -> Figure:
    """The portal's path and WeasyPrint alone, interleaved: right after the portal has stored an invoice's
    documents, WeasyPrint alone renders the HTML the portal rendered for it, on its own clock, which the portal's
    clock leaves out. Each invoice's two timings lie a fraction of a second apart, so a machine that slows down or
    speeds up during the run (other people's work on a shared host) changes both alike."""
    from django.conf import settings
    from weasyprint import HTML

    from core.runs import RunStatus
    from funding.models import Invoice
    from funding.services import invoice_run_start

    if not settings.CELERY_TASK_ALWAYS_EAGER:
        raise RuntimeError("the in-process measurement needs Celery eager (REDIS_URL empty, as bench.common sets)")
    weasyprint = [0.0, 0.0]  # seconds of wall clock and of this process's CPU, WeasyPrint alone
    rendered = 0

    def alone(page: str) -> None:
        nonlocal rendered
        cpu, start = time.process_time(), time.perf_counter()
        HTML(string=page).write_pdf()
        weasyprint[0] += time.perf_counter() - start
        weasyprint[1] += time.process_time() - cpu
        rendered += 1

    with _media_root() as media:
        _populate(size)
        _wait_for_quiet("the portal path and WeasyPrint alone")
        with _timed_parts(alone=alone) as parts:
            # An invoice run and its documents run in a Celery worker process, which freezes the objects it starts
            # with (network/celery.py), so that the garbage collector does not walk Django's hundreds of thousands
            # of them again and again; both timings here are measured so (as bench/recompute.py does).
            gc.collect()
            gc.freeze()
            before, cpu, start = _cpu_sample(), time.process_time(), time.perf_counter()
            run = invoice_run_start(year=YEAR, issue_date=ISSUE_DATE, due_date=DUE_DATE)
            wall, cpu, after = time.perf_counter() - start, time.process_time() - cpu, _cpu_sample()
        run.refresh_from_db()
        if run.status != RunStatus.SUCCEEDED or run.issued != size or rendered != size:
            raise AssertionError(
                f"the invoice run did not issue and render {size} invoices: {run.status}, {run.error!r}, "
                f"{rendered} rendered alone"
            )
        _check_documents(list(Invoice.objects.filter(run=run).values_list("pk", flat=True)), media)

    portal = wall - weasyprint[0]
    both = _cpu_note("the portal path and WeasyPrint alone", wall, before, after, "this process", cpu)
    per = 1000 / size
    info(
        f"invoices {size}: portal path (invoice_run_start, Celery eager: issue + documents) {portal:.2f} s, "
        f"{portal * per:.1f} ms per invoice (measured once, interleaved with WeasyPrint alone; CPU of the two "
        f"together: {both}; this process's CPU for the portal path {(cpu - weasyprint[1]) * per:.1f} ms per invoice)"
    )
    render = parts.seconds.get("render", 0.0)
    rendering = sum(parts.seconds.get(name, 0.0) for name in ("invoice_html", "html_to_pdf", "invoice_ehf"))
    info(
        f"invoices {size}:   invoice_documents_render {render * per:.1f} ms per invoice "
        f"({parts.calls.get('render', 0)} calls): "
        f"html_to_pdf (WeasyPrint) {parts.seconds.get('html_to_pdf', 0.0) * per:.1f}, "
        f"invoice_html {parts.seconds.get('invoice_html', 0.0) * per:.1f}, "
        f"invoice_ehf {parts.seconds.get('invoice_ehf', 0.0) * per:.1f}, "
        f"the rest (lock, lines, SHA-256, files, save) {(render - rendering) * per:.1f}"
    )
    info(f"invoices {size}:   issuing and the rest of the run {(portal - render) * per:.1f} ms per invoice")
    info(
        f"invoices {size}: WeasyPrint alone (HTML(string=html).write_pdf() on the HTML the portal rendered) "
        f"{weasyprint[0]:.2f} s, {weasyprint[0] * per:.1f} ms per invoice (CPU {weasyprint[1] * per:.1f} ms)"
    )
    info(
        f"invoices {size}: invoice_render_vs_weasyprint = {portal:.2f} s / {weasyprint[0]:.2f} s "
        f"= {portal / weasyprint[0]:.4f}"
    )
    return Figure("invoice_render_vs_weasyprint", portal / weasyprint[0], RATIO_TARGET, "<=")


# ------------------------------------------------------------------------------------------------
# Throughput with one and two worker processes


def _issue_holding_documents() -> list[int]:
    """Issue the run's invoices in this process and return their ids; the tasks that would render their
    documents (queued on each invoice's commit) are held back instead, for the workers."""
    from core.runs import RunStatus
    from funding.models import InvoiceRun
    from funding.services import invoice_run_execute
    from funding.services import invoices as invoice_services

    held: list[int] = []
    original = invoice_services._queue_documents
    invoice_services._queue_documents = held.append
    try:
        run = InvoiceRun.objects.create(year=YEAR, issue_date=ISSUE_DATE, due_date=DUE_DATE)
        run = invoice_run_execute(run_id=run.pk)
    finally:
        invoice_services._queue_documents = original
    if run.status != RunStatus.SUCCEEDED or len(held) != run.issued:
        raise AssertionError(f"the invoice run failed or queued {len(held)} of {run.issued}: {run.error!r}")
    return held


# The order in which the worker with one process and the one with two take their blocks of the run's invoices:
# each gets half of them, and a machine that slows down or speeds up steadily during the measurement changes both
# alike.
BLOCK_ORDER = (1, 2, 2, 1)


def _blocks(ids: list[int], parts: int) -> list[list[int]]:
    return [ids[index * len(ids) // parts : (index + 1) * len(ids) // parts] for index in range(parts)]


def _scaling(size: int) -> Figure:
    pool = os.environ.get("BENCH_INVOICE_POOL") or "celery"
    if pool not in ("celery", "processes"):
        raise ValueError(f"BENCH_INVOICE_POOL must be 'celery' or 'processes', not {pool!r}")
    if pool == "celery" and not _redis_reachable():
        info(f"invoices: Redis at {redis_url()} cannot be reached; measuring with spawned processes instead")
        pool = "processes"
    info(
        "invoices: workers are "
        + (
            f"`celery -A network worker --pool prefork --concurrency N` on {redis_url()}, both started before the "
            "first block and each on a queue of its own, sent the documents of "
            + (f"{documents_per_task()} invoices a task" if documents_per_task() > 1 else "one invoice a task")
            if pool == "celery"
            else "N spawned processes (multiprocessing) for each block, each with an equal share"
        )
        + f"; the blocks go to the worker with {', '.join(map(str, BLOCK_ORDER))} processes in turn"
    )
    if size < 2 * len(BLOCK_ORDER):
        raise ValueError(
            f"the worker timings need at least {2 * len(BLOCK_ORDER)} invoices (BENCH_INVOICES), not {size}"
        )
    seconds = dict.fromkeys(WORKERS, 0.0)
    counted = dict.fromkeys(WORKERS, 0)
    alone = dict.fromkeys(WORKERS, 0.0)  # WeasyPrint alone on the same blocks' HTML, in forked processes
    with _media_root() as media:
        _populate(size)
        ids = _issue_holding_documents()
        _vacuum()
        blocks = _blocks(ids, len(BLOCK_ORDER))
        if pool == "celery":
            _say_tasks_per_block(blocks)
        pages = [_pages(block) for block in blocks]
        with contextlib.ExitStack() as stack:
            if pool == "celery":
                render = {workers: stack.enter_context(_celery_worker(workers, media)) for workers in WORKERS}
            else:
                render = {workers: functools.partial(_processes_render, workers, media=media) for workers in WORKERS}
            for number, (workers, block) in enumerate(zip(BLOCK_ORDER, blocks, strict=True), start=1):
                timing = f"block {number} of {len(blocks)}, {_plural(workers, 'worker process')}"
                if pool == "celery":  # the spawned processes wait once they are ready
                    _wait_for_quiet(timing)
                block_seconds, cpu = render[workers](block, timing=timing)
                seconds[workers] += block_seconds
                counted[workers] += len(block)
                info(f"invoices {size}: {timing}: {len(block)} invoices in {block_seconds:.2f} s ({cpu})")
                alone_seconds = _alone_render(workers, pages[number - 1])
                alone[workers] += alone_seconds
                info(f"invoices {size}: {timing}: WeasyPrint alone on the same HTML {alone_seconds:.2f} s")
        _check_documents(ids, media)
    for workers in WORKERS:
        info(
            f"invoices {size}: documents with {_plural(workers, 'worker process')}: {counted[workers]} invoices in "
            f"{seconds[workers]:.2f} s, {counted[workers] / seconds[workers]:.1f} invoices/s"
        )
    ratio = (counted[2] / seconds[2]) / (counted[1] / seconds[1])
    limit = alone[1] / alone[2]
    info(
        f"invoices {size}: for comparison, WeasyPrint alone on the same blocks' HTML in 2 forked processes against "
        f"1: {limit:.4f} (what two cores of this machine gave the renders alone in this run; the workers reached "
        f"{ratio / limit:.3f} of it)"
    )
    info(
        f"invoices {size}: invoice_throughput_2_vs_1_workers = {counted[2] / seconds[2]:.2f} / "
        f"{counted[1] / seconds[1]:.2f} invoices/s = {ratio:.4f}"
    )
    return Figure("invoice_throughput_2_vs_1_workers", ratio, SCALING_TARGET, ">=")


def _pages(ids: list[int]) -> list[str]:
    """The HTML the portal renders the PDFs of `ids` from."""
    from funding.documents import invoice_html
    from funding.models import Invoice

    invoices = Invoice.objects.filter(pk__in=ids).select_related("credited_invoice").prefetch_related("lines")
    return [invoice_html(invoice, list(invoice.lines.all()), invoice.credited_invoice) for invoice in invoices]


def _alone_render(workers: int, pages: list[str]) -> float:
    """Seconds for `workers` processes forked from this one (objects frozen, as in a worker process) to render
    `pages` with WeasyPrint alone, each every `workers`-th page: from the start signal to the last page done.
    Call it from a process with no other threads (as this benchmark's): a child forked while another thread holds
    a lock may wait for it forever."""
    import multiprocessing
    import queue

    from django.db import connections

    connections.close_all()  # the forked processes use no database
    context = multiprocessing.get_context("fork")
    ready, go, done = context.Queue(), context.Event(), context.Queue()
    processes = [
        context.Process(target=_alone_share, args=(pages[index::workers], ready, go, done)) for index in range(workers)
    ]
    for process in processes:
        process.start()
    try:
        try:
            for _ in processes:
                ready.get(timeout=60)
            start = time.monotonic()
            go.set()
            finished = [done.get(timeout=max(120.0, 2.0 * len(pages))) for _ in processes]
        except queue.Empty:
            raise RuntimeError(
                "a process rendering with WeasyPrint alone did not get ready or finish in time"
            ) from None
    finally:
        for process in processes:
            process.join(timeout=30)
            if process.is_alive():
                process.kill()
                process.join()
    failed = [error for _, error in finished if error]
    if failed:
        raise RuntimeError(f"a process rendering with WeasyPrint alone failed: {failed[0]}")
    return max(end for end, _ in finished) - start


def _alone_share(pages: list[str], ready: Any, go: Any, done: Any) -> None:
    """In a forked process: say it is ready, render `pages` once `go` is set, and put (the monotonic time at the
    end, the error or "")."""
    from weasyprint import HTML

    gc.freeze()
    ready.put(os.getpid())
    go.wait()
    try:
        for page in pages:
            HTML(string=page).write_pdf()
    except Exception as error:
        done.put((time.monotonic(), repr(error)))
    else:
        done.put((time.monotonic(), ""))


def _plural(number: int, noun: str) -> str:
    return f"{number} {noun}{'es' if number != 1 else ''}"


def _worker_environment(media: Path) -> dict[str, str]:
    """The bench's database, session settings and a temporary MEDIA_ROOT, for processes started from here."""
    options = [f"-c statement_timeout={int(statement_timeout() * 1000)}"]
    if not keeps_server_jit():
        options.append("-c jit=off")
    environment = dict(os.environ)
    environment.update(
        {
            "DATABASE_URL": database_url(),
            "PGOPTIONS": " ".join(options),  # libpq applies these to every session of the worker
            "MEDIA_ROOT": str(media),
            "DEBUG": os.environ.get("DEBUG", "false"),
            "SECRET_KEY": os.environ["SECRET_KEY"],
            "DJANGO_SETTINGS_MODULE": os.environ["DJANGO_SETTINGS_MODULE"],
            "CELERY_TASK_ALWAYS_EAGER": "false",  # a worker, as in production
        }
    )
    return environment


def _redis_reachable() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(redis_url(), socket_connect_timeout=1).ping())
    except Exception:
        return False


@contextmanager
def _celery_worker(workers: int, media: Path) -> Iterator[Callable[..., tuple[float, str]]]:
    """A Celery worker with `workers` processes on a queue of its own, ready; yields a function that sends it the
    documents' tasks of some invoices and times until all of them are stored (from the first task sent to the last
    invoice with both documents)."""
    from celery import Celery
    from django.db.models import Max, Q
    from django.utils import timezone

    from funding.models import Invoice

    url, queue = redis_url(), f"{QUEUE}-{workers}"
    producer = Celery("bench-invoices", broker=url, set_as_current=False)  # the portal's tasks stay eager here
    producer.conf.update(broker_connection_retry_on_startup=True, task_serializer="json")
    with producer.connection_for_write() as connection:
        connection.default_channel.queue_purge(queue)  # nothing left over from an interrupted run
    node = f"bench-invoices-{workers}-{os.getpid()}@{socket.gethostname()}"
    log = tempfile.NamedTemporaryFile(prefix="bench-invoices-worker-", suffix=".log", delete=False)  # noqa: SIM115
    environment = _worker_environment(media) | {"REDIS_URL": url}
    command = [
        *(str(Path(sys.executable).parent / "celery"), "-A", "network", "worker"),
        *("--pool", "prefork", "--concurrency", str(workers), "--queues", queue, "--hostname", node),
        *("--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel", "WARNING"),
    ]
    worker = subprocess.Popen(
        command, cwd=REPO_ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )

    def render(ids: list[int], *, timing: str) -> tuple[float, str]:
        remaining = Invoice.objects.filter(pk__in=ids).filter(Q(pdf_sha256="") | Q(ehf_sha256=""))
        gc.collect()
        before, start, started_at = _cpu_sample(), time.perf_counter(), timezone.now()
        for group in _groups(ids):
            if len(group) == 1:
                producer.send_task(RENDER_TASK, args=group, queue=queue)
            else:
                producer.send_task(RENDER_GROUP_TASK, args=[group], queue=queue)
        deadline = start + max(120.0, 2.0 * len(ids))
        checked = start
        while remaining.exists():
            now = time.perf_counter()
            if worker.poll() is not None or now > deadline:
                raise RuntimeError(f"the worker stopped or timed out; its log:\n{_tail(Path(log.name))}")
            if now - checked > 1.0:
                checked = now
                if "Traceback" in Path(log.name).read_text(errors="replace"):
                    raise RuntimeError(f"a task failed in the worker; its log:\n{_tail(Path(log.name))}")
            time.sleep(POLL_SECONDS)
        waited = time.perf_counter() - start
        # Until the last documents were stored, as the worker dated their history row (the polling notices it up to
        # POLL_SECONDS later).
        stored = Invoice.history.exclude(pdf_sha256="").exclude(ehf_sha256="").filter(id__in=ids)
        finished_at = stored.aggregate(last=Max("history_date"))["last"]
        return (finished_at - started_at).total_seconds(), _cpu_note(
            timing, waited, before, _cpu_sample(), "the worker", [worker.pid]
        )

    try:
        _wait_until_ready(producer, node, worker, Path(log.name))
        yield render
    finally:
        _stop(worker)
        with producer.connection_for_write() as connection:
            connection.default_channel.queue_purge(queue)
        producer.close()
        log.close()
        os.unlink(log.name)


def documents_per_task() -> int:
    """The invoices whose documents one task renders: as an invoice run groups them, unless
    BENCH_DOCUMENTS_PER_TASK says otherwise."""
    from funding.services.invoices import DOCUMENTS_PER_TASK

    value = int(os.environ.get("BENCH_DOCUMENTS_PER_TASK") or DOCUMENTS_PER_TASK)
    if value < 1:
        raise ValueError(f"BENCH_DOCUMENTS_PER_TASK must be at least 1, not {value}")
    return value


def _say_tasks_per_block(blocks: list[list[int]]) -> None:
    """The tasks each block sends; two processes share a block's tasks, not its invoices, so an odd number of them
    leaves one process idle for the last task and caps the figure below 2 (said here when it does)."""
    for number, (workers, block) in enumerate(zip(BLOCK_ORDER, blocks, strict=True), start=1):
        tasks = len(_groups(block))
        line = f"invoices: block {number} of {len(blocks)}: {len(block)} invoices in {tasks} tasks"
        if workers == 2 and tasks % 2:
            line += f" (an odd number: two processes can render it at most {2 * tasks / (tasks + 1):.2f} times as fast)"
        info(line)


def _groups(ids: list[int]) -> list[list[int]]:
    size = documents_per_task()
    return [ids[start : start + size] for start in range(0, len(ids), size)]


def _wait_until_ready(producer: Any, node: str, worker: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if worker.poll() is not None:
            raise RuntimeError(f"the Celery worker exited with {worker.returncode}; its log:\n{_tail(log)}")
        if producer.control.ping(destination=[node], timeout=0.5):
            return
    raise RuntimeError(f"the Celery worker did not answer within 90 s; its log:\n{_tail(log)}")


def _stop(worker: subprocess.Popen) -> None:
    """Warm shutdown of the worker started here; its process group is killed if it does not stop."""
    if worker.poll() is None:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)  # its own session: only the worker and its children
            worker.wait()


def _tail(log: Path, lines: int = 30) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])


def _processes_render(workers: int, ids: list[int], *, media: Path, timing: str) -> tuple[float, str]:
    """`workers` spawned processes, each rendering every `workers`-th invoice of `ids`; timed from when all are
    ready."""
    import multiprocessing
    import queue

    from django.db import connections

    connections.close_all()
    context = multiprocessing.get_context("spawn")
    ready, go, used = context.Queue(), context.Event(), context.Queue()
    processes = [
        context.Process(target=_render_share, args=(database_url(), str(media), ids[index::workers], ready, go, used))
        for index in range(workers)
    ]
    for process in processes:
        process.start()
    try:
        waiting, deadline = workers, time.monotonic() + 120
        while waiting:
            if time.monotonic() > deadline or any(process.exitcode is not None for process in processes):
                raise RuntimeError("a rendering process exited or did not get ready within 120 s")
            with contextlib.suppress(queue.Empty):
                ready.get(timeout=0.5)
                waiting -= 1
        _wait_for_quiet(timing)
        gc.collect()
        before, start = _cpu_sample(), time.perf_counter()
        go.set()
        for process in processes:
            process.join()
        seconds = time.perf_counter() - start
        after, spent = _cpu_sample(), sum(used.get(timeout=5) for _ in processes)
        cpu = _cpu_note(timing, seconds, before, after, "the processes", spent)
    finally:
        for process in processes:
            if process.is_alive():
                process.terminate()
                process.join()
    failed = [process.exitcode for process in processes if process.exitcode != 0]
    if failed:
        raise RuntimeError(f"a rendering process failed (exit codes {failed})")
    return seconds, cpu


def _render_share(url: str, media: str, ids: list[int], ready: Any, go: Any, used: Any) -> None:
    """In a spawned process: Django on the bench database, then the documents of `ids` once `go` is set."""
    os.environ["MEDIA_ROOT"] = media
    from bench import common

    common.setup_django(url)
    from django.db import connections

    from funding.services import invoice_documents_render

    ready.put(os.getpid())
    go.wait()
    cpu = time.process_time()
    for invoice_id in ids:
        invoice_documents_render(invoice_id=invoice_id)
    connections.close_all()
    used.put(time.process_time() - cpu)


# ------------------------------------------------------------------------------------------------
# Profile


def _profile(size: int) -> None:
    from funding.services import invoice_run_start

    with _media_root():
        _populate(size)
        profile = cProfile.Profile()
        profile.runcall(invoice_run_start, year=YEAR, issue_date=ISSUE_DATE, due_date=DUE_DATE)
    for order in ("cumulative", "tottime"):
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats(order).print_stats(30)
        info(f"profile of the in-process path for {size} invoices, by {order} time:")
        for line in out.getvalue().splitlines():
            if line.strip():
                info(line)
