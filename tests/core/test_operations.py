"""Running behind the municipality's proxy and being observed: the client's address, the probes, the request id
and the JSON log lines."""

from __future__ import annotations

import json
import logging
import re

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory
from django.urls import reverse

from core.client_ip import client_ip
from core.observability import JsonFormatter, request_id_var

pytestmark = pytest.mark.django_db


def _request(peer: str, forwarded: str | None = None):
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return RequestFactory().get("/", REMOTE_ADDR=peer, **extra)


@pytest.mark.parametrize(
    ("proxies", "peer", "forwarded", "expected"),
    [
        ([], "10.20.0.5", "198.51.100.7", "10.20.0.5"),  # no proxy listed: the header is not believed
        (["10.20.0.5"], "10.20.0.5", "198.51.100.7", "198.51.100.7"),
        (["10.20.0.0/24"], "10.20.0.5", "203.0.113.66, 198.51.100.7", "198.51.100.7"),  # the client's own guess
        (["10.20.0.0/24", "172.16.0.0/12"], "10.20.0.5", "198.51.100.7, 172.16.3.4", "198.51.100.7"),  # two proxies
        (["10.20.0.5"], "192.0.2.9", "198.51.100.7", "192.0.2.9"),  # a peer that is no listed proxy
        (["10.20.0.5"], "10.20.0.5", None, "10.20.0.5"),
        (["10.20.0.5"], "10.20.0.5", "not-an-address", "10.20.0.5"),
        (["2001:db8::/32"], "2001:db8::1", "2001:db8:ffff::2, 2a02:c0::7", "2a02:c0::7"),
    ],
)
def test_the_clients_address_comes_from_x_forwarded_for_only_through_listed_proxies(
    settings, proxies, peer, forwarded, expected
):
    settings.TRUSTED_PROXIES = proxies
    assert client_ip(_request(peer, forwarded)) == expected


def test_a_wrong_trusted_proxy_entry_is_named(settings):
    settings.TRUSTED_PROXIES = ["10.20.0.0/33"]
    with pytest.raises(ImproperlyConfigured, match=re.escape("TRUSTED_PROXIES: '10.20.0.0/33' is not an address")):
        client_ip(_request("10.20.0.5", "198.51.100.7"))


def test_healthz_answers_plain_http_from_any_host_with_the_redirect_on(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["portal.example.no"]
    response = client.get("/healthz", HTTP_HOST="web:8000")
    assert response.status_code == 200
    assert response.content == b"ok\n"
    # Pages are still redirected to HTTPS.
    assert client.get("/", HTTP_HOST="portal.example.no").status_code == 301


@pytest.fixture
def seal_files(settings, tmp_path):
    for name in ("key.pem", "cert.pem"):
        (tmp_path / name).write_text("-----BEGIN-----\n")
    settings.SEAL_KEY_PATH, settings.SEAL_CERTIFICATE_PATH = tmp_path / "key.pem", tmp_path / "cert.pem"
    return tmp_path


def test_readyz_is_ready_in_process_with_database_and_seal(client, settings, seal_files):
    settings.REDIS_URL = None
    response = client.get("/readyz", HTTP_HOST="web:8000")
    assert response.status_code == 200
    assert response.json() == {
        "ready": True,
        "checks": {"database": "ok", "redis": "not configured", "workers": "in process", "seal": "ok"},
    }


@pytest.mark.skipif(not django_settings.REDIS_URL, reason="needs Redis (REDIS_URL); make test and CI give it")
def test_readyz_reports_a_missing_seal_and_no_worker_with_503(client, settings, seal_files):
    (seal_files / "key.pem").unlink()
    assert settings.REDIS_URL, "the test settings name the local Redis"
    response = client.get("/readyz", HTTP_HOST="web:8000")
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["database"] == "ok" and checks["redis"] == "ok"
    assert checks["seal"] == "SEAL_KEY_PATH not readable"
    assert checks["workers"] == "no worker answered"  # nobody consumes this test run's broker


def test_readyz_reports_redis_down(client, settings, seal_files):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["redis"] == "unavailable"


def test_every_response_carries_a_request_id_and_a_valid_incoming_one_is_kept(client):
    first = client.get(reverse("dashboard"))["X-Request-ID"]
    second = client.get(reverse("dashboard"))["X-Request-ID"]
    assert len(first) == 32 and first != second
    assert client.get(reverse("dashboard"), HTTP_X_REQUEST_ID="proxy-7f3a9c21")["X-Request-ID"] == "proxy-7f3a9c21"
    forged = client.get(reverse("dashboard"), HTTP_X_REQUEST_ID="<script>\n")["X-Request-ID"]
    assert forged != "<script>\n" and len(forged) == 32


def test_the_access_log_is_json_with_request_and_user_id_and_no_personal_data(client, personas, caplog, settings):
    settings.TRUSTED_PROXIES = ["10.20.0.5"]
    client.force_login(personas.director)
    with caplog.at_level(logging.INFO, logger="portal.access"):
        response = client.get(
            reverse("password_reset_confirm", kwargs={"uidb64": "MQ", "token": "secret-token-123"}),
            REMOTE_ADDR="10.20.0.5",
            HTTP_X_FORWARDED_FOR="198.51.100.7",
        )
    (record,) = [r for r in caplog.records if r.name == "portal.access"]
    line = json.loads(JsonFormatter().format(record))
    assert {"time", "level", "logger", "message", "request_id", "user_id"} <= set(line)
    assert line["level"] == "INFO" and line["logger"] == "portal.access"
    assert line["status"] == response.status_code
    assert line["client_ip"] == "198.51.100.7"
    assert "secret-token-123" not in json.dumps(line)  # the route, not the path
    assert line["route"] == "accounts/password/reset/<uidb64>/<token>/"
    for personal in (personas.director.username, personas.director.email, personas.director.get_full_name()):
        assert personal not in json.dumps(line)


def test_log_records_carry_the_request_and_user_id_during_a_request(client, personas, settings):
    """A view's own log line carries the ids: the console handler's filter reads them from the request context."""
    from core.observability import ContextFilter

    seen = []

    class Capture(logging.Handler):
        def emit(self, record):
            seen.append(json.loads(JsonFormatter().format(record)))

    handler = Capture()
    handler.addFilter(ContextFilter())
    logger = logging.getLogger("portal.access")
    logger.addHandler(handler)
    try:
        client.force_login(personas.director)
        response = client.get(reverse("dashboard"))
    finally:
        logger.removeHandler(handler)
    (line,) = seen
    assert line["request_id"] == response["X-Request-ID"]
    assert line["user_id"] == personas.director.pk
    assert request_id_var.get() is None  # nothing leaks into the next request


@pytest.mark.skipif(not django_settings.REDIS_URL, reason="needs Redis (REDIS_URL); make test and CI give it")
def test_the_request_id_travels_in_the_task_headers(settings):
    """Sent through the real broker to a queue nobody consumes, and read back from Redis."""
    import redis

    from network.celery import app

    queue = "request-id-probe"
    broker = redis.Redis.from_url(settings.REDIS_URL)
    broker.delete(queue)
    token = request_id_var.set("req-0123456789")
    saved = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        app.send_task("core.tasks.does_not_run", queue=queue)
    finally:
        app.conf.task_always_eager = saved
        request_id_var.reset(token)
    try:
        (message,) = broker.lrange(queue, 0, -1)
    finally:
        broker.delete(queue)
    assert json.loads(message)["headers"]["request_id"] == "req-0123456789"


def test_a_task_runs_with_the_request_id_it_was_sent_with():
    from network.celery import app

    @app.task(name="tests.core.echo_request_id")
    def echo_request_id():
        return request_id_var.get()

    assert echo_request_id.apply(headers={"request_id": "req-from-header"}).get() == "req-from-header"
    token = request_id_var.set("req-in-process")
    try:
        assert echo_request_id.apply().get() == "req-in-process"  # run in-process: keeps the request's id
    finally:
        request_id_var.reset(token)
    assert request_id_var.get() is None
