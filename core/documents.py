"""Stored documents: rendered once (HTML to PDF with WeasyPrint), kept with their SHA-256, checked on every read."""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile


class StoredDocumentAltered(RuntimeError):
    """A stored document whose bytes no longer match the SHA-256 recorded when it was stored."""


def html_to_pdf(html: str) -> bytes:
    """The one way HTML becomes a PDF in the portal (WeasyPrint, files resolved from the project's folder)."""
    from weasyprint import HTML

    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


def sha256_of(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def document_store(file_field: Any, name: str, content: bytes) -> str:
    """Save `content` in `file_field` (the caller saves the row) and return its SHA-256 to record beside it."""
    file_field.save(name, ContentFile(content), save=False)
    return sha256_of(content)


def document_read(file_field: Any, digest: str, what: str) -> bytes:
    """The stored bytes, refused when they no longer match `digest`."""
    with file_field.open("rb") as handle:
        content = handle.read()
    if sha256_of(content) != digest:
        raise StoredDocumentAltered(f"The stored {what} does not match its SHA-256; it has been altered.")
    return content
