"""The agreement PDF a director reads: the text flows in paragraphs, whatever line breaks the text was typed with."""

import re
import subprocess
from datetime import date

import pytest
from django.template.loader import render_to_string

from core.formatting import text_paragraphs
from demo.agreements import BODY
from members import agreements
from members.models import AgreementTemplate

pytestmark = pytest.mark.django_db

SENTENCE = (
    "Partene samarbeider i DigiVestland om digitalisering av kommunale tjenester, slik at små og store kommuner "
    "kan ta i bruk nasjonale løsninger, dele kompetanse, gjennomføre felles prosjekter og anskaffelser og tale "
    "med én stemme overfor KS og staten."
)


@pytest.fixture
def template():
    return AgreementTemplate.objects.create(
        title="Samarbeidsavtale DigiVestland 2025–2028",
        version=1,
        period_start=date(2025, 1, 1),
        period_end=date(2028, 12, 31),
        body=BODY,
        funding_appendix="Fast grunnbeløp og kroner\nper innbygger, med tak.\n\nVertskommunen er fritatt.",
    )


def test_blank_lines_separate_paragraphs_and_single_line_breaks_are_spaces():
    html = text_paragraphs(
        "§ 1 Formål\nDe små\nog store <kommuner>.\n\nNeste avsnitt.\n- ett punkt\n  som går videre\n- to"
    )
    assert html == (
        "<h3>§ 1 Formål</h3>\n<p>De små og store &lt;kommuner&gt;.</p>\n<p>Neste avsnitt.</p>\n"
        "<ul><li>ett punkt som går videre</li><li>to</li></ul>"
    )


def test_the_agreement_html_has_whole_sentences_in_paragraphs_without_line_breaks(template, personas):
    html = render_to_string(
        "members/pdf/agreement.html", {"template": template, "organisation": personas.own, "signatures": None}
    )
    paragraphs = re.findall(r"<p>(.*?)</p>", html, flags=re.S)
    assert SENTENCE in paragraphs
    assert "<h3>§ 1 Formål</h3>" in html
    assert "<p>Fast grunnbeløp og kroner per innbygger, med tak.</p>" in html
    assert "<p>Vertskommunen er fritatt.</p>" in html
    for paragraph in paragraphs:
        assert "<br" not in paragraph and "\n" not in paragraph, paragraph
    assert "pre-wrap" not in html


def test_the_agreement_pdf_breaks_lines_where_the_page_ends_not_where_the_text_was_typed(template, personas, tmp_path):
    pdf = tmp_path / "agreement.pdf"
    pdf.write_bytes(agreements.agreement_document(template, personas.own))
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    lines = [" ".join(line.split()) for line in text.splitlines() if line.strip()]
    flowing = " ".join(lines)
    assert SENTENCE in flowing
    # Typed as "…slik at små og store kommuner / kan ta i bruk…", the text printed with its typed breaks kept
    # as "…slik at små / og store kommuner / kan ta i bruk…": a short line wherever a typed line ended. Flowing,
    # no printed line ends where a typed line ended inside a paragraph.
    assert "og store kommuner" not in lines
    typed_inside = [line.strip() for block in BODY.split("\n\n") for line in block.strip().split("\n")[1:-1]]
    for printed in lines:
        for typed in typed_inside:
            assert not (printed != typed and typed.endswith(" " + printed)), (printed, typed)
