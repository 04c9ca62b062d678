"""The rows of the long money lists (invoices, contributions), each cell worked out in Python once.

A list page shows 50 rows; with every link, amount and date put together by template tags and filters in the
row loop, the loop was most of the page's time (about 0.5 ms a row). Here each row is a few plain strings, and
the template only places them: the same HTML, tested against the model's own methods in
tests/funding/test_list_speedups.py.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.humanize.templatetags.humanize import intcomma
from django.urls import reverse
from django.utils import dateformat
from django.utils.formats import get_format
from django.utils.translation import gettext as _

from core.templatetags.portal import nok
from funding.choices import InvoiceStatus
from funding.models import Contribution, Invoice


@dataclass(frozen=True)
class InvoiceRow:
    url: str
    pdf_url: str
    ehf_url: str
    number: str  # the display number
    label: str  # "Credit note 2026-0001" or the number
    buyer: str
    for_text: str  # what the invoice is for: a plan, a settlement, a contribution
    for_url: str
    issued: str
    due: str
    amount: str
    paid: str
    status: str


def invoice_rows(invoices: Iterable[Invoice]) -> list[InvoiceRow]:
    rows = []
    # An invoice's address is the list's plus its key (funding/urls.py; the test compares it with reverse()): one
    # URL lookup a page instead of one a row.
    invoices_url = reverse("funding:invoice_list")
    # The labels translated and the date format looked up once a list, not once a row: get_status_display()
    # translates every status label on each call (about 40 µs).
    statuses = {value: str(label) for value, label in InvoiceStatus.choices}
    short_date = get_format("SHORT_DATE_FORMAT")
    for invoice in invoices:
        credit_note = invoice.is_credit_note
        number = invoice.display_number
        for_text = for_url = ""
        if invoice.plan_share_id:
            plan = invoice.plan_share.plan
            for_text, for_url = plan.title, plan.get_absolute_url()
        elif invoice.settlement_share_id:
            plan = invoice.settlement_share.settlement.plan
            for_text = _("Settlement %(year)s: %(name)s") % {"year": invoice.year, "name": plan.title}
            for_url = plan.get_absolute_url()
        elif invoice.contribution_id:
            for_text = _("Contribution %(year)s") % {"year": invoice.year}
        url = f"{invoices_url}{invoice.pk}/"
        rows.append(
            InvoiceRow(
                url=url,
                # The documents' addresses are the invoice's own plus pdf/ or ehf/ (funding/urls.py; the test
                # compares them with reverse()): one URL lookup a row instead of three.
                pdf_url=f"{url}pdf/",
                ehf_url=f"{url}ehf/",
                number=number,
                label=f"{_('Credit note')} {number}" if credit_note else number,
                buyer=invoice.buyer_name,
                for_text=for_text,
                for_url=for_url,
                issued=dateformat.format(invoice.issue_date, short_date) if invoice.issue_date else "",
                due=dateformat.format(invoice.due_date, short_date) if invoice.due_date else "",
                amount=("−" if credit_note else "") + nok(invoice.total, 2),
                paid="" if credit_note else nok(invoice.paid_amount, 2),
                status=statuses.get(invoice.status, invoice.status),
            )
        )
    return rows


@dataclass(frozen=True)
class ContributionRow:
    url: str
    year: int
    organisation: str
    population: str
    amount: str
    per_inhabitant: str
    explanation: str
    invoiced: bool


def contribution_rows(contributions: Iterable[Contribution]) -> list[ContributionRow]:
    # A contribution's address is the list's plus its key (funding/urls.py; the test compares it with reverse()).
    contributions_url = reverse("funding:contribution_list")
    return [
        ContributionRow(
            url=f"{contributions_url}{contribution.pk}/",
            year=contribution.year,
            organisation=contribution.organisation.name,
            population="–" if contribution.population is None else intcomma(contribution.population),
            amount=nok(contribution.amount),
            per_inhabitant=nok(contribution.per_inhabitant, 2),
            explanation=contribution.explanation_for_reader,
            invoiced=contribution.frozen_at is not None,
        )
        for contribution in contributions
    ]
