"""Checks that keep the portal from starting in production (DEBUG off) with what would fail later or leak:
no seal it can read, mail to the console, or a well-known database password.

They run with every management command (`migrate` in the compose stack, `check`) and before gunicorn starts its
workers (network/gunicorn.conf.py), and are errors: the command stops.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings
from django.core.checks import Error, register

# The mail backends that do not send: with DEBUG off, signing codes and password-reset links would end in the logs
# (console) or nowhere.
NOT_SENDING = {
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
}
WELL_KNOWN_PASSWORDS = {"portal", "postgres", "password", "passord", "changeme", "secret", "admin"}


def _readable(path: Path) -> bool:
    return path.is_file() and os.access(path, os.R_OK)


@register("production")
def seal_is_readable(app_configs=None, **kwargs) -> list[Error]:
    if settings.DEBUG:
        return []
    errors = []
    key = "SEAL_PKCS11_MODULE" if settings.SEAL_PKCS11_MODULE else "SEAL_KEY_PATH"
    for name in (key, "SEAL_CERTIFICATE_PATH"):
        path = Path(getattr(settings, name))
        if not _readable(path):
            errors.append(
                Error(
                    f"{name} names {path}, which this process cannot read; completed agreements could not be sealed.",
                    hint="Give the network's seal key and certificate as files readable by the portal's user "
                    "(the compose secrets seal_key and seal_certificate, see README).",
                    id="core.E001",
                )
            )
    return errors


@register("production")
def mail_is_sent(app_configs=None, **kwargs) -> list[Error]:
    if settings.DEBUG or settings.EMAIL_BACKEND not in NOT_SENDING:
        return []
    return [
        Error(
            f"EMAIL_BACKEND is {settings.EMAIL_BACKEND} with DEBUG off: signing codes and password-reset links "
            "would not reach anyone and could end in the logs.",
            hint="Leave EMAIL_BACKEND empty (SMTP) and set EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER and "
            "EMAIL_HOST_PASSWORD (or EMAIL_HOST_PASSWORD_FILE).",
            id="core.E002",
        )
    ]


@register("production")
def database_password_is_not_well_known(app_configs=None, **kwargs) -> list[Error]:
    if settings.DEBUG:
        return []
    database = settings.DATABASES["default"]
    password = database.get("PASSWORD") or ""
    if not password or (password.lower() not in WELL_KNOWN_PASSWORDS and password != database.get("USER")):
        return []
    return [
        Error(
            "The database password is a well-known default; anyone who reaches the database can read every record.",
            hint="Choose a long random password (secrets/db_password in the compose stack, see README).",
            id="core.E003",
        )
    ]
