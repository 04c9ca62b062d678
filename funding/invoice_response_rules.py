"""The business rules of Peppol BIS Invoice Response 3.0 (T111), checked on an ApplicationResponse with lxml.

Each rule carries the identifier and flag the specification gives it, so a finding can be looked up in the Peppol
validation artefacts: the T111 rules and the common rules the T111 validation includes (empty elements, schema
location, date format, the check digits of participant identifiers). A fatal finding means the response is not a
valid Invoice Response; a warning is kept with the response and does not stop it. No ORM here.

Source: OpenPEPPOL/poacc-upgrade-3, release v3.0.15: rules/sch/PEPPOLBIS-T111.sch, rules/sch/parts/PEPPOL-M-T111.sch,
rules/sch/parts/PEPPOL-M-T111-2.sch, rules/sch/parts/common/empty-elements.sch and rules/sch/parts/common/rules.sch.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date

from lxml import etree
from stdnum import ean
from stdnum.au import abn
from stdnum.it import codicefiscale, iva
from stdnum.no import orgnr

NS = {
    "ar": "urn:oasis:names:specification:ubl:schema:xsd:ApplicationResponse-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}
FATAL, WARNING = "fatal", "warning"

# The codes each clarification list allows (OPStatusReason, OPStatusAction).
STATUS_REASON_CODES = frozenset(
    ["NON", "REF", "LEG", "REC", "QUA", "DEL", "PRI", "QTY", "ITM", "PAY", "PPD", "UNR", "FIN", "OTH"]
)
STATUS_ACTION_CODES = frozenset({"NOA", "PIN", "NIN", "CNF", "CNP", "CNA", "OTH"})
# Response codes after which the buyer must say why.
CODES_NEEDING_CLARIFICATION = frozenset({"CA", "UQ", "RE"})
SPECIFICATION_PREFIX = "urn:fdc:peppol.eu:poacc:trns:invoice_response:3"
DATE_ELEMENTS = ("IssueDate", "DueDate", "TaxPointDate", "StartDate", "EndDate", "ActualDeliveryDate")


@dataclass(frozen=True)
class Finding:
    """One broken rule: its identifier, fatal or warning, what it says and where in the response."""

    rule_id: str
    flag: str
    message: str
    where: str

    def __str__(self) -> str:
        return f"{self.rule_id} ({self.where}): {self.message}"


@dataclass(frozen=True)
class Rule:
    rule_id: str
    flag: str
    message: str
    offenders: Callable[[etree._Element], Iterator[etree._Element]]


def _xpath(root: etree._Element, path: str) -> list[etree._Element]:
    found = root.xpath(path, namespaces=NS)
    assert isinstance(found, list)
    return [node for node in found if isinstance(node, etree._Element)]


def _text(node: etree._Element | None) -> str:
    return " ".join((node.text or "").split()) if node is not None else ""


def _identifiers(root: etree._Element, scheme: str) -> list[etree._Element]:
    """Endpoint, party and company identifiers in one identifier scheme (ICD), e.g. 0192 for Norway."""
    return _xpath(
        root,
        f"//cbc:EndpointID[@schemeID='{scheme}'] | //cac:PartyIdentification/cbc:ID[@schemeID='{scheme}']"
        f" | //cbc:CompanyID[@schemeID='{scheme}']",
    )


def _identifier_rule(
    scheme: str, valid: Callable[[str], bool], *, endpoint_only_scheme: str = ""
) -> Callable[[etree._Element], Iterator[etree._Element]]:
    def offenders(root: etree._Element) -> Iterator[etree._Element]:
        if endpoint_only_scheme:
            nodes = _xpath(root, f"//cbc:EndpointID[@schemeID='{endpoint_only_scheme}']")
        else:
            nodes = _identifiers(root, scheme)
        yield from (node for node in nodes if not valid(_text(node)))

    return offenders


def _empty_elements(root: etree._Element) -> Iterator[etree._Element]:
    yield from _xpath(root, "//*[not(*) and not(normalize-space())]")


def _schema_location(root: etree._Element) -> Iterator[etree._Element]:
    if root.xpath("@*[local-name()='schemaLocation']"):
        yield root


def _bad_dates(root: etree._Element) -> Iterator[etree._Element]:
    for node in _xpath(root, " | ".join(f"//cbc:{name}" for name in DATE_ELEMENTS)):
        text = (node.text or "").strip()
        try:
            ok = bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}", text)) and bool(date.fromisoformat(text))
        except ValueError:
            ok = False
        if not ok:
            yield node


def _gln(value: str) -> bool:
    return value.isascii() and value.isdigit() and ean.is_valid(value)


def _norwegian_organisation_number(value: str) -> bool:
    return bool(re.fullmatch(r"[0-9]{9}", value)) and orgnr.is_valid(value)


def _belgian_enterprise_number(value: str) -> bool:
    return bool(re.fullmatch(r"[0-9]{10}", value)) and 97 - int(value[:8]) % 97 == int(value[8:])


def _swedish_organisation_number(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return len(value) == 10


def _italian_tax_code(value: str) -> bool:
    return codicefiscale.is_valid(value) or iva.is_valid(value)


def _italian_ipa_code(value: str) -> bool:
    return bool(re.fullmatch(r"[0-9A-Za-z]{6}", value))


def _unclarified_responses(root: etree._Element) -> Iterator[etree._Element]:
    for response in _xpath(root, "//cac:DocumentResponse/cac:Response"):
        code = _text(response.find("cbc:ResponseCode", NS))
        if code in CODES_NEEDING_CLARIFICATION and response.find("cac:Status/cbc:StatusReasonCode", NS) is None:
            yield response


def _statuses_with_code(root: etree._Element, code: str) -> Iterator[etree._Element]:
    for status in _xpath(root, "//cac:Status[cbc:StatusReasonCode]"):
        if _text(status.find("cbc:StatusReasonCode", NS)) == code:
            yield status


def _without_reason(code: str) -> Callable[[etree._Element], Iterator[etree._Element]]:
    def offenders(root: etree._Element) -> Iterator[etree._Element]:
        yield from (status for status in _statuses_with_code(root, code) if status.find("cbc:StatusReason", NS) is None)

    return offenders


def _wrong_specification(root: etree._Element) -> Iterator[etree._Element]:
    for node in _xpath(root, "//cbc:CustomizationID"):
        if not _text(node).startswith(SPECIFICATION_PREFIX):
            yield node


def _partial_payment_without_paid(root: etree._Element) -> Iterator[etree._Element]:
    for status in _statuses_with_code(root, "PPD"):
        response = status.getparent()
        if response is not None and _text(response.find("cbc:ResponseCode", NS)) != "PD":
            yield status


def _codes_outside(list_id: str, allowed: frozenset[str]) -> Callable[[etree._Element], Iterator[etree._Element]]:
    def offenders(root: etree._Element) -> Iterator[etree._Element]:
        for status in _xpath(root, f"//cac:Status[cbc:StatusReasonCode/@listID='{list_id}']"):
            if _text(status.find("cbc:StatusReasonCode", NS)) not in allowed:
                yield status

    return offenders


RULES: tuple[Rule, ...] = (
    Rule("PEPPOL-COMMON-R001", FATAL, "The document must not contain empty elements.", _empty_elements),
    Rule("PEPPOL-COMMON-R003", WARNING, "The document should not name a schema location.", _schema_location),
    Rule("PEPPOL-COMMON-R030", FATAL, "A date must be written YYYY-MM-DD.", _bad_dates),
    Rule(
        "PEPPOL-COMMON-R040",
        FATAL,
        "A GLN (scheme 0088) must have a valid GS1 check digit.",
        _identifier_rule("0088", _gln),
    ),
    Rule(
        "PEPPOL-COMMON-R041",
        FATAL,
        "A Norwegian organisation number (scheme 0192) must have nine digits and a valid check digit.",
        _identifier_rule("0192", _norwegian_organisation_number),
    ),
    Rule(
        "PEPPOL-COMMON-R043",
        WARNING,
        "A Belgian enterprise number (scheme 0208) must have ten digits and a valid modulo 97 check.",
        _identifier_rule("0208", _belgian_enterprise_number),
    ),
    Rule(
        "PEPPOL-COMMON-R044",
        WARNING,
        "An Italian IPA code (scheme 0201) must be six letters or digits.",
        _identifier_rule("0201", _italian_ipa_code),
    ),
    Rule(
        "PEPPOL-COMMON-R045",
        WARNING,
        "An Italian tax code (scheme 0210) must be in the correct format.",
        _identifier_rule("0210", _italian_tax_code),
    ),
    Rule(
        "PEPPOL-COMMON-R046",
        WARNING,
        "An Italian tax code (endpoint scheme 9907) must be in the correct format.",
        _identifier_rule("9907", _italian_tax_code, endpoint_only_scheme="9907"),
    ),
    Rule(
        "PEPPOL-COMMON-R047",
        WARNING,
        "An Italian VAT number (scheme 0211) must be in the correct format.",
        _identifier_rule("0211", iva.is_valid),
    ),
    Rule(
        "PEPPOL-COMMON-R048",
        WARNING,
        "An Italian VAT number (endpoint scheme 9906) must be in the correct format.",
        _identifier_rule("9906", iva.is_valid, endpoint_only_scheme="9906"),
    ),
    Rule(
        "PEPPOL-COMMON-R049",
        WARNING,
        "A Swedish organisation number (scheme 0007) must have ten digits.",
        _identifier_rule("0007", _swedish_organisation_number),
    ),
    Rule(
        "PEPPOL-COMMON-R050",
        WARNING,
        "An Australian Business Number (scheme 0151) must be in the correct format.",
        _identifier_rule("0151", abn.is_valid),
    ),
    Rule(
        "PEPPOL-T111-R001",
        FATAL,
        "A response CA, UQ or RE must give a clarification code (Status/StatusReasonCode).",
        _unclarified_responses,
    ),
    Rule(
        "PEPPOL-T111-R002",
        WARNING,
        "A clarification code OTH should come with a clarification reason (StatusReason).",
        _without_reason("OTH"),
    ),
    Rule(
        "PEPPOL-T111-R003",
        FATAL,
        f"The specification identifier (CustomizationID) must start with {SPECIFICATION_PREFIX}.",
        _wrong_specification,
    ),
    Rule(
        "PEPPOL-T111-R004",
        FATAL,
        "A clarification code PPD (partially paid) must come with a clarification reason (StatusReason).",
        _without_reason("PPD"),
    ),
    Rule(
        "PEPPOL-T111-R005",
        FATAL,
        "The clarification code PPD may only be used with the response code PD (paid).",
        _partial_payment_without_paid,
    ),
    Rule(
        "PEPPOL-T111-R006",
        FATAL,
        "A clarification code in the list OPStatusAction must be one of "
        + ", ".join(sorted(STATUS_ACTION_CODES))
        + ".",
        _codes_outside("OPStatusAction", STATUS_ACTION_CODES),
    ),
    Rule(
        "PEPPOL-T111-R007",
        FATAL,
        "A clarification code in the list OPStatusReason must be one of "
        + ", ".join(sorted(STATUS_REASON_CODES))
        + ".",
        _codes_outside("OPStatusReason", STATUS_REASON_CODES),
    ),
)


def _where(node: etree._Element) -> str:
    """The element's path with the UBL prefixes, e.g. cac:DocumentResponse/cac:Response/cac:Status."""
    prefixes = {uri: prefix for prefix, uri in NS.items()}
    steps = []
    current: etree._Element | None = node
    while current is not None and current.getparent() is not None:
        name = etree.QName(current)
        steps.append(f"{prefixes.get(name.namespace or '', '')}:{name.localname}".lstrip(":"))
        current = current.getparent()
    return "/".join(reversed(steps)) or etree.QName(node).localname


def check(root: etree._Element) -> tuple[Finding, ...]:
    """Every rule the response breaks, in the order of RULES, once per offending element."""
    return tuple(
        Finding(rule.rule_id, rule.flag, rule.message, _where(node)) for rule in RULES for node in rule.offenders(root)
    )
