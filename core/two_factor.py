"""The second login step for the secretariat: a one-time code from an authenticator app, or a backup code.

Whether secretariat permissions hold is decided in core.policy (they need a session verified here);
this module holds every step that gets a session there: where a user goes after the password, enrolling
an authenticator (TOTP, shown as a QR code drawn on the server) and checking a code.
"""

from __future__ import annotations

import base64
import math
from typing import Any
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from core import policy

AUTHENTICATOR_NAME = "Authenticator app"
BACKUP_DEVICE_NAME = "Backup codes"
BACKUP_CODE_COUNT = 10
TOTP_DIGITS = 6


def second_step_required(user: Any) -> bool:
    """A signed-in secretariat user whose session has not yet passed the second step."""
    return bool(
        settings.OTP_REQUIRED_FOR_SECRETARIAT
        and getattr(user, "is_authenticated", False)
        and user.is_active
        and user.is_secretariat
        and not policy.is_verified(user)
    )


def next_step_url(user: Any, next_url: str) -> str | None:
    """Where a user goes after the password: the code, enrolling an authenticator first, or nowhere (done)."""
    if not second_step_required(user):
        return None
    # A sign-in through a provider (core.oidc) is a device too, but not one a code can be typed from.
    has_code_device = any(
        model.objects.filter(user=user, confirmed=True).exists() for model in (TOTPDevice, StaticDevice)
    )
    step = "otp_verify" if has_code_device else "otp_setup"
    return f"{reverse(step)}?{urlencode({'next': next_url})}"


def pending_authenticator(user: Any) -> TOTPDevice:
    """The authenticator being enrolled: made on the first visit, the same key on every reload."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=False)


def secret_for_typing(device: TOTPDevice) -> str:
    """The key as authenticator apps take it when typed in: base32, in groups of four."""
    text = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def qr_code_svg(device: TOTPDevice) -> str:
    """The enrolment QR code as inline SVG markup, drawn here so no third party sees the key."""
    svg = segno.make(device.config_url, error="m").svg_inline(
        scale=5, title=_("QR code for your authenticator app"), svgclass="otp-qr", lineclass=None
    )
    return svg.replace("<svg ", '<svg role="img" ', 1)  # its <title> is then read as the image's name


def _clean(token: str) -> str:
    return "".join(token.split()).lower()


@transaction.atomic
def authenticator_confirm(*, request: HttpRequest, device: TOTPDevice, token: str) -> list[str]:
    """Confirm an enrolled authenticator with its first code, verify the session and issue backup codes."""
    if device.user_id != request.user.pk or device.confirmed or not device.verify_token(_clean(token)):
        raise ValidationError({"token": _("The code does not match. Check the time on your phone and try again.")})
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = backup_codes_issue(user=request.user)
    otp_login(request, device)
    return codes


@transaction.atomic
def backup_codes_issue(*, user: Any) -> list[str]:
    """A fresh set of single-use backup codes; any earlier set stops working."""
    device, _created = StaticDevice.objects.get_or_create(user=user, name=BACKUP_DEVICE_NAME)
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def _wait_seconds(user: Any, token: str) -> int:
    """Seconds before the device this code is for may be tried again (django-otp doubles it after each miss)."""
    model = TOTPDevice if token.isascii() and token.isdigit() and len(token) == TOTP_DIGITS else StaticDevice
    for device in model.objects.filter(user=user, confirmed=True):
        allowed, data = device.verify_is_allowed()
        if not allowed and data and data.get("locked_until"):
            return max(1, math.ceil((data["locked_until"] - timezone.now()).total_seconds()))
    return 0


def code_verify(*, request: HttpRequest, token: str) -> Device:
    """Pass the second step with a code from the authenticator or an unused backup code."""
    token = _clean(token)
    if seconds := _wait_seconds(request.user, token):
        message = ngettext(
            "Too many wrong codes in a row. Wait %(seconds)d second, then enter the code your app shows.",
            "Too many wrong codes in a row. Wait %(seconds)d seconds, then enter the code your app shows.",
            seconds,
        )
        raise ValidationError({"token": message % {"seconds": seconds}})
    device = match_token(request.user, token)
    if device is None:
        raise ValidationError(
            {"token": _("The code is wrong or has expired. Enter the 6-digit code your app shows now.")}
        )
    otp_login(request, device)
    return device
