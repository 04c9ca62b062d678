"""Rate limits on requests that send mail to someone (a password reset link, a signing code): counted per
address and per client (IP) over the last hour, in the database, so that they hold whether or not Redis is up.

A limit reached raises Throttled with a message that says what was limited and when the next request may be
made; the request then sends nothing. Behind a reverse proxy every client has the proxy's address, so the
per-client limit then counts all clients together (as the login throttling does).
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.client_ip import client_ip
from core.models import ThrottleHit

WINDOW = timedelta(hours=1)
KEEP = timedelta(days=1)


@dataclass(frozen=True)
class Limit:
    per_address: int
    per_client: int


# Requests per hour: for one email address, and from one client (IP address).
PASSWORD_RESET = Limit(per_address=3, per_client=10)
SIGNING_CODE = Limit(per_address=5, per_client=20)


class Throttled(Exception):
    def __init__(self, message: str, *, kind: str):
        super().__init__(message)
        self.message, self.kind = message, kind


def _digest(scope: str, kind: str, value: str) -> str:
    text = f"{scope}:{kind}:{value.strip().lower()}"
    return hmac.new(settings.SECRET_KEY.encode(), text.encode(), hashlib.sha256).hexdigest()


def client_address(request) -> str:
    """The client's address as the audit trail sees it (behind a listed proxy, from X-Forwarded-For)."""
    return client_ip(request) or "unknown"


@transaction.atomic
def throttle(*, scope: str, address: str, client: str, limit: Limit) -> None:
    """Count this request for `address` and `client`, or raise Throttled when either has had its share this hour.

    A refused request is not counted, so waiting always helps."""
    now = timezone.now()
    ThrottleHit.objects.filter(at__lt=now - KEEP).delete()
    keys = {"address": _digest(scope, "address", address), "client": _digest(scope, "client", client)}
    for kind, most in (("address", limit.per_address), ("client", limit.per_client)):
        recent = list(
            ThrottleHit.objects.filter(scope=scope, key=keys[kind], at__gt=now - WINDOW)
            .order_by("at")
            .values_list("at", flat=True)
        )
        if len(recent) >= most:
            again = timezone.localtime(recent[-most] + WINDOW).strftime("%H:%M")
            if kind == "address":
                message = _("Too many requests for this email address in the last hour. Try again after %(time)s.")
            else:
                message = _("Too many requests from your network in the last hour. Try again after %(time)s.")
            raise Throttled(message % {"time": again}, kind=kind)
    ThrottleHit.objects.bulk_create([ThrottleHit(scope=scope, key=key) for key in keys.values()])


class PasswordResetView(auth_views.PasswordResetView):
    """Django's password reset, at most PASSWORD_RESET requests an hour per address and per client; a request
    over the limit sends nothing and says when to try again (the same for any address, known or not)."""

    def form_valid(self, form):
        try:
            throttle(
                scope="password_reset",
                address=form.cleaned_data["email"],
                client=client_address(self.request),
                limit=PASSWORD_RESET,
            )
        except Throttled as refused:
            form.add_error("email" if refused.kind == "address" else None, refused.message)
            return self.form_invalid(form)
        return super().form_valid(form)
