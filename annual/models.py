"""The network's year: the duties of its annual cycle, their reminders, calendar feeds, the budget's actual
figures and the annual report."""

from __future__ import annotations

import calendar
import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from annual.choices import ActualLine, Check, OwnerRole
from core import fields
from core.runs import BackgroundRun
from governance.choices import DocumentLanguage


class Duty(models.Model):
    """A recurring duty of the network's year (the template the secretariat keeps), and how its data shows it done."""

    title = models.CharField(_("duty"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    month = models.PositiveSmallIntegerField(_("month"), validators=[MinValueValidator(1), MaxValueValidator(12)])
    day = models.PositiveSmallIntegerField(
        _("day"),
        default=31,
        validators=[MinValueValidator(1), MaxValueValidator(31)],
        help_text=_("Due by this day of the month (31: the month's last day)."),
    )
    owner = models.CharField(_("owner"), max_length=20, choices=OwnerRole.choices, default=OwnerRole.SECRETARIAT)
    done_when = models.CharField(_("done when"), max_length=20, choices=Check.choices)
    body = models.ForeignKey(
        "governance.Body",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="duties",
        verbose_name=_("body"),
        help_text=_("For a meeting duty: the body whose meeting is held in the three months up to the due date."),
    )
    remind_days = models.PositiveSmallIntegerField(
        _("reminder (days before)"), default=14, validators=[MaxValueValidator(120)]
    )
    active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("duty of the year")
        verbose_name_plural = _("duties of the year")
        ordering = ["month", "day", "title"]

    def __str__(self) -> str:
        return self.title

    def due_on(self, year: int) -> dt.date:
        """The due date in `year` (day 31 of a shorter month is its last day)."""
        return dt.date(year, self.month, min(self.day, calendar.monthrange(year, self.month)[1]))


class DutyReminder(models.Model):
    """That the reminder of a duty for a year went out: it goes once."""

    duty = models.ForeignKey(Duty, on_delete=models.CASCADE, related_name="reminders")
    year = models.PositiveIntegerField(_("year"))
    sent_at = models.DateTimeField(_("sent"), auto_now_add=True)
    recipients = models.PositiveIntegerField(_("recipients"), default=0)

    class Meta:
        verbose_name = _("duty reminder")
        verbose_name_plural = _("duty reminders")
        constraints = [models.UniqueConstraint(fields=["duty", "year"], name="one_reminder_per_duty_and_year")]

    def __str__(self) -> str:
        return f"{self.duty} {self.year}"


class CalendarFeed(models.Model):
    """A person's private calendar address; replacing the token revokes the old address."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed")
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return str(self.user)

    def get_absolute_url(self) -> str:
        return reverse("annual:private_feed", kwargs={"token": self.token})


class BudgetActual(models.Model):
    """What the host's accounts show for one budget line in a year."""

    year = fields.YearField(_("year"))
    line = models.CharField(_("budget line"), max_length=20, choices=ActualLine.choices)
    amount = models.DecimalField(
        _("actual"), max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal(0))]
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("actual figure")
        verbose_name_plural = _("actual figures")
        ordering = ["year", "line"]
        constraints = [models.UniqueConstraint(fields=["year", "line"], name="one_actual_per_line_and_year")]

    def __str__(self) -> str:
        return f"{self.year} {self.get_line_display()}: {self.amount}"


class AnnualReport(models.Model):
    """The annual report for a year: the secretariat's text, the case that approves it and the PDF it approved."""

    year = fields.YearField(_("year"), unique=True)
    language = models.CharField(
        _("language"), max_length=2, choices=DocumentLanguage.choices, default=DocumentLanguage.BOKMAL
    )
    introduction = models.TextField(_("introduction"), blank=True)
    activities = models.TextField(_("the year's work"), blank=True)
    outlook = models.TextField(_("looking ahead"), blank=True)
    case = models.ForeignKey(
        "governance.Case",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="annual_reports",
        verbose_name=_("approval case"),
    )
    pdf = models.FileField(_("PDF"), upload_to="annual-reports/", blank=True)
    sha256 = models.CharField(max_length=64, blank=True, editable=False)
    pages = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    rendered_at = models.DateTimeField(_("rendered"), null=True, blank=True)
    frozen_at = models.DateTimeField(
        _("frozen"),
        null=True,
        blank=True,
        help_text=_("When the approved report was rendered; it never changes after."),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("annual report")
        verbose_name_plural = _("annual reports")
        ordering = ["-year"]

    def __str__(self) -> str:
        return str(self.year)

    def get_absolute_url(self) -> str:
        return reverse("annual:report_detail", kwargs={"year": self.year})


class AnnualReportRun(BackgroundRun):
    """One rendering of an annual report to PDF by a worker."""

    report = models.ForeignKey(AnnualReport, on_delete=models.CASCADE, related_name="runs")

    class Meta(BackgroundRun.Meta):
        verbose_name = _("annual report rendering")
        verbose_name_plural = _("annual report renderings")
