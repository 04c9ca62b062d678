"""Logs an operator can search: one JSON object a line on stdout, with the time, level, logger, message, the
request id and the signed-in user's id (never a name, an email address or a form's content).

The request id comes from the proxy's X-Request-ID (when it looks like one) or is made here; it is sent back in the
response, travels with every Celery task the request enqueues (a task header) and is set again in the worker while
the task runs, so a click and the jobs it started share one id.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import time
import uuid
from datetime import UTC, datetime

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)
user_id_var: contextvars.ContextVar[int | None] = contextvars.ContextVar("user_id", default=None)

REQUEST_ID_HEADER = "X-Request-ID"
TASK_HEADER = "request_id"
_VALID_ID = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")
# Attributes every LogRecord has; anything else was passed with extra= and is written as its own field.
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "request_id", "user_id"}

access_log = logging.getLogger("portal.access")


def incoming_or_new_request_id(value: str | None) -> str:
    return value if value and _VALID_ID.match(value) else uuid.uuid4().hex


class ContextFilter(logging.Filter):
    """Puts the request id and user id of the current request or task on every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        record.user_id = user_id_var.get()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
            "user_id": getattr(record, "user_id", None),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and key not in entry:
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


class RequestIdMiddleware:
    """First in the stack: the request id for everything below it, and one access-log line per request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from core.client_ip import client_ip

        request_id = incoming_or_new_request_id(request.headers.get(REQUEST_ID_HEADER))
        request.request_id = request_id
        tokens = request_id_var.set(request_id), user_id_var.set(None)
        started = time.monotonic()
        try:
            response = self.get_response(request)
            response[REQUEST_ID_HEADER] = request_id
            match = getattr(request, "resolver_match", None)
            access_log.info(
                "%s %s %s",
                request.method,
                match.route if match else "(unresolved)",
                response.status_code,
                extra={
                    "method": request.method,
                    # The route, not the path: a path can hold a password-reset token or a signing link.
                    "route": match.route if match else None,
                    "view": match.view_name if match else None,
                    "status": response.status_code,
                    "duration_ms": round((time.monotonic() - started) * 1000, 1),
                    "client_ip": client_ip(request),
                },
            )
            return response
        finally:
            request_id_var.reset(tokens[0])
            user_id_var.reset(tokens[1])


class UserIdMiddleware:
    """After authentication: the signed-in user's id (a number, no name) for the rest of the request's logs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            user_id_var.set(user.pk)
        return self.get_response(request)


def connect_celery_signals() -> None:
    """The request id into the headers of every task sent, and back into the log context while a task runs."""
    from celery.signals import before_task_publish, task_postrun, task_prerun

    def _publish(headers=None, **kwargs):
        request_id = request_id_var.get()
        if headers is not None and request_id and TASK_HEADER not in headers:
            headers[TASK_HEADER] = request_id

    def _prerun(task=None, **kwargs):
        request_id = getattr(task.request, TASK_HEADER, None) if task is not None else None
        if request_id is None and task is not None:
            request_id = (getattr(task.request, "headers", None) or {}).get(TASK_HEADER)
        if request_id is None:  # a task run in-process keeps the request's id
            request_id = request_id_var.get()
        if task is None:
            return
        task._request_id_token = request_id_var.set(request_id)

    def _postrun(task=None, **kwargs):
        token = getattr(task, "_request_id_token", None)
        if token is not None:
            request_id_var.reset(token)
            task._request_id_token = None

    before_task_publish.connect(_publish, weak=False, dispatch_uid="core.observability.publish")
    task_prerun.connect(_prerun, weak=False, dispatch_uid="core.observability.prerun")
    task_postrun.connect(_postrun, weak=False, dispatch_uid="core.observability.postrun")
