"""Every stored document is PDF/A-3 with its title and language; the published ones (minutes, board packs) are
tagged.

Read with pikepdf: the XMP `pdfaid`, the sRGB OutputIntent, that every font is embedded, /Lang, the title in both
the XMP and the document information, and the structure tree."""

import io
from datetime import timedelta

import pikepdf
import pytest
from django.utils import timezone
from pypdf import PdfReader

from core import pdfa
from core.documents import sha256_of
from governance import documents, services
from governance.models import Case, CaseAttachment
from members.agreements import agreement_document
from members.models import AgreementTemplate
from tests.governance.world import held_meeting, pdf_stream, raw_pdf
from tests.pdf_archival import assert_archival, assert_structure, structure_elements

pytestmark = pytest.mark.django_db


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
def test_minutes_and_the_board_pack_are_tagged_pdf_a_in_the_bodys_language(personas, language):
    world = held_meeting(personas, language=language)
    minutes = assert_archival(documents.minutes_pdf(world.meeting, public=True).data, language=language, tagged=True)
    assert minutes.Root.StructTreeRoot.K
    # With attachments the pack is PDF/A-3b: tagged throughout, but the attachments' content is as uploaded.
    pack = documents.board_pack_pdf(world.meeting).data
    pack = assert_archival(pack, language=language, tagged=True, conformance="B")
    assert str(pack.docinfo.Title).startswith(world.meeting.body.name)


def _letter(text: bytes) -> bytes:
    """A one-page PDF in Helvetica, not embedded (as office programs often export): not PDF/A as uploaded."""
    return raw_pdf(
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >>"
        b" /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        pdf_stream(b"BT /F1 14 Tf 72 760 Td (" + text + b") Tj ET"),
    )


def _texts(element) -> str:
    return str(element.get("/Alt", ""))


def test_the_board_pack_joins_the_structure_of_its_parts_and_describes_each_attachment_page(personas):
    world = held_meeting(personas, publish=False)
    world.public_case.decision.delete()  # a decided case takes no attachment
    case = Case.objects.get(pk=world.public_case.pk)
    letter = services.attachment_add(case=case, title="Brev fra KS", upload=_letter(b"Budsjett 2027"))
    before = {attachment.pk: attachment.sha256 for attachment in CaseAttachment.objects.all()}
    data = documents.board_pack_pdf(world.meeting).data
    pack = assert_archival(data, language="nb", tagged=True, conformance="B")

    # One Document; a Part for the front, each case paper and each attachment, in the order of the pages.
    document = pack.Root.StructTreeRoot.K
    assert document.S == "/Document"
    parts = list(document.K)
    assert [str(part.S) for part in parts] == ["/Part"] * 6
    # The portal's pages keep their own elements: headings, paragraphs and tables from each part.
    roles = [str(element.S) for element in structure_elements(pack)]
    assert roles.count("/H1") >= 3 and "/Table" in roles and "/P" in roles
    # Every attachment page is one figure naming the attachment and the page.
    figures = [_texts(element) for element in structure_elements(pack) if element.S == "/Figure"]
    assert figures == [
        "Vedlegg «Beregning», side 1 av 2, slik det ble lastet opp til saken",
        "Vedlegg «Beregning», side 2 av 2, slik det ble lastet opp til saken",
        "Vedlegg «Brev fra KS», side 1 av 1, slik det ble lastet opp til saken",
        "Vedlegg «Tilbud», side 1 av 1, slik det ble lastet opp til saken",
    ]
    # The letter's font was not in the upload; in the pack it is embedded (assert_archival checks every font),
    # and the upload itself is kept as it came.
    for attachment in CaseAttachment.objects.all():
        with attachment.file.open("rb") as handle:
            assert sha256_of(handle.read()) == before[attachment.pk]
    assert letter.pk in before


def test_a_board_pack_without_attachments_is_pdf_a_3a(personas):
    world = held_meeting(personas, publish=False)
    CaseAttachment.objects.all().delete()
    pack = assert_archival(documents.board_pack_pdf(world.meeting).data, language="nb", tagged=True)
    assert not [element for element in structure_elements(pack) if element.S == "/Figure"]


def test_an_attachment_that_cannot_be_made_archival_is_named_and_the_pack_claims_no_pdf_a(personas, monkeypatch):
    world = held_meeting(personas, publish=False)
    monkeypatch.setattr(pdfa, "GHOSTSCRIPT", "gs-not-installed")
    rendered = documents.board_pack_pdf(world.meeting)
    pack = pikepdf.open(io.BytesIO(rendered.data))
    xmp = pack.open_metadata()
    assert "pdfaid:part" not in xmp and "pdfaid:conformance" not in xmp
    assert str(pack.Root.Lang) == "nb" and xmp["dc:title"].startswith("Styringsgruppen")
    assert_structure(pack)  # still tagged, the attachments as figures
    front = PdfReader(io.BytesIO(rendered.data)).pages[0].extract_text() + "".join(
        page.extract_text() for page in PdfReader(io.BytesIO(rendered.data)).pages[1:3]
    )
    assert "ikke PDF/A" in front
    assert "1/26 Beregning; 2/26 Tilbud" in " ".join(front.split())
