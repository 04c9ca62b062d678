"""Uploaded PDFs made archival: Ghostscript rewrites a copy as PDF/A-2b (fonts embedded, colours in sRGB under the
same output intent as the portal's own documents); the upload itself is kept as it came."""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
from pathlib import Path

GHOSTSCRIPT = "gs"
CONVERSION_SECONDS = 120  # a pathological upload must not hold a worker for ever


class PdfaConversionFailed(RuntimeError):
    """Ghostscript could not make a PDF/A copy of an uploaded PDF (the message says why)."""


def _srgb_profile() -> Path:
    # WeasyPrint's sRGB profile: the one in the output intent of every document the portal renders.
    import weasyprint

    return Path(weasyprint.__file__).parent / "pdf" / "sRGB2014.icc"


def _postscript_string(text: str) -> str:
    return "(" + text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ")"


# Ghostscript's lib/PDFA_def.ps, with the profile and its three components stated instead of guessed.
PDFA_DEFINITION = """%!
/ICCProfile {profile} def
[/_objdef {{icc_PDFA}} /type /stream /OBJ pdfmark
[{{icc_PDFA}} << /N 3 >> /PUT pdfmark
[{{icc_PDFA}} ICCProfile (r) file /PUT pdfmark
[/_objdef {{OutputIntent_PDFA}} /type /dict /OBJ pdfmark
[{{OutputIntent_PDFA}} << /Type /OutputIntent /S /GTS_PDFA1 /DestOutputProfile {{icc_PDFA}}
  /OutputConditionIdentifier (sRGB IEC61966-2.1) >> /PUT pdfmark
[{{Catalog}} << /OutputIntents [ {{OutputIntent_PDFA}} ] >> /PUT pdfmark
"""


def pdfa_converted(data: bytes, *, pages: int) -> bytes:
    """A PDF/A-2b copy of the PDF `data` of `pages` pages, or PdfaConversionFailed naming the reason.

    The copy is checked before it is used: Ghostscript must have finished, declared PDF/A-2 in the XMP and kept
    every page (a copy with pages missing would move everything after it in a board pack)."""
    import pikepdf

    command = shutil.which(GHOSTSCRIPT)
    if command is None:
        raise PdfaConversionFailed("Ghostscript (gs) is not installed")
    profile = _srgb_profile()
    with tempfile.TemporaryDirectory(prefix="pdfa-") as folder:
        source, target, definition = Path(folder, "in.pdf"), Path(folder, "out.pdf"), Path(folder, "PDFA_def.ps")
        source.write_bytes(data)
        definition.write_text(PDFA_DEFINITION.format(profile=_postscript_string(str(profile))), encoding="ascii")
        try:
            result = subprocess.run(  # noqa: S603 (fixed arguments; the upload is a file, read with -dSAFER)
                [
                    command,
                    "-dPDFA=2",
                    "-dBATCH",
                    "-dNOPAUSE",
                    "-dSAFER",
                    "-dQUIET",
                    "-sColorConversionStrategy=RGB",
                    "-sDEVICE=pdfwrite",
                    "-dPDFACompatibilityPolicy=1",
                    f"--permit-file-read={profile}",
                    f"-sOutputFile={target}",
                    str(definition),
                    str(source),
                ],
                capture_output=True,
                timeout=CONVERSION_SECONDS,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise PdfaConversionFailed(f"Ghostscript took more than {CONVERSION_SECONDS} seconds") from None
        said = (result.stderr + result.stdout).decode("utf-8", "replace")
        # Ghostscript answers 0 and writes a blank page for a file it could not open (one with a password), and
        # repairs damaged ones "Output may be incorrect": either is an error here, not a copy.
        errors = [line.strip(" *") for line in said.splitlines() if "Error" in line or "password" in line]
        if result.returncode != 0 or not target.is_file() or errors:
            told = [line for line in errors if "password" in line] or errors or said.strip().splitlines() or [""]
            reason = told[-1][:200]
            raise PdfaConversionFailed("Ghostscript refused the file" + (f": {reason}" if reason else ""))
        converted = target.read_bytes()
    try:
        with pikepdf.open(io.BytesIO(converted)) as copy:
            part = copy.open_metadata().get("pdfaid:part")
            count = len(copy.pages)
    except pikepdf.PdfError as error:
        raise PdfaConversionFailed(f"Ghostscript wrote an unreadable file ({error})") from None
    if part != "2":
        raise PdfaConversionFailed("Ghostscript's copy does not declare PDF/A-2")
    if count != pages:
        raise PdfaConversionFailed(f"Ghostscript's copy has {count} pages, not {pages}")
    return converted
