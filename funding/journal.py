"""The journal for the host's accounts: invoices, credit notes and payments as balanced postings.

Each document is one voucher of two postings that sum to 0 (debit positive, credit negative):

- an invoice: receivables (debit) against contribution revenue (credit), its amount;
- a credit note: the reverse, its amount;
- a payment: bank (debit) against receivables (credit), the amount received.

So the receivables account in the journal of a budget year is what the year's totals show as outstanding less
overpaid, the revenue account is invoiced less credited, and the bank account is what was paid. The accounts and
the project dimension are settings (`JOURNAL_ACCOUNT_RECEIVABLE`, `JOURNAL_ACCOUNT_REVENUE`, `JOURNAL_ACCOUNT_BANK`,
`JOURNAL_PROJECT`); the kind dimension is the kind of organisation the contribution is charged to.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings

from core.exports import spreadsheet_cell
from funding.choices import InvoiceKind, InvoiceStatus
from funding.models import Invoice, Payment

COLUMNS = [
    "date",
    "voucher",
    "document",
    "customer_org_number",
    "customer",
    "account",
    "amount",
    "project",
    "kind",
    "text",
]


@dataclass(frozen=True)
class Posting:
    date: date
    voucher: str
    document: str
    customer_org_number: str
    customer: str
    account: str
    amount: Decimal
    project: str
    kind: str
    text: str


@dataclass(frozen=True)
class JournalAccounts:
    receivable: str
    revenue: str
    bank: str
    project: str

    @classmethod
    def from_settings(cls) -> JournalAccounts:
        return cls(
            receivable=settings.JOURNAL_ACCOUNT_RECEIVABLE,
            revenue=settings.JOURNAL_ACCOUNT_REVENUE,
            bank=settings.JOURNAL_ACCOUNT_BANK,
            project=settings.JOURNAL_PROJECT,
        )


def journal_postings(
    *,
    year: int | None = None,
    run_id: int | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    accounts: JournalAccounts | None = None,
) -> list[Posting]:
    """The postings of a budget year, an invoice run (its invoices) or a period (documents dated and payments
    received in it), or of the conditions together; in date and voucher order."""
    accounts = accounts or JournalAccounts.from_settings()
    documents = Invoice.objects.exclude(status=InvoiceStatus.DRAFT).select_related("organisation")
    payments = Payment.objects.select_related("invoice", "invoice__organisation")
    if year is not None:
        documents = documents.filter(year=year)
        payments = payments.filter(invoice__year=year)
    if run_id is not None:
        documents = documents.filter(run_id=run_id)
        payments = payments.none()  # a run issues invoices; what is paid later belongs to its period
    if date_from is not None:
        documents = documents.filter(issue_date__gte=date_from)
        payments = payments.filter(paid_on__gte=date_from)
    if date_to is not None:
        documents = documents.filter(issue_date__lte=date_to)
        payments = payments.filter(paid_on__lte=date_to)
    postings: list[Posting] = []
    # The texts are Bokmål, as the invoices are: the journal is a document of the host's accounts.
    for document in documents:
        assert document.issue_date is not None  # issued documents are dated
        credit_note = document.kind == InvoiceKind.CREDIT_NOTE
        postings += _voucher(
            day=document.issue_date,
            voucher=document.display_number,
            invoice=document,
            debit=accounts.revenue if credit_note else accounts.receivable,
            credit=accounts.receivable if credit_note else accounts.revenue,
            amount=document.total,
            project=accounts.project,
            text=f"{'Kreditnota' if credit_note else 'Faktura'} {document.display_number} {document.buyer_name}",
        )
    for payment in payments:
        postings += _voucher(
            day=payment.paid_on,
            voucher=f"INN{payment.pk}",
            invoice=payment.invoice,
            debit=accounts.bank,
            credit=accounts.receivable,
            amount=payment.amount,
            project=accounts.project,
            text=f"Innbetaling faktura {payment.invoice.display_number} KID {payment.invoice.kid}",
        )
    postings.sort(key=lambda posting: (posting.date, posting.voucher.startswith("INN"), posting.voucher))
    return postings


def _voucher(
    *, day: date, voucher: str, invoice: Invoice, debit: str, credit: str, amount: Decimal, project: str, text: str
) -> list[Posting]:
    """Two postings that sum to 0: `amount` debited to one account and credited to the other."""
    return [
        Posting(
            date=day,
            voucher=voucher,
            document=invoice.display_number,
            customer_org_number=invoice.buyer_org_number,
            customer=invoice.buyer_name,
            account=account,
            amount=signed,
            project=project,
            kind=invoice.organisation.kind,
            text=text,
        )
        for account, signed in ((debit, amount), (credit, -amount))
    ]


def journal_sums(postings: list[Posting]) -> dict[str, Decimal]:
    """The sum of the postings per account."""
    sums: dict[str, Decimal] = defaultdict(Decimal)
    for posting in postings:
        sums[posting.account] += posting.amount
    return dict(sorted(sums.items()))


def journal_csv(postings: list[Posting]) -> str:
    """The journal as CSV: a header, `;` between columns, ISO dates and amounts with a decimal point. Names and
    texts that a spreadsheet would run as a formula are written as text (core.exports)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for posting in postings:
        writer.writerow(
            [
                posting.date.isoformat(),
                posting.voucher,
                posting.document,
                posting.customer_org_number,
                spreadsheet_cell(posting.customer),
                posting.account,
                f"{posting.amount:.2f}",
                spreadsheet_cell(posting.project),
                posting.kind,
                spreadsheet_cell(posting.text),
            ]
        )
    return out.getvalue()
