"""The checks every uploaded file gets before any import reads it: name, size and content.

Each import (population CSV, bank statement CSV) then reads the bytes itself and names any bad line and
column; this module refuses what is not even a file of the right kind, with a message that says why.
"""

from __future__ import annotations

import io
from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# What a file that is not CSV text usually is, by its first bytes.
SIGNATURES = {
    b"PK\x03\x04": gettext_lazy("a spreadsheet or other zip file (.xlsx, .docx)"),
    b"\xd0\xcf\x11\xe0": gettext_lazy("an old Excel or Word file (.xls, .doc)"),
    b"%PDF-": gettext_lazy("a PDF"),
    b"\x89PNG": gettext_lazy("a PNG image"),
    b"\xff\xd8\xff": gettext_lazy("a JPEG image"),
}


def read_csv_upload(upload: UploadedFile) -> bytes:
    """The bytes of an uploaded CSV file, or a ValidationError saying what is wrong with it."""
    if not upload.name or not upload.name.lower().endswith(".csv"):
        raise forms.ValidationError(_("Choose a .csv file."))
    return read_text_upload(upload)


def read_text_upload(upload: UploadedFile, *, extensions: tuple[str, ...] = (".csv",), utf8: bool = True) -> bytes:
    """The bytes of an uploaded text file (CSV, a bank's OCR or XML file, JSON), or a ValidationError saying what
    is wrong with it. `utf8=False` leaves the encoding to the reader (Nets' OCR files are ISO 8859-1)."""
    if not upload.name or not upload.name.lower().endswith(extensions):
        raise forms.ValidationError(_("Choose a file ending in %(endings)s.") % {"endings": ", ".join(extensions)})
    limit = settings.UPLOAD_MAX_BYTES
    if upload.size is None or upload.size > limit:
        raise forms.ValidationError(
            _("The file is %(size)d bytes; the limit is %(limit)d bytes.") % {"size": upload.size or 0, "limit": limit}
        )
    raw = upload.read(limit + 1)
    if not raw.strip():
        raise forms.ValidationError(_("The file is empty."))
    for signature, kind in SIGNATURES.items():
        if raw.startswith(signature):
            raise forms.ValidationError(
                _("The file is %(kind)s, not CSV text. Save it as CSV (UTF-8) and choose that file.") % {"kind": kind}
            )
    if b"\x00" in raw:
        raise forms.ValidationError(_("The file is not a text file."))
    if not utf8:
        return raw
    try:
        raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise forms.ValidationError(
            _("The file is not UTF-8 encoded text (byte %(position)d). Save it as CSV (UTF-8).")
            % {"position": error.start + 1}
        ) from None
    return raw


# ------------------------------------------------------------------------------------------------
# PDF files attached to case papers: what the board pack will read later must be readable now.

# Bounds on what one uploaded PDF may make the portal do when the board pack is merged.
PDF_MAX_INFLATED_BYTES = 128 * 1024 * 1024  # all compressed streams together, once inflated
PDF_MAX_TREE_DEPTH = 32  # nested /Pages nodes between the catalogue and a page
PDF_MAX_PAGES = 2000
PDF_MAX_OBJECTS = 200_000

_FLATE = {"/FlateDecode", "/Fl"}
_CHUNK = 64 * 1024


class _Unreadable(Exception):
    """The PDF cannot be read as the board pack would read it."""


class _Bomb(Exception):
    """A stream inflates beyond what any attachment needs."""


def _as_list(value) -> list:
    from pypdf.generic import ArrayObject

    if value is None:
        return []
    value = value.get_object()
    return list(value) if isinstance(value, ArrayObject | list) else [value]


def _inflated_size(stream, budget: int) -> int:
    """How many bytes `stream` decodes to; _Bomb as soon as that exceeds `budget`."""
    import zlib

    filters = [str(f.get_object()) for f in _as_list(stream.get("/Filter"))]
    if not filters:
        return 0
    if all(name in _FLATE for name in filters):
        # Inflate layer by layer in small pieces, never holding more than a chunk of the output.
        decoders = [zlib.decompressobj() for _ in filters]

        def feed(level: int, data: bytes) -> int:
            if level == len(decoders):
                return len(data)
            total, decoder = 0, decoders[level]
            while data:
                piece = decoder.decompress(data, _CHUNK)
                data = decoder.unconsumed_tail
                total += feed(level + 1, piece)
                if total > budget:
                    raise _Bomb
                if not piece and not data:
                    break
            return total

        try:
            return feed(0, bytes(stream._data))  # the stream's bytes as stored, not yet decoded
        except zlib.error:
            raise _Unreadable from None
    # Other filters (ASCII85, LZW, run length, images): pypdf decodes them within its own limits.
    from pypdf.errors import LimitReachedError

    try:
        size = len(stream.get_data())
    except LimitReachedError:
        raise _Bomb from None
    if size > budget:
        raise _Bomb
    return size


def pdf_page_count(data: bytes) -> int:
    """The pages of a PDF that the board pack can merge, or a ValidationError saying why it cannot.

    Walks the page tree without recursion (a deep tree is refused, not a crash), checks that every page
    has a media box (its own or inherited), and inflates every compressed stream with a running budget
    so that a small file that unpacks to gigabytes is refused here, not in the middle of a board pack.
    """
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError
    from pypdf.generic import ArrayObject, DictionaryObject, FloatObject, IndirectObject, NumberObject, StreamObject

    unreadable = _("The file claims to be a PDF but cannot be read. Save it as PDF again.")
    try:
        reader = PdfReader(io.BytesIO(data))
        # A PDF protected only against changes opens without a password, as the board pack opens it.
        if reader.is_encrypted and not reader.decrypt(""):
            raise forms.ValidationError(_("The PDF is password protected. Save it without a password."))
        root: Any = reader.trailer["/Root"].get_object()  # PdfReader has refused a file without a catalogue
        tree = root["/Pages"].get_object()

        # The page tree, breadth by breadth; /MediaBox is inherited from the nearest /Pages node that has one.
        pages, seen = 0, set()
        stack = [(tree, None, 1)]
        while stack:
            node, inherited, depth = stack.pop()
            if depth > PDF_MAX_TREE_DEPTH:
                raise forms.ValidationError(
                    _("The PDF's page tree is nested more than %(depth)d levels deep. Save it as PDF again.")
                    % {"depth": PDF_MAX_TREE_DEPTH}
                )
            if id(node) in seen or not isinstance(node, DictionaryObject):
                raise _Unreadable
            seen.add(id(node))
            box = node.get("/MediaBox", inherited)
            if node.get("/Type") == "/Pages" or "/Kids" in node:
                for kid in reversed(_as_list(node.get("/Kids"))):
                    stack.append((kid.get_object(), box, depth + 1))
                continue
            pages += 1
            if pages > PDF_MAX_PAGES:
                raise forms.ValidationError(
                    _("The PDF has more than %(pages)d pages; split it into smaller attachments.")
                    % {"pages": PDF_MAX_PAGES}
                )
            box = box.get_object() if box is not None else None
            if (
                not isinstance(box, ArrayObject)
                or len(box) != 4
                or not all(isinstance(v.get_object(), NumberObject | FloatObject) for v in box)
                or abs(float(box[2]) - float(box[0])) < 1
                or abs(float(box[3]) - float(box[1])) < 1
            ):
                raise forms.ValidationError(
                    _("Page %(page)d of the PDF has no page size (/MediaBox). Save it as PDF again.") % {"page": pages}
                )
        if pages == 0:
            raise forms.ValidationError(_("The PDF has no pages."))

        # Every object reachable from the trailer, without recursion; each compressed stream inflated once.
        budget, objects = PDF_MAX_INFLATED_BYTES, [reader.trailer]
        visited: set[Any] = set()
        while objects:
            item = objects.pop()
            if isinstance(item, IndirectObject):
                key = (item.idnum, item.generation)
                if key in visited:
                    continue
                visited.add(key)
                if len(visited) > PDF_MAX_OBJECTS:
                    raise _Unreadable
                item = item.get_object()
            if isinstance(item, StreamObject):
                budget -= _inflated_size(item, budget)
            if isinstance(item, DictionaryObject):
                objects.extend(value for name, value in item.items() if name != "/Parent")
            elif isinstance(item, ArrayObject):
                objects.extend(item)
    except forms.ValidationError:
        raise
    except _Bomb:
        raise forms.ValidationError(
            _("The PDF unpacks to more than %(size)d MB. Save it as PDF again, or split it.")
            % {"size": PDF_MAX_INFLATED_BYTES // (1024 * 1024)}
        ) from None
    except (_Unreadable, PyPdfError, ValueError, KeyError, TypeError, AttributeError, OSError, RecursionError):
        raise forms.ValidationError(unreadable) from None
    return pages


def read_pdf_upload(upload: UploadedFile) -> bytes:
    """The bytes of an uploaded PDF, or a ValidationError saying what is wrong with it."""
    if not upload.name or not upload.name.lower().endswith(".pdf"):
        raise forms.ValidationError(_("Choose a .pdf file."))
    limit = settings.UPLOAD_MAX_BYTES
    if upload.size is None or upload.size > limit:
        raise forms.ValidationError(
            _("The file is %(size)d bytes; the limit is %(limit)d bytes.") % {"size": upload.size or 0, "limit": limit}
        )
    raw = upload.read(limit + 1)
    if not raw.strip():
        raise forms.ValidationError(_("The file is empty."))
    if not raw.startswith(b"%PDF-"):
        for signature, kind in SIGNATURES.items():
            if raw.startswith(signature):
                raise forms.ValidationError(_("The file is %(kind)s, not a PDF.") % {"kind": kind})
        raise forms.ValidationError(_("The file is not a PDF."))
    return raw
