"""Render an invoice or a credit note as EHF: Peppol BIS Billing 3.0, UBL 2.1 XML.

Pure: no ORM, no database, no clock. The seller (the network's legal entity, usually the host municipality)
is not registered for VAT, so every line and the VAT breakdown use tax category "O" (not subject to VAT),
and the document carries no VAT identifiers at all (BR-O-02). Amounts are Decimal, written with two decimals.
"""

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from lxml import etree
from stdnum.no import kontonr, orgnr

from funding.invoice_numbers import display_number

logger = logging.getLogger(__name__)

CUSTOMIZATION_ID = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
PROFILE_ID = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
NORWEGIAN_ORG_NUMBER = "0192"  # ISO 6523 ICD / EAS code for Enhetsregisteret.
INVOICE_TYPE_CODE = "380"  # Commercial invoice.
CREDIT_NOTE_TYPE_CODE = "381"  # Credit note.
CREDIT_TRANSFER = "30"  # UNCL 4461: credit transfer (bank giro with KID).
CLEARING_BETWEEN_PARTNERS = "97"  # UNCL 4461: set-off, how a credit note is normally settled.
NOT_SUBJECT_TO_VAT = "O"  # UNCL 5305: services outside scope of tax.
NOT_SUBJECT_TO_VAT_CODE = "VATEX-EU-O"  # VAT exemption reason code that goes with category O (PEPPOL-EN16931-P0105).
UNIT_CODE = "EA"  # UN/ECE Rec 20: each.

CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
ROOT_NAMESPACE = {
    "invoice": "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2",
    "credit_note": "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2",
}
CENT = Decimal("0.01")
XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'


@dataclass(frozen=True)
class Party:
    """A seller or buyer, identified by its Norwegian organisation number; it receives EHF at its electronic
    address (EndpointID), which is the organisation number under scheme 0192 unless another one is given."""

    name: str
    org_number: str  # 9 digits
    street: str = ""
    postal_code: str = ""
    city: str = ""
    country: str = "NO"
    in_foretaksregisteret: bool = False
    email: str = ""  # seller contact email (optional)
    endpoint_scheme: str = ""  # EAS code of the electronic address, e.g. "0192"; empty: the organisation number
    endpoint_id: str = ""


@dataclass(frozen=True)
class Line:
    """One invoice or credit note line."""

    description: str
    note: str
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal  # quantity * unit_price, 2 decimals


@dataclass(frozen=True)
class Document:
    """An invoice or credit note, everything EHF needs and nothing else."""

    kind: str  # "invoice" or "credit_note"
    number: str
    issue_date: date
    due_date: date | None  # required for invoices; optional for credit notes
    period_start: date | None
    period_end: date | None
    buyer_reference: str
    seller: Party
    buyer: Party
    lines: tuple[Line, ...]
    total: Decimal  # sum of line amounts (payable amount), 2 decimals, >= 0
    kid: str  # payment reference (digits)
    bank_account: str  # 11 digits
    vat_exemption_reason: str
    note: str = ""
    credited_number: str = ""  # credit notes: the invoice credited
    credited_issue_date: date | None = None
    currency: str = "NOK"


def render(document: Document) -> bytes:
    """The document as EHF UTF-8 XML with an XML declaration; the same input always gives the same bytes."""
    check(document)
    is_invoice = document.kind == "invoice"
    root = etree.Element(
        f"{{{ROOT_NAMESPACE[document.kind]}}}{'Invoice' if is_invoice else 'CreditNote'}",
        nsmap={None: ROOT_NAMESPACE[document.kind], "cac": CAC, "cbc": CBC},
    )
    _cbc(root, "CustomizationID", CUSTOMIZATION_ID)
    _cbc(root, "ProfileID", PROFILE_ID)
    _cbc(root, "ID", document.number)
    _cbc(root, "IssueDate", document.issue_date.isoformat())
    if is_invoice:
        assert document.due_date is not None  # check() has made sure.
        _cbc(root, "DueDate", document.due_date.isoformat())
        _cbc(root, "InvoiceTypeCode", INVOICE_TYPE_CODE)
    else:
        _cbc(root, "CreditNoteTypeCode", CREDIT_NOTE_TYPE_CODE)
    if document.note.strip():
        _cbc(root, "Note", document.note)
    _cbc(root, "DocumentCurrencyCode", document.currency)
    _cbc(root, "BuyerReference", document.buyer_reference)
    if document.period_start or document.period_end:
        period = _cac(root, "InvoicePeriod")
        if document.period_start:
            _cbc(period, "StartDate", document.period_start.isoformat())
        if document.period_end:
            _cbc(period, "EndDate", document.period_end.isoformat())
    if not is_invoice:
        reference = _cac(_cac(root, "BillingReference"), "InvoiceDocumentReference")
        _cbc(reference, "ID", document.credited_number)
        if document.credited_issue_date:
            _cbc(reference, "IssueDate", document.credited_issue_date.isoformat())
    _party(_cac(root, "AccountingSupplierParty"), document.seller, seller=True)
    _party(_cac(root, "AccountingCustomerParty"), document.buyer, seller=False)
    _payment_means(root, document)
    _tax_total(root, document)
    totals = _cac(root, "LegalMonetaryTotal")
    for name in ("LineExtensionAmount", "TaxExclusiveAmount", "TaxInclusiveAmount", "PayableAmount"):
        _amount(totals, name, document.total, document.currency)
    for number, line in enumerate(document.lines, start=1):
        _line(root, number, line, document)
    return XML_DECLARATION + etree.tostring(root, encoding="UTF-8", pretty_print=True)


def endpoint(party: Party) -> tuple[str, str]:
    """The (scheme, identifier) a party receives EHF at: its own electronic address, or its organisation number."""
    if party.endpoint_scheme or party.endpoint_id:
        return party.endpoint_scheme, party.endpoint_id
    return NORWEGIAN_ORG_NUMBER, party.org_number


def endpoint_problem(scheme: str, identifier: str) -> str:
    """Why (scheme, identifier) is not an electronic address EHF can be sent to, or "" when it is one."""
    if not re.fullmatch(r"\d{4}", scheme):
        return f"the scheme {scheme!r} is not a four-digit EAS code (e.g. 0192)"
    if not identifier or not re.fullmatch(r"[A-Za-z0-9.:_+\-]{1,50}", identifier):
        return f"the identifier {identifier!r} is empty or has characters an electronic address cannot have"
    if scheme == NORWEGIAN_ORG_NUMBER and not (re.fullmatch(r"\d{9}", identifier) and orgnr.is_valid(identifier)):
        return f"{identifier!r} is not an organisation number (9 digits with a valid MOD11 check digit)"
    return ""


def check(document: Document) -> None:
    """Raise ValueError naming the first inconsistency that would make the document wrong or invalid EHF."""
    if document.kind not in ROOT_NAMESPACE:
        raise ValueError(f"kind must be 'invoice' or 'credit_note', not {document.kind!r}")
    if not document.number.strip():
        raise ValueError("the document needs a number")
    if not document.buyer_reference.strip():
        raise ValueError("the buyer reference is required (Peppol rule PEPPOL-EN16931-R003)")
    if not document.vat_exemption_reason.strip():
        raise ValueError("the VAT exemption reason is required for tax category O (rule BR-O-10)")
    if not re.fullmatch(r"[A-Z]{3}", document.currency):
        raise ValueError(f"currency must be an ISO 4217 code such as 'NOK', not {document.currency!r}")
    for role, party in (("seller", document.seller), ("buyer", document.buyer)):
        if not party.name.strip():
            raise ValueError(f"the {role} needs a name")
        if not (re.fullmatch(r"\d{9}", party.org_number) and orgnr.is_valid(party.org_number)):
            raise ValueError(
                f"the {role}'s organisation number {party.org_number!r} is not 9 digits with a valid MOD11 check digit"
            )
        problem = endpoint_problem(*endpoint(party))
        if problem:
            raise ValueError(f"the {role}'s electronic address: {problem}")
        if not re.fullmatch(r"[A-Z]{2}", party.country):
            raise ValueError(f"the {role}'s country must be an ISO 3166 alpha-2 code, not {party.country!r}")
    if document.period_start and document.period_end and document.period_end < document.period_start:
        raise ValueError(f"the period ends ({document.period_end}) before it starts ({document.period_start})")
    if document.due_date and document.due_date < document.issue_date:
        raise ValueError(f"the due date {document.due_date} is before the issue date {document.issue_date}")
    if document.kind == "invoice":
        if document.due_date is None:
            raise ValueError("an invoice needs a due date")
        if not re.fullmatch(r"\d{2,25}", document.kid):
            raise ValueError(f"an invoice needs a KID of 2 to 25 digits, not {document.kid!r}")
        if not (re.fullmatch(r"\d{11}", document.bank_account) and kontonr.is_valid(document.bank_account)):
            raise ValueError(
                f"the bank account {document.bank_account!r} is not an 11-digit Norwegian account number"
                " with a valid check digit"
            )
    else:
        if not document.credited_number.strip():
            raise ValueError("a credit note must name the invoice it credits (credited_number)")
        if document.kid and not re.fullmatch(r"\d{2,25}", document.kid):
            raise ValueError(f"the KID must be 2 to 25 digits, not {document.kid!r}")
    if not document.lines:
        raise ValueError("the document needs at least one line")
    for number, line in enumerate(document.lines, start=1):
        if not line.description.strip():
            raise ValueError(f"line {number} needs a description")
        if line.quantity <= 0:
            raise ValueError(f"line {number}: the quantity must be positive, not {line.quantity}")
        if line.unit_price < 0:
            raise ValueError(f"line {number}: the unit price must not be negative (rule BR-27), not {line.unit_price}")
        if _has_more_than_two_decimals(line.amount):
            raise ValueError(f"line {number}: the amount {line.amount} has more than two decimals")
        expected = (line.quantity * line.unit_price).quantize(CENT, rounding=ROUND_HALF_UP)
        if line.amount != expected:
            raise ValueError(
                f"line {number}: the amount {line.amount} is not quantity × unit price"
                f" ({line.quantity} × {line.unit_price} = {expected})"
            )
    if _has_more_than_two_decimals(document.total):
        raise ValueError(f"the total {document.total} has more than two decimals")
    if document.total < 0:
        raise ValueError(f"the total must not be negative, not {document.total}")
    line_sum = sum((line.amount for line in document.lines), Decimal(0))
    if line_sum != document.total:
        raise ValueError(f"the lines sum to {line_sum}, not to the total {document.total}")


def _has_more_than_two_decimals(value: Decimal) -> bool:
    return value != value.quantize(CENT)


def _money(value: Decimal) -> str:
    return f"{value.quantize(CENT, rounding=ROUND_HALF_UP):f}"


def _price(value: Decimal) -> str:
    """At least two decimals, more only when the price has them."""
    return _money(value) if value == value.quantize(CENT) else f"{value.normalize():f}"


def _quantity(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _cbc(parent: etree._Element, name: str, text: str, **attributes: str) -> etree._Element:
    element = etree.SubElement(parent, f"{{{CBC}}}{name}", attributes)
    element.text = text.strip()
    return element


def _cac(parent: etree._Element, name: str) -> etree._Element:
    return etree.SubElement(parent, f"{{{CAC}}}{name}")


def _amount(parent: etree._Element, name: str, value: Decimal, currency: str) -> etree._Element:
    return _cbc(parent, name, _money(value), currencyID=currency)


def _party(parent: etree._Element, party: Party, *, seller: bool) -> None:
    element = _cac(parent, "Party")
    scheme, identifier = endpoint(party)
    _cbc(element, "EndpointID", identifier, schemeID=scheme)
    _cbc(_cac(element, "PartyName"), "Name", party.name)
    address = _cac(element, "PostalAddress")
    if party.street.strip():
        _cbc(address, "StreetName", party.street)
    if party.city.strip():
        _cbc(address, "CityName", party.city)
    if party.postal_code.strip():
        _cbc(address, "PostalZone", party.postal_code)
    _cbc(_cac(address, "Country"), "IdentificationCode", party.country)
    if seller and party.in_foretaksregisteret:
        # NO-R-002 looks for the word here, under the tax scheme "TAX" (not "VAT", so not a VAT identifier).
        tax_scheme = _cac(element, "PartyTaxScheme")
        _cbc(tax_scheme, "CompanyID", "Foretaksregisteret")
        _cbc(_cac(tax_scheme, "TaxScheme"), "ID", "TAX")
    legal_entity = _cac(element, "PartyLegalEntity")
    _cbc(legal_entity, "RegistrationName", party.name)
    _cbc(legal_entity, "CompanyID", party.org_number, schemeID=NORWEGIAN_ORG_NUMBER)
    if seller and party.in_foretaksregisteret:
        _cbc(legal_entity, "CompanyLegalForm", "Foretaksregisteret")
    if seller and party.email.strip():
        _cbc(_cac(element, "Contact"), "ElectronicMail", party.email)


def _payment_means(root: etree._Element, document: Document) -> None:
    if document.kind == "invoice":
        means = _cac(root, "PaymentMeans")
        _cbc(means, "PaymentMeansCode", CREDIT_TRANSFER)
        _cbc(means, "PaymentID", document.kid)
        _cbc(_cac(means, "PayeeFinancialAccount"), "ID", document.bank_account)
        return
    # A credit note is settled by set-off against the credited invoice: no account to pay to.
    if document.due_date is None and not document.kid:
        return
    means = _cac(root, "PaymentMeans")
    _cbc(means, "PaymentMeansCode", CLEARING_BETWEEN_PARTNERS)
    if document.due_date:
        _cbc(means, "PaymentDueDate", document.due_date.isoformat())
    if document.kid:
        _cbc(means, "PaymentID", document.kid)


def _not_subject_to_vat(parent: etree._Element, name: str, reason: str = "") -> None:
    category = _cac(parent, name)
    _cbc(category, "ID", NOT_SUBJECT_TO_VAT)
    if reason.strip():
        _cbc(category, "TaxExemptionReasonCode", NOT_SUBJECT_TO_VAT_CODE)
        _cbc(category, "TaxExemptionReason", reason)
    _cbc(_cac(category, "TaxScheme"), "ID", "VAT")


def _tax_total(root: etree._Element, document: Document) -> None:
    total = _cac(root, "TaxTotal")
    _amount(total, "TaxAmount", Decimal(0), document.currency)
    subtotal = _cac(total, "TaxSubtotal")
    _amount(subtotal, "TaxableAmount", document.total, document.currency)
    _amount(subtotal, "TaxAmount", Decimal(0), document.currency)
    _not_subject_to_vat(subtotal, "TaxCategory", document.vat_exemption_reason)


def _line(root: etree._Element, number: int, line: Line, document: Document) -> None:
    is_invoice = document.kind == "invoice"
    element = _cac(root, "InvoiceLine" if is_invoice else "CreditNoteLine")
    _cbc(element, "ID", str(number))
    if line.note.strip():
        _cbc(element, "Note", line.note)
    _cbc(
        element, "InvoicedQuantity" if is_invoice else "CreditedQuantity", _quantity(line.quantity), unitCode=UNIT_CODE
    )
    _amount(element, "LineExtensionAmount", line.amount, document.currency)
    item = _cac(element, "Item")
    _cbc(item, "Name", line.description)
    _not_subject_to_vat(item, "ClassifiedTaxCategory")
    _cbc(_cac(element, "Price"), "PriceAmount", _price(line.unit_price), currencyID=document.currency)


# ---------------------------------------------------------------------------------------------------------
# From a stored invoice


def address(street: str, postal_code: str, city: str, country: str = "NO") -> dict[str, str]:
    """An address as an invoice stores it for its seller and buyer, and as an EHF party needs it."""
    return {"street": street, "postal_code": postal_code, "city": city, "country": country}


def _stored_party(name: str, org_number: str, stored_address: dict[str, str], **extra: Any) -> Party:
    """An EHF party from a name, organisation number and an address as `address()` stores it."""
    return Party(
        name=name,
        org_number=org_number,
        street=stored_address.get("street", ""),
        postal_code=stored_address.get("postal_code", ""),
        city=stored_address.get("city", ""),
        country=stored_address.get("country", "NO"),
        **extra,
    )


def parse_endpoint(text: str) -> tuple[str, str] | None:
    """An e-invoice address as stored, "SCHEME:IDENTIFIER" (e.g. "0192:964338531"), as (scheme, identifier); None
    when nothing is stored. A Peppol participant id with its prefix ("iso6523-actorid-upis::0192:...") is read too."""
    text = text.strip()
    if not text:
        return None
    text = text.removeprefix("iso6523-actorid-upis::")
    scheme, _colon, identifier = text.partition(":")
    return scheme.strip(), identifier.strip()


def stored_endpoint_problem(text: str) -> str:
    """Why a stored e-invoice address cannot be used in EHF, or "" (also when none is stored)."""
    parsed = parse_endpoint(text)
    return endpoint_problem(*parsed) if parsed else ""


def document_from_invoice(invoice: Any, lines: Sequence[Any], credited: Any = None) -> Document:
    """The EHF (Peppol BIS Billing 3.0) view of a stored invoice or credit note."""
    seller = _stored_party(
        invoice.seller_legal_name,
        invoice.seller_org_number,
        invoice.seller_address,
        in_foretaksregisteret=invoice.seller_in_foretaksregisteret,
        email=invoice.seller_email,
    )
    # The buyer receives at the e-invoice address stored with the invoice (another unit may receive for it);
    # without one, at its organisation number.
    scheme, identifier = parse_endpoint(invoice.buyer_endpoint) or ("", "")
    if scheme and endpoint_problem(scheme, identifier):
        # Issuing refuses such an address; an invoice stored with one before goes to the organisation number.
        logger.warning("Invoice %s: unusable e-invoice address %r", invoice.pk, invoice.buyer_endpoint)
        scheme = identifier = ""
    buyer = _stored_party(
        invoice.buyer_name,
        invoice.buyer_org_number,
        invoice.buyer_address,
        endpoint_scheme=scheme,
        endpoint_id=identifier,
    )
    return Document(
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
            Line(
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
