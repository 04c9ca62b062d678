"""Rendering invoices and credit notes to PDF (WeasyPrint) and EHF; one function each, used by views and tasks."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from core.documents import html_to_pdf
from funding import ehf
from funding.invoice_numbers import display_number


def invoice_html(invoice, lines, credited=None) -> str:
    # Documents are in Bokmål whatever language the person who triggers the rendering uses.
    with translation.override("nb"):
        return render_to_string(
            "funding/pdf/invoice.html",
            {
                "invoice": invoice,
                "lines": lines,
                "credited": credited,
                "number": display_number(invoice.series, invoice.number),
                "credited_number": display_number(credited.series, credited.number) if credited else "",
                "logo": (settings.BASE_DIR / "static" / "img" / "logo.svg").read_text(encoding="utf-8"),
            },
        )


def invoice_pdf(invoice, lines, credited=None) -> bytes:
    return html_to_pdf(invoice_html(invoice, lines, credited))


def invoice_ehf(invoice, lines, credited=None) -> bytes:
    return ehf.render(ehf.document_from_invoice(invoice, lines, credited))
