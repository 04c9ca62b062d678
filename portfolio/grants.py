"""Grants: applications to a grantor for one or more initiatives, the grantor's award (written into the
initiatives' funding plans, under the own-effort rule) and the report on the use of the funds.

Every write on a grant goes through here. The award is the only writer of a grant's funding-plan lines: the
amount awarded is typed once, on the award, and the line follows it (created, changed, or removed at zero).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from core.documents import document_read, document_store, html_to_pdf
from core.formatting import format_nok
from core.rules import rule
from portfolio import lifecycle
from portfolio.choices import GrantStatus, State
from portfolio.models import FundingPlanLine, Grant, GrantItem, Grantor, Initiative

GRANT_FIELDS = ("grantor", "year", "title", "grantor_reference", "conditions", "report_due")
DECIDED = frozenset({GrantStatus.AWARDED, GrantStatus.PARTLY_AWARDED})


@dataclass(frozen=True)
class ItemInput:
    """One initiative in an application and the amount applied for it."""

    initiative: Initiative
    applied: Decimal


@dataclass(frozen=True)
class ReportInput:
    """What the report says about one initiative: funds used, own effort, where it stands, what it gave."""

    spent: Decimal
    own_effort: Decimal
    progress: str
    results: str


def _language() -> str:
    return (translation.get_language() or "nb")[:2]


def _nok(value: Decimal | None) -> str:
    return format_nok(value, language=_language())


@rule
def grant_can_edit(grant: Grant) -> bool:
    """The application is changed while it is a draft; once sent it is what the grantor received."""
    return grant.status == GrantStatus.DRAFT


@rule
def grant_can_submit(grant: Grant) -> bool:
    return grant.status == GrantStatus.DRAFT


@rule
def grant_can_award(grant: Grant) -> bool:
    """The grantor's decision is recorded once the application is sent, and may be corrected until reported."""
    return grant.status in {GrantStatus.APPLIED, *DECIDED}


@rule
def grant_can_report(grant: Grant) -> bool:
    """Something was awarded and the report is not yet filed."""
    return grant.status in DECIDED


@rule
def grant_is_reported(grant: Grant) -> bool:
    return grant.status == GrantStatus.REPORTED


def _plan_beside(item: GrantItem | None, initiative: Initiative) -> list[lifecycle.FundingLine]:
    """The initiative's funding plan without the line this grant item wrote (the rule puts the new amount in)."""
    lines = FundingPlanLine.objects.filter(initiative=initiative)
    if item is not None and item.funding_line_id:
        lines = lines.exclude(pk=item.funding_line_id)
    return [lifecycle.FundingLine(line.source, line.budget) for line in lines]


def _rule_problems(grant: Grant, amounts: Sequence[tuple[GrantItem | None, Initiative, Decimal]]) -> list[str]:
    problems = []
    for item, initiative, amount in amounts:
        problem = lifecycle.grant_problem(
            initiative=initiative.title,
            lines=_plan_beside(item, initiative),
            grant=lifecycle.FundingLine(grant.grantor.source, amount),
            language=_language(),
        )
        if problem:
            problems.append(problem)
    return problems


def _check_items(items: Sequence[ItemInput]) -> None:
    if not items:
        raise ValidationError(_("An application names at least one initiative."))
    seen: set[int] = set()
    for item in items:
        if item.initiative.pk in seen:
            raise ValidationError(
                _("%(initiative)s is named twice in the application.") % {"initiative": item.initiative}
            )
        seen.add(item.initiative.pk)
        if item.applied is None or item.applied <= 0:
            raise ValidationError(
                _("%(initiative)s: the amount applied for must be more than zero.") % {"initiative": item.initiative}
            )
        if item.initiative.state in {State.REJECTED, State.COMPLETED}:
            raise ValidationError(
                _("%(initiative)s is %(state)s; a grant is applied for an initiative that is still to be carried out.")
                % {"initiative": item.initiative, "state": item.initiative.get_state_display().lower()}
            )


@transaction.atomic
def grant_save(*, grant: Grant | None = None, values: Mapping[str, Any], items: Sequence[ItemInput]) -> Grant:
    """A new application or a change to a draft: its facts and the initiatives with the amounts applied for."""
    if grant is not None:
        grant = Grant.objects.select_for_update().get(pk=grant.pk)
        if not grant_can_edit(grant):
            raise ValidationError(_("An application that has been sent is not changed."))
    else:
        grant = Grant()
    _check_items(items)
    for name in GRANT_FIELDS:
        if name in values:
            setattr(grant, name, values[name])
    grant.full_clean()
    grant.save()
    grant.items.exclude(initiative__in=[item.initiative for item in items]).delete()
    for item in items:
        row = GrantItem.objects.filter(grant=grant, initiative=item.initiative).first() or GrantItem(
            grant=grant, initiative=item.initiative
        )
        row.applied = item.applied
        row.full_clean()
        row.save()
    return grant


@transaction.atomic
def grant_submit(*, grant: Grant, applied_on: date) -> Grant:
    """The application is sent: checked first against the own-effort rule with the amounts applied for."""
    grant = Grant.objects.select_for_update().select_related("grantor").get(pk=grant.pk)
    if not grant_can_submit(grant):
        raise ValidationError(_("This application has already been sent."))
    items = list(grant.items.select_related("initiative"))
    if not items:
        raise ValidationError(_("An application names at least one initiative."))
    problems = _rule_problems(grant, [(item, item.initiative, item.applied) for item in items])
    if problems:
        raise ValidationError(problems)
    grant.applied_on = applied_on
    grant.status = GrantStatus.APPLIED
    grant.full_clean()
    grant.save(update_fields=["applied_on", "status", "updated_at"])
    return grant


def _status_after_award(items: Sequence[GrantItem]) -> str:
    if not any(item.awarded for item in items):
        return GrantStatus.REFUSED
    if all((item.awarded or 0) >= item.applied for item in items):
        return GrantStatus.AWARDED
    return GrantStatus.PARTLY_AWARDED


def _funding_line_follow(grant: Grant, item: GrantItem) -> None:
    """Write the award into the initiative's funding plan: one line per grant and initiative, never typed twice."""
    line = item.funding_line
    if not item.awarded:
        item.funding_line = None
        item.save(update_fields=["funding_line"])
        if line is not None:
            line.delete()
        return
    if line is None:
        line = FundingPlanLine(initiative=item.initiative)
    line.year = grant.year
    line.source = grant.grantor.source
    line.description = f"{grant.grantor.name}: {grant.title}"[:200]
    line.budget = item.awarded
    if item.spent is not None:
        line.actual = item.spent
    line.full_clean()
    line.save()
    if item.funding_line_id != line.pk:
        item.funding_line = line
        item.save(update_fields=["funding_line"])


@transaction.atomic
def grant_award(
    *,
    grant: Grant,
    decided_on: date,
    awarded: Mapping[int, Decimal],
    conditions: str = "",
    report_due: date | None = None,
    grantor_reference: str = "",
) -> Grant:
    """Record the grantor's decision: the amount awarded per initiative (keyed by grant item id), its conditions
    and when the report is due. Each award goes into the initiative's funding plan as a line of the grantor's
    source; an award that would leave own effort below half of a funding plan is refused, naming the initiative
    and its figures. Recorded again (a correction), the same lines are changed."""
    grant = Grant.objects.select_for_update().select_related("grantor").get(pk=grant.pk)
    if not grant_can_award(grant):
        raise ValidationError(_("The grantor's decision is recorded for an application that has been sent."))
    items = list(grant.items.select_related("initiative", "funding_line"))
    missing = [item.initiative.title for item in items if awarded.get(item.pk) is None]
    if missing:
        raise ValidationError(
            _("Enter the amount awarded (0 if nothing) for: %(initiatives)s.") % {"initiatives": ", ".join(missing)}
        )
    for item in items:
        amount = awarded[item.pk]
        if amount < 0:
            raise ValidationError(_("%(initiative)s: an award cannot be negative.") % {"initiative": item.initiative})
        if amount > item.applied:
            raise ValidationError(
                _("%(initiative)s: %(awarded)s awarded is more than the %(applied)s applied for.")
                % {"initiative": item.initiative, "awarded": _nok(amount), "applied": _nok(item.applied)}
            )
    if decided_on and grant.applied_on and decided_on < grant.applied_on:
        raise ValidationError({"decided_on": _("The decision cannot come before the application was sent.")})
    if report_due and decided_on and report_due < decided_on:
        raise ValidationError({"report_due": _("The report cannot be due before the decision.")})
    problems = _rule_problems(grant, [(item, item.initiative, awarded[item.pk]) for item in items])
    if problems:
        raise ValidationError(problems)
    for item in items:
        item.awarded = awarded[item.pk]
        item.full_clean()
        item.save(update_fields=["awarded"])
        _funding_line_follow(grant, item)
    grant.decided_on = decided_on
    grant.conditions = conditions
    grant.report_due = report_due
    grant.grantor_reference = grantor_reference
    grant.status = _status_after_award(items)
    grant.full_clean()
    grant.save(update_fields=["decided_on", "conditions", "report_due", "grantor_reference", "status", "updated_at"])
    return grant


def own_effort_in_plan(item: GrantItem, year: int) -> Decimal:
    """The own effort the initiative's funding plan shows for the grant's year (actual, else budget): the
    report's starting figure."""
    total = Decimal(0)
    for line in item.initiative.funding_lines.filter(year=year, source="own_effort"):
        total += line.actual or line.budget
    return total


@transaction.atomic
def grant_report_save(*, grant: Grant, report: Mapping[int, ReportInput]) -> Grant:
    """The report's figures and texts per initiative (keyed by grant item id); the funds used become the actual
    figure of the grant's line in each funding plan. Saved as often as needed until the report is filed."""
    grant = Grant.objects.select_for_update().select_related("grantor").get(pk=grant.pk)
    if not grant_can_report(grant):
        raise ValidationError(_("A report is written for a grant that was awarded and not yet reported on."))
    for item in grant.items.select_related("initiative", "funding_line"):
        entry = report.get(item.pk)
        if entry is None:
            continue
        if not item.awarded:
            continue
        if entry.spent > item.awarded:
            raise ValidationError(
                _("%(initiative)s: %(spent)s used is more than the %(awarded)s awarded.")
                % {"initiative": item.initiative, "spent": _nok(entry.spent), "awarded": _nok(item.awarded)}
            )
        item.spent = entry.spent
        item.own_effort = entry.own_effort
        item.progress = entry.progress
        item.results = entry.results
        item.full_clean()
        item.save(update_fields=["spent", "own_effort", "progress", "results"])
        _funding_line_follow(grant, item)
    return grant


def grant_report_missing(grant: Grant) -> list[str]:
    """What the report still lacks, per initiative awarded funds."""
    missing = []
    for item in grant.items.select_related("initiative"):
        if not item.awarded:
            continue
        if item.spent is None or item.own_effort is None:
            missing.append(_("%(initiative)s: funds used and own effort.") % {"initiative": item.initiative})
        elif not item.results.strip():
            missing.append(_("%(initiative)s: results and benefits.") % {"initiative": item.initiative})
    return missing


@transaction.atomic
def grant_report_submit(*, grant: Grant, reported_on: date) -> Grant:
    """File the report: every awarded initiative accounted for, the PDF rendered and stored with its SHA-256;
    the grant is then closed."""
    grant = Grant.objects.select_for_update().select_related("grantor").get(pk=grant.pk)
    if not grant_can_report(grant):
        raise ValidationError(_("A report is filed for a grant that was awarded and not yet reported on."))
    missing = grant_report_missing(grant)
    if missing:
        raise ValidationError([_("The report is not complete:"), *missing])
    if grant.decided_on and reported_on < grant.decided_on:
        raise ValidationError({"reported_on": _("A report cannot be filed before the decision.")})
    grant.reported_on = reported_on
    grant.status = GrantStatus.REPORTED
    grant.full_clean()
    name = f"rapport-tilskudd-{grant.pk}-{grant.year}.pdf"
    grant.report_pdf_sha256 = document_store(grant.report_pdf, name, grant_report_pdf(grant))
    grant.save(update_fields=["reported_on", "status", "report_pdf", "report_pdf_sha256", "updated_at"])
    return grant


# The report, shaped like Statsforvalteren's report on discretionary funds: one row per project.


@dataclass(frozen=True)
class ReportRow:
    """One project in the grant report."""

    title: str
    owner: str
    state: str
    applied: Decimal
    awarded: Decimal
    spent: Decimal | None
    own_effort: Decimal | None
    progress: str
    results: str
    benefits: tuple[str, ...]

    @property
    def unspent(self) -> Decimal | None:
        return None if self.spent is None else self.awarded - self.spent

    @property
    def own_effort_share(self) -> Decimal | None:
        """Own effort as a share of the project's cost in the report (funds used plus own effort)."""
        if self.spent is None or self.own_effort is None or not (self.spent + self.own_effort):
            return None
        return self.own_effort / (self.spent + self.own_effort)


def grant_report_rows(grant: Grant) -> list[ReportRow]:
    rows = []
    items = grant.items.select_related("initiative__owner").prefetch_related("initiative__benefits__values")
    for item in items:
        initiative = item.initiative
        benefits = []
        for benefit in initiative.benefits.all():
            values = list(benefit.values.all())
            latest = f" – {values[-1].value.normalize():f} {benefit.unit}".rstrip() if values else ""
            benefits.append(f"{benefit.description}{latest}")
        rows.append(
            ReportRow(
                title=initiative.title,
                owner=initiative.owner.name if initiative.owner else "",
                state=initiative.get_state_display(),
                applied=item.applied,
                awarded=item.awarded or Decimal(0),
                spent=item.spent,
                own_effort=item.own_effort,
                progress=item.progress,
                results=item.results,
                benefits=tuple(benefits),
            )
        )
    return rows


def grant_report_html(grant: Grant) -> str:
    from django.conf import settings
    from django.template.loader import render_to_string

    # Documents are in Bokmål whatever language the person who triggers the rendering uses.
    with translation.override("nb"):
        rows = grant_report_rows(grant)
        return render_to_string(
            "portfolio/pdf/grant_report.html",
            {
                "grant": grant,
                "rows": rows,
                "totals": report_totals(rows),
                "network_name": settings.NETWORK_NAME,
                "logo": (settings.BASE_DIR / "static" / "img" / "logo.svg").read_text(encoding="utf-8"),
            },
        )


def report_totals(rows: Sequence[ReportRow]) -> dict[str, Decimal]:
    return {
        "applied": sum((row.applied for row in rows), Decimal(0)),
        "awarded": sum((row.awarded for row in rows), Decimal(0)),
        "spent": sum((row.spent or Decimal(0) for row in rows), Decimal(0)),
        "own_effort": sum((row.own_effort or Decimal(0) for row in rows), Decimal(0)),
    }


def grant_report_pdf(grant: Grant) -> bytes:
    """The report as an archivable PDF (PDF/A-3, like every stored document)."""
    return html_to_pdf(grant_report_html(grant))


def grant_report_pdf_bytes(*, grant: Grant) -> bytes:
    """The filed report as stored (checked against its SHA-256), or, before it is filed, the draft as it stands."""
    if grant.report_pdf_sha256:
        return document_read(grant.report_pdf, grant.report_pdf_sha256, f"report on grant {grant.pk}")
    return grant_report_pdf(grant)


def grant_report_table(grant: Grant) -> tuple[list[str], list[list[Any]]]:
    """The report as a table for CSV: the grantor's columns, in Bokmål, one row per project, then the sum."""
    with translation.override("nb"):
        header = [
            _("Project"),
            _("Project owner"),
            _("Status"),
            _("Applied for (NOK)"),
            _("Awarded (NOK)"),
            _("Used (NOK)"),
            _("Unused (NOK)"),
            _("Own effort (NOK)"),
            _("Where the project stands"),
            _("Results and benefits"),
        ]
        rows = grant_report_rows(grant)
        table: list[list[Any]] = [
            [
                row.title,
                row.owner,
                row.state,
                row.applied,
                row.awarded,
                row.spent,
                row.unspent,
                row.own_effort,
                row.progress,
                "\n".join([row.results, *row.benefits]).strip(),
            ]
            for row in rows
        ]
        totals = report_totals(rows)
        table.append(
            [
                _("Total"),
                "",
                "",
                totals["applied"],
                totals["awarded"],
                totals["spent"],
                totals["awarded"] - totals["spent"],
                totals["own_effort"],
                "",
                "",
            ]
        )
    return header, table


def grantor_get_or_create(*, name: str, source: str, report_form: str = "") -> Grantor:
    """A grantor by name (for loading data); an existing one is left as it is."""
    grantor = Grantor.objects.filter(name=name).first()
    if grantor is None:
        grantor = Grantor(name=name, source=source, report_form=report_form)
        grantor.full_clean()
        grantor.save()
    return grantor
