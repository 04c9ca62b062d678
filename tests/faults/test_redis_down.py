"""Redis gone while the portal runs: pages still work, the cache degrades to misses, and a job started meanwhile
says plainly that it failed because the task queue could not be reached (no error page, no endless "queued")."""

from __future__ import annotations

import time

import pytest
from django.core.cache import caches
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.runs import RunStatus
from funding.models import Invoice, InvoiceRun
from network.celery import app

pytestmark = [pytest.mark.fault, pytest.mark.worker]

PAGES = [
    "dashboard",
    "members:organisation_list",
    "funding:contribution_list",
    "funding:invoice_list",
    "members:agreement_list",
    "health",
]


@pytest.fixture
def redis_that_goes_down(private_redis, settings):
    """Cache and broker on the private Redis (this process only; put back afterwards)."""
    settings.CACHES = {
        "default": {
            "BACKEND": "core.cache.DegradingRedisCache",
            "LOCATION": private_redis.url,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    saved = app.conf.broker_url, app.conf.task_always_eager, app._pool, app.amqp._producer_pool
    app.conf.broker_url, app.conf.task_always_eager = private_redis.url, False
    app._pool = app.amqp._producer_pool = None
    try:
        yield private_redis
    finally:
        if app._pool is not None:
            app._pool.force_close_all()
        app.conf.broker_url, app.conf.task_always_eager, app._pool, app.amqp._producer_pool = saved
        caches["default"].close()


def test_with_redis_down_pages_work_and_an_invoice_run_says_it_failed(
    client, invoicing, redis_that_goes_down, django_capture_on_commit_callbacks
):
    cache = caches["default"]
    cache.set("probe", "up")
    assert cache.get("probe") == "up"  # the cache really is on this Redis
    client.force_login(invoicing.secretariat)
    assert client.get(reverse("dashboard")).status_code == 200

    redis_that_goes_down.stop()

    assert cache.get("probe", "missed") == "missed"
    cache.set("probe", "down")  # skipped, not an error
    for name in PAGES:
        response = client.get(reverse(name))
        assert response.status_code == 200, name
    client.logout()  # signing in needs the session store: the database, not Redis
    response = client.post(reverse("login"), {"username": "siri", "password": "correct-horse-battery"})
    assert response.url.startswith(reverse("otp_verify"))  # the second step, also with Redis down
    device = TOTPDevice.objects.get(user=invoicing.secretariat)
    code = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token()
    assert client.post(reverse("otp_verify"), {"token": f"{code:06d}"}).status_code == 302

    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("funding:invoice_run", kwargs={"year": 2026}),
            {"issue_date": "2026-01-15", "due_date": "2026-02-14"},
        )
    assert time.monotonic() - started < 15
    run = InvoiceRun.objects.get()
    assert response.status_code == 302
    assert response.url == run.get_absolute_url()
    assert run.status == RunStatus.FAILED
    assert not Invoice.objects.exists()
    page = client.get(response.url).content.decode()
    assert "The task queue could not be reached; no invoice was issued. Try again." in page
