"""Every write in the portfolio: initiatives and their life cycle, funding plans, benefits, status reports
and adoptions of national solutions."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.documents import document_read, document_store
from core.emails import send_templated
from core.rules import rule
from members.models import Organisation
from portfolio import lifecycle
from portfolio.choices import SuggestionStatus, TriageOutcome
from portfolio.documents import status_report_pdf
from portfolio.models import (
    Adoption,
    Benefit,
    BenefitValue,
    FundingPlanLine,
    Initiative,
    NationalSolution,
    Participation,
    StatusReport,
    Suggestion,
    SuggestionSupport,
    Transition,
)

INITIATIVE_FIELDS = (
    "title",
    "summary",
    "description",
    "internal_notes",
    "focus_area",
    "service_area",
    "expert_group",
    "owner",
    "project_leader",
    "start",
    "end",
    "escalated_to_ks",
)


def _save(obj, update_fields: list[str] | None = None):
    """Validate, then save: every write in this module goes through here."""
    obj.full_clean()
    obj.save(update_fields=update_fields)
    return obj


@transaction.atomic
def initiative_create(*, values: dict[str, Any], participants: Sequence[tuple[Organisation, str]] = ()) -> Initiative:
    """A new initiative, always starting as an idea."""
    initiative = _save(Initiative(**{name: values[name] for name in INITIATIVE_FIELDS if name in values}))
    participations_set(initiative=initiative, participants=participants)
    return initiative


@transaction.atomic
def initiative_update(
    *, initiative: Initiative, values: dict[str, Any], participants: Sequence[tuple[Organisation, str]] | None = None
) -> Initiative:
    changed = [name for name in INITIATIVE_FIELDS if name in values]
    for name in changed:
        setattr(initiative, name, values[name])
    _save(initiative, update_fields=[*changed, "updated_at"])
    if participants is not None:
        participations_set(initiative=initiative, participants=participants)
    return initiative


@transaction.atomic
def participations_set(*, initiative: Initiative, participants: Sequence[tuple[Organisation, str]]) -> None:
    """Make the participating organisations exactly `participants` (organisation, role)."""
    wanted = {organisation.pk: role for organisation, role in participants}
    initiative.participations.exclude(organisation_id__in=wanted).delete()
    existing = {p.organisation_id: p for p in initiative.participations.all()}
    for organisation_id, role in wanted.items():
        participation = existing.get(organisation_id)
        if participation is None:
            _save(Participation(initiative=initiative, organisation_id=organisation_id, role=role))
        elif participation.role != role:
            participation.role = role
            _save(participation, update_fields=["role"])


def initiative_facts(initiative: Initiative) -> lifecycle.Facts:
    """What the life-cycle gates look at, read from the database."""
    benefits = list(initiative.benefits.all())
    return lifecycle.Facts(
        summary=initiative.summary,
        has_owner=initiative.owner_id is not None,
        project_leader=initiative.project_leader,
        has_start=initiative.start is not None,
        has_end=initiative.end is not None,
        funding=tuple(
            lifecycle.FundingLine(source, amount)
            for source, amount in initiative.funding_lines.values_list("source", "budget")
        ),
        benefits=len(benefits),
        benefits_with_realised_values=BenefitValue.objects.filter(benefit__in=benefits)
        .values("benefit")
        .distinct()
        .count(),
    )


@transaction.atomic
def initiative_transition(
    *,
    initiative: Initiative,
    to_state: str,
    reason: str,
    decided_by: Any = None,
    decided_at: datetime | None = None,
    decided_in: Any = None,
) -> Transition:
    """Move an initiative to `to_state` when the life cycle allows it and the gate's items are filled in."""
    initiative = Initiative.objects.select_for_update().get(pk=initiative.pk)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the initiative moves on.")})
    problems = lifecycle.problems(initiative.state, to_state, initiative_facts(initiative))
    if problems:
        raise ValidationError({"to_state": problems})
    transition = _save(
        Transition(
            initiative=initiative,
            from_state=initiative.state,
            to_state=to_state,
            decided_by=decided_by if getattr(decided_by, "is_authenticated", False) else None,
            decided_at=decided_at or timezone.now(),
            reason=reason.strip(),
            decided_in=decided_in,
        )
    )
    initiative.state = to_state
    initiative.save(update_fields=["state", "updated_at"])
    return transition


@transaction.atomic
def funding_line_add(*, initiative: Initiative, values: dict[str, Any]) -> FundingPlanLine:
    return _save(FundingPlanLine(initiative=initiative, **values))


@transaction.atomic
def benefit_add(*, initiative: Initiative, values: dict[str, Any]) -> Benefit:
    return _save(Benefit(initiative=initiative, **values))


@transaction.atomic
def benefit_value_record(*, benefit: Benefit, measured_on: date, value: Decimal, by: Any = None) -> BenefitValue:
    """Record the realised value on a date; a second value for the same date replaces the first. With `by`, only
    for a benefit that person reports on (a benefit kept per organisation: that organisation's people)."""
    from core import policy

    if by is not None and not policy.can_report_benefit(by, benefit):
        raise ValidationError({"benefit": _("You do not report on this benefit.")})
    record = BenefitValue.objects.filter(benefit=benefit, measured_on=measured_on).first()
    if record is None:
        return _save(BenefitValue(benefit=benefit, measured_on=measured_on, value=value))
    record.value = value
    return _save(record, update_fields=["value"])


def _queue_pdf(report_id: int) -> None:
    from portfolio.tasks import enqueue_status_report_pdf

    enqueue_status_report_pdf(report_id)


@transaction.atomic
def status_report_create(*, initiative: Initiative, values: dict[str, Any], reported_by: Any = None) -> StatusReport:
    """A new status report; its one-page PDF is rendered by a worker once the report is saved."""
    report = _save(
        StatusReport(
            initiative=initiative,
            reported_by=reported_by if getattr(reported_by, "is_authenticated", False) else None,
            **values,
        )
    )
    _queue_pdf(report.pk)  # sent once the transaction commits
    return report


def status_report_pdf_ensure(*, report: StatusReport) -> StatusReport:
    """Render the report's PDF once and store it with its SHA-256 (running it again does nothing)."""
    if report.pdf_sha256:
        return report
    with transaction.atomic():
        report = (
            StatusReport.objects.select_for_update(of=("self",)).select_related("initiative__owner").get(pk=report.pk)
        )
        if report.pdf_sha256:
            return report
        name = f"statusrapport-{report.initiative_id}-{report.period_end:%Y-%m-%d}.pdf"
        report.pdf_sha256 = document_store(report.pdf, name, status_report_pdf(report))
        report.save(update_fields=["pdf", "pdf_sha256"])
    return report


def status_report_pdf_bytes(*, report: StatusReport) -> bytes:
    """The stored PDF, checked against the SHA-256 recorded when it was stored."""
    report = status_report_pdf_ensure(report=report)
    return document_read(report.pdf, report.pdf_sha256, f"PDF of status report {report.pk}")


@transaction.atomic
def adoption_set(
    *, solution: NationalSolution, organisation: Organisation, status: str, status_date: date | None, note: str = ""
) -> Adoption:
    """Set how far a member has come with a national solution (one row per member and solution)."""
    adoption, _created = Adoption.objects.select_for_update().get_or_create(
        solution=solution, organisation=organisation
    )
    adoption.status, adoption.status_date, adoption.note = status, status_date, note
    return _save(adoption, update_fields=["status", "status_date", "note"])


# -- Ideas and needs from the members ---------------------------------------------------------------------


@rule
def suggestion_is_open(suggestion: Suggestion) -> bool:
    """An idea or need not yet assessed: others may join it, and the secretariat may assess it."""
    return suggestion.status == SuggestionStatus.SUBMITTED


SUGGESTION_FIELDS = ("kind", "title", "problem", "who_meets_it", "gain")


@transaction.atomic
def suggestion_submit(*, by: Any, **values: Any) -> Suggestion:
    """A member person puts forward an idea or a need for their own organisation."""
    if getattr(by, "organisation_id", None) is None:
        raise ValidationError(_("Only people of a member organisation put forward ideas and needs."))
    unknown = set(values) - set(SUGGESTION_FIELDS)
    if unknown:
        raise TypeError(f"Unknown fields: {sorted(unknown)}")
    return _save(Suggestion(organisation_id=by.organisation_id, submitted_by=by, **values))


@transaction.atomic
def suggestion_support(*, suggestion: Suggestion, by: Any) -> SuggestionSupport:
    """The user's organisation has the same need; joining twice, or one's own, changes nothing."""
    locked = Suggestion.objects.select_for_update().get(pk=suggestion.pk)
    if not suggestion_is_open(locked):
        raise ValidationError(_("This has been assessed; it can no longer be joined."))
    if locked.organisation_id == by.organisation_id:
        raise ValidationError(_("Your organisation put this forward."))
    support, _created = SuggestionSupport.objects.get_or_create(
        suggestion=locked, organisation_id=by.organisation_id, defaults={"supported_by": by}
    )
    return support


@transaction.atomic
def suggestion_triage(
    *,
    suggestion: Suggestion,
    by: Any,
    outcome: str,
    reason: str = "",
    merge_into: Suggestion | None = None,
    focus_area: str = "",
    service_area: str = "",
) -> Suggestion:
    """Assess an idea or need: into the portfolio as an idea, merged with another, or answered with a reason. The
    submitter hears back by mail."""
    locked = Suggestion.objects.select_for_update().get(pk=suggestion.pk)
    if not suggestion_is_open(locked):
        raise ValidationError(_("This has already been assessed."))
    reason = reason.strip()
    if outcome == TriageOutcome.PORTFOLIO:
        initiative = initiative_create(
            values={
                "title": locked.title,
                "summary": locked.gain,
                "description": "\n\n".join((locked.problem, locked.who_meets_it)),
                "focus_area": focus_area,
                "service_area": service_area,
                "owner": locked.organisation,
            }
        )
        locked.status, locked.initiative = SuggestionStatus.IN_PORTFOLIO, initiative
    elif outcome == TriageOutcome.MERGE:
        if merge_into is None or merge_into.pk == locked.pk or merge_into.status == SuggestionStatus.MERGED:
            raise ValidationError({"merge_into": _("Choose another idea or need that is not merged itself.")})
        # The organisations behind this one now stand behind the other.
        behind = {locked.organisation_id, *locked.supports.values_list("organisation_id", flat=True)}
        for organisation_id in behind - {merge_into.organisation_id}:
            SuggestionSupport.objects.get_or_create(suggestion=merge_into, organisation_id=organisation_id)
        locked.status, locked.merged_into = SuggestionStatus.MERGED, merge_into
    elif outcome == TriageOutcome.ANSWER:
        if not reason:
            raise ValidationError({"reason": _("Give the reason for the answer.")})
        locked.status = SuggestionStatus.ANSWERED
    else:
        raise ValidationError({"outcome": _("Choose what becomes of it.")})
    locked.reason, locked.assessed_at, locked.assessed_by = reason, timezone.now(), by
    _save(locked, update_fields=["status", "reason", "initiative", "merged_into", "assessed_at", "assessed_by"])
    submitter = locked.submitted_by
    if submitter is not None and submitter.is_active and submitter.email:
        send_templated(
            "suggestion-assessed",
            {"suggestion": locked, "base_url": settings.PORTAL_BASE_URL},
            [submitter.email],
        )
    return locked
