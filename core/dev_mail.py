"""The mails the portal wrote to files (Django's file backend, used while DEBUG is on), read in the browser.

Only with DEBUG on and the file backend: in production the pages answer 404 whoever asks."""

from __future__ import annotations

import email
import email.policy
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from core.access import require

FILE_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
SEPARATOR = b"\n" + b"-" * 79 + b"\n"
NAME = re.compile(r"^[\w.-]+\.log$")


@dataclass(frozen=True)
class Mail:
    subject: str
    sender: str
    to: str
    date: str
    body: str


@dataclass(frozen=True)
class MailFile:
    name: str
    written: datetime
    mails: list[Mail]


def mail_folder() -> Path | None:
    """The folder mails are written to, when the portal writes them to files with DEBUG on."""
    if not settings.DEBUG or settings.EMAIL_BACKEND != FILE_BACKEND or not settings.EMAIL_FILE_PATH:
        return None
    return Path(settings.EMAIL_FILE_PATH)


def _parse(raw: bytes) -> Mail:
    message = email.message_from_bytes(raw.strip(b"\n"), policy=email.policy.default)
    part = message.get_body(preferencelist=("plain", "html"))
    body = part.get_content() if part is not None else ""
    return Mail(
        subject=str(message.get("Subject", "")),
        sender=str(message.get("From", "")),
        to=str(message.get("To", "")),
        date=str(message.get("Date", "")),
        body=body,
    )


def read_mail_file(path: Path) -> list[Mail]:
    """Every message in one file (the backend writes each connection's messages to one file)."""
    return [_parse(chunk) for chunk in path.read_bytes().split(SEPARATOR) if chunk.strip()]


def mail_files(folder: Path) -> list[MailFile]:
    """The files in the folder, newest first."""
    if not folder.is_dir():
        return []
    files = [p for p in folder.iterdir() if p.is_file() and NAME.match(p.name)]
    files.sort(key=lambda p: p.stat().st_mtime, reverse=True)
    zone = timezone.get_current_timezone()
    return [
        MailFile(name=p.name, written=datetime.fromtimestamp(p.stat().st_mtime, tz=zone), mails=read_mail_file(p))
        for p in files
    ]


def _folder_or_404() -> Path:
    folder = mail_folder()
    if folder is None:
        raise Http404
    return folder


def _development_only(view):
    """404 whoever asks unless DEBUG is on and mails go to files; checked before who asks."""

    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        _folder_or_404()
        return view(request, *args, **kwargs)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    wrapper.permission = getattr(view, "permission", None)  # type: ignore[attr-defined]
    return wrapper


@_development_only
@require("development_mail.read")
def mail_list(request: HttpRequest) -> HttpResponse:
    folder = _folder_or_404()
    return render(request, "core/mail_list.html", {"files": mail_files(folder), "folder": folder})


@_development_only
@require("development_mail.read")
def mail_detail(request: HttpRequest, name: str) -> HttpResponse:
    folder = _folder_or_404()
    path = folder / name
    if not NAME.match(name) or not path.is_file():
        raise Http404
    return render(request, "core/mail_detail.html", {"name": name, "mails": read_mail_file(path)})
