"""The buyer receives EHF at its stored e-invoice address with its scheme; the organisation number under 0192 only
when none is stored."""

import dataclasses
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from lxml import etree
from stdnum import ean
from stdnum.no import orgnr

from funding.ehf import render
from funding.models import Contribution, Invoice
from funding.services import invoice_document_bytes, invoice_issue, invoice_preview
from tests.ehf_validation import validate
from tests.funding.test_ehf import BUYER, INVOICE, NS

ISSUE, DUE = date(2026, 11, 23), date(2026, 12, 23)
# Another unit that receives for the buyer (e.g. a shared accounting office), with a valid organisation number.
RECEIVER = "921707134"
GLN = "708000381699" + ean.calc_check_digit("708000381699")


def buyer_endpoint(xml: bytes) -> tuple[str, str]:
    found = etree.fromstring(xml).xpath("cac:AccountingCustomerParty/cac:Party/cbc:EndpointID", namespaces=NS)
    assert len(found) == 1
    return found[0].get("schemeID"), found[0].text


def assert_valid(xml: bytes, kind: str = "invoice") -> None:
    report = validate(xml, kind)
    assert report.schema_errors == [], report.schema_errors
    assert report.fatal == [], report.fatal


def test_the_test_data_is_valid():
    assert orgnr.is_valid(RECEIVER) and ean.is_valid(GLN)


@pytest.mark.parametrize(("scheme", "identifier"), [("0192", RECEIVER), ("0088", GLN)])
def test_a_party_with_its_own_address_receives_there(scheme, identifier):
    buyer = dataclasses.replace(BUYER, endpoint_scheme=scheme, endpoint_id=identifier)
    xml = render(dataclasses.replace(INVOICE, buyer=buyer))
    assert buyer_endpoint(xml) == (scheme, identifier)
    assert_valid(xml)


def test_a_party_without_an_address_receives_at_its_organisation_number():
    assert buyer_endpoint(render(INVOICE)) == ("0192", BUYER.org_number)


@pytest.mark.parametrize(
    ("scheme", "identifier", "message"),
    [
        ("192", RECEIVER, "'192' is not a four-digit EAS code"),
        ("0192", "12345678", "'12345678' is not an organisation number"),
        ("0088", "", "the identifier '' is empty"),
    ],
)
def test_an_address_that_cannot_be_sent_to_is_refused(scheme, identifier, message):
    buyer = dataclasses.replace(BUYER, endpoint_scheme=scheme, endpoint_id=identifier)
    with pytest.raises(ValueError, match=message):
        render(dataclasses.replace(INVOICE, buyer=buyer))


@pytest.mark.django_db
def test_an_invoice_goes_to_the_stored_address_with_its_scheme(invoicing):
    invoicing.own.einvoice_endpoint = f"0192:{RECEIVER}"
    invoicing.own.save()
    contribution = Contribution.objects.get(organisation=invoicing.own, year=2026)
    invoice, _created = invoice_issue(contribution=contribution, issue_date=ISSUE, due_date=DUE)
    assert invoice.buyer_endpoint == f"0192:{RECEIVER}"
    xml = invoice_document_bytes(invoice=invoice, kind="ehf")
    assert buyer_endpoint(xml) == ("0192", RECEIVER)
    assert_valid(xml)


@pytest.mark.django_db
def test_without_a_stored_address_the_invoice_goes_to_the_organisation_number(invoicing):
    invoicing.foreign.einvoice_endpoint = ""
    invoicing.foreign.save()
    contribution = Contribution.objects.get(organisation=invoicing.foreign, year=2026)
    invoice, _created = invoice_issue(contribution=contribution, issue_date=ISSUE, due_date=DUE)
    xml = invoice_document_bytes(invoice=invoice, kind="ehf")
    assert buyer_endpoint(xml) == ("0192", invoicing.foreign.org_number)
    assert_valid(xml)


@pytest.mark.django_db
def test_an_unusable_stored_address_stops_issuing_and_is_named(invoicing):
    invoicing.own.einvoice_endpoint = "postmottak@masfjorden.kommune.no"
    invoicing.own.save()
    preview = invoice_preview(year=2026)
    assert any("postmottak@masfjorden.kommune.no" in problem for problem in preview.problems[invoicing.own.pk])
    contribution = Contribution.objects.get(organisation=invoicing.own, year=2026)
    with pytest.raises(ValidationError, match="e-invoice address"):
        invoice_issue(contribution=contribution, issue_date=ISSUE, due_date=DUE)
    assert not Invoice.objects.exists()
