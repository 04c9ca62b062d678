"""Stored documents: rendered once (HTML to PDF with WeasyPrint), kept with their SHA-256, checked on every read."""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile


class StoredDocumentAltered(RuntimeError):
    """A stored document whose bytes no longer match the SHA-256 recorded when it was stored."""


class RefusedFetch(ValueError):
    """A document asked for a resource outside the portal's own static files."""


def static_roots() -> list[Path]:
    """The folders a rendered document may read files from: the portal's static files, nothing else."""
    roots = [Path(folder) for folder in settings.STATICFILES_DIRS]
    if settings.STATIC_ROOT:
        roots.append(Path(settings.STATIC_ROOT))
    return [root.resolve() for root in roots]


def static_only_fetcher():
    """A WeasyPrint URL fetcher that opens data: URIs and files under the static folders, and refuses anything
    else (http, ftp, other files) before any connection or file is opened. WeasyPrint leaves a refused resource
    out of the page and logs a warning."""
    from urllib.parse import unquote, urlsplit

    from weasyprint.urls import URLFetcher

    class StaticOnlyFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            parts = urlsplit(url)
            if parts.scheme == "data":
                return super().fetch(url, headers)
            if parts.scheme == "file" and parts.netloc in ("", "localhost"):
                path = Path(unquote(parts.path)).resolve()
                if any(path.is_relative_to(root) for root in static_roots()) and path.is_file():
                    return super().fetch(path.as_uri(), headers)
            raise RefusedFetch(f"Documents read only the portal's static files, not {url[:200]}")

    return StaticOnlyFetcher(allowed_protocols=["data", "file"], allow_redirects=False)


ARCHIVAL = "pdf/a-3b"  # PDF/A-3: archivable, and may carry the files a document is made from (sealed agreements)
ARCHIVAL_TAGGED = "pdf/a-3a"  # the same, tagged (structure tree, reading order): published documents


def html_to_pdf(html: str, *, tagged: bool = False) -> bytes:
    """The one way HTML becomes a PDF in the portal (WeasyPrint; relative paths resolve from the project's
    folder, and only the portal's static files and data: URIs are read).

    Every document is PDF/A-3 (fonts embedded, an sRGB output intent, XMP metadata with the <title> and the
    <html lang> as /Lang); ``tagged`` documents (the published ones: minutes, board packs) are PDF/A-3a, with a
    structure tree for screen readers."""
    from weasyprint import HTML

    from core.tagged_pdf import page_margins_as_artifacts

    document = HTML(string=html, base_url=str(settings.BASE_DIR), url_fetcher=static_only_fetcher())
    variant = ARCHIVAL_TAGGED if tagged else ARCHIVAL
    pdf = document.write_pdf(pdf_variant=variant, font_config=_font_configuration())
    return page_margins_as_artifacts(pdf) if tagged else pdf


_fonts = threading.local()


def _font_configuration():
    """WeasyPrint's fonts, loaded once per thread and kept. Without it each document loads Fontconfig's configuration
    and makes a new Pango font map whose caches start empty: about 15 % of an invoice's render. One per thread,
    because a Pango font map is not to be shared between threads. The portal's documents use the system's fonts
    (no @font-face rule, which would add its font to the kept configuration)."""
    configuration = getattr(_fonts, "configuration", None)
    if configuration is None:
        from weasyprint.text.fonts import FontConfiguration

        configuration = _fonts.configuration = FontConfiguration()
    return configuration


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
