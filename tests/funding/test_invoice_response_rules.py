"""The BIS Invoice Response 3.0 business rules: each one caught on a response shaped like the Peppol test for it,
and the shapes of the specification's use-case examples and the portal's own test files passing.

Shapes from OpenPEPPOL/poacc-upgrade-3 (see tests/data/peppol/README.md): the test files under
rules/Test/testfiles/BIS63_InvoiceResponse/, the unit tests under rules/unit-invoice-response/ and the examples under
rules/examples/Invoice reponse use cases/."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree
from stdnum import ean

from funding import invoice_response, invoice_response_rules
from funding.invoice_response_rules import FATAL, WARNING, check

RESPONSES = Path(__file__).resolve().parents[1] / "data" / "peppol"
AR, CAC, CBC = (invoice_response_rules.NS[prefix] for prefix in ("ar", "cac", "cbc"))


def response(
    code: str = "AP",
    statuses: tuple[tuple[str, str, str], ...] = (),
    *,
    customization: str = "urn:fdc:peppol.eu:poacc:trns:invoice_response:3",
    sender: tuple[str, str] = ("0192", "945627913"),
    issue_date: str = "2026-11-25",
    note: str | None = None,
    schema_location: bool = False,
) -> bytes:
    """An Invoice Response from Masfjorden to Bergen about invoice 17; each status is (listID, code, reason)."""
    location = (
        ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="urn:x ApplicationResponse.xsd"'
        if schema_location
        else ""
    )
    status_xml = "".join(
        "<cac:Status>"
        + (f'<cbc:StatusReasonCode listID="{list_id}">{reason_code}</cbc:StatusReasonCode>' if reason_code else "")
        + (f"<cbc:StatusReason>{text}</cbc:StatusReason>" if text else "")
        + "</cac:Status>"
        for list_id, reason_code, text in statuses
    )
    note_xml = f"<cbc:Note>{note}</cbc:Note>" if note is not None else ""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<ApplicationResponse xmlns="{AR}" xmlns:cac="{CAC}" xmlns:cbc="{CBC}"{location}>
  <cbc:CustomizationID>{customization}</cbc:CustomizationID>
  <cbc:ProfileID>urn:fdc:peppol.eu:poacc:bis:invoice_response:3</cbc:ProfileID>
  <cbc:ID>IR-17</cbc:ID>
  <cbc:IssueDate>{issue_date}</cbc:IssueDate>{note_xml}
  <cac:SenderParty>
    <cbc:EndpointID schemeID="{sender[0]}">{sender[1]}</cbc:EndpointID>
    <cac:PartyLegalEntity><cbc:RegistrationName>Masfjorden kommune</cbc:RegistrationName></cac:PartyLegalEntity>
  </cac:SenderParty>
  <cac:ReceiverParty>
    <cbc:EndpointID schemeID="0192">964338531</cbc:EndpointID>
    <cac:PartyLegalEntity><cbc:RegistrationName>Bergen kommune</cbc:RegistrationName></cac:PartyLegalEntity>
  </cac:ReceiverParty>
  <cac:DocumentResponse>
    <cac:Response><cbc:ResponseCode listID="UNCL4343OpSubset">{code}</cbc:ResponseCode>{status_xml}</cac:Response>
    <cac:DocumentReference><cbc:ID>17</cbc:ID><cbc:DocumentTypeCode>380</cbc:DocumentTypeCode></cac:DocumentReference>
  </cac:DocumentResponse>
</ApplicationResponse>""".encode()


def findings(content: bytes) -> list[tuple[str, str]]:
    return [(finding.rule_id, finding.flag) for finding in check(etree.fromstring(content))]


GOOD_GLN = "7080003837163"[:12] + ean.calc_check_digit("7080003837163"[:12])
BAD_GLN = GOOD_GLN[:12] + str((int(GOOD_GLN[12]) + 1) % 10)
REASON, ACTION = "OPStatusReason", "OPStatusAction"

# For every rule: a response shaped like the Peppol test that breaks it, and what the validation must say.
BREAKING = [
    ("PEPPOL-COMMON-R001", FATAL, response(note="")),
    ("PEPPOL-COMMON-R003", WARNING, response(schema_location=True)),
    ("PEPPOL-COMMON-R030", FATAL, response(issue_date="25.11.2026")),
    ("PEPPOL-COMMON-R030", FATAL, response(issue_date="20261125")),
    ("PEPPOL-COMMON-R030", FATAL, response(issue_date="2026-02-30")),
    ("PEPPOL-COMMON-R040", FATAL, response(sender=("0088", BAD_GLN))),
    ("PEPPOL-COMMON-R041", FATAL, response(sender=("0192", "945627914"))),
    ("PEPPOL-COMMON-R041", FATAL, response(sender=("0192", "NO945627913MVA"))),
    ("PEPPOL-COMMON-R043", WARNING, response(sender=("0208", "0123456788"))),
    ("PEPPOL-COMMON-R044", WARNING, response(sender=("0201", "UF5"))),
    ("PEPPOL-COMMON-R045", WARNING, response(sender=("0210", "RSSMRA85T10A56"))),
    ("PEPPOL-COMMON-R046", WARNING, response(sender=("9907", "RSSMRA85T10A56"))),
    ("PEPPOL-COMMON-R047", WARNING, response(sender=("0211", "IT12345678901"))),
    ("PEPPOL-COMMON-R048", WARNING, response(sender=("9906", "IT12345678901"))),
    ("PEPPOL-COMMON-R049", WARNING, response(sender=("0007", "55660-3691"))),
    ("PEPPOL-COMMON-R050", WARNING, response(sender=("0151", "51824753557"))),
    # T111-rt005 "No rejection reason" and the unit tests of R001: CA, UQ or RE without a clarification code.
    ("PEPPOL-T111-R001", FATAL, response("RE")),
    ("PEPPOL-T111-R001", FATAL, response("UQ", ((REASON, "", "Mangler bestillarreferanse"),))),
    ("PEPPOL-T111-R001", FATAL, response("CA")),
    # T111-rt013 "Clarification code OTH": OTH without a reason.
    ("PEPPOL-T111-R002", WARNING, response("AP", ((REASON, "OTH", ""),))),
    # T111-rt001 "profile and customization id".
    ("PEPPOL-T111-R003", FATAL, response(customization="urn:www.cenbii.eu:transaction:biitrns111:ver2.0")),
    # The unit tests of R004/R005: a partial payment needs its reason, and only goes with PD.
    ("PEPPOL-T111-R004", FATAL, response("PD", ((REASON, "PPD", ""),))),
    ("PEPPOL-T111-R005", FATAL, response("AP", ((REASON, "PPD", "Betalt 50 000 kr av 104 220 kr"),))),
    # T111-rt012 "Unsupported reason and action codes".
    ("PEPPOL-T111-R006", FATAL, response("UQ", ((REASON, "REF", "Ref"), (ACTION, "XYZ", "")))),
    ("PEPPOL-T111-R006", FATAL, response("PD", ((ACTION, "PPD", "Delbetaling"),))),
    ("PEPPOL-T111-R007", FATAL, response("RE", ((REASON, "XYZ", "Feil"),))),
]


@pytest.mark.parametrize(("rule_id", "flag", "content"), BREAKING)
def test_a_response_breaking_one_rule_is_flagged_with_exactly_that_rule(rule_id, flag, content):
    assert findings(content) == [(rule_id, flag)]


def test_every_rule_has_a_breaking_response_and_says_fatal_or_warning():
    assert {rule.rule_id for rule in invoice_response_rules.RULES} == {rule_id for rule_id, _, _ in BREAKING}
    assert {rule.flag for rule in invoice_response_rules.RULES} == {FATAL, WARNING}
    assert all(rule.message for rule in invoice_response_rules.RULES)


# The use-case examples of the specification (rules/examples/Invoice reponse use cases/), by their codes.
USE_CASES = {
    "uc001 in process": ("IP", ()),
    "uc002a additional reference data": ("IP", ((ACTION, "NOA", ""),)),
    "uc002b in process but postponed": ("IP", (("", "", "Varene er ikkje mottekne enno."),)),
    "uc003 accepted": ("AP", ()),
    "uc004a rejected": ("RE", ((REASON, "REF", "Bestillarreferansen manglar."),)),
    "uc004b rejected, reissue": ("RE", ((REASON, "REF", "Bestillarreferansen manglar."), (ACTION, "NIN", ""))),
    "uc004c rejected, replace": ("RE", ((REASON, "REF", ""), (ACTION, "CNF", ""), (ACTION, "NIN", ""))),
    "uc005 conditionally accepted": ("CA", ((REASON, "PAY", "Betalingsfristen er 30 dagar."),)),
    "uc006a under query": ("UQ", ((REASON, "REF", "Kva for avtale gjeld det?"), (ACTION, "PIN", ""))),
    "uc006c partial credit": ("UQ", ((REASON, "DEL", "Levert 2, fakturert 5."), (ACTION, "CNP", ""))),
    "uc007 paid": ("PD", ()),
    "uc009 partially paid": ("PD", ((REASON, "PPD", "Betalt 50 000 kr av 104 220 kr."),)),
}


@pytest.mark.parametrize("name", sorted(USE_CASES))
def test_the_use_case_shapes_pass_every_rule_and_are_read(name):
    code, statuses = USE_CASES[name]
    content = response(code, statuses)
    assert findings(content) == []
    parsed = invoice_response.parse(content)
    assert (parsed.code, parsed.warnings) == (code, ())


@pytest.mark.parametrize("name", sorted(path.name for path in RESPONSES.glob("*.xml")))
def test_the_portals_own_test_responses_break_no_rule(name):
    assert findings((RESPONSES / name).read_bytes()) == []


def test_a_valid_gln_passes():
    assert findings(response(sender=("0088", GOOD_GLN))) == []


def test_a_fatal_rule_stops_the_response_naming_the_rule_and_the_element():
    with pytest.raises(invoice_response.InvoiceResponseError) as error:
        invoice_response.parse(response("RE", ((REASON, "XYZ", "Feil"),), issue_date="25.11.2026"))
    message = str(error.value)
    assert "PEPPOL-COMMON-R030 (cbc:IssueDate): A date must be written YYYY-MM-DD." in message
    assert "PEPPOL-T111-R007 (cac:DocumentResponse/cac:Response/cac:Status)" in message


def test_a_warning_travels_with_the_response_and_does_not_stop_it():
    parsed = invoice_response.parse(response("AP", ((REASON, "OTH", ""),), schema_location=True))
    assert parsed.code == "AP"
    assert [warning.split(" ")[0] for warning in parsed.warnings] == ["PEPPOL-COMMON-R003", "PEPPOL-T111-R002"]
