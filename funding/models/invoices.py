"""Invoices and credit notes for contributions, their numbering, payments and reminders."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core import fields
from core.runs import BackgroundRun
from funding.choices import OPEN_STATUSES, InvoiceKind, InvoiceStatus, PaymentSource
from funding.models.contributions import MONEY, Contribution
from members.models import Organisation

# Seller and buyer as they were on the invoice date; a credit note copies them from the invoice it credits.
PARTY_FIELDS = (
    "seller_name",
    "seller_legal_name",
    "seller_org_number",
    "seller_in_foretaksregisteret",
    "seller_address",
    "seller_email",
    "seller_bank_account",
    "vat_exemption_reason",
    "buyer_name",
    "buyer_org_number",
    "buyer_address",
    "buyer_reference",
    "buyer_endpoint",
)
# Once issued, these never change (bokføringsforskriften: an issued invoice is corrected by a credit note).
IMMUTABLE_FIELDS = (
    "kind",
    "series",
    "number",
    "organisation_id",
    "contribution_id",
    "plan_share_id",
    "settlement_share_id",
    "service_order_id",
    "one_off_model_id",
    "credited_invoice_id",
    "year",
    "issue_date",
    "due_date",
    "period_start",
    "period_end",
    *PARTY_FIELDS,
    "kid",
    "total",
    "currency",
    "note",
)
# Set once, from empty, by the document renderer; never changed after that.
WRITE_ONCE_FIELDS = ("pdf", "pdf_sha256", "ehf", "ehf_sha256")
GUARDED_FIELDS = (*IMMUTABLE_FIELDS, *WRITE_ONCE_FIELDS)


def outstanding_amount(*, total: Decimal, paid: Decimal, credited: Decimal) -> Decimal:
    """The one definition of what is owed on an invoice: amount - payments - credits (negative: overpaid)."""
    return total - paid - credited


class ImmutableInvoiceError(Exception):
    """An attempt to change an issued invoice or credit note."""


class NumberSeries(models.Model):
    """One gapless ascending sequence of document numbers (invoices, credit notes)."""

    key = models.CharField(_("series"), max_length=20, unique=True)
    prefix = models.CharField(_("prefix"), max_length=10, blank=True)
    next_number = models.PositiveIntegerField(_("next number"), default=1)

    class Meta:
        verbose_name = _("number series")
        verbose_name_plural = _("number series")

    def __str__(self) -> str:
        return f"{self.key}: {self.prefix}{self.next_number}"


class InvoiceRun(BackgroundRun):
    """Issuing the invoices of a budget year in the background, with its progress and result."""

    issue_date = fields.DateField(_("invoice date"))
    due_date = fields.DateField(_("due date"))
    issued = models.PositiveIntegerField(_("invoices issued"), default=0)
    skipped = models.PositiveIntegerField(_("already invoiced"), default=0)

    class Meta(BackgroundRun.Meta):
        verbose_name = _("invoice run")
        verbose_name_plural = _("invoice runs")

    def get_absolute_url(self) -> str:
        return reverse("funding:invoice_run_detail", kwargs={"pk": self.pk})


class InvoiceQuerySet(models.QuerySet):
    def open(self) -> InvoiceQuerySet:
        """Invoices (not credit notes) that are issued and neither paid in full nor credited."""
        return self.filter(kind=InvoiceKind.INVOICE, status__in=OPEN_STATUSES)


class Invoice(models.Model):
    """An issued invoice or credit note: a snapshot of seller, buyer and amounts that never changes."""

    kind = models.CharField(_("kind"), max_length=12, choices=InvoiceKind.choices, default=InvoiceKind.INVOICE)
    series = models.CharField(_("series"), max_length=20)
    number = models.PositiveIntegerField(_("number"))
    status = models.CharField(_("status"), max_length=12, choices=InvoiceStatus.choices, default=InvoiceStatus.DRAFT)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="invoices")
    contribution = models.ForeignKey(
        Contribution, on_delete=models.PROTECT, related_name="invoices", null=True, blank=True
    )
    plan_share = models.ForeignKey(
        "funding.SharingParticipant",
        on_delete=models.PROTECT,
        related_name="invoices",
        null=True,
        blank=True,
        verbose_name=_("share of a cost-sharing plan"),
    )
    settlement_share = models.ForeignKey(
        "funding.SettlementShare",
        on_delete=models.PROTECT,
        related_name="invoices",
        null=True,
        blank=True,
        verbose_name=_("settlement of a plan period"),
    )
    service_order = models.ForeignKey(
        "funding.ServiceOrder",
        on_delete=models.PROTECT,
        related_name="invoices",
        null=True,
        blank=True,
        verbose_name=_("service order"),
    )
    # A one-off contribution, or the connection fee of an organisation that did not contribute: one of them per
    # organisation and one-off model (the invoice's line says which).
    one_off_model = models.ForeignKey(
        "funding.OneOffModel",
        on_delete=models.PROTECT,
        related_name="invoices",
        null=True,
        blank=True,
        verbose_name=_("one-off contribution"),
    )
    credited_invoice = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        related_name="credit_notes",
        null=True,
        blank=True,
        verbose_name=_("credited invoice"),
    )
    year = fields.YearField(_("budget year"))
    issue_date = fields.DateField(_("invoice date"))
    due_date = fields.DateField(_("due date"), null=True, blank=True)
    period_start = fields.DateField(_("period from"), null=True, blank=True)
    period_end = fields.DateField(_("period to"), null=True, blank=True)
    # The seller as it was on the invoice date.
    seller_name = models.CharField(_("network"), max_length=200)
    seller_legal_name = models.CharField(_("seller"), max_length=200)
    seller_org_number = models.CharField(_("seller's organisation number"), max_length=9)
    seller_in_foretaksregisteret = models.BooleanField(default=False)
    seller_address = models.JSONField(_("seller's address"), default=dict)
    seller_email = models.EmailField(_("seller's email"), blank=True)
    seller_bank_account = models.CharField(_("bank account"), max_length=11)
    vat_exemption_reason = models.CharField(_("VAT"), max_length=300)
    # The buyer as it was on the invoice date.
    buyer_name = models.CharField(_("buyer"), max_length=200)
    buyer_org_number = models.CharField(_("buyer's organisation number"), max_length=9)
    buyer_address = models.JSONField(_("buyer's address"), default=dict)
    buyer_reference = models.CharField(_("buyer's reference"), max_length=100)
    buyer_endpoint = models.CharField(_("buyer's e-invoice address"), max_length=50, blank=True)
    kid = models.CharField(_("KID"), max_length=25, blank=True)
    total = models.DecimalField(_("amount"), **MONEY)
    currency = models.CharField(_("currency"), max_length=3, default="NOK")
    note = models.TextField(_("note"), blank=True)
    pdf = models.FileField(_("PDF"), upload_to="invoices/%Y/", blank=True)
    pdf_sha256 = models.CharField(_("PDF SHA-256"), max_length=64, blank=True)
    ehf = models.FileField(_("EHF"), upload_to="invoices/%Y/", blank=True)
    ehf_sha256 = models.CharField(_("EHF SHA-256"), max_length=64, blank=True)
    run = models.ForeignKey(InvoiceRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="invoices")
    issued_at = models.DateTimeField(_("issued"), null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    history = HistoricalRecords()

    objects = InvoiceQuerySet.as_manager()

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["-issue_date", "-number"]
        indexes = [
            # The invoice list's order, so that a page of it is read from the index rather than sorted from all.
            models.Index(fields=["-issue_date", "-series", "-number"], name="invoice_list_order"),
            # The start page's overdue invoices, earliest due date first.
            models.Index(fields=["due_date", "number"], name="invoice_due_order"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["series", "number"], name="unique_number_in_series"),
            models.UniqueConstraint(fields=["kid"], condition=~Q(kid=""), name="unique_kid"),
            # One live invoice per contribution: running again creates no duplicate.
            models.UniqueConstraint(
                fields=["contribution"],
                condition=Q(kind="invoice") & ~Q(status="credited"),
                name="one_live_invoice_per_contribution",
            ),
            # One live invoice per plan share and year (the service also holds this across a plan's versions).
            models.UniqueConstraint(
                fields=["plan_share", "year"],
                condition=Q(kind="invoice") & ~Q(status="credited"),
                name="one_live_invoice_per_plan_share_and_year",
            ),
            # An extra invoice for a settlement share: one, net of credits.
            models.UniqueConstraint(
                fields=["settlement_share"],
                condition=Q(kind="invoice") & ~Q(status="credited"),
                name="one_live_invoice_per_settlement_share",
            ),
            # One live invoice per service order, and per organisation and one-off model.
            models.UniqueConstraint(
                fields=["service_order"],
                condition=Q(kind="invoice") & ~Q(status="credited"),
                name="one_live_invoice_per_service_order",
            ),
            models.UniqueConstraint(
                fields=["organisation", "one_off_model"],
                condition=Q(kind="invoice") & ~Q(status="credited") & Q(one_off_model__isnull=False),
                name="one_live_invoice_per_one_off",
            ),
            models.CheckConstraint(
                condition=(
                    Q(contribution__isnull=True, plan_share__isnull=True)
                    | Q(contribution__isnull=True, settlement_share__isnull=True)
                    | Q(plan_share__isnull=True, settlement_share__isnull=True)
                ),
                name="invoice_for_one_thing",
            ),
            models.CheckConstraint(
                condition=(Q(contribution__isnull=True) & Q(plan_share__isnull=True) & Q(settlement_share__isnull=True))
                | (Q(service_order__isnull=True) & Q(one_off_model__isnull=True)),
                name="invoice_for_one_thing_ordered_or_once",
            ),
            models.CheckConstraint(
                condition=Q(service_order__isnull=True) | Q(one_off_model__isnull=True),
                name="invoice_for_an_order_or_a_one_off",
            ),
            models.CheckConstraint(condition=Q(total__gte=0), name="invoice_total_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.display_number}"

    def save(self, *args, **kwargs):
        # Integrity guard, not business logic: an issued document is never edited (PostgreSQL also
        # enforces this with a trigger, for writes that bypass save()).
        # Only what this save writes matters (a stale copy may save its status alone), so a save that writes
        # none of the guarded fields (a status, when it was issued) needs no look at the stored row.
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = list(kwargs["update_fields"])  # read here and by Django: not a one-pass iterator
        written = set(kwargs.get("update_fields") or GUARDED_FIELDS)
        written |= {f"{name}_id" for name in written if f"{name}_id" in IMMUTABLE_FIELDS}
        if self.pk and not written.isdisjoint(GUARDED_FIELDS):
            stored = type(self).objects.filter(pk=self.pk).values(*GUARDED_FIELDS, "status").first()
            if stored and stored["status"] != InvoiceStatus.DRAFT:
                changed = [name for name in IMMUTABLE_FIELDS if name in written and stored[name] != getattr(self, name)]
                changed += [
                    name
                    for name in WRITE_ONCE_FIELDS
                    if name in written and stored[name] and stored[name] != str(getattr(self, name) or "")
                ]
                if changed:
                    raise ImmutableInvoiceError(
                        f"{self} is issued and cannot be changed ({', '.join(changed)}); issue a credit note."
                    )
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("funding:invoice_detail", kwargs={"pk": self.pk})

    def delete(self, *args, **kwargs):
        if self.status != InvoiceStatus.DRAFT:
            raise ImmutableInvoiceError(f"{self} is issued and cannot be deleted; issue a credit note.")
        return super().delete(*args, **kwargs)

    @property
    def display_number(self) -> str:
        from funding.invoice_numbers import display_number

        return display_number(self.series, self.number)

    @property
    def credit_reason(self) -> str:
        """The reason given for a credit note, as the user wrote it (its document text says it in Bokmål)."""
        if self.kind != InvoiceKind.CREDIT_NOTE:
            return ""
        return self.note.partition("Årsak: ")[2]

    @property
    def is_credit_note(self) -> bool:
        return self.kind == InvoiceKind.CREDIT_NOTE

    @property
    def paid_amount(self) -> Decimal:
        """Payments received for this invoice (the selectors annotate it as `paid`)."""
        paid = getattr(self, "paid", None)
        if paid is None:
            paid = self.payments.aggregate(total=models.Sum("amount"))["total"]
        return paid or Decimal(0)

    @property
    def credited_amount(self) -> Decimal:
        """What credit notes of this invoice credit (the selectors annotate it as `credited`)."""
        credited = getattr(self, "credited", None)
        if credited is None:
            credited = self.credit_notes.exclude(status=InvoiceStatus.DRAFT).aggregate(total=models.Sum("total"))[
                "total"
            ]
        return credited or Decimal(0)

    @property
    def outstanding(self) -> Decimal | None:
        """What the buyer still owes; negative when overpaid. A credit note owes nothing (None)."""
        if self.is_credit_note:
            return None
        return outstanding_amount(total=self.total, paid=self.paid_amount, credited=self.credited_amount)

    @property
    def overpaid(self) -> Decimal:
        outstanding = self.outstanding
        return -outstanding if outstanding is not None and outstanding < 0 else Decimal(0)


class InvoiceLine(models.Model):
    """One line of an invoice: what is delivered, and for how much."""

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="lines")
    position = models.PositiveSmallIntegerField(_("line"))
    description = models.CharField(_("description"), max_length=200)
    note = models.TextField(_("basis"), blank=True)
    # What the basis says, kept to tell it in the reader's language on pages (funding.explanations).
    note_facts = models.JSONField(_("facts behind the basis"), default=dict, blank=True)
    quantity = models.DecimalField(_("quantity"), max_digits=10, decimal_places=2, default=Decimal(1))
    unit_price = models.DecimalField(_("unit price"), **MONEY)
    amount = models.DecimalField(_("amount"), **MONEY)

    class Meta:
        verbose_name = _("invoice line")
        verbose_name_plural = _("invoice lines")
        ordering = ["invoice", "position"]
        constraints = [models.UniqueConstraint(fields=["invoice", "position"], name="unique_line_position")]

    def __str__(self) -> str:
        return f"{self.invoice} #{self.position}"

    def save(self, *args, **kwargs):
        # Lines are written while their invoice is a draft; issuing freezes them.
        if Invoice.objects.filter(pk=self.invoice_id).exclude(status=InvoiceStatus.DRAFT).exists():
            raise ImmutableInvoiceError(f"{self.invoice} is issued; its lines cannot change.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.invoice.status != InvoiceStatus.DRAFT:
            raise ImmutableInvoiceError(f"{self.invoice} is issued; its lines cannot change.")
        return super().delete(*args, **kwargs)

    @property
    def note_for_reader(self) -> str:
        from funding.explanations import told_for_reader

        return told_for_reader(self.note_facts, self.note)


class Payment(models.Model):
    """Money received for an invoice, registered by hand or from a bank statement."""

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="payments")
    paid_on = fields.DateField(_("paid on"))
    amount = models.DecimalField(_("amount"), **MONEY)
    source = models.CharField(_("source"), max_length=10, choices=PaymentSource.choices, default=PaymentSource.MANUAL)
    reference = models.CharField(_("reference"), max_length=200, blank=True)
    bank_import = models.ForeignKey("BankImport", on_delete=models.PROTECT, null=True, blank=True)
    # What a payment from a bank statement is known by, with paid_on, amount and reference: the account it was
    # paid to, its KID, and which of identical lines of one statement it is (1 for the first).
    account = models.CharField(_("account"), max_length=20, blank=True)
    kid = models.CharField(_("KID"), max_length=25, blank=True)
    occurrence = models.PositiveSmallIntegerField(_("occurrence"), default=1)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    registered_at = models.DateTimeField(_("registered"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["invoice", "paid_on"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            # The same bank payment, however the statement that brings it is encoded, is registered once.
            models.UniqueConstraint(
                fields=["account", "paid_on", "amount", "kid", "reference", "occurrence"],
                condition=Q(source="bank"),
                name="payment_bank_once",
                violation_error_message=_("This bank payment is registered already."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.invoice}: {self.amount} ({self.paid_on})"


class Reminder(models.Model):
    """A reminder (purring) for an unpaid invoice, with a new due date."""

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="reminders")
    sent_at = models.DateTimeField(_("sent"))
    new_due_date = fields.DateField(_("new due date"))
    sent_to = models.JSONField(_("sent to"), default=list)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["invoice", "sent_at"]

    def __str__(self) -> str:
        return f"{self.invoice}: {self.new_due_date}"


class BankImport(models.Model):
    """A bank statement file read for payments, kept with what it matched and what it did not."""

    file_name = models.CharField(_("file"), max_length=200)
    sha256 = models.CharField(_("SHA-256"), max_length=64, unique=True)
    imported_at = models.DateTimeField(_("imported"), auto_now_add=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    report = models.JSONField(_("report"), default=dict)
    # What the file was read as, recognised from its content.
    file_format = models.CharField(
        _("format"),
        max_length=10,
        default="csv",
        choices=[("csv", _("CSV")), ("ocr", _("OCR giro (Nets)")), ("camt.054", _("camt.054 (ISO 20022)"))],
    )

    class Meta:
        verbose_name = _("bank statement import")
        verbose_name_plural = _("bank statement imports")
        ordering = ["-imported_at"]

    def __str__(self) -> str:
        return self.file_name
