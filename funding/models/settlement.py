"""Actual costs of initiatives, and the settlement of a plan period: the difference shared out by the plan's key."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core import fields
from funding.models.contributions import MONEY, NON_NEGATIVE
from funding.models.sharing import SharingParticipant, SharingPlan
from members.models import Organisation


class SettledError(Exception):
    """An attempt to change or delete a settlement, which is done once and never edited."""


class ActualCost(models.Model):
    """What an initiative actually cost in a year, from the host's accounts or entered by the secretariat."""

    initiative = models.ForeignKey(
        "portfolio.Initiative", on_delete=models.PROTECT, related_name="actual_costs", verbose_name=_("initiative")
    )
    year = fields.YearField(_("year"))
    amount = models.DecimalField(_("actual cost"), **MONEY, validators=NON_NEGATIVE)
    note = models.CharField(_("note"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("actual cost")
        verbose_name_plural = _("actual costs")
        ordering = ["initiative", "year"]
        constraints = [
            models.UniqueConstraint(fields=["initiative", "year"], name="one_actual_cost_per_initiative_and_year"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="actual_cost_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.initiative}: {self.year}"


class _Frozen(models.Model):
    """Written once when the settlement is made; never changed or deleted (PostgreSQL holds it with a trigger)."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk and type(self)._default_manager.filter(pk=self.pk).exists():
            raise SettledError(f"{self} is settled and cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise SettledError(f"{self} is settled and cannot be deleted.")


class Settlement(_Frozen):
    """The year-end settlement of one period of a plan: actual cost against what the shares invoiced."""

    plan = models.ForeignKey(
        SharingPlan, on_delete=models.PROTECT, related_name="settlements", verbose_name=_("plan version")
    )
    # The plan's number over its versions: a period is settled once whichever version is in force.
    plan_number = models.PositiveIntegerField(_("plan number"))
    year = fields.YearField(_("year"))
    actual = models.DecimalField(_("actual cost"), **MONEY)
    invoiced = models.DecimalField(_("invoiced by the plan"), **MONEY)
    difference = models.DecimalField(_("difference"), **MONEY)
    settled_on = fields.DateField(_("settled on"))
    settled_at = models.DateTimeField(_("settled"), auto_now_add=True)
    settled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("settlement")
        verbose_name_plural = _("settlements")
        ordering = ["plan_number", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["plan_number", "year"], name="one_settlement_per_plan_period"),
            models.CheckConstraint(
                condition=Q(difference=models.F("actual") - models.F("invoiced")), name="settlement_difference"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan.title} {self.year}"


class SettlementShare(_Frozen):
    """One participant's part of a settlement: more to pay (an extra invoice) or back (a partial credit note)."""

    settlement = models.ForeignKey(Settlement, on_delete=models.PROTECT, related_name="shares")
    participant = models.ForeignKey(SharingParticipant, on_delete=models.PROTECT, related_name="settlement_shares")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="settlement_shares", verbose_name=_("organisation")
    )
    # The plan invoice of the period that the settlement adjusts.
    original_invoice = models.ForeignKey(
        "funding.Invoice", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    amount = models.DecimalField(_("settlement"), **MONEY, help_text=_("Positive: to pay; negative: credited."))
    exact = models.DecimalField(_("exact settlement"), max_digits=20, decimal_places=8)
    explanation = models.TextField(_("explanation"))

    class Meta:
        verbose_name = _("settlement share")
        verbose_name_plural = _("settlement shares")
        ordering = ["settlement", "organisation__name"]
        constraints = [
            models.UniqueConstraint(fields=["settlement", "organisation"], name="one_settlement_share_per_organisation")
        ]

    def __str__(self) -> str:
        return f"{self.settlement}: {self.organisation}"
