from django.db import models
from django.utils.translation import gettext_lazy as _


class ModelMode(models.TextChoices):
    FORMULA = "formula", _("Fixed amount and amount per inhabitant")
    SHARE = "share", _("Split a target total")


class ModelStatus(models.TextChoices):
    PROPOSAL = "proposal", _("Proposal")
    ADOPTED = "adopted", _("Adopted")
    SUPERSEDED = "superseded", _("Superseded")


class Basis(models.TextChoices):
    EXEMPT = "exempt", _("Exempt")
    FIXED_AMOUNT = "fixed_amount", _("Fixed amount")
    FORMULA = "formula", _("Formula")
    CAPPED = "capped", _("Capped")
    SHARE = "share", _("Share of target")


class InvoiceKind(models.TextChoices):
    INVOICE = "invoice", _("Invoice")
    CREDIT_NOTE = "credit_note", _("Credit note")


class InvoiceStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ISSUED = "issued", _("Issued")
    SENT = "sent", _("Sent")
    PARTLY_PAID = "partly_paid", _("Partly paid")
    PAID = "paid", _("Paid")
    OVERDUE = "overdue", _("Overdue")
    CREDITED = "credited", _("Credited")


# An open invoice: issued and neither paid in full nor credited (Invoice.objects.open(), invoice_is_open()).
OPEN_STATUSES = (InvoiceStatus.ISSUED, InvoiceStatus.SENT, InvoiceStatus.PARTLY_PAID, InvoiceStatus.OVERDUE)


class PaymentSource(models.TextChoices):
    MANUAL = "manual", _("Registered by hand")
    BANK = "bank", _("Bank statement")


class DeliveryStatus(models.TextChoices):
    """Where an invoice sent through the Peppol access point is."""

    QUEUED = "queued", _("Waiting to be handed over")
    HANDED_OVER = "handed_over", _("Handed to the access point")
    FAILED = "failed", _("Hand-over failed")
    DELIVERED = "delivered", _("Delivered to the buyer")
    ACCEPTED = "accepted", _("Accepted by the buyer")
    REJECTED = "rejected", _("Rejected by the buyer")


class SharingKey(models.TextChoices):
    """How a cost-sharing plan divides its amount (the values of funding.sharing.KEYS)."""

    EQUAL = "equal", _("Equal parts")
    POPULATION = "population", _("By population")
    MIX = "mix", _("Partly equal, the rest by population")
    FIXED_SHARES = "fixed_shares", _("Fixed shares")
    USAGE = "usage", _("By use (hours, users, licences)")


class Recurrence(models.TextChoices):
    YEARLY = "yearly", _("Every year")
    ONCE = "once", _("Once")


class PriceUnit(models.TextChoices):
    """What a service in the catalogue is priced by."""

    UNIT = "unit", _("per unit")
    HOUR = "hour", _("per hour")


class OrderStatus(models.TextChoices):
    """Where a service order stands: ordered by a member, agreed by its director or finance officer, delivered by
    the secretariat (with the actual quantity), invoiced; or cancelled before delivery."""

    ORDERED = "ordered", _("Ordered, awaiting agreement")
    AGREED = "agreed", _("Agreed")
    DELIVERED = "delivered", _("Delivered")
    INVOICED = "invoiced", _("Invoiced")
    CANCELLED = "cancelled", _("Cancelled")
