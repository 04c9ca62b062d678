"""Uploaded PDFs made archival with Ghostscript: the copy is PDF/A-2b with its fonts embedded and every page kept;
a file Ghostscript cannot read is refused with the reason."""

import io

import pikepdf
import pytest

from core import pdfa
from core.pdfa import PdfaConversionFailed, pdfa_converted
from tests.governance.world import pdf_stream, raw_pdf
from tests.pdf_archival import _fonts


def letter_with_a_system_font() -> bytes:
    """One page of text in Helvetica, not embedded: what an office program often exports, and not PDF/A."""
    return raw_pdf(
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >>"
        b" /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        pdf_stream(b"BT /F1 14 Tf 72 760 Td (Budsjett 2027 for nettverket) Tj ET"),
    )


def test_an_upload_with_a_font_it_does_not_carry_becomes_pdf_a_with_the_font_embedded():
    original = letter_with_a_system_font()
    with pikepdf.open(io.BytesIO(original)) as before:
        (font,) = _fonts(before.pages[0].Resources)
        assert "/FontDescriptor" not in font  # nothing embedded to begin with

    copy = pikepdf.open(io.BytesIO(pdfa_converted(original, pages=1)))
    xmp = copy.open_metadata()
    assert (xmp["pdfaid:part"], xmp["pdfaid:conformance"]) == ("2", "B")
    (intent,) = copy.Root.OutputIntents
    assert intent.S == "/GTS_PDFA1" and "sRGB" in str(intent.OutputConditionIdentifier)
    assert len(intent.DestOutputProfile.read_bytes()) > 1000
    fonts = _fonts(copy.pages[0].Resources)
    assert fonts
    for font in fonts:
        descriptor = (font.DescendantFonts[0] if font.Subtype == "/Type0" else font).FontDescriptor
        assert any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
    assert len(copy.pages) == 1


def test_a_password_protected_upload_is_refused_with_the_reason():
    protected = io.BytesIO()
    with pikepdf.open(io.BytesIO(letter_with_a_system_font())) as document:
        document.save(protected, encryption=pikepdf.Encryption(owner="eier", user="hemmelig"))
    with pytest.raises(PdfaConversionFailed, match="password"):
        pdfa_converted(protected.getvalue(), pages=1)


def test_a_copy_that_loses_pages_is_refused():
    with pytest.raises(PdfaConversionFailed, match="1 pages, not 2"):
        pdfa_converted(letter_with_a_system_font(), pages=2)


def test_without_ghostscript_nothing_is_claimed(monkeypatch):
    monkeypatch.setattr(pdfa, "GHOSTSCRIPT", "gs-not-installed")
    with pytest.raises(PdfaConversionFailed, match="not installed"):
        pdfa_converted(letter_with_a_system_font(), pages=1)
