from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core import fields, told
from core.runs import BackgroundRun
from funding import explanations
from funding.choices import Basis, ModelMode, ModelStatus
from members.choices import OrganisationKind
from members.models import Organisation

MONEY: dict[str, Any] = {"max_digits": 14, "decimal_places": 2}
NON_NEGATIVE = [MinValueValidator(Decimal(0))]


class Deflator(models.Model):
    """The municipal price deflator for a year (e.g. 0.035 for 3.5 %), by which models index their amounts."""

    year = fields.YearField(_("year"), unique=True)
    rate = models.DecimalField(
        _("rate"),
        max_digits=6,
        decimal_places=4,
        validators=[MinValueValidator(Decimal("-0.5")), MaxValueValidator(Decimal("0.5"))],
        help_text=_("As a fraction: 0.035 is 3.5 %."),
    )
    source = models.CharField(_("source"), max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("deflator")
        verbose_name_plural = _("deflators")
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.year}: {self.rate}"


class ContributionModel(models.Model):
    """How the members' yearly contributions are computed for a budget year: adopted, or a proposal."""

    name = models.CharField(_("name"), max_length=200)
    year = fields.YearField(_("budget year"))
    base_year = fields.YearField(
        _("base year"), help_text=_("The year the amounts are stated in; later years are indexed by the deflator.")
    )
    mode = models.CharField(_("mode"), max_length=10, choices=ModelMode.choices, default=ModelMode.FORMULA)
    status = models.CharField(_("status"), max_length=12, choices=ModelStatus.choices, default=ModelStatus.PROPOSAL)
    cap_indexed = models.BooleanField(
        _("the cap follows the deflator"),
        default=False,
        help_text=_("State it: when the cap is not indexed, members at the cap pay less per inhabitant each year."),
    )
    target_total = models.DecimalField(_("target total"), **MONEY, null=True, blank=True, validators=NON_NEGATIVE)
    equal_share = models.DecimalField(
        _("share divided equally"),
        max_digits=5,
        decimal_places=4,
        default=Decimal(0),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(1))],
        help_text=_("Share mode: the fraction of the total divided equally (0.3 is 30 %); the rest by population."),
    )
    population_date = fields.DateField(
        _("population reference date"),
        help_text=_(
            "Population figures with this reference date are used (usually 1 January of the budget year, "
            "i.e. per 31 December of the year before)."
        ),
    )
    description = models.TextField(_("description"), blank=True)
    adopted_on = fields.DateField(_("adopted on"), null=True, blank=True)
    adopted_by = models.CharField(
        _("adopted by"), max_length=200, blank=True, help_text=_("The body and case, e.g. Styringsgruppen, sak 37/25.")
    )
    adopted_in_case = models.ForeignKey(
        "governance.Case",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="adopted_contribution_models",
        verbose_name=_("adopted in case"),
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("contribution model")
        verbose_name_plural = _("contribution models")
        ordering = ["-year", "status", "name"]
        constraints = [
            models.UniqueConstraint(fields=["year"], condition=Q(status="adopted"), name="one_adopted_model_per_year"),
            models.CheckConstraint(
                condition=Q(mode="formula") | Q(target_total__isnull=False), name="share_mode_has_target_total"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.year}, {self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("funding:model_detail", kwargs={"pk": self.pk})

    @staticmethod
    def default_population_date(year: int) -> date:
        return date(year, 1, 1)


class ContributionRule(models.Model):
    """The formula for one kind of organisation in a model: fixed amount, amount per inhabitant, optional cap."""

    model = models.ForeignKey(ContributionModel, on_delete=models.CASCADE, related_name="rules")
    kind = models.CharField(_("kind"), max_length=32, choices=OrganisationKind.choices)
    fixed = models.DecimalField(_("fixed amount"), **MONEY, default=Decimal(0), validators=NON_NEGATIVE)
    per_inhabitant = models.DecimalField(
        _("amount per inhabitant"), **MONEY, default=Decimal(0), validators=NON_NEGATIVE
    )
    cap = models.DecimalField(_("cap"), **MONEY, null=True, blank=True, validators=NON_NEGATIVE)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("rule")
        verbose_name_plural = _("rules")
        ordering = ["model", "kind"]
        constraints = [models.UniqueConstraint(fields=["model", "kind"], name="one_rule_per_kind")]

    def __str__(self) -> str:
        return f"{self.model}: {self.get_kind_display()}"


class ContributionOverride(models.Model):
    """An exception for one organisation in a model: exempt (the host, with its in-kind share) or a fixed amount."""

    model = models.ForeignKey(ContributionModel, on_delete=models.CASCADE, related_name="overrides")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, verbose_name=_("organisation"))
    exempt = models.BooleanField(_("exempt"), default=False)
    fixed_amount = models.DecimalField(_("fixed amount"), **MONEY, null=True, blank=True, validators=NON_NEGATIVE)
    in_kind_value = models.DecimalField(
        _("value of in-kind share"), **MONEY, null=True, blank=True, validators=NON_NEGATIVE
    )
    description = models.CharField(_("description"), max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("exception")
        verbose_name_plural = _("exceptions")
        ordering = ["model", "organisation__name"]
        constraints = [
            models.UniqueConstraint(fields=["model", "organisation"], name="one_override_per_organisation"),
            models.CheckConstraint(
                condition=(Q(exempt=True) & Q(fixed_amount__isnull=True))
                | (Q(exempt=False) & Q(fixed_amount__isnull=False)),
                name="override_is_exempt_or_fixed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.model}: {self.organisation}"


class Contribution(models.Model):
    """What one organisation pays for a budget year, with the figures it was computed from."""

    # No index of its own: the unique constraint on (organisation, year) serves lookups by organisation, and each
    # index is written again for every contribution a recompute changes.
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="contributions", db_index=False
    )
    year = fields.YearField(_("budget year"))
    model = models.ForeignKey(ContributionModel, on_delete=models.PROTECT, related_name="contributions")
    model_version = models.PositiveIntegerField(_("model version"))
    population = models.PositiveIntegerField(_("inhabitants"), null=True, blank=True)
    population_date = fields.DateField(_("population reference date"), null=True, blank=True)
    months = models.PositiveSmallIntegerField(_("months of membership"), default=12)
    basis = models.CharField(_("basis"), max_length=16, choices=Basis.choices)
    index_factor = models.DecimalField(_("index factor"), max_digits=12, decimal_places=8, default=Decimal(1))
    fixed_part = models.DecimalField(_("fixed part"), max_digits=20, decimal_places=8, default=Decimal(0))
    per_inhabitant_part = models.DecimalField(
        _("per-inhabitant part"), max_digits=20, decimal_places=8, default=Decimal(0)
    )
    cap = models.DecimalField(_("cap"), max_digits=20, decimal_places=8, null=True, blank=True)
    exact = models.DecimalField(_("exact amount"), max_digits=20, decimal_places=8)
    amount = models.DecimalField(_("amount"), **MONEY)
    # In Bokmål, the documents' language (the invoice line's basis); pages tell `explanation_facts` in the
    # reader's language instead (funding.explanations).
    explanation = models.TextField(_("explanation"))
    explanation_facts = models.JSONField(_("facts behind the explanation"), default=dict, blank=True)
    computed_at = models.DateTimeField(_("computed"))
    frozen_at = models.DateTimeField(
        _("invoiced"),
        null=True,
        blank=True,
        help_text=_("Set when the contribution is invoiced; it then never changes."),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("contribution")
        verbose_name_plural = _("contributions")
        ordering = ["-year", "organisation__name"]
        constraints = [models.UniqueConstraint(fields=["organisation", "year"], name="one_contribution_per_year")]

    def __str__(self) -> str:
        return f"{self.organisation} {self.year}: {self.amount}"

    def get_absolute_url(self) -> str:
        return reverse("funding:contribution_detail", kwargs={"pk": self.pk})

    @property
    def explanation_for_reader(self) -> str:
        """The explanation in the language the reader chose (the stored Bokmål text where no facts were kept)."""
        return explanations.told_for_reader(self.explanation_facts, self.explanation)

    @property
    def per_inhabitant(self) -> Decimal | None:
        if not self.population:
            return None
        return (self.amount / self.population).quantize(Decimal("0.01"))


class RecomputeRun(BackgroundRun):
    """One recomputation of a year's contributions, with its progress and what it found."""

    reason = models.CharField(_("reason"), max_length=200, blank=True)
    # The reason as a message told in the reader's language (core.told); `reason` keeps its English text.
    reason_message = models.JSONField(_("reason (message)"), default=dict, blank=True)
    missing_population = models.JSONField(_("members without a population figure"), default=list, blank=True)
    report = models.JSONField(_("report"), default=dict, blank=True)

    class Meta(BackgroundRun.Meta):
        verbose_name = _("recompute run")
        verbose_name_plural = _("recompute runs")

    def get_absolute_url(self) -> str:
        return reverse("funding:run_detail", kwargs={"pk": self.pk})

    @property
    def reason_text(self) -> str:
        return told.tell(self.reason_message, self.reason)


class Budget(models.Model):
    """The network's budget for a year: cost estimate and income besides the members' contributions."""

    year = fields.YearField(_("year"), unique=True)
    staff_costs = models.DecimalField(_("staff"), **MONEY, default=Decimal(0), validators=NON_NEGATIVE)
    project_costs = models.DecimalField(_("projects"), **MONEY, default=Decimal(0), validators=NON_NEGATIVE)
    other_costs = models.DecimalField(_("other costs"), **MONEY, default=Decimal(0), validators=NON_NEGATIVE)
    grant_income = models.DecimalField(_("grants"), **MONEY, default=Decimal(0), validators=NON_NEGATIVE)
    host_in_kind = models.DecimalField(
        _("host's in-kind contribution"), **MONEY, default=Decimal(0), validators=NON_NEGATIVE
    )
    other_income = models.DecimalField(_("other income"), **MONEY, default=Decimal(0), validators=NON_NEGATIVE)
    notes = models.TextField(_("notes"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("budget")
        verbose_name_plural = _("budgets")
        ordering = ["-year"]

    def __str__(self) -> str:
        return str(self.year)

    def get_absolute_url(self) -> str:
        return reverse("funding:budget_detail", kwargs={"year": self.year})

    @property
    def need(self) -> Decimal:
        return self.staff_costs + self.project_costs + self.other_costs

    @property
    def income_besides_contributions(self) -> Decimal:
        return self.grant_income + self.host_in_kind + self.other_income
