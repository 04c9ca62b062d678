"""The checks every uploaded file gets before any import reads it: name, size and content.

Each import (population CSV, bank statement CSV) then reads the bytes itself and names any bad line and
column; this module refuses what is not even a file of the right kind, with a message that says why.
"""

from __future__ import annotations

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
    try:
        raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise forms.ValidationError(
            _("The file is not UTF-8 encoded text (byte %(position)d). Save it as CSV (UTF-8).")
            % {"position": error.start + 1}
        ) from None
    return raw


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
