"""Peppol BIS Invoice Response 3.0: the buyer's answer to an invoice, as a UBL 2.1 ApplicationResponse.

Read with lxml. The response names the invoice it answers (DocumentResponse/DocumentReference/ID and, for a credit
note, DocumentTypeCode 381), a response code from the UNCL4343 subset, and the reasons (Status/StatusReasonCode in
the OPStatusReason list, and StatusReason text). No ORM here.

Before anything is read, the response must break none of the fatal business rules of BIS Invoice Response 3.0
(funding/invoice_response_rules.py); the rules it breaks as warnings travel with it.

Source: https://docs.peppol.eu/poacc/upgrade-3/profiles/63-invoiceresponse/ and the syntax binding
https://docs.peppol.eu/poacc/upgrade-3/syntax/ApplicationResponse/tree/ (code lists UNCL4343 subset,
OPStatusReason, OPStatusAction).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from lxml import etree

from funding import invoice_response_rules

NS = {
    "ar": "urn:oasis:names:specification:ubl:schema:xsd:ApplicationResponse-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}
CUSTOMIZATION_ID = "urn:fdc:peppol.eu:poacc:trns:invoice_response:3"
PROFILE_ID = "urn:fdc:peppol.eu:poacc:bis:invoice_response:3"

# UNCL4343 subset used by the Invoice Response, and what each means for the invoice in the portal.
DELIVERED, ACCEPTED, REJECTED = "delivered", "accepted", "rejected"
RESPONSE_CODES = {
    "AB": DELIVERED,  # Message acknowledgement: received by the buyer
    "IP": DELIVERED,  # In process
    "UQ": DELIVERED,  # Under query: the buyer needs more information (reasons given)
    "CA": ACCEPTED,  # Conditionally accepted
    "AP": ACCEPTED,  # Accepted
    "PD": ACCEPTED,  # Fully paid
    "RE": REJECTED,  # Rejected (reasons given)
}
RESPONSE_LABELS = {
    "AB": "Message acknowledgement",
    "IP": "In process",
    "UQ": "Under query",
    "CA": "Conditionally accepted",
    "RE": "Rejected",
    "AP": "Accepted",
    "PD": "Paid",
}
# OPStatusReason: why the buyer answers as it does.
STATUS_REASONS = {
    "NON": "No issue",
    "REF": "References incorrect",
    "LEG": "Legal information incorrect",
    "REC": "Receiver unknown",
    "QUA": "Item quality insufficient",
    "DEL": "Delivery issues",
    "PRI": "Prices incorrect",
    "QTY": "Quantity incorrect",
    "ITM": "Items incorrect",
    "PAY": "Payment terms incorrect",
    "UNR": "Not recognized",
    "FIN": "Finance incorrect",
    "PPD": "Partially paid",
    "OTH": "Other",
}


class InvoiceResponseError(ValueError):
    """The file is not a Peppol Invoice Response; the message names the element."""


@dataclass(frozen=True)
class InvoiceResponse:
    response_id: str
    issue_date: date
    sender_endpoint: str  # "0192:945627913": the buyer that answers
    receiver_endpoint: str  # the seller, us
    code: str
    invoice_number: str
    document_type: str  # 380 invoice, 381 credit note
    reasons: tuple[str, ...]  # "REF: References incorrect – Order reference missing"
    note: str = ""
    warnings: tuple[str, ...] = ()  # the BIS rules flagged as warnings it breaks

    @property
    def outcome(self) -> str:
        return RESPONSE_CODES[self.code]

    @property
    def reason_text(self) -> str:
        return "; ".join(self.reasons)


def _one(node: etree._Element, path: str, *, required: bool = True) -> str:
    found = node.find(path, NS)
    text = (found.text or "").strip() if found is not None else ""
    if required and not text:
        raise InvoiceResponseError(f"{path.replace('ar:', '')}: missing")
    return text


def _endpoint(node: etree._Element, party: str) -> str:
    endpoint = node.find(f"cac:{party}/cbc:EndpointID", NS)
    if endpoint is None or not (endpoint.text or "").strip():
        raise InvoiceResponseError(f"cac:{party}/cbc:EndpointID: missing")
    scheme = endpoint.get("schemeID", "")
    return f"{scheme}:{endpoint.text.strip()}" if scheme else endpoint.text.strip()


def parse(content: bytes) -> InvoiceResponse:
    """The Invoice Response in `content`, or InvoiceResponseError naming what is wrong."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(content, parser)
    except etree.XMLSyntaxError as error:
        raise InvoiceResponseError(f"not XML: {error}") from None
    if root.tag != f"{{{NS['ar']}}}ApplicationResponse":
        raise InvoiceResponseError(f"the root element is {etree.QName(root).localname}, not ApplicationResponse")
    findings = invoice_response_rules.check(root)
    fatal = [str(finding) for finding in findings if finding.flag == invoice_response_rules.FATAL]
    if fatal:
        raise InvoiceResponseError("breaks " + "; ".join(fatal))
    customization = _one(root, "cbc:CustomizationID")
    if customization != CUSTOMIZATION_ID:
        raise InvoiceResponseError(f"cbc:CustomizationID: {customization!r} is not {CUSTOMIZATION_ID}")
    profile = _one(root, "cbc:ProfileID")
    if profile != PROFILE_ID:
        raise InvoiceResponseError(f"cbc:ProfileID: {profile!r} is not {PROFILE_ID}")
    issue_text = _one(root, "cbc:IssueDate")
    try:
        issue_date = date.fromisoformat(issue_text)
    except ValueError:
        raise InvoiceResponseError(f"cbc:IssueDate: {issue_text!r} is not a date (YYYY-MM-DD)") from None
    responses = root.findall("cac:DocumentResponse", NS)
    if len(responses) != 1:
        raise InvoiceResponseError(f"cac:DocumentResponse: expected exactly one, found {len(responses)}")
    document = responses[0]
    code = _one(document, "cac:Response/cbc:ResponseCode")
    if code not in RESPONSE_CODES:
        raise InvoiceResponseError(
            f"cac:Response/cbc:ResponseCode: {code!r} is not one of {', '.join(sorted(RESPONSE_CODES))}"
        )
    reasons = []
    for status in document.findall("cac:Response/cac:Status", NS):
        reason_code = status.find("cbc:StatusReasonCode", NS)
        code_text = (reason_code.text or "").strip() if reason_code is not None else ""
        list_id = reason_code.get("listID", "") if reason_code is not None else ""
        text = _one(status, "cbc:StatusReason", required=False)
        label = STATUS_REASONS.get(code_text, "") if list_id in ("", "OPStatusReason") else ""
        parts = [f"{code_text}: {label}" if label else code_text, text]
        reasons.append(" – ".join(part for part in parts if part))
    if code in ("RE", "UQ") and not any(reasons):
        raise InvoiceResponseError(f"cac:Response/cac:Status: a response {code} must give a reason")
    return InvoiceResponse(
        response_id=_one(root, "cbc:ID"),
        issue_date=issue_date,
        sender_endpoint=_endpoint(root, "SenderParty"),
        receiver_endpoint=_endpoint(root, "ReceiverParty"),
        code=code,
        invoice_number=_one(document, "cac:DocumentReference/cbc:ID"),
        document_type=_one(document, "cac:DocumentReference/cbc:DocumentTypeCode", required=False) or "380",
        reasons=tuple(reason for reason in reasons if reason),
        note=_one(root, "cbc:Note", required=False),
        warnings=tuple(str(finding) for finding in findings if finding.flag == invoice_response_rules.WARNING),
    )
