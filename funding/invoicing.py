"""Invoice numbers, KID and the EHF document of an invoice: small pure helpers."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from stdnum import luhn

from funding import ehf

INVOICE_SERIES = "invoice"
CREDIT_NOTE_SERIES = "credit_note"
SERIES_PREFIX = {INVOICE_SERIES: "", CREDIT_NOTE_SERIES: "K"}
# The first digit of a KID tells which series it belongs to.
SERIES_KID_CODE = {INVOICE_SERIES: "1", CREDIT_NOTE_SERIES: "2"}


def display_number(series: str, number: int) -> str:
    """The number as printed: invoices 1, 2, 3 ...; credit notes K1, K2 ..."""
    return f"{SERIES_PREFIX.get(series, '')}{number}"


def make_kid(series: str, number: int) -> str:
    """A KID for a document: series digit, the number in eight digits, and a MOD10 (Luhn) check digit."""
    if not 0 < number < 10**8:
        raise ValueError(f"invoice number {number} does not fit in a KID")
    base = f"{SERIES_KID_CODE[series]}{number:08d}"
    return base + luhn.calc_check_digit(base)


def is_valid_kid(kid: str) -> bool:
    return kid.isascii() and kid.isdigit() and luhn.is_valid(kid)


def address(street: str, postal_code: str, city: str, country: str = "NO") -> dict[str, str]:
    return {"street": street, "postal_code": postal_code, "city": city, "country": country}


def _party(name: str, org_number: str, stored_address: dict[str, str], **extra: Any) -> ehf.Party:
    """An EHF party from a name, organisation number and an address as `address()` stores it."""
    return ehf.Party(
        name=name,
        org_number=org_number,
        street=stored_address.get("street", ""),
        postal_code=stored_address.get("postal_code", ""),
        city=stored_address.get("city", ""),
        country=stored_address.get("country", "NO"),
        **extra,
    )


def ehf_document(invoice: Any, lines: Sequence[Any], credited: Any = None) -> ehf.Document:
    """The EHF (Peppol BIS Billing 3.0) view of a stored invoice or credit note."""
    seller = _party(
        invoice.seller_legal_name,
        invoice.seller_org_number,
        invoice.seller_address,
        in_foretaksregisteret=invoice.seller_in_foretaksregisteret,
        email=invoice.seller_email,
    )
    buyer = _party(invoice.buyer_name, invoice.buyer_org_number, invoice.buyer_address)
    return ehf.Document(
        kind=invoice.kind,
        number=display_number(invoice.series, invoice.number),
        issue_date=invoice.issue_date,
        due_date=invoice.due_date,
        period_start=invoice.period_start,
        period_end=invoice.period_end,
        buyer_reference=invoice.buyer_reference,
        seller=seller,
        buyer=buyer,
        lines=tuple(
            ehf.Line(
                description=line.description,
                note=line.note,
                quantity=Decimal(line.quantity),
                unit_price=Decimal(line.unit_price),
                amount=Decimal(line.amount),
            )
            for line in lines
        ),
        total=Decimal(invoice.total),
        kid=invoice.kid,
        bank_account=invoice.seller_bank_account,
        vat_exemption_reason=invoice.vat_exemption_reason,
        note=invoice.note,
        credited_number=display_number(credited.series, credited.number) if credited else "",
        credited_issue_date=credited.issue_date if credited else None,
        currency=invoice.currency,
    )
