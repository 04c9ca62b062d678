"""Cost-sharing plans: the cost of an initiative or a one-off purpose shared among its participants."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core import fields
from funding.choices import ModelStatus, Recurrence, SharingKey
from funding.models.contributions import MONEY, NON_NEGATIVE
from members.models import Organisation


class SharingPlan(models.Model):
    """One version of a plan sharing a cost among organisations: a proposal, adopted (frozen) or superseded."""

    number = models.PositiveIntegerField(_("plan number"), editable=False)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    previous = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="next_version",
        verbose_name=_("previous version"),
    )
    initiative = models.ForeignKey(
        "portfolio.Initiative",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sharing_plans",
        verbose_name=_("initiative"),
        help_text=_("Leave empty for a one-off purpose that is not an initiative."),
    )
    purpose = models.CharField(
        _("what is shared"), max_length=150, help_text=_("Named on every invoice line, e.g. Prosjektledelse 2026.")
    )
    status = models.CharField(_("status"), max_length=12, choices=ModelStatus.choices, default=ModelStatus.PROPOSAL)
    recurrence = models.CharField(_("paid"), max_length=8, choices=Recurrence.choices, default=Recurrence.YEARLY)
    first_year = fields.YearField(_("first year"))
    last_year = fields.YearField(_("last year"), null=True, blank=True, help_text=_("Empty for a one-off plan."))
    amount = models.DecimalField(
        _("amount to share"), **MONEY, validators=NON_NEGATIVE, help_text=_("Whole kroner, per year or once.")
    )
    key = models.CharField(_("key"), max_length=16, choices=SharingKey.choices, default=SharingKey.EQUAL)
    equal_share = models.DecimalField(
        _("share divided equally"),
        max_digits=5,
        decimal_places=4,
        default=Decimal(0),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(1))],
        help_text=_("Mixed key: the fraction divided equally (0.3 is 30 %); the rest by population."),
    )
    unit = models.CharField(_("unit of use"), max_length=30, blank=True, help_text=_("Use key: e.g. timer, lisenser."))
    population_date = fields.DateField(_("population reference date"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)
    adopted_on = fields.DateField(_("adopted on"), null=True, blank=True)
    adopted_by = models.CharField(_("adopted by"), max_length=200, blank=True)
    adopted_in_case = models.ForeignKey(
        "governance.Case",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="adopted_sharing_plans",
        verbose_name=_("adopted in case"),
    )
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("cost-sharing plan")
        verbose_name_plural = _("cost-sharing plans")
        ordering = ["-first_year", "number", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["number", "version"], name="one_plan_version"),
            models.UniqueConstraint(fields=["number"], condition=Q(status="adopted"), name="one_adopted_plan_version"),
            models.CheckConstraint(
                condition=Q(last_year__isnull=True) | Q(last_year__gte=models.F("first_year")),
                name="plan_ends_after_it_starts",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} (v{self.version})"

    def get_absolute_url(self) -> str:
        return reverse("funding:plan_detail", kwargs={"pk": self.pk})

    @property
    def title(self) -> str:
        return f"{self.initiative.title}: {self.purpose}" if self.initiative else self.purpose

    @property
    def years(self) -> list[int]:
        """The plan periods: each year from the first to the last, or the one year of a one-off plan."""
        if self.recurrence == Recurrence.ONCE:
            return [self.first_year]
        return list(range(self.first_year, (self.last_year or self.first_year) + 1))


class SharingParticipant(models.Model):
    """An organisation in a plan: the figure its key needs, any exception, and the share computed from them."""

    plan = models.ForeignKey(SharingPlan, on_delete=models.CASCADE, related_name="participants")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="plan_shares", verbose_name=_("organisation")
    )
    share = models.DecimalField(
        _("fixed share"),
        max_digits=7,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(1))],
        help_text=_("Fixed shares: a fraction, 0.25 for a quarter."),
    )
    usage = models.DecimalField(
        _("use"), max_digits=12, decimal_places=2, null=True, blank=True, validators=NON_NEGATIVE
    )
    exempt = models.BooleanField(_("exempt"), default=False)
    fixed_amount = models.DecimalField(_("fixed amount"), **MONEY, null=True, blank=True, validators=NON_NEGATIVE)
    description = models.CharField(_("description"), max_length=300, blank=True)
    # Computed when the plan is saved; frozen with it when it is adopted.
    population = models.PositiveIntegerField(_("inhabitants"), null=True, blank=True)
    amount = models.DecimalField(_("share"), **MONEY, default=Decimal(0))
    exact = models.DecimalField(_("exact share"), max_digits=20, decimal_places=8, default=Decimal(0))
    explanation = models.TextField(_("explanation"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        ordering = ["plan", "organisation__name"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "organisation"], name="one_share_per_organisation"),
            models.CheckConstraint(
                condition=Q(exempt=False) | Q(fixed_amount__isnull=True), name="share_exempt_or_fixed"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan}: {self.organisation}"
