"""Initiatives from idea to rollout, their funding plans, benefits and status reports; national solutions
and each member's adoption of them; and the catalogue of what the network offers its members."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core import fields
from portfolio.choices import (
    GRANT_SOURCE_CHOICES,
    AdoptionStatus,
    FocusArea,
    FundingSource,
    GrantStatus,
    OfferingKind,
    ParticipantRole,
    Rag,
    ServiceArea,
    State,
    SuggestionKind,
    SuggestionStatus,
)

NOT_NEGATIVE = [MinValueValidator(Decimal(0))]


class Offering(models.Model):
    """Something the network offers its members: an expert group, a rollout programme, a template."""

    kind = models.CharField(_("kind"), max_length=20, choices=OfferingKind.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"))
    contact_name = models.CharField(_("contact"), max_length=200)
    contact_email = models.EmailField(_("contact email"))
    how_to_take_part = models.TextField(_("how to take part"))
    link = models.URLField(_("link"), blank=True)
    is_published = models.BooleanField(_("published"), default=True)

    class Meta:
        ordering = ["kind", "title"]
        verbose_name = _("service")
        verbose_name_plural = _("service catalogue")

    def __str__(self) -> str:
        return self.title


class Initiative(models.Model):
    """An idea, concept, project or rollout in the network's portfolio."""

    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)
    description = models.TextField(_("description"), blank=True)
    internal_notes = models.TextField(_("internal notes"), blank=True, help_text=_("Only signed-in members see these."))
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.IDEA)
    focus_area = models.CharField(_("strategic focus area"), max_length=20, choices=FocusArea.choices)
    service_area = models.CharField(_("service area"), max_length=20, choices=ServiceArea.choices)
    expert_group = models.ForeignKey(
        Offering,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="initiatives",
        limit_choices_to={"kind": OfferingKind.EXPERT_GROUP},
        verbose_name=_("expert group"),
    )
    owner = models.ForeignKey(
        "members.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="owned_initiatives",
        verbose_name=_("owner organisation"),
    )
    project_leader = models.CharField(_("project leader"), max_length=200, blank=True)
    start = fields.DateField(_("start"), null=True, blank=True)
    end = fields.DateField(_("end"), null=True, blank=True)
    escalated_to_ks = models.BooleanField(
        _("national relevance (escalated to KS)"), default=False, help_text=_("Raised with KS at the national level.")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["title"]
        verbose_name = _("initiative")
        verbose_name_plural = _("initiatives")
        indexes = [
            # The overview's order: a page of it read from the index, its latest status and budget worked out for
            # that page only rather than for every initiative before sorting.
            models.Index(fields=["title"], name="initiative_title"),
            models.Index(fields=["state", "title"]),
            models.Index(fields=["focus_area", "title"]),
            models.Index(fields=["service_area", "title"]),
            models.Index(fields=["owner", "title"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__isnull=True)
                | models.Q(start__isnull=True)
                | models.Q(end__gte=models.F("start")),
                name="initiative_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("portfolio:initiative_detail", kwargs={"pk": self.pk})


class Participation(models.Model):
    """An organisation taking part in an initiative, and in what role (the owner is on the initiative)."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="participations")
    organisation = models.ForeignKey(
        "members.Organisation", on_delete=models.PROTECT, related_name="participations", verbose_name=_("organisation")
    )
    role = models.CharField(
        _("role"), max_length=12, choices=ParticipantRole.choices, default=ParticipantRole.PARTICIPANT
    )

    class Meta:
        ordering = ["organisation__name"]
        verbose_name = _("participation")
        verbose_name_plural = _("participations")
        constraints = [
            models.UniqueConstraint(fields=["initiative", "organisation"], name="one_participation_per_organisation")
        ]

    def __str__(self) -> str:
        return f"{self.organisation} ({self.get_role_display()})"


class Transition(models.Model):
    """One move in an initiative's life cycle: from which state to which, who made it, when and why."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="transitions")
    from_state = models.CharField(_("from"), max_length=12, choices=State.choices)
    to_state = models.CharField(_("to"), max_length=12, choices=State.choices)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("recorded by")
    )
    decided_at = models.DateTimeField(_("when"))
    reason = models.TextField(_("why"))
    decided_in = models.ForeignKey(
        "governance.Case",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="portfolio_decisions",
        verbose_name=_("case that decided it"),
    )

    class Meta:
        ordering = ["-decided_at", "-pk"]
        verbose_name = _("transition")
        verbose_name_plural = _("transitions")

    def __str__(self) -> str:
        return f"{self.initiative}: {self.get_from_state_display()} → {self.get_to_state_display()}"

    def get_absolute_url(self) -> str:
        return self.initiative.get_absolute_url()


class FundingPlanLine(models.Model):
    """One source in an initiative's funding plan for one year: budget against actual, in NOK (and hours)."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="funding_lines")
    year = fields.YearField(_("year"))
    source = models.CharField(_("source"), max_length=24, choices=FundingSource.choices)
    organisation = models.ForeignKey(
        "members.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organisation"),
        help_text=_("Whose own effort or contribution this is."),
    )
    description = models.CharField(_("description"), max_length=200, blank=True)
    hours = models.DecimalField(
        _("hours"), max_digits=9, decimal_places=1, null=True, blank=True, validators=NOT_NEGATIVE
    )
    budget = models.DecimalField(_("budget (NOK)"), max_digits=12, decimal_places=2, validators=NOT_NEGATIVE)
    actual = models.DecimalField(
        _("actual (NOK)"), max_digits=12, decimal_places=2, default=Decimal(0), validators=NOT_NEGATIVE
    )

    class Meta:
        ordering = ["year", "source", "pk"]
        verbose_name = _("funding plan line")
        verbose_name_plural = _("funding plan")

    def __str__(self) -> str:
        return f"{self.year} {self.get_source_display()}"


class Benefit(models.Model):
    """A benefit an initiative is to realise, with its owner (the service owner), indicator, baseline and target."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="benefits")
    description = models.CharField(_("description"), max_length=300)
    owner = models.CharField(_("benefit owner (service owner)"), max_length=200)
    indicator = models.CharField(_("indicator"), max_length=200)
    unit = models.CharField(_("unit"), max_length=40, blank=True)
    organisation = models.ForeignKey(
        "members.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organisation"),
        help_text=_("Leave empty for a benefit of the whole initiative."),
    )
    baseline = models.DecimalField(_("baseline"), max_digits=14, decimal_places=2)
    target = models.DecimalField(_("target"), max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("benefit")
        verbose_name_plural = _("benefits")

    def __str__(self) -> str:
        return self.description


class BenefitValue(models.Model):
    """A realised value of a benefit's indicator on a date."""

    benefit = models.ForeignKey(Benefit, on_delete=models.CASCADE, related_name="values")
    measured_on = fields.DateField(_("measured on"))
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["measured_on"]
        verbose_name = _("realised value")
        verbose_name_plural = _("realised values")
        constraints = [
            models.UniqueConstraint(fields=["benefit", "measured_on"], name="one_value_per_benefit_and_date")
        ]

    def __str__(self) -> str:
        return f"{self.benefit}: {self.value} ({self.measured_on})"


class StatusReport(models.Model):
    """A project's status for one period (green, yellow or red, with text); earlier reports are kept."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="status_reports")
    period_start = fields.DateField(_("period from"))
    period_end = fields.DateField(_("period to"))
    rag = models.CharField(_("status"), max_length=8, choices=Rag.choices)
    summary = models.TextField(_("report"), help_text=_("Progress, risks and deviations in the period."))
    next_steps = models.TextField(_("next steps"), blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("reported by")
    )
    created_at = models.DateTimeField(_("reported"), auto_now_add=True)
    pdf = models.FileField(_("PDF"), upload_to="status-reports/%Y/", blank=True)
    pdf_sha256 = models.CharField(_("PDF SHA-256"), max_length=64, blank=True)

    class Meta:
        ordering = ["-period_end", "-pk"]
        get_latest_by = "period_end"
        verbose_name = _("status report")
        verbose_name_plural = _("status reports")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")), name="report_period_order"
            )
        ]

    def __str__(self) -> str:
        return f"{self.initiative} {self.period_start}–{self.period_end}"


class NationalSolution(models.Model):
    """A national solution the members adopt (DigiHelse, Kjernejournal, Digisos ...)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)
    provider = models.CharField(_("provider"), max_length=200, blank=True)
    benefits_potential = models.TextField(_("benefits potential"), blank=True)
    initiative = models.ForeignKey(
        Initiative,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="solutions",
        verbose_name=_("rollout initiative"),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("national solution")
        verbose_name_plural = _("national solutions")

    def __str__(self) -> str:
        return self.name


class Adoption(models.Model):
    """How far one member has come in adopting one national solution, and since when."""

    solution = models.ForeignKey(NationalSolution, on_delete=models.CASCADE, related_name="adoptions")
    organisation = models.ForeignKey(
        "members.Organisation", on_delete=models.PROTECT, related_name="adoptions", verbose_name=_("organisation")
    )
    status = models.CharField(
        _("status"), max_length=12, choices=AdoptionStatus.choices, default=AdoptionStatus.NOT_STARTED
    )
    status_date = fields.DateField(_("date"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["solution__name", "organisation__name"]
        verbose_name = _("adoption")
        verbose_name_plural = _("adoptions")
        constraints = [
            models.UniqueConstraint(fields=["solution", "organisation"], name="one_adoption_per_solution_and_member")
        ]
        indexes = [models.Index(fields=["solution", "status"])]

    def __str__(self) -> str:
        return f"{self.solution} – {self.organisation}: {self.get_status_display()}"


class Suggestion(models.Model):
    """An idea or a need a member organisation puts forward, until the secretariat has assessed it."""

    kind = models.CharField(_("kind"), max_length=8, choices=SuggestionKind.choices, default=SuggestionKind.IDEA)
    title = models.CharField(_("title"), max_length=200)
    problem = models.TextField(_("the problem"))
    who_meets_it = models.TextField(_("who meets it"))
    gain = models.TextField(_("what it would give"))
    organisation = models.ForeignKey(
        "members.Organisation", on_delete=models.PROTECT, related_name="suggestions", verbose_name=_("organisation")
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted"), auto_now_add=True)
    status = models.CharField(
        _("status"), max_length=16, choices=SuggestionStatus.choices, default=SuggestionStatus.SUBMITTED
    )
    reason = models.TextField(_("answer"), blank=True)
    initiative = models.ForeignKey(
        Initiative,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="suggestions",
        verbose_name=_("initiative"),
    )
    merged_into = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="merged", verbose_name=_("merged into")
    )
    assessed_at = models.DateTimeField(_("assessed"), null=True, blank=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        verbose_name = _("idea or need")
        verbose_name_plural = _("ideas and needs")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("portfolio:suggestion_detail", kwargs={"pk": self.pk})


class SuggestionSupport(models.Model):
    """A member organisation that has the same need ("we have this need too")."""

    suggestion = models.ForeignKey(Suggestion, on_delete=models.CASCADE, related_name="supports")
    organisation = models.ForeignKey("members.Organisation", on_delete=models.PROTECT, related_name="+")
    supported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    supported_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        ordering = ["supported_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["suggestion", "organisation"], name="one_support_per_organisation")
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} → {self.suggestion_id}"


class Grantor(models.Model):
    """Someone who grants money to projects: the county governor's discretionary funds, KS funds, a foundation."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    source = models.CharField(
        _("source in funding plans"),
        max_length=24,
        choices=GRANT_SOURCE_CHOICES,
        help_text=_("The funding-plan source an award from this grantor is entered under."),
    )
    report_form = models.CharField(
        _("report form"), max_length=200, blank=True, help_text=_("The grantor's name for its report, if it has one.")
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("grantor")
        verbose_name_plural = _("grantors")

    def __str__(self) -> str:
        return self.name


class Grant(models.Model):
    """An application to a grantor for one or more initiatives, the grantor's decision and the report on it."""

    grantor = models.ForeignKey(Grantor, on_delete=models.PROTECT, related_name="grants", verbose_name=_("grantor"))
    year = fields.YearField(_("year"), help_text=_("The year the grant is for."))
    title = models.CharField(_("title"), max_length=200)
    grantor_reference = models.CharField(
        _("grantor's reference"), max_length=100, blank=True, help_text=_("The grantor's case number.")
    )
    status = models.CharField(_("status"), max_length=10, choices=GrantStatus.choices, default=GrantStatus.DRAFT)
    applied_on = fields.DateField(_("applied on"), null=True, blank=True)
    decided_on = fields.DateField(_("decided on"), null=True, blank=True)
    conditions = models.TextField(_("conditions"), blank=True, help_text=_("The grantor's conditions for the grant."))
    report_due = fields.DateField(_("report due"), null=True, blank=True)
    reported_on = fields.DateField(_("reported on"), null=True, blank=True)
    report_pdf = models.FileField(_("report (PDF)"), upload_to="grant-reports/%Y/", blank=True)
    report_pdf_sha256 = models.CharField(_("report SHA-256"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    class Meta:
        ordering = ["-year", "grantor__name", "title"]
        verbose_name = _("grant")
        verbose_name_plural = _("grants")

    def __str__(self) -> str:
        return f"{self.title} ({self.grantor}, {self.year})"

    def get_absolute_url(self) -> str:
        return reverse("portfolio:grant_detail", kwargs={"pk": self.pk})


class GrantItem(models.Model):
    """One initiative in a grant: applied for, awarded, and what the report says about its use."""

    grant = models.ForeignKey(Grant, on_delete=models.CASCADE, related_name="items")
    initiative = models.ForeignKey(
        Initiative, on_delete=models.PROTECT, related_name="grant_items", verbose_name=_("initiative")
    )
    applied = models.DecimalField(_("applied for (NOK)"), max_digits=12, decimal_places=2, validators=NOT_NEGATIVE)
    awarded = models.DecimalField(
        _("awarded (NOK)"), max_digits=12, decimal_places=2, null=True, blank=True, validators=NOT_NEGATIVE
    )
    # The line in the initiative's funding plan that the award wrote; the award service keeps it in step.
    funding_line = models.OneToOneField(
        FundingPlanLine,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="grant_item",
    )
    spent = models.DecimalField(
        _("used (NOK)"), max_digits=12, decimal_places=2, null=True, blank=True, validators=NOT_NEGATIVE
    )
    own_effort = models.DecimalField(
        _("own effort (NOK)"), max_digits=12, decimal_places=2, null=True, blank=True, validators=NOT_NEGATIVE
    )
    progress = models.TextField(_("status"), blank=True, help_text=_("Where the project stands."))
    results = models.TextField(_("results and benefits"), blank=True)

    class Meta:
        ordering = ["initiative__title", "pk"]
        verbose_name = _("initiative in a grant")
        verbose_name_plural = _("initiatives in a grant")
        constraints = [models.UniqueConstraint(fields=["grant", "initiative"], name="one_item_per_initiative")]

    def __str__(self) -> str:
        return f"{self.grant}: {self.initiative}"
