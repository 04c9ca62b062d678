"""Liveness (/healthz) and readiness (/readyz) for the orchestrator and the municipality's monitoring.

Both are answered by HealthMiddleware before anything else runs: over plain HTTP, whatever the Host header (the
probe asks for the container's own address), without a session, never redirected to HTTPS.
/readyz reports, as JSON, the database, Redis, the Celery workers (a ping with a short timeout) and the seal; 200 when
all are ready, 503 when any is not.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpResponse, JsonResponse

WORKER_PING_SECONDS = 1.0


def _database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return "unavailable"
    return "ok"


def _redis() -> str:
    if not settings.REDIS_URL:
        return "not configured"
    import redis

    try:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
        client.ping()
    except redis.RedisError:
        return "unavailable"
    return "ok"


def _workers() -> str:
    if not settings.REDIS_URL:
        return "in process"  # tasks run in the portal's own process
    from celery import current_app

    try:
        replies = current_app.control.ping(timeout=WORKER_PING_SECONDS)
    except Exception:  # the broker is down: kombu raises its own and socket errors
        return "unavailable"
    return f"ok ({len(replies)})" if replies else "no worker answered"


def _seal() -> str:
    key = "SEAL_PKCS11_MODULE" if settings.SEAL_PKCS11_MODULE else "SEAL_KEY_PATH"
    for name in (key, "SEAL_CERTIFICATE_PATH"):
        path = Path(getattr(settings, name))
        if not (path.is_file() and os.access(path, os.R_OK)):
            return f"{name} not readable"
    return "ok"


def liveness() -> HttpResponse:
    """ "ok" when the database answers, 503 when it does not."""
    if _database() != "ok":
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")


def readiness() -> JsonResponse:
    checks = {"database": _database(), "redis": _redis(), "workers": _workers(), "seal": _seal()}
    ready = all(
        value == "ok" or value.startswith("ok (") or value in ("in process", "not configured")
        for value in checks.values()
    )
    return JsonResponse({"ready": ready, "checks": checks}, status=200 if ready else 503)


class HealthMiddleware:
    """Answers /healthz and /readyz before the host check, the HTTPS redirect and the session."""

    PROBES = {"/healthz": liveness, "/readyz": readiness}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        probe = self.PROBES.get(request.path_info)
        if probe is not None and request.method in ("GET", "HEAD"):
            response = probe()
            response["Cache-Control"] = "no-store"
            return response
        return self.get_response(request)
