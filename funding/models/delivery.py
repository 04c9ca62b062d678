"""Invoices handed to the host's Peppol access point, and the Invoice Responses that come back."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from funding.choices import DeliveryStatus
from funding.models.invoices import Invoice


class InvoiceDelivery(models.Model):
    """One invoice or credit note on its way through Peppol: at most one per document, so it is sent once."""

    invoice = models.OneToOneField(Invoice, on_delete=models.PROTECT, related_name="delivery")
    receiver = models.CharField(_("Peppol receiver"), max_length=60)
    # Carries the document's identity (seller, kind, number): the access point's folder never gets it twice.
    file_name = models.CharField(_("file name"), max_length=120, unique=True)
    status = models.CharField(_("status"), max_length=12, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    queued_at = models.DateTimeField(_("queued"), auto_now_add=True)
    handed_over_at = models.DateTimeField(_("handed over"), null=True, blank=True)
    response_code = models.CharField(_("response code"), max_length=2, blank=True)
    response_reason = models.TextField(_("reason given by the buyer"), blank=True)
    responded_at = models.DateTimeField(_("response received"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Peppol delivery")
        verbose_name_plural = _("Peppol deliveries")
        ordering = ["-queued_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"


class InvoiceResponseMessage(models.Model):
    """An Invoice Response read from the access point's inbox, kept as it came."""

    delivery = models.ForeignKey(
        InvoiceDelivery, on_delete=models.PROTECT, related_name="responses", null=True, blank=True
    )
    file_name = models.CharField(_("file name"), max_length=200)
    sha256 = models.CharField(max_length=64, unique=True)
    content = models.BinaryField(_("content"))
    response_id = models.CharField(_("response id"), max_length=200, blank=True)
    code = models.CharField(_("response code"), max_length=2, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    problem = models.TextField(_("problem"), blank=True, help_text=_("Why the response could not be applied."))
    rule_warnings = models.TextField(
        _("rule warnings"), blank=True, help_text=_("The Invoice Response rules it breaks that do not stop it.")
    )
    received_at = models.DateTimeField(_("received"), auto_now_add=True)

    class Meta:
        verbose_name = _("Invoice Response")
        verbose_name_plural = _("Invoice Responses")
        ordering = ["-received_at", "-pk"]

    def __str__(self) -> str:
        return self.file_name
