"""EHF through the host's Peppol access point: handed over once by SFTP to a real OpenSSH server on loopback,
retried when the server is away, and the buyer's Invoice Response read back and shown."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from celery.exceptions import Retry
from django.urls import reverse
from lxml import etree

from funding import access_point, invoice_response
from funding.choices import DeliveryStatus, InvoiceStatus
from funding.models import Contribution, InvoiceDelivery, InvoiceResponseMessage
from funding.services import invoice_document_bytes, invoice_issue, invoice_send
from funding.services.delivery import delivery_file_name, invoice_responses_collect
from funding.tasks import deliver_invoice
from members.choices import InvoiceChannel
from tests import sftp_server
from tests.ehf_validation import validate

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not sftp_server.available(), reason="openssh-server is not installed"),
]

DATA = Path(__file__).resolve().parents[1] / "data"
RESPONSES = DATA / "peppol"
COMMON = DATA / "schemas" / "ubl-2.1" / "xsd" / "common"
NS = invoice_response.NS


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with sftp_server.sftp_server(tmp_path_factory.mktemp("access-point")) as running:
        yield running


@pytest.fixture
def access(server, settings):
    for folder in (server.outbox, server.inbox):
        for path in folder.iterdir():
            path.unlink()
    settings.PEPPOL_SFTP_HOST = server.host
    settings.PEPPOL_SFTP_PORT = server.port
    settings.PEPPOL_SFTP_USER = server.user
    settings.PEPPOL_SFTP_KEY_PATH = str(server.key_path)
    settings.PEPPOL_SFTP_KNOWN_HOSTS = str(server.known_hosts)
    settings.PEPPOL_SFTP_OUTBOX = str(server.outbox)
    settings.PEPPOL_SFTP_INBOX = str(server.inbox)
    settings.PEPPOL_SFTP_TIMEOUT = 5
    settings.PEPPOL_DELIVERY_MAX_RETRIES = 2
    return server


@pytest.fixture
def peppol_invoice(invoicing):
    own = invoicing.own
    own.invoice_channel = InvoiceChannel.PEPPOL
    own.einvoice_endpoint = ""
    own.street_address, own.postal_code, own.city = "Austfjordvegen 2165", "5981", "Masfjordnes"
    own.save()
    contribution = Contribution.objects.get(organisation=own, year=2026)
    invoice, _created = invoice_issue(
        contribution=contribution, issue_date=date(2026, 11, 23), due_date=date(2026, 12, 23)
    )
    return invoice


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    """Send as the page does; what runs after commit (the hand-over task, in-process in the suite) runs too."""

    def send(invoice):
        with django_capture_on_commit_callbacks(execute=True):
            invoice_send(invoice=invoice)

    return send


def response_for(name: str, invoice) -> bytes:
    """A response file from the test data, about the invoice the test issued."""
    root = etree.parse(str(RESPONSES / name)).getroot()
    root.find("cac:DocumentResponse/cac:DocumentReference/cbc:ID", NS).text = invoice.display_number
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


APPLICATION_RESPONSE_XSD = f"""<?xml version="1.0" encoding="UTF-8"?>
<xsd:schema xmlns:xsd="http://www.w3.org/2001/XMLSchema"
    xmlns="urn:oasis:names:specification:ubl:schema:xsd:ApplicationResponse-2"
    xmlns:cac="{NS["cac"]}" xmlns:cbc="{NS["cbc"]}"
    xmlns:ext="urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2"
    targetNamespace="urn:oasis:names:specification:ubl:schema:xsd:ApplicationResponse-2"
    elementFormDefault="qualified" attributeFormDefault="unqualified">
  <xsd:import namespace="{NS["cac"]}" schemaLocation="{(COMMON / "UBL-CommonAggregateComponents-2.1.xsd").as_uri()}"/>
  <xsd:import namespace="{NS["cbc"]}" schemaLocation="{(COMMON / "UBL-CommonBasicComponents-2.1.xsd").as_uri()}"/>
  <xsd:import namespace="urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2"
      schemaLocation="{(COMMON / "UBL-CommonExtensionComponents-2.1.xsd").as_uri()}"/>
  <xsd:element name="ApplicationResponse">
    <xsd:complexType><xsd:sequence>
      <xsd:element ref="ext:UBLExtensions" minOccurs="0"/>
      <xsd:element ref="cbc:UBLVersionID" minOccurs="0"/>
      <xsd:element ref="cbc:CustomizationID" minOccurs="0"/>
      <xsd:element ref="cbc:ProfileID" minOccurs="0"/>
      <xsd:element ref="cbc:ProfileExecutionID" minOccurs="0"/>
      <xsd:element ref="cbc:ID"/>
      <xsd:element ref="cbc:UUID" minOccurs="0"/>
      <xsd:element ref="cbc:IssueDate"/>
      <xsd:element ref="cbc:IssueTime" minOccurs="0"/>
      <xsd:element ref="cbc:ResponseDate" minOccurs="0"/>
      <xsd:element ref="cbc:ResponseTime" minOccurs="0"/>
      <xsd:element ref="cbc:Note" minOccurs="0" maxOccurs="unbounded"/>
      <xsd:element ref="cbc:VersionID" minOccurs="0"/>
      <xsd:element ref="cac:Signature" minOccurs="0" maxOccurs="unbounded"/>
      <xsd:element ref="cac:SenderParty"/>
      <xsd:element ref="cac:ReceiverParty"/>
      <xsd:element ref="cac:DocumentResponse" maxOccurs="unbounded"/>
    </xsd:sequence></xsd:complexType>
  </xsd:element>
</xsd:schema>
"""


@pytest.mark.parametrize("name", sorted(path.name for path in RESPONSES.glob("*.xml")))
def test_the_response_test_files_are_valid_ubl_and_read_as_peppol_invoice_responses(name):
    schema = etree.XMLSchema(etree.fromstring(APPLICATION_RESPONSE_XSD.encode()))
    document = etree.parse(str(RESPONSES / name))
    assert schema.validate(document), schema.error_log
    parsed = invoice_response.parse((RESPONSES / name).read_bytes())
    assert (parsed.sender_endpoint, parsed.receiver_endpoint, parsed.invoice_number) == (
        "0192:945627913",
        "0192:964338531",
        "1",
    )


def test_a_rejection_carries_its_reason():
    parsed = invoice_response.parse((RESPONSES / "invoice-response-rejected.xml").read_bytes())
    assert (parsed.code, parsed.outcome) == ("RE", "rejected")
    assert parsed.reason_text == "REF: References incorrect – Fakturaen manglar bestillarreferanse 4634-DIGI."


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda root: root.find("cbc:ProfileID", NS).__setattr__("text", "urn:x"), "cbc:ProfileID"),
        (lambda root: root.find(".//cbc:ResponseCode", NS).__setattr__("text", "ZZ"), "ResponseCode: 'ZZ'"),
        (
            lambda root: root.find(".//cac:Status", NS).getparent().remove(root.find(".//cac:Status", NS)),
            "PEPPOL-T111-R001",
        ),
        (lambda root: root.remove(root.find("cac:DocumentResponse", NS)), "expected exactly one"),
        (lambda root: root.find("cbc:IssueDate", NS).__setattr__("text", "25.11.2026"), "cbc:IssueDate"),
    ],
)
def test_a_broken_response_is_refused_naming_the_element(change, message):
    root = etree.parse(str(RESPONSES / "invoice-response-rejected.xml")).getroot()
    change(root)
    with pytest.raises(invoice_response.InvoiceResponseError, match=message):
        invoice_response.parse(etree.tostring(root))
    with pytest.raises(invoice_response.InvoiceResponseError, match="not ApplicationResponse"):
        invoice_response.parse(b"<Invoice/>")


def test_an_invoice_travels_to_the_access_point_once_and_its_response_comes_back(access, peppol_invoice, client, send):
    invoice = peppol_invoice
    send(invoice)
    delivery = InvoiceDelivery.objects.get(invoice=invoice)
    assert delivery.receiver == f"0192:{invoice.buyer_org_number}"
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.HANDED_OVER, 1)
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.SENT
    sent = access.outbox / delivery_file_name(invoice)
    assert sent.name == f"invoice-{invoice.seller_org_number}-{invoice.display_number}.xml"
    assert sent.read_bytes() == invoice_document_bytes(invoice=invoice, kind="ehf")
    assert [path.name for path in access.outbox.iterdir()] == [sent.name]  # no partial file left behind
    # The EHF that travelled carries the buyer's whole address and breaks no rule.
    report = validate(sent.read_bytes(), "invoice")
    assert report.ok, report
    assert b"<cbc:StreetName>Austfjordvegen 2165</cbc:StreetName>" in sent.read_bytes()

    # Sending again queues nothing new and writes nothing new.
    sent.write_bytes(b"what the access point has")
    send(invoice)
    assert InvoiceDelivery.objects.count() == 1
    assert sent.read_bytes() == b"what the access point has"

    # The buyer acknowledges, then rejects with a reason; both files are read once and leave the inbox.
    (access.inbox / "ir-0041.xml").write_bytes(response_for("invoice-response-acknowledged.xml", invoice))
    (access.inbox / "ir-0042.xml").write_bytes(response_for("invoice-response-rejected.xml", invoice))
    (access.inbox / ".ir-0043.xml.part").write_bytes(b"<half")  # still being written: left alone
    result = invoice_responses_collect()
    assert len(result.applied) == 2 and not result.problems
    assert sorted(path.name for path in access.inbox.iterdir()) == [".ir-0043.xml.part"]
    delivery.refresh_from_db()
    assert (delivery.status, delivery.response_code) == (DeliveryStatus.REJECTED, "RE")
    assert "Fakturaen manglar bestillarreferanse" in delivery.response_reason
    assert InvoiceResponseMessage.objects.filter(delivery=delivery).count() == 2

    # The same response again (the access point delivered it twice) changes nothing.
    (access.inbox / "ir-0042-again.xml").write_bytes(response_for("invoice-response-rejected.xml", invoice))
    assert invoice_responses_collect().already_read == 1
    assert InvoiceResponseMessage.objects.count() == 2

    # The secretariat sees it on the invoice and in the outbox.
    client.force_login(_secretariat())
    page = client.get(invoice.get_absolute_url()).content.decode()
    assert "Rejected by the buyer" in page and "Fakturaen manglar bestillarreferanse" in page
    outbox = client.get(reverse("funding:delivery_list")).content.decode()
    assert delivery.file_name in outbox and "RE: REF: References incorrect" in outbox


def _secretariat():
    from members.models import User

    return User.objects.get(is_secretariat=True)


def test_a_response_for_an_unknown_invoice_or_not_a_response_is_kept_and_shown(access, peppol_invoice, send):
    send(peppol_invoice)
    other = response_for("invoice-response-accepted.xml", peppol_invoice).replace(
        f"<cbc:ID>{peppol_invoice.display_number}</cbc:ID>".encode(), b"<cbc:ID>99999</cbc:ID>"
    )
    (access.inbox / "a.xml").write_bytes(other)
    (access.inbox / "b.xml").write_bytes(b"<Invoice/>")
    result = invoice_responses_collect()
    assert sorted(message.problem for message in result.problems) == [
        "No invoice 99999 was delivered through Peppol.",
        "Not a Peppol Invoice Response: the root element is Invoice, not ApplicationResponse",
    ]
    assert list(access.inbox.iterdir()) == []
    assert InvoiceDelivery.objects.get().status == DeliveryStatus.HANDED_OVER


def test_a_response_breaking_a_business_rule_is_kept_and_shown_and_a_warning_does_not_stop_one(
    access, peppol_invoice, client, send
):
    send(peppol_invoice)
    rejected = etree.fromstring(response_for("invoice-response-rejected.xml", peppol_invoice))
    status = rejected.find(".//cac:Status", NS)
    status.getparent().remove(status)  # RE without a clarification code
    accepted = etree.fromstring(response_for("invoice-response-accepted.xml", peppol_invoice))
    accepted.set("{http://www.w3.org/2001/XMLSchema-instance}schemaLocation", "urn:x ApplicationResponse.xsd")
    (access.inbox / "broken.xml").write_bytes(etree.tostring(rejected))
    (access.inbox / "warned.xml").write_bytes(etree.tostring(accepted))
    result = invoice_responses_collect()
    assert [message.file_name for message in result.problems] == ["broken.xml"]
    assert result.problems[0].problem.startswith("Not a Peppol Invoice Response: breaks PEPPOL-T111-R001 (")
    assert [message.file_name for message in result.applied] == ["warned.xml"]
    assert result.applied[0].rule_warnings.startswith("PEPPOL-COMMON-R003 (ApplicationResponse): ")
    assert InvoiceDelivery.objects.get().status == DeliveryStatus.ACCEPTED
    client.force_login(_secretariat())
    outbox = client.get(reverse("funding:delivery_list")).content.decode()
    assert "broken.xml: Not a Peppol Invoice Response: breaks PEPPOL-T111-R001" in outbox
    assert "Responses applied with rule warnings" in outbox and "PEPPOL-COMMON-R003" in outbox


def test_a_failed_hand_over_is_retried_and_then_waits_for_the_secretariat(
    access, peppol_invoice, settings, client, send, django_capture_on_commit_callbacks
):
    settings.PEPPOL_SFTP_PORT = sftp_server._free_port()  # nobody answers there
    send(peppol_invoice)
    delivery = InvoiceDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.QUEUED, 1)
    assert "127.0.0.1" in delivery.last_error
    # The worker retries with doubling backoff; after PEPPOL_DELIVERY_MAX_RETRIES (2 here) retries it gives up.
    with pytest.raises(Retry) as retry:
        deliver_invoice.apply(args=[delivery.pk], retries=1)
    assert retry.value.when == 120
    assert deliver_invoice.apply(args=[delivery.pk], retries=2).get() == DeliveryStatus.FAILED
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, 3)
    assert list(access.outbox.iterdir()) == []
    # The access point is back; the secretariat tries again from the outbox, and it goes once.
    settings.PEPPOL_SFTP_PORT = access.port
    client.force_login(_secretariat())
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("funding:delivery_retry", args=[delivery.pk]))
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.HANDED_OVER, 4)
    assert [path.name for path in access.outbox.iterdir()] == [delivery.file_name]
    # Only a failed delivery can be tried again.
    client.post(reverse("funding:delivery_retry", args=[delivery.pk]))
    delivery.refresh_from_db()
    assert delivery.attempts == 4


def test_a_credit_note_follows_its_invoice_through_peppol(
    access, peppol_invoice, send, django_capture_on_commit_callbacks
):
    from funding.services import credit_note_issue

    send(peppol_invoice)
    with django_capture_on_commit_callbacks(execute=True):
        credit = credit_note_issue(invoice=peppol_invoice, reason="Feil folketall", issue_date=date(2026, 11, 30))
    delivery = InvoiceDelivery.objects.get(invoice=credit)
    assert delivery.status == DeliveryStatus.HANDED_OVER
    sent = access.outbox / f"creditnote-{credit.seller_org_number}-{credit.display_number}.xml"
    assert sent.read_bytes() == invoice_document_bytes(invoice=credit, kind="ehf")
    # Its response names the credit note (document type 381) by its own number.
    root = etree.fromstring(response_for("invoice-response-accepted.xml", credit))
    root.find("cac:DocumentResponse/cac:DocumentReference/cbc:DocumentTypeCode", NS).text = "381"
    (access.inbox / "ir-credit.xml").write_bytes(etree.tostring(root))
    assert len(invoice_responses_collect().applied) == 1
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.ACCEPTED
    assert InvoiceDelivery.objects.get(invoice=peppol_invoice).status == DeliveryStatus.HANDED_OVER


def test_a_file_already_with_the_access_point_is_not_written_again(access, peppol_invoice, send):
    """A hand-over whose acknowledgement was lost: the retry finds the file there and does not send it twice."""
    name = delivery_file_name(peppol_invoice)
    (access.outbox / name).write_bytes(b"sent before the connection broke")
    send(peppol_invoice)
    assert InvoiceDelivery.objects.get().status == DeliveryStatus.HANDED_OVER
    assert (access.outbox / name).read_bytes() == b"sent before the connection broke"


def test_an_unknown_server_key_is_refused(access, peppol_invoice, tmp_path, settings):
    sftp_server._keygen(tmp_path / "impostor")
    algorithm, key = (tmp_path / "impostor.pub").read_text().split()[:2]
    other = tmp_path / "known_hosts"
    other.write_text(f"[127.0.0.1]:{access.port} {algorithm} {key}\n")
    config = access_point.SftpSettings.from_django()
    config = access_point.SftpSettings(**{**config.__dict__, "known_hosts": str(other)})
    with pytest.raises(access_point.AccessPointError, match=r"does not match|not found"), access_point.connect(config):
        pass


def test_email_receivers_are_still_emailed(invoicing, send):
    from django.core import mail

    contribution = Contribution.objects.get(organisation=invoicing.own, year=2026)
    invoice, _ = invoice_issue(contribution=contribution, issue_date=date(2026, 11, 23), due_date=date(2026, 12, 23))
    send(invoice)
    assert len(mail.outbox) == 1 and not InvoiceDelivery.objects.exists()


def test_without_an_access_point_the_invoice_waits_in_the_outbox(peppol_invoice, settings, send):
    settings.PEPPOL_SFTP_HOST = ""
    settings.PEPPOL_DELIVERY_MAX_RETRIES = 0
    send(peppol_invoice)
    delivery = InvoiceDelivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED
    assert "No access point is configured" in delivery.last_error
