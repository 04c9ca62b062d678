"""Every stored document is PDF/A-3 with its title and language; the published ones (minutes) are tagged.

Read with pikepdf: the XMP `pdfaid`, the sRGB OutputIntent, that every font is embedded, /Lang, the title in both
the XMP and the document information, and the structure tree."""

from datetime import timedelta

import pytest
from django.utils import timezone

from governance import documents
from members.agreements import agreement_document
from members.models import AgreementTemplate
from tests.governance.world import held_meeting
from tests.pdf_archival import assert_archival

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
def test_minutes_are_tagged_pdf_a_in_the_bodys_language_and_the_board_pack_stays_pdf_a(personas, language):
    world = held_meeting(personas, language=language)
    minutes = assert_archival(documents.minutes_pdf(world.meeting, public=True).data, language=language, tagged=True)
    assert minutes.Root.StructTreeRoot.K
    pack = assert_archival(documents.board_pack_pdf(world.meeting).data, language=language)
    assert str(pack.docinfo.Title).startswith(world.meeting.body.name)
