"""The secretariat's priced services, members' orders of them, and one-off contributions (KS Digifin's model) with
the solutions they finance.

Prices carry no VAT: the network's deliveries to its members are outside the VAT area (the host's deliveries to
the other members are not subject to VAT, and every invoice states why there is none through the network
profile's VAT text), so a unit price is the amount invoiced per unit."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core import fields
from funding.choices import OrderStatus, PriceUnit
from funding.models.contributions import MONEY
from members.models import Organisation

NOT_NEGATIVE = [MinValueValidator(Decimal(0))]
CENT = Decimal("0.01")


class OneOffModel(models.Model):
    """A contribution paid once, in kroner per inhabitant by kind of organisation, with a later joiner's fee."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    purpose = models.TextField(_("purpose"), help_text=_("What the money finances, as the decision says it."))
    population_date = fields.DateField(
        _("population reference date"), help_text=_("The inhabitants counted are those on this date.")
    )
    per_inhabitant_municipality = models.DecimalField(
        _("NOK per inhabitant, municipalities"), validators=NOT_NEGATIVE, **MONEY
    )
    per_inhabitant_county = models.DecimalField(
        _("NOK per inhabitant, county municipalities"), validators=NOT_NEGATIVE, **MONEY
    )
    connection_fee = models.DecimalField(
        _("connection fee"),
        validators=NOT_NEGATIVE,
        help_text=_("What an organisation that did not contribute pays when it takes a financed solution into use."),
        **MONEY,
    )
    decided_by = models.CharField(_("decided by"), max_length=200, help_text=_("The body and case that decided it."))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-population_date", "name"]
        verbose_name = _("one-off contribution")
        verbose_name_plural = _("one-off contributions")
        constraints = [
            models.CheckConstraint(
                condition=Q(per_inhabitant_municipality__gte=0)
                & Q(per_inhabitant_county__gte=0)
                & Q(connection_fee__gte=0),
                name="one_off_amounts_not_negative",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("funding:one_off_detail", kwargs={"pk": self.pk})


class PricedService(models.Model):
    """A service the secretariat delivers on order, priced per unit or per hour; or a solution a one-off finances."""

    title = models.CharField(_("service"), max_length=200)
    description = models.TextField(_("description"))
    unit = models.CharField(_("priced"), max_length=10, choices=PriceUnit.choices, default=PriceUnit.HOUR)
    unit_price = models.DecimalField(_("price (NOK, no VAT)"), validators=NOT_NEGATIVE, **MONEY)
    financed_by = models.ForeignKey(
        OneOffModel,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="solutions",
        verbose_name=_("financed by one-off contribution"),
        help_text=_("Only the organisations that contributed (or paid the connection fee) may use it."),
    )
    access_details = models.TextField(
        _("how to use it"), blank=True, help_text=_("Links and guidance; shown only to those who may use it.")
    )
    is_published = models.BooleanField(_("published"), default=True)

    class Meta:
        ordering = ["title"]
        verbose_name = _("priced service")
        verbose_name_plural = _("priced services")
        constraints = [models.CheckConstraint(condition=Q(unit_price__gte=0), name="service_price_not_negative")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("funding:service_detail", kwargs={"pk": self.pk})


AGREED_OR_LATER = [OrderStatus.AGREED, OrderStatus.DELIVERED, OrderStatus.INVOICED]
DELIVERED_OR_LATER = [OrderStatus.DELIVERED, OrderStatus.INVOICED]


class ServiceOrder(models.Model):
    """A member's order of a priced service: ordered, agreed by the member, delivered, invoiced (never edited then)."""

    service = models.ForeignKey(
        PricedService, on_delete=models.PROTECT, related_name="orders", verbose_name=_("service")
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="service_orders", verbose_name=_("organisation")
    )
    status = models.CharField(_("status"), max_length=12, choices=OrderStatus.choices, default=OrderStatus.ORDERED)
    # The price when ordered: the member agrees to it, and a later price change does not touch the order.
    unit = models.CharField(_("priced"), max_length=10, choices=PriceUnit.choices)
    unit_price = models.DecimalField(_("price (NOK, no VAT)"), validators=NOT_NEGATIVE, **MONEY)
    quantity = models.DecimalField(_("estimated quantity"), max_digits=10, decimal_places=2)
    description = models.TextField(_("what is needed"), blank=True)
    ordered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    ordered_at = models.DateTimeField(_("ordered"), auto_now_add=True)
    agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    agreed_at = models.DateTimeField(_("agreed"), null=True, blank=True)
    delivered_quantity = models.DecimalField(
        _("delivered quantity"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    delivered_on = fields.DateField(_("delivered on"), null=True, blank=True)

    class Meta:
        ordering = ["-ordered_at"]
        verbose_name = _("service order")
        verbose_name_plural = _("service orders")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="order_quantity_positive"),
            models.CheckConstraint(
                condition=Q(delivered_quantity__isnull=True) | Q(delivered_quantity__gt=0),
                name="order_delivered_quantity_positive",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=AGREED_OR_LATER) | Q(agreed_at__isnull=False),
                name="order_agreed_before_delivery",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=DELIVERED_OR_LATER)
                | (Q(delivered_quantity__isnull=False) & Q(delivered_on__isnull=False)),
                name="order_delivery_recorded",
            ),
        ]

    def __str__(self) -> str:
        return _("Order %(number)d: %(service)s") % {"number": self.pk or 0, "service": self.service}

    def get_absolute_url(self) -> str:
        return reverse("funding:order_detail", kwargs={"pk": self.pk})

    @property
    def estimate(self) -> Decimal:
        return (self.quantity * self.unit_price).quantize(CENT, rounding=ROUND_HALF_UP)

    @property
    def delivered_amount(self) -> Decimal | None:
        if self.delivered_quantity is None:
            return None
        # Rounded half up, as the EHF rules compute a line's amount from its quantity and price.
        return (self.delivered_quantity * self.unit_price).quantize(CENT, rounding=ROUND_HALF_UP)
