"""Validate EHF (Peppol BIS Billing 3.0) documents against the UBL 2.1 XSD and the compiled Schematron rules.

Test helper only: the schemas live under tests/data/schemas (a verbatim copy of /work/shared/schemas).
Each schema and stylesheet is compiled once per process, since compiling the CEN stylesheet takes seconds.
"""

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from lxml import etree

SCHEMAS = Path(__file__).resolve().parent / "data" / "schemas"
XSD = {
    "invoice": SCHEMAS / "ubl-2.1" / "xsd" / "maindoc" / "UBL-Invoice-2.1.xsd",
    "credit_note": SCHEMAS / "ubl-2.1" / "xsd" / "maindoc" / "UBL-CreditNote-2.1.xsd",
}
# Order matters only for the report: EN 16931 first, then the Peppol and national rules.
STYLESHEETS = (
    SCHEMAS / "peppol-bis-billing-3" / "CEN-EN16931-UBL.xslt",
    SCHEMAS / "peppol-bis-billing-3" / "PEPPOL-EN16931-UBL.xslt",
)
SVRL = "http://purl.oclc.org/dsdl/svrl"


@dataclass
class ValidationReport:
    """What the XSD and the business rules said about one document."""

    schema_errors: list[str] = field(default_factory=list)
    fatal: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when the document is XSD-valid and breaks no fatal rule."""
        return not self.schema_errors and not self.fatal


@cache
def _schema(kind: str) -> etree.XMLSchema:
    """The UBL 2.1 schema for the kind ("invoice" or "credit_note"), compiled once."""
    return etree.XMLSchema(etree.parse(str(XSD[kind])))


@cache
def _processor():
    """The one Saxon processor of this process."""
    from saxonche import PySaxonProcessor

    return PySaxonProcessor(license=False)


@cache
def _stylesheet(path: Path):
    """The compiled stylesheet at path, compiled once."""
    compiler = _processor().new_xslt30_processor()
    executable = compiler.compile_stylesheet(stylesheet_file=str(path))
    if executable is None:
        raise RuntimeError(f"Could not compile {path}")
    return executable


def validate(xml_bytes: bytes, kind: str) -> ValidationReport:
    """Validate an EHF invoice or credit note (kind "invoice" or "credit_note") and report every finding."""
    if kind not in XSD:
        raise ValueError(f"kind must be 'invoice' or 'credit_note', not {kind!r}")
    report = ValidationReport()
    try:
        tree = etree.fromstring(xml_bytes)
    except etree.XMLSyntaxError as error:
        report.schema_errors.append(f"not well-formed XML: {error}")
        return report

    schema = _schema(kind)
    if not schema.validate(tree):
        report.schema_errors.extend(f"line {error.line}: {error.message}" for error in schema.error_log)

    node = _processor().parse_xml(xml_text=xml_bytes.decode("utf-8"))
    for path in STYLESHEETS:
        svrl = _stylesheet(path).transform_to_string(xdm_node=node)
        if not svrl:
            raise RuntimeError(f"{path.name} produced no report")
        for failed in etree.fromstring(svrl.encode("utf-8")).iter(f"{{{SVRL}}}failed-assert"):
            text = " ".join("".join(failed.find(f"{{{SVRL}}}text").itertext()).split())
            finding = f"{failed.get('id')}: {text} (at {failed.get('location')})"
            if failed.get("flag") == "warning":
                report.warnings.append(finding)
            else:
                report.fatal.append(finding)
    return report
