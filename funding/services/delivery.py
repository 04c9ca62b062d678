"""Invoices through the Peppol network: queued in the outbox, handed to the host's access point over SFTP once,
and answered by the buyer's Invoice Response.

A delivery is one row per document (a unique invoice and a unique file name), so the same invoice is never queued
twice; the transfer checks the access point's folder before writing, so a retry after a lost acknowledgement does
not send it again either. The transfer runs in a task that retries with backoff (funding/tasks.py).
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.rules import rule
from funding import access_point, invoice_response
from funding.choices import DeliveryStatus, InvoiceKind, InvoiceStatus
from funding.invoice_numbers import CREDIT_NOTE_SERIES, INVOICE_SERIES, SERIES_PREFIX
from funding.models import Invoice, InvoiceDelivery, InvoiceResponseMessage
from funding.services.invoices import invoice_document_bytes
from members.choices import InvoiceChannel

logger = logging.getLogger(__name__)

OUTCOME_STATUS = {
    invoice_response.DELIVERED: DeliveryStatus.DELIVERED,
    invoice_response.ACCEPTED: DeliveryStatus.ACCEPTED,
    invoice_response.REJECTED: DeliveryStatus.REJECTED,
}
# A later response may move a delivery on, never back: an acknowledgement after an acceptance changes nothing.
STATUS_RANK = {
    DeliveryStatus.QUEUED: 0,
    DeliveryStatus.FAILED: 0,
    DeliveryStatus.HANDED_OVER: 1,
    DeliveryStatus.DELIVERED: 2,
    DeliveryStatus.ACCEPTED: 3,
    DeliveryStatus.REJECTED: 3,
}


def delivery_file_name(invoice: Invoice) -> str:
    """The file's name carries the document's identity: seller, kind and number (e.g. invoice-964338531-2026-17)."""
    kind = "creditnote" if invoice.kind == InvoiceKind.CREDIT_NOTE else "invoice"
    number = "".join(char if char.isalnum() else "-" for char in invoice.display_number)
    return f"{kind}-{invoice.seller_org_number}-{number}.xml"


def delivery_receiver(invoice: Invoice) -> str:
    """The Peppol participant the document is addressed to, as it stands on the document itself."""
    return invoice.buyer_endpoint.strip() or (f"0192:{invoice.buyer_org_number}" if invoice.buyer_org_number else "")


@rule
def invoice_delivers_by_peppol(invoice: Invoice) -> bool:
    return invoice.organisation.invoice_channel == InvoiceChannel.PEPPOL


@transaction.atomic
def invoice_queue_for_peppol(*, invoice: Invoice) -> InvoiceDelivery:
    """Put an issued invoice or credit note in the outbox for the access point; queued once, whatever is asked."""
    existing = InvoiceDelivery.objects.filter(invoice=invoice).first()
    if existing is not None:
        return existing
    if invoice.status == InvoiceStatus.DRAFT:
        raise ValidationError(_("Only an issued invoice can be delivered."))
    receiver = delivery_receiver(invoice)
    if not receiver:
        raise ValidationError(
            _("%(name)s has neither an e-invoice address nor an organisation number for Peppol.")
            % {"name": invoice.buyer_name}
        )
    delivery = InvoiceDelivery(invoice=invoice, receiver=receiver, file_name=delivery_file_name(invoice))
    delivery.full_clean(validate_unique=False)
    try:
        with transaction.atomic():
            delivery.save()
    except IntegrityError:
        # Another request queued it a moment ago.
        return InvoiceDelivery.objects.get(invoice=invoice)
    from funding.tasks import enqueue_delivery

    enqueue_delivery(delivery.pk)  # after commit
    return delivery


def delivery_transmit(*, delivery_id: int, config: access_point.SftpSettings | None = None) -> InvoiceDelivery:
    """Hand one queued document to the access point. Raises AccessPointError (after recording it) to be retried."""
    config = config or access_point.SftpSettings.from_django()
    failure: access_point.AccessPointError | None = None
    with transaction.atomic():
        # The row stays locked during the transfer, so two workers never transfer the same document at once.
        delivery = InvoiceDelivery.objects.select_for_update().select_related("invoice").get(pk=delivery_id)
        if delivery.status not in (DeliveryStatus.QUEUED, DeliveryStatus.FAILED):
            return delivery  # already handed over: a retry or a second task does nothing
        delivery.attempts += 1
        try:
            content = invoice_document_bytes(invoice=delivery.invoice, kind="ehf")
            with access_point.connect(config) as sftp:
                written = access_point.put_once(sftp, config.outbox, delivery.file_name, content)
        except access_point.AccessPointError as error:
            delivery.last_error = str(error)[:2000]
            delivery.save(update_fields=["attempts", "last_error"])
            failure = error
        else:
            if not written:
                logger.info("%s was already with the access point; not sent again", delivery.file_name)
            delivery.status = DeliveryStatus.HANDED_OVER
            delivery.handed_over_at = timezone.now()
            delivery.last_error = ""
            delivery.save(update_fields=["attempts", "status", "handed_over_at", "last_error"])
    if failure is not None:
        raise failure
    return delivery


@transaction.atomic
def delivery_give_up(*, delivery_id: int) -> InvoiceDelivery:
    """After the last retry: the delivery waits for the secretariat, who can try again from the outbox."""
    delivery = InvoiceDelivery.objects.select_for_update().get(pk=delivery_id)
    if delivery.status == DeliveryStatus.QUEUED:
        delivery.status = DeliveryStatus.FAILED
        delivery.save(update_fields=["status"])
    return delivery


@transaction.atomic
def delivery_retry(*, delivery: InvoiceDelivery) -> InvoiceDelivery:
    """Try a failed delivery again (the secretariat, from the outbox)."""
    delivery = InvoiceDelivery.objects.select_for_update().get(pk=delivery.pk)
    if delivery.status != DeliveryStatus.FAILED:
        raise ValidationError(_("Only a delivery that failed can be tried again."))
    delivery.status = DeliveryStatus.QUEUED
    delivery.save(update_fields=["status"])
    from funding.tasks import enqueue_delivery

    enqueue_delivery(delivery.pk)  # after commit
    return delivery


@rule
def delivery_can_retry(delivery: InvoiceDelivery) -> bool:
    return delivery.status == DeliveryStatus.FAILED


@dataclass
class ResponsesResult:
    applied: list[InvoiceResponseMessage] = field(default_factory=list)
    problems: list[InvoiceResponseMessage] = field(default_factory=list)
    already_read: int = 0


def _delivery_for(response: invoice_response.InvoiceResponse) -> InvoiceDelivery | None:
    """The delivery of the document the response names by its printed number (17 for an invoice, K3 a credit note)."""
    credit_note = response.document_type == "381"
    prefix = SERIES_PREFIX[CREDIT_NOTE_SERIES if credit_note else INVOICE_SERIES]
    digits = response.invoice_number.removeprefix(prefix) if prefix else response.invoice_number
    if not digits.isascii() or not digits.isdigit() or len(digits) > 9:
        return None
    return (
        InvoiceDelivery.objects.filter(
            invoice__kind=InvoiceKind.CREDIT_NOTE if credit_note else InvoiceKind.INVOICE,
            invoice__series=CREDIT_NOTE_SERIES if credit_note else INVOICE_SERIES,
            invoice__number=int(digits),
        )
        .select_related("invoice")
        .first()
    )


@transaction.atomic
def invoice_response_record(*, file_name: str, content: bytes) -> tuple[InvoiceResponseMessage, bool]:
    """Store one Invoice Response and apply it to its delivery; (message, False) when it was stored before."""
    digest = hashlib.sha256(content).hexdigest()
    existing = InvoiceResponseMessage.objects.filter(sha256=digest).first()
    if existing is not None:
        return existing, False
    message = InvoiceResponseMessage(file_name=file_name[:200], sha256=digest, content=content)
    try:
        parsed = invoice_response.parse(content)
    except invoice_response.InvoiceResponseError as error:
        message.problem = _("Not a Peppol Invoice Response: %(problem)s") % {"problem": error}
        message.save()
        return message, True
    message.response_id, message.code, message.reason = parsed.response_id[:200], parsed.code, parsed.reason_text
    message.rule_warnings = "\n".join(parsed.warnings)
    delivery = _delivery_for(parsed)
    if delivery is None:
        message.problem = _("No invoice %(number)s was delivered through Peppol.") % {"number": parsed.invoice_number}
        message.save()
        return message, True
    delivery = InvoiceDelivery.objects.select_for_update().get(pk=delivery.pk)
    message.delivery = delivery
    message.save()
    status = OUTCOME_STATUS[parsed.outcome]
    if STATUS_RANK[status] >= STATUS_RANK[DeliveryStatus(delivery.status)]:
        delivery.status = status
        delivery.response_code = parsed.code
        delivery.response_reason = parsed.reason_text
        delivery.responded_at = timezone.now()
        delivery.save(update_fields=["status", "response_code", "response_reason", "responded_at"])
    return message, True


def invoice_responses_collect(*, config: access_point.SftpSettings | None = None) -> ResponsesResult:
    """Read the access point's inbox: store and apply each response, then take it out of the inbox."""
    config = config or access_point.SftpSettings.from_django()
    result = ResponsesResult()
    with access_point.connect(config) as sftp:
        for inbox_file in access_point.read_inbox(sftp, config.inbox):
            message, new = invoice_response_record(file_name=inbox_file.name, content=inbox_file.content)
            if not new:
                result.already_read += 1
            elif message.problem:
                result.problems.append(message)
            else:
                result.applied.append(message)
            # Committed above: the response is ours now, so it leaves the inbox.
            access_point.remove(sftp, config.inbox, inbox_file.name)
    return result
