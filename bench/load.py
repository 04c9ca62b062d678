"""The portal under load: gunicorn on loopback, a bounded locust run, p50 and p95 per key page against /healthz.

The database is seeded with 400 members, 5 000 invoices and their contributions, and an agreement invitation per
member (one function per data set: see SEEDERS). gunicorn serves the portal with DEBUG off, as in production;
`locust --headless` runs a fixed number of users for a fixed time (bench/locustfile.py). For each page and role
the figures are its p50 and p95 divided by the p50 and p95 of /healthz (a database ping) in the same run, so
the machine's speed and the server's fixed costs (the WSGI round trip, the middleware) cancel out.
"""

from __future__ import annotations

import csv
import json
import math
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path
from unittest import mock

from bench.common import REPO_ROOT, Figure, database_url, info, reset_database, server_description, vacuum

MEMBERS = int(os.environ.get("BENCH_LOAD_MEMBERS") or 400)
INVOICES = int(os.environ.get("BENCH_LOAD_INVOICES") or 5000)
INITIATIVES = int(os.environ.get("BENCH_LOAD_INITIATIVES") or 2000)
USERS = int(os.environ.get("BENCH_LOAD_USERS") or 20)
SECONDS = int(os.environ.get("BENCH_LOAD_SECONDS") or 300)  # about 40 requests a page, 250 to the health view
# Long enough for every user to sign in and open each of its pages once (about 10 s on a quiet machine).
WARM_UP = int(os.environ.get("BENCH_LOAD_WARMUP") or 30)
GUNICORN_WORKERS = int(os.environ.get("BENCH_LOAD_WORKERS") or 2)
LAST_YEAR = 2026
POPULATION_DATE = date(2024, 1, 1)
PASSWORD = "bench-password-not-secret"  # noqa: S105
HEALTH = "health"

# Targets for `<role> <page>`: (p50 ratio, p95 ratio), 10 for every page (issue 24): no page may cost more than ten
# health views of the same run. The pages that grew with the data (a list of every row, an owner filter with a
# template per option, every overdue invoice on the start page) were brought under it by paging with totals in
# SQL, options written in Python, a bounded start page and the portfolio's public pages cached (bench/README.md,
# "Load run (pages)"). A query per row is caught by tests/network/test_query_counts.py instead.
PAGE_TARGET = 10.0
PAGES = [
    "anonymous dashboard",
    "anonymous member_list",
    "anonymous member_detail",
    "anonymous portfolio_list",
    "anonymous portfolio_search",
    "anonymous initiative_detail",
    "anonymous service_catalogue",
    "secretariat portfolio_list",
    "secretariat portfolio_search",
    "secretariat initiative_detail",
    "secretariat service_catalogue",
    "secretariat dashboard",
    "secretariat member_list",
    "secretariat member_detail",
    "secretariat contribution_list",
    "secretariat contribution_explanation",
    "secretariat invoice_list",
    "secretariat invoice_detail",
    "secretariat agreement_list",
    "secretariat model_list",
    "secretariat plan_list",
    "secretariat grant_list",
    "secretariat idea_list",
    "secretariat consultation_list",
    "secretariat meeting_list",
    "secretariat annual_cycle",
    "secretariat delivery_list",
    "secretariat order_list",
    "director dashboard",
    "director contribution_list",
    "director contribution_explanation",
    "director invoice_list",
    "director agreement_list",
    "director plan_list",
    "director idea_list",
    "director consultation_list",
]
TARGETS: dict[str, tuple[float, float]] = dict.fromkeys(PAGES, (PAGE_TARGET, PAGE_TARGET))


# ------------------------------------------------------------------------------------------------
# Seeding: one function per data set, each returning what the load run needs from it (ids, credentials).
# A data set of another app is one more function here and one more entry in SEEDERS.


def seed_members(count: int = MEMBERS) -> dict:
    """`count` member municipalities (bench/invoices.py's, members since 2010) with a population figure and a
    contact each, the network's profile, a secretariat user at the first one and a director at the second."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from bench.invoices import create_members, create_network_profile
    from members.models import User

    organisations = create_members(count, member_from=date(2010, 1, 1))
    contact = User(username="contact", password="!")  # noqa: S106 (an unusable password, set below)
    contact.set_unusable_password()
    User.objects.bulk_create(
        User(
            username=f"contact{organisation.pk}",
            first_name="Kari",
            last_name=f"Kontakt {index:03d}",
            email=f"kontakt{index}@load.example.no",
            organisation=organisation,
            is_contact=True,
            password=contact.password,
        )
        for index, organisation in enumerate(organisations)
    )
    create_network_profile()
    # One secretariat account per load user: each signs in with its own authenticator, as people do (a code is
    # accepted once, so users sharing an account would refuse each other's sign-in).
    accounts = []
    for index in range(USERS):
        account = User.objects.create_user(
            username=f"secretariat{index:02d}" if index else "secretariat",
            password=PASSWORD,
            organisation=organisations[0],
            is_secretariat=True,
        )
        device = TOTPDevice.objects.create(user=account, name="Bench authenticator", confirmed=True)
        accounts.append({"username": account.username, "password": PASSWORD, "totp_key": device.key})
    secretariat = User.objects.get(username="secretariat")
    director = User.objects.create_user(
        username="director", password=PASSWORD, organisation=organisations[1], is_director=True
    )
    return {
        "organisations": [organisation.pk for organisation in organisations],
        "secretariat": {"username": secretariat.username, "password": PASSWORD},
        "secretariat_accounts": accounts,
        "director": {"username": director.username, "password": PASSWORD},
        "director_organisation": organisations[1].pk,
    }


def seed_invoices(count: int = INVOICES) -> dict:
    """Contributions of every member for as many years back from LAST_YEAR as `count` invoices need, and
    `count` issued invoices for them (the newest years' contributions, issued oldest year first: numbers and
    invoice dates go in the same order), through the portal's own services. Their documents
    are not rendered (the portal renders them on first download; no page of the load run downloads one)."""
    from bench.invoices import adopt_model
    from funding.models import Contribution
    from funding.services import contributions_recompute, invoice_issue
    from funding.services import invoices as invoice_services
    from members.models import Organisation

    members = Organisation.objects.count()
    years = range(LAST_YEAR, LAST_YEAR - -(-count // members), -1)
    for year in years:
        adopt_model(year)
        contributions_recompute(year=year)
    contributions = list(Contribution.objects.filter(amount__gt=0).order_by("-year", "organisation__name")[:count])
    if len(contributions) < count:
        raise AssertionError(f"expected {count} contributions to invoice, got {len(contributions)}")
    invoices = []
    with mock.patch.object(invoice_services, "_queue_documents", lambda invoice_id: None):
        for contribution in sorted(contributions, key=lambda contribution: contribution.year):
            issue_date = date(contribution.year, 1, 15)
            invoice, _created = invoice_issue(
                contribution=contribution, issue_date=issue_date, due_date=issue_date + timedelta(days=30)
            )
            invoices.append(invoice.pk)
    return {
        "contributions": [contribution.pk for contribution in contributions],
        "invoices": invoices,
        "invoice_year": LAST_YEAR,
    }


def seed_agreements() -> dict:
    """An agreement text and an open invitation for every member (the document a stand-in: the pages only
    list it)."""
    from members.models import Agreement, AgreementTemplate, Organisation

    template = AgreementTemplate.objects.create(title="Samarbeidsavtale", period_start=date(2025, 1, 1), body="§ 1")
    Agreement.objects.bulk_create(
        Agreement(
            template=template,
            organisation=organisation,
            document="agreements/bench-stand-in.pdf",
            document_sha256="0" * 64,
            expires_on=date(2030, 1, 1),
        )
        for organisation in Organisation.objects.all()
    )
    return {}


def seed_initiatives(count: int = INITIATIVES) -> dict:
    """`count` initiatives in the portfolio, spread over states, areas and owners (demo.portfolio)."""
    from demo.portfolio import create_many_initiatives
    from portfolio.models import Initiative

    create_many_initiatives(count)
    return {"initiatives": list(Initiative.objects.order_by("?").values_list("pk", flat=True)[:500])}


SEEDERS: list[Callable[[], dict]] = [seed_members, seed_invoices, seed_agreements, seed_initiatives]


def seed() -> dict:
    """Empty the benchmark database and run every seeder; the plan the load run's users read."""
    from funding.models import Contribution

    reset_database()
    plan: dict = {}
    for seeder in SEEDERS:
        started = time.perf_counter()
        plan |= seeder()
        info(f"load: {seeder.__name__} took {time.perf_counter() - started:.1f} s")
    director_org = plan["director_organisation"]
    plan["own_contributions"] = list(
        Contribution.objects.filter(organisation_id=director_org, invoices__isnull=False).values_list("pk", flat=True)
    )
    _vacuum_all()
    return plan


def _vacuum_all() -> None:
    from django.apps import apps

    vacuum(*[model for model in apps.get_models() if not model._meta.proxy and model._meta.managed])


# ------------------------------------------------------------------------------------------------
# The server and the load run


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _server_environment(directory: Path) -> dict[str, str]:
    static = directory / "static"  # empty: the static files come from the finders
    static.mkdir(exist_ok=True)
    environment = dict(os.environ)
    environment.update(
        STATIC_ROOT=str(static),
        DATABASE_URL=database_url(),
        DEBUG="false",
        REDIS_URL="",
        DB_CONN_MAX_AGE="60",
        STATIC_MANIFEST="false",
        WHITENOISE_USE_FINDERS="true",
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="false",
        LANGUAGE_CODE="nb",
        LOG_LEVEL="WARNING",
    )
    environment.setdefault("SECRET_KEY", "bench-only-secret-key-never-used-for-a-real-portal-0123456789")
    return environment


def _wait_for(url: str, process: subprocess.Popen, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with status {process.returncode} before answering {url}")
        try:
            with urllib.request.urlopen(url, timeout=2) as reply:  # noqa: S310 (loopback, our own server)
                if reply.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {seconds} s")


@contextmanager
def gunicorn(port: int, directory: Path) -> Iterator[str]:
    """The portal under gunicorn (sync workers) on 127.0.0.1:`port`; stopped (SIGTERM, then SIGKILL) afterwards."""
    command = [
        str(Path(sys.executable).with_name("gunicorn")),
        "network.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(GUNICORN_WORKERS),
        "--log-level",
        "warning",
    ]
    process = subprocess.Popen(command, cwd=REPO_ROOT, env=_server_environment(directory), start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_for(f"{url}/healthz", process)
        yield url
    finally:
        _stop(process)


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def run_locust(url: str, plan: dict, directory: Path) -> Path:
    """`locust --headless` with USERS users for WARM_UP + SECONDS seconds, the statistics reset after the warm-up;
    the path of its statistics CSV."""
    plan_file = directory / "plan.json"
    plan_file.write_text(json.dumps(plan), encoding="utf-8")
    prefix = directory / "load"
    command = [
        str(Path(sys.executable).with_name("locust")),
        "--locustfile",
        str(REPO_ROOT / "bench" / "locustfile.py"),
        "--headless",
        "--host",
        url,
        "--users",
        str(USERS),
        "--spawn-rate",
        str(USERS),
        "--run-time",
        f"{WARM_UP + SECONDS}s",
        "--csv",
        str(prefix),
        "--only-summary",
        "--loglevel",
        "WARNING",
        "--exit-code-on-error",
        "0",
    ]
    environment = dict(
        os.environ,
        BENCH_LOAD_PLAN=str(plan_file),
        BENCH_LOAD_WARMUP=str(WARM_UP),
        BENCH_LOAD_TIMES=str(prefix.with_name("load_times.json")),
    )
    subprocess.run(
        command, cwd=REPO_ROOT, env=environment, check=True, stdout=subprocess.DEVNULL, timeout=(WARM_UP + SECONDS) * 3
    )
    return prefix.with_name("load_stats.csv")


# ------------------------------------------------------------------------------------------------
# From locust's statistics to figures (pure: tested in tests/network/test_bench.py)


@dataclass(frozen=True)
class PageStats:
    """One row of locust's statistics: a page for a role, with its request count and percentiles in ms."""

    name: str
    requests: int
    failures: int
    p50: float
    p95: float


def read_stats(text: str) -> dict[str, PageStats]:
    """The rows of locust's `*_stats.csv` by name, without the "Aggregated" row."""
    rows = {}
    for row in csv.DictReader(text.splitlines()):
        if row["Name"] == "Aggregated" or row["Request Count"] == "0":  # no percentiles ("N/A") without requests
            continue
        rows[row["Name"]] = PageStats(
            name=row["Name"],
            requests=int(row["Request Count"]),
            failures=int(row["Failure Count"]),
            p50=float(row["50%"]),
            p95=float(row["95%"]),
        )
    return rows


def percentile(times: list[float], fraction: float) -> float:
    """The nearest-rank percentile: the smallest time that at least `fraction` of the requests did not exceed."""
    ordered = sorted(times)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def with_exact_percentiles(stats: dict[str, PageStats], times: dict[str, list[float]]) -> dict[str, PageStats]:
    """locust's rows with p50 and p95 worked out from every request's own time (bench/locustfile.py writes them,
    to the microsecond) instead of locust's whole milliseconds, which move a 2-3 ms health view by a third."""
    return {
        name: replace(page, p50=percentile(times[name], 0.50), p95=percentile(times[name], 0.95))
        if times.get(name)
        else page
        for name, page in stats.items()
    }


def slug(name: str) -> str:
    return name.replace(" ", "_")


def figures_from(stats: dict[str, PageStats], targets: dict[str, tuple[float, float]]) -> list[Figure]:
    """For every page in `targets`: its p50 and p95 divided by the health view's. Raises when a page or the health
    view has no requests, or any request failed."""
    health = stats.get(HEALTH)
    if health is None or not health.requests:
        raise AssertionError("the load run made no request to the health view")
    failed = {name: page.failures for name, page in stats.items() if page.failures}
    if failed:
        raise AssertionError(f"requests failed during the load run: {failed}")
    missing = [name for name in targets if not stats.get(name) or not stats[name].requests]
    if missing:
        raise AssertionError(f"the load run made no request to: {', '.join(missing)}")
    figures = []
    for name, (target50, target95) in targets.items():
        page = stats[name]
        figures.append(Figure(f"load_{slug(name)}_p50_vs_health", page.p50 / health.p50, target50, "<="))
        figures.append(Figure(f"load_{slug(name)}_p95_vs_health", page.p95 / health.p95, target95, "<="))
    return figures


def _plan() -> dict:
    """Seed, or with BENCH_LOAD_REUSE=1 reuse the data and plan of the last run on this database."""
    from django.db import connection

    saved = Path(tempfile.gettempdir()) / f"portal-bench-load-{connection.settings_dict['NAME']}.json"
    if os.environ.get("BENCH_LOAD_REUSE") == "1" and saved.exists():
        plan = json.loads(saved.read_text(encoding="utf-8"))
        if _still_seeded(plan):
            info(f"load: reusing the data seeded before ({saved})")
            return plan
        info("load: the data seeded before is gone (another benchmark emptied the database); seeding again")
    info(f"load: seeding {MEMBERS} members, {INVOICES} invoices, an agreement per member")
    plan = seed()
    saved.write_text(json.dumps(plan), encoding="utf-8")
    return plan


def _still_seeded(plan: dict) -> bool:
    from funding.models import Invoice
    from members.models import User

    return (
        "initiatives" in plan
        and "secretariat_accounts" in plan
        and Invoice.objects.filter(pk__in=plan["invoices"]).count() == len(plan["invoices"])
        and User.objects.filter(username=plan["secretariat"]["username"]).exists()
    )


def run() -> list[Figure]:
    info(f"load: {server_description()}")
    plan = _plan()
    directory = Path(tempfile.mkdtemp(prefix="bench-load-"))
    try:
        with gunicorn(free_port(), directory) as url:
            info(f"load: gunicorn ({GUNICORN_WORKERS} sync workers) at {url}")
            info(f"load: locust, {USERS} users for {SECONDS} s after {WARM_UP} s of warm-up")
            csv_file = run_locust(url, plan, directory)
            times = json.loads(csv_file.with_name("load_times.json").read_text(encoding="utf-8"))
            stats = with_exact_percentiles(read_stats(csv_file.read_text(encoding="utf-8")), times)
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    for page in stats.values():
        info(f"load: {page.name}: {page.requests} requests, p50 {page.p50:.1f} ms, p95 {page.p95:.1f} ms")
    return figures_from(stats, TARGETS)
