"""Every stored document is PDF/A-3 with its title and language; the published ones (minutes) are tagged.

Read with pikepdf: the XMP `pdfaid`, the sRGB OutputIntent, that every font is embedded, /Lang, the title in both
the XMP and the document information, and the structure tree."""

import io
from datetime import timedelta

import pikepdf
import pytest
from django.utils import timezone

from governance import documents
from members.agreements import agreement_document
from members.models import AgreementTemplate
from tests.governance.world import held_meeting

pytestmark = pytest.mark.django_db


def _fonts(resources) -> list:
    found = []
    for font in (resources.get("/Font") or {}).values():
        found.append(font)
    for xobject in (resources.get("/XObject") or {}).values():
        if xobject.get("/Subtype") == "/Form" and "/Resources" in xobject:
            found += _fonts(xobject.Resources)
    return found


def assert_archival(data: bytes, *, language: str, tagged: bool = False) -> pikepdf.Pdf:
    pdf = pikepdf.open(io.BytesIO(data))
    xmp = pdf.open_metadata()
    assert (xmp["pdfaid:part"], xmp["pdfaid:conformance"]) == ("3", "A" if tagged else "B")
    (intent,) = pdf.Root.OutputIntents
    assert intent.S == "/GTS_PDFA1" and "sRGB" in str(intent.OutputConditionIdentifier)
    assert len(intent.DestOutputProfile.read_bytes()) > 1000  # the ICC profile itself
    fonts = [font for page in pdf.pages for font in _fonts(page.Resources)]
    assert fonts
    for font in fonts:
        descriptor = (font.DescendantFonts[0] if font.Subtype == "/Type0" else font).FontDescriptor
        assert any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")), font.get("/BaseFont")
    assert str(pdf.Root.Lang) == language
    assert xmp["dc:title"] and str(pdf.docinfo.Title) == xmp["dc:title"]
    for key, name in (("/Producer", "pdf:Producer"), ("/Creator", "xmp:CreatorTool")):
        if key in pdf.docinfo:  # PDF/A: the document information agrees with the XMP
            assert str(pdf.docinfo[key]) == str(xmp[name]), key
    if tagged:
        assert pdf.Root.MarkInfo.Marked
        assert len(pdf.Root.StructTreeRoot.K) > 0
    return pdf


def test_the_agreement_a_director_signs_is_pdf_a(personas):
    template = AgreementTemplate.objects.create(
        title="Samarbeidsavtale",
        version=1,
        period_start=timezone.localdate(),
        period_end=timezone.localdate() + timedelta(days=365),
        body="§ 1 Formål\\nPartene samarbeider om digitalisering.",
    )
    assert_archival(agreement_document(template, personas.own), language="nb")


@pytest.mark.parametrize("language", ["nb", "nn"])
def test_minutes_are_tagged_pdf_a_in_the_bodys_language_and_the_board_pack_stays_pdf_a(personas, language):
    world = held_meeting(personas, language=language)
    minutes = assert_archival(documents.minutes_pdf(world.meeting, public=True).data, language=language, tagged=True)
    assert minutes.Root.StructTreeRoot.K
    pack = assert_archival(documents.board_pack_pdf(world.meeting).data, language=language)
    assert str(pack.docinfo.Title).startswith(world.meeting.body.name)
