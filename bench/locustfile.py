"""The load run's users (run by bench/load.py through `locust --headless`; see bench/README.md).

Each page is named `<role> <page>` (the health view just `health`) so that locust's statistics give percentiles
per page and role. The ids and credentials come from the JSON file named by BENCH_LOAD_PLAN, written by
bench/load.py after seeding. Every user also asks for /healthz, the trivial view the pages are compared with.
"""

from __future__ import annotations

import json
import os
import random
import re
from collections.abc import Callable

import gevent
from django_otp.oath import TOTP
from locust import HttpUser, between, events, task

PLAN = json.loads(open(os.environ["BENCH_LOAD_PLAN"], encoding="utf-8").read())  # noqa: SIM115
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
CODE_STEP = "/accounts/login/code/"
# Each secretariat user signs in with an account (and authenticator) of its own.
SECRETARIAT_ACCOUNTS = iter(PLAN.get("secretariat_accounts", []))


WARM_UP = float(os.environ.get("BENCH_LOAD_WARMUP") or 0)
# Every successful request's time in ms (as locust measures it, to the microsecond) per name, after the warm-up:
# locust's own percentiles are whole milliseconds, too coarse for a health view of 2-3 ms.
TIMES: dict[str, list[float]] = {}
COUNTING = [not WARM_UP]


@events.test_start.add_listener
def _forget_the_warm_up(environment, **kwargs) -> None:
    """Count only what happens after the warm-up: the users' sign-ins (Argon2 on purpose slow) and the workers'
    first requests (imports, template loading) would otherwise dominate the percentiles."""
    if WARM_UP:
        gevent.spawn_later(WARM_UP, _start_counting, environment)


def _start_counting(environment) -> None:
    environment.stats.reset_all()
    TIMES.clear()
    COUNTING[0] = True


@events.request.add_listener
def _record(name, response_time, exception=None, **kwargs) -> None:
    if COUNTING[0] and exception is None:
        TIMES.setdefault(name, []).append(float(response_time))


@events.quitting.add_listener
def _write_times(environment, **kwargs) -> None:
    path = os.environ.get("BENCH_LOAD_TIMES")
    if path:
        with open(path, "w", encoding="utf-8") as file:
            json.dump(TIMES, file)


def _one_of(pattern: str, key: str) -> Callable[[], str]:
    """A path with a random id of the plan's list `key` for `{}`, e.g. a member's page."""
    return lambda: pattern.format(random.choice(PLAN[key]))


def _fixed(path: str) -> Callable[[], str]:
    return lambda: path


YEAR = PLAN["invoice_year"]


class _PortalUser(HttpUser):
    abstract = True
    # Think time between pages: a user reads a page before opening the next one. Without it the run measures
    # the length of gunicorn's queue, which hides what each page costs.
    wait_time = between(3, 6)
    role = "anonymous"
    credentials: str | None = None  # the plan's key for the user's name and password
    pages: dict[str, Callable[[], str]] = {}  # page name: its path

    def on_start(self) -> None:
        if self.credentials == "secretariat":
            self.sign_in(next(SECRETARIAT_ACCOUNTS))
        elif self.credentials:
            self.sign_in(PLAN[self.credentials])
        # Every page once, within the warm-up: a gunicorn worker's first visit to a page works out what it then
        # keeps (the start page's attention list is kept per worker process without Redis: 50-70 ms the first
        # time), and a page opened a dozen times in the run would otherwise have that visit as its p95.
        for name, path in self.pages.items():
            self.get(f"{self.role} {name}", path())

    def get(self, name: str, path: str) -> None:
        with self.client.get(path, name=name, catch_response=True, allow_redirects=False) as reply:
            if reply.status_code != 200:
                reply.failure(f"{path}: HTTP {reply.status_code}")

    def sign_in(self, credentials: dict[str, str]) -> None:
        form = self.client.get("/accounts/login/", name="sign in form")
        token = CSRF_INPUT.search(form.text)
        reply = self.client.post(
            "/accounts/login/",
            {"username": credentials["username"], "password": credentials["password"], "csrfmiddlewaretoken": token[1]}
            if token
            else {},
            name="sign in",
            headers={"Referer": f"{self.host}/accounts/login/"},
            allow_redirects=False,
        )
        if reply.status_code != 302:
            raise RuntimeError(f"{self.role}: sign-in failed with HTTP {reply.status_code}")
        if reply.headers.get("Location", "").startswith(CODE_STEP):
            self.second_step(credentials, reply.headers["Location"])

    def second_step(self, credentials: dict[str, str], location: str) -> None:
        """The secretariat's code from its authenticator (django-otp's TOTP: 30 s, 6 digits)."""
        form = self.client.get(location, name="sign in code form")
        token = CSRF_INPUT.search(form.text)
        code = f"{TOTP(bytes.fromhex(credentials['totp_key'])).token():06d}"
        reply = self.client.post(
            location,
            {"token": code, "csrfmiddlewaretoken": token[1] if token else ""},
            name="sign in code",
            headers={"Referer": f"{self.host}{location}"},
            allow_redirects=False,
        )
        if reply.status_code != 302 or reply.headers.get("Location", "").startswith(CODE_STEP):
            raise RuntimeError(f"{self.role}: the second sign-in step failed with HTTP {reply.status_code}")

    @task(2)
    def health(self) -> None:
        self.get("health", "/healthz")  # one row for every role: the baseline

    @task(8)
    def page(self) -> None:
        name, path = random.choice(list(self.pages.items()))
        self.get(f"{self.role} {name}", path())


class Anonymous(_PortalUser):
    """The public: the start page, the member list and a member's page."""

    weight = 1
    pages = {
        "dashboard": _fixed("/"),
        "member_list": _fixed("/members/"),
        "member_detail": _one_of("/members/{}/", "organisations"),
        "portfolio_list": _fixed("/portfolio/"),
        "portfolio_search": _fixed("/portfolio/?q=Lasttest+01&state=execution"),
        "initiative_detail": _one_of("/portfolio/{}/", "initiatives"),
        "service_catalogue": _fixed("/portfolio/services/"),
    }


class Secretariat(_PortalUser):
    """The secretariat: every member, the year's contributions and invoices, the agreements, the models."""

    role, credentials, weight = "secretariat", "secretariat", 2
    pages = {
        **Anonymous.pages,
        "contribution_list": _fixed(f"/funding/contributions/?year={YEAR}"),
        "contribution_explanation": _one_of("/funding/contributions/{}/", "contributions"),
        "invoice_list": _fixed(f"/funding/invoices/?year={YEAR}"),
        "invoice_detail": _one_of("/funding/invoices/{}/", "invoices"),
        "agreement_list": _fixed("/members/agreements/"),
        "model_list": _fixed("/funding/models/"),
        # The pages of cost sharing, grants, ideas and consultations, meetings, the year's duties, the Peppol
        # outbox and the service catalogue's orders.
        "plan_list": _fixed("/funding/plans/"),
        "grant_list": _fixed("/portfolio/grants/"),
        "idea_list": _fixed("/portfolio/ideas/"),
        "consultation_list": _fixed("/governance/consultations/"),
        "meeting_list": _fixed("/governance/meetings/"),
        "annual_cycle": _fixed("/year/"),
        "delivery_list": _fixed("/funding/deliveries/"),
        "order_list": _fixed("/funding/orders/"),
    }


class Director(_PortalUser):
    """A member municipality's director: their own organisation's contributions, invoices and agreements."""

    role, credentials, weight = "director", "director", 1
    pages = {
        "dashboard": _fixed("/"),
        "contribution_list": _fixed("/funding/contributions/"),
        "contribution_explanation": _one_of("/funding/contributions/{}/", "own_contributions"),
        "invoice_list": _fixed("/funding/invoices/"),
        "agreement_list": _fixed("/members/agreements/"),
        "plan_list": _fixed("/funding/plans/"),
        "idea_list": _fixed("/portfolio/ideas/"),
        "consultation_list": _fixed("/governance/consultations/"),
    }
