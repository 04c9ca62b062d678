"""EHF (Peppol BIS Billing 3.0) rendering: XSD-valid, no fatal business rule, the right content, deterministic."""

import dataclasses
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree
from stdnum import luhn
from stdnum.no import kontonr, orgnr

from funding.ehf import CUSTOMIZATION_ID, PROFILE_ID, Document, Line, Party, render
from tests.ehf_validation import SCHEMAS, validate

SHARED_SCHEMAS = Path(__file__).resolve().parents[3] / "shared" / "schemas"
NS = {
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "inv": "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2",
    "cn": "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2",
}
# NO-R-002 asks every Norwegian seller for "Foretaksregisteret"; a municipality is not registered there,
# so for it the warning is correct and expected. Nothing else may warn.
EXPECTED_WARNING_FOR_MUNICIPALITY = "NO-R-002"

KID = "2026000100" + luhn.calc_check_digit("2026000100")
BANK_ACCOUNT = "15030112358"
SELLER = Party(
    name="Bergen kommune",
    org_number="964338531",
    street="Rådhusgaten 10",
    postal_code="5014",
    city="Bergen",
    email="digivestland@bergen.kommune.no",
)
BUYER = Party(
    name="Masfjorden kommune",
    org_number="964967636",
    street="Masfjordvegen 2",
    postal_code="5981",
    city="Masfjordnes",
)
INVOICE = Document(
    kind="invoice",
    number="2026-0001",
    issue_date=date(2026, 1, 15),
    due_date=date(2026, 2, 14),
    period_start=date(2026, 1, 1),
    period_end=date(2026, 12, 31),
    buyer_reference="Kari Nordmann, økonomi",
    seller=SELLER,
    buyer=BUYER,
    lines=(
        Line(
            description="Medlemsbidrag DigiVestland 2026",
            note="100 000 + 20 × 1 691 innbyggere = 133 820; vedtatt i styringsgruppen 2025-11-20.",
            quantity=Decimal("1"),
            unit_price=Decimal("133820.00"),
            amount=Decimal("133820.00"),
        ),
    ),
    total=Decimal("133820.00"),
    kid=KID,
    bank_account=BANK_ACCOUNT,
    vat_exemption_reason="Medlemsbidraget er ikke omfattet av merverdiavgiftsloven.",
    note="Årlig medlemsbidrag etter samarbeidsavtalen.",
)
CREDIT_NOTE = dataclasses.replace(
    INVOICE,
    kind="credit_note",
    number="2026-0002",
    issue_date=date(2026, 3, 1),
    due_date=None,
    note="Kreditering av faktura 2026-0001: feil folketall.",
    credited_number="2026-0001",
    credited_issue_date=date(2026, 1, 15),
)


def parse(xml: bytes) -> etree._Element:
    """The document's root element."""
    return etree.fromstring(xml)


def text(root: etree._Element, path: str) -> str:
    """The text of the single element at path."""
    found = root.xpath(path, namespaces=NS)
    assert len(found) == 1, f"{path}: {len(found)} matches"
    return found[0].text


def assert_valid(xml: bytes, kind: str, *, expected_warnings: frozenset[str] = frozenset()) -> None:
    """XSD-clean, no fatal rule, and no warning other than the expected ones."""
    report = validate(xml, kind)
    assert report.schema_errors == []
    assert report.fatal == []
    assert {warning.split(":", 1)[0] for warning in report.warnings} <= expected_warnings, report.warnings


def test_the_test_data_is_realistic():
    assert orgnr.is_valid(SELLER.org_number) and orgnr.is_valid(BUYER.org_number)
    assert kontonr.is_valid(BANK_ACCOUNT)
    assert luhn.is_valid(KID)


def test_invoice_validates():
    assert_valid(render(INVOICE), "invoice", expected_warnings=frozenset({EXPECTED_WARNING_FOR_MUNICIPALITY}))


def test_credit_note_validates():
    assert_valid(render(CREDIT_NOTE), "credit_note", expected_warnings=frozenset({EXPECTED_WARNING_FOR_MUNICIPALITY}))


def test_credit_note_with_due_date_and_kid_validates_and_is_settled_by_set_off():
    credit_note = dataclasses.replace(CREDIT_NOTE, due_date=date(2026, 3, 31))
    xml = render(credit_note)

    assert_valid(xml, "credit_note", expected_warnings=frozenset({EXPECTED_WARNING_FOR_MUNICIPALITY}))
    root = parse(xml)
    assert text(root, "/cn:CreditNote/cac:PaymentMeans/cbc:PaymentMeansCode") == "97"
    assert text(root, "/cn:CreditNote/cac:PaymentMeans/cbc:PaymentDueDate") == "2026-03-31"
    assert text(root, "/cn:CreditNote/cac:PaymentMeans/cbc:PaymentID") == KID
    assert not root.xpath("//cac:PayeeFinancialAccount", namespaces=NS)


def test_seller_in_foretaksregisteret_says_so_and_validates_without_warnings():
    invoice = dataclasses.replace(INVOICE, seller=dataclasses.replace(SELLER, in_foretaksregisteret=True))
    xml = render(invoice)

    assert_valid(xml, "invoice")
    party = parse(xml).xpath("/inv:Invoice/cac:AccountingSupplierParty/cac:Party", namespaces=NS)[0]
    assert text(party, "cac:PartyLegalEntity/cbc:CompanyLegalForm") == "Foretaksregisteret"
    # Where NO-R-002 looks: the tax scheme "TAX", which is not a VAT identifier.
    assert text(party, "cac:PartyTaxScheme[cac:TaxScheme/cbc:ID = 'TAX']/cbc:CompanyID") == "Foretaksregisteret"
    assert validate(xml, "invoice").warnings == []


def test_municipality_seller_is_not_claimed_to_be_in_foretaksregisteret():
    root = parse(render(INVOICE))

    assert "Foretaksregisteret" not in etree.tostring(root, encoding="unicode")
    assert not root.xpath("//cbc:CompanyLegalForm | //cac:PartyTaxScheme", namespaces=NS)


def test_invoice_has_the_important_elements():
    root = parse(render(INVOICE))
    invoice = "/inv:Invoice"

    assert text(root, f"{invoice}/cbc:CustomizationID") == CUSTOMIZATION_ID
    assert text(root, f"{invoice}/cbc:ProfileID") == PROFILE_ID
    assert text(root, f"{invoice}/cbc:ID") == "2026-0001"
    assert text(root, f"{invoice}/cbc:IssueDate") == "2026-01-15"
    assert text(root, f"{invoice}/cbc:DueDate") == "2026-02-14"
    assert text(root, f"{invoice}/cbc:InvoiceTypeCode") == "380"
    assert text(root, f"{invoice}/cbc:DocumentCurrencyCode") == "NOK"
    assert text(root, f"{invoice}/cbc:BuyerReference") == "Kari Nordmann, økonomi"
    assert text(root, f"{invoice}/cac:InvoicePeriod/cbc:StartDate") == "2026-01-01"
    assert text(root, f"{invoice}/cac:InvoicePeriod/cbc:EndDate") == "2026-12-31"
    for role, party in (("AccountingSupplierParty", SELLER), ("AccountingCustomerParty", BUYER)):
        path = f"{invoice}/cac:{role}/cac:Party"
        assert text(root, f"{path}/cbc:EndpointID") == party.org_number
        assert root.xpath(f"{path}/cbc:EndpointID/@schemeID", namespaces=NS) == ["0192"]
        assert text(root, f"{path}/cac:PartyLegalEntity/cbc:RegistrationName") == party.name
        assert text(root, f"{path}/cac:PartyLegalEntity/cbc:CompanyID") == party.org_number
        assert text(root, f"{path}/cac:PostalAddress/cac:Country/cbc:IdentificationCode") == "NO"
    category = f"{invoice}/cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory"
    assert text(root, f"{invoice}/cac:TaxTotal/cbc:TaxAmount") == "0.00"
    assert text(root, f"{category}/cbc:ID") == "O"
    assert text(root, f"{category}/cbc:TaxExemptionReason") == INVOICE.vat_exemption_reason
    assert not root.xpath("//cbc:Percent", namespaces=NS)  # BR-O-05: category O has no rate.
    assert text(root, f"{invoice}/cac:InvoiceLine/cac:Item/cac:ClassifiedTaxCategory/cbc:ID") == "O"
    assert text(root, f"{invoice}/cac:PaymentMeans/cbc:PaymentMeansCode") == "30"
    assert text(root, f"{invoice}/cac:PaymentMeans/cbc:PaymentID") == KID
    assert text(root, f"{invoice}/cac:PaymentMeans/cac:PayeeFinancialAccount/cbc:ID") == BANK_ACCOUNT
    assert text(root, f"{invoice}/cac:LegalMonetaryTotal/cbc:PayableAmount") == "133820.00"
    assert root.xpath(f"{invoice}/cac:LegalMonetaryTotal/cbc:PayableAmount/@currencyID", namespaces=NS) == ["NOK"]
    assert text(root, f"{invoice}/cac:InvoiceLine/cbc:Note") == INVOICE.lines[0].note
    assert text(root, f"{invoice}/cac:InvoiceLine/cac:Item/cbc:Name") == "Medlemsbidrag DigiVestland 2026"
    # No VAT identifiers anywhere (BR-O-02): no party tax scheme at all for a municipality, no "MVA" number.
    assert not root.xpath("//cac:PartyTaxScheme[cac:TaxScheme/cbc:ID = 'VAT']", namespaces=NS)
    assert "MVA" not in etree.tostring(root, encoding="unicode")


def test_credit_note_has_the_important_elements():
    root = parse(render(CREDIT_NOTE))
    credit_note = "/cn:CreditNote"

    assert text(root, f"{credit_note}/cbc:CreditNoteTypeCode") == "381"
    assert text(root, f"{credit_note}/cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID") == "2026-0001"
    assert text(root, f"{credit_note}/cac:BillingReference/cac:InvoiceDocumentReference/cbc:IssueDate") == (
        "2026-01-15"
    )
    assert text(root, f"{credit_note}/cac:CreditNoteLine/cbc:CreditedQuantity") == "1"
    assert text(root, f"{credit_note}/cac:LegalMonetaryTotal/cbc:PayableAmount") == "133820.00"
    # Settled by set-off (UNCL 4461 code 97) against the credited invoice: no account to pay to, no due date.
    assert text(root, f"{credit_note}/cac:PaymentMeans/cbc:PaymentMeansCode") == "97"
    assert text(root, f"{credit_note}/cac:PaymentMeans/cbc:PaymentID") == KID
    assert not root.xpath("//cac:PayeeFinancialAccount | //cbc:DueDate | //cbc:PaymentDueDate", namespaces=NS)


def test_credit_note_without_kid_or_due_date_has_no_payment_means_and_validates():
    xml = render(dataclasses.replace(CREDIT_NOTE, kid="", bank_account=""))

    assert_valid(xml, "credit_note", expected_warnings=frozenset({EXPECTED_WARNING_FOR_MUNICIPALITY}))
    assert not parse(xml).xpath("//cac:PaymentMeans | //cac:PaymentTerms", namespaces=NS)


def test_several_lines_with_quantities_validate():
    invoice = dataclasses.replace(
        INVOICE,
        lines=(
            Line("Grunnbeløp", "", Decimal("1"), Decimal("100000.00"), Decimal("100000.00")),
            Line("Per innbygger", "1 691 innbyggere à 20 kr", Decimal("1691"), Decimal("20.00"), Decimal("33820.00")),
            Line("Kurs", "", Decimal("2.5"), Decimal("0.35"), Decimal("0.88")),
        ),
        total=Decimal("133820.88"),
        period_start=None,
        period_end=None,
        note="",
    )
    xml = render(invoice)

    assert_valid(xml, "invoice", expected_warnings=frozenset({EXPECTED_WARNING_FOR_MUNICIPALITY}))
    root = parse(xml)
    assert [line.text for line in root.xpath("//cac:InvoiceLine/cbc:ID", namespaces=NS)] == ["1", "2", "3"]
    assert not root.xpath("//cac:InvoicePeriod | /inv:Invoice/cbc:Note", namespaces=NS)


def test_a_minimal_buyer_address_and_no_email_validate():
    invoice = dataclasses.replace(
        INVOICE,
        seller=dataclasses.replace(SELLER, email=""),
        buyer=Party(name="Masfjorden kommune", org_number="964967636"),
    )

    assert_valid(render(invoice), "invoice", expected_warnings=frozenset({EXPECTED_WARNING_FOR_MUNICIPALITY}))


def test_rendering_is_deterministic():
    first = render(INVOICE)

    assert render(INVOICE) == first
    assert render(dataclasses.replace(INVOICE)) == first
    assert render(CREDIT_NOTE) == render(CREDIT_NOTE)
    assert first.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<Invoice ')
    first.decode("utf-8")


def remove(xml: bytes, path: str) -> bytes:
    """The document without the elements at path."""
    root = parse(xml)
    for element in root.xpath(path, namespaces=NS):
        element.getparent().remove(element)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def rule_ids(findings: list[str]) -> set[str]:
    """The rule identifiers in the findings."""
    return {finding.split(":", 1)[0] for finding in findings}


def test_validator_catches_a_missing_buyer_reference():
    report = validate(remove(render(INVOICE), "/inv:Invoice/cbc:BuyerReference"), "invoice")

    assert "PEPPOL-EN16931-R003" in rule_ids(report.fatal)


def test_validator_catches_standard_rate_without_percent():
    root = parse(render(INVOICE))
    for category_id in root.xpath("//cac:TaxCategory/cbc:ID | //cac:ClassifiedTaxCategory/cbc:ID", namespaces=NS):
        category_id.text = "S"
    report = validate(etree.tostring(root, xml_declaration=True, encoding="UTF-8"), "invoice")

    assert report.fatal
    assert {"BR-S-05", "BR-S-10"} & rule_ids(report.fatal)


def test_validator_catches_a_vat_identifier_with_category_o():
    root = parse(render(INVOICE))
    party = root.xpath("/inv:Invoice/cac:AccountingSupplierParty/cac:Party", namespaces=NS)[0]
    tax_scheme = etree.Element(f"{{{NS['cac']}}}PartyTaxScheme")
    etree.SubElement(tax_scheme, f"{{{NS['cbc']}}}CompanyID").text = "NO964338531MVA"
    etree.SubElement(etree.SubElement(tax_scheme, f"{{{NS['cac']}}}TaxScheme"), f"{{{NS['cbc']}}}ID").text = "VAT"
    party.find("cac:PartyLegalEntity", NS).addprevious(tax_scheme)
    report = validate(etree.tostring(root, xml_declaration=True, encoding="UTF-8"), "invoice")

    assert report.schema_errors == []
    assert "BR-O-02" in rule_ids(report.fatal)


def test_validator_catches_schema_errors():
    root = parse(render(INVOICE))
    due_date = root.find("cbc:DueDate", NS)
    root.append(due_date)  # Out of order: the XSD does not allow DueDate at the end.
    report = validate(etree.tostring(root, xml_declaration=True, encoding="UTF-8"), "invoice")

    assert report.schema_errors
    assert not report.ok


@pytest.mark.parametrize(
    "garbage",
    [
        b"",
        b"not xml at all",
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n",
        b"<!DOCTYPE html><html><head><title>Server Error (500)</title></head><body><h1>500</h1></body></html>",
        b"<?xml version='1.0'?><html xmlns='http://www.w3.org/1999/xhtml'><body><p>Logg inn</p></body></html>",
    ],
)
def test_validator_fails_what_is_not_an_ehf_document(garbage):
    # Checks must look at schema errors too: for input that is not XML the rules never run, so `fatal` is empty.
    report = validate(garbage, "invoice")
    assert report.schema_errors
    assert not report.ok


def test_validator_catches_an_invoice_checked_as_a_credit_note():
    assert validate(render(INVOICE), "credit_note").schema_errors


BAD_INPUT = {
    "lines do not sum to the total": (
        dataclasses.replace(INVOICE, total=Decimal("133821.00")),
        "the lines sum to 133820.00, not to the total 133821.00",
    ),
    "invoice without due date": (dataclasses.replace(INVOICE, due_date=None), "an invoice needs a due date"),
    "credit note without credited number": (
        dataclasses.replace(CREDIT_NOTE, credited_number=""),
        "a credit note must name the invoice it credits",
    ),
    "seller org number of 8 digits": (
        dataclasses.replace(INVOICE, seller=dataclasses.replace(SELLER, org_number="96433853")),
        "seller's organisation number '96433853' is not 9 digits",
    ),
    "buyer org number with a bad check digit": (
        dataclasses.replace(INVOICE, buyer=dataclasses.replace(BUYER, org_number="964967637")),
        "buyer's organisation number '964967637' is not 9 digits with a valid MOD11",
    ),
    "line amount is not quantity times price": (
        dataclasses.replace(
            INVOICE,
            lines=(dataclasses.replace(INVOICE.lines[0], quantity=Decimal("2")),),
        ),
        "line 1: the amount 133820.00 is not quantity × unit price",
    ),
    "amount with three decimals": (
        dataclasses.replace(
            INVOICE,
            lines=(Line("X", "", Decimal("1"), Decimal("1.005"), Decimal("1.005")),),
            total=Decimal("1.005"),
        ),
        "more than two decimals",
    ),
    "negative total": (
        dataclasses.replace(
            INVOICE, lines=(Line("X", "", Decimal("1"), Decimal("-5.00"), Decimal("-5.00")),), total=Decimal("-5.00")
        ),
        "unit price must not be negative",
    ),
    "no lines": (dataclasses.replace(INVOICE, lines=(), total=Decimal("0.00")), "at least one line"),
    "no buyer reference": (dataclasses.replace(INVOICE, buyer_reference=" "), "buyer reference is required"),
    "no exemption reason": (dataclasses.replace(INVOICE, vat_exemption_reason=""), "VAT exemption reason"),
    "bank account with a bad check digit": (
        dataclasses.replace(INVOICE, bank_account="15030112359"),
        "bank account '15030112359' is not an 11-digit Norwegian account number",
    ),
    "KID with letters": (dataclasses.replace(INVOICE, kid="12AB"), "KID of 2 to 25 digits"),
    "period ending before it starts": (
        dataclasses.replace(INVOICE, period_start=date(2026, 12, 31), period_end=date(2026, 1, 1)),
        "the period ends",
    ),
    "unknown kind": (dataclasses.replace(INVOICE, kind="receipt"), "kind must be 'invoice' or 'credit_note'"),
}


@pytest.mark.parametrize(("document", "message"), BAD_INPUT.values(), ids=BAD_INPUT.keys())
def test_bad_input_raises_value_error_with_a_message(document, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        render(document)


@pytest.mark.skipif(not SHARED_SCHEMAS.is_dir(), reason=f"{SHARED_SCHEMAS} is not there to compare with")
def test_schema_copy_matches_the_shared_schemas_byte_for_byte():
    shared_files = sorted(path.relative_to(SHARED_SCHEMAS) for path in SHARED_SCHEMAS.rglob("*") if path.is_file())

    assert shared_files, f"{SHARED_SCHEMAS} has no files"
    for relative in shared_files:
        copy = SCHEMAS / relative
        assert copy.is_file(), f"{relative} is in {SHARED_SCHEMAS} but not in {SCHEMAS}"
        assert copy.read_bytes() == (SHARED_SCHEMAS / relative).read_bytes(), f"{relative} differs from the shared copy"
