"""Every write of the network's year: reminders of duties, calendar addresses, actual figures and the annual report."""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from annual.actuals_file import ActualRow, parse_actuals
from annual.checks import APPROVED, CHECKS
from annual.choices import ActualLine, OwnerRole
from annual.cycle import reminder_due
from annual.models import AnnualReport, AnnualReportRun, BudgetActual, CalendarFeed, Duty, DutyReminder
from core.documents import document_store
from core.emails import send_templated
from core.rules import rule
from core.runs import RunStatus, enqueue_run
from governance.choices import BodyKind
from governance.models import Body
from governance.services import case_create
from members.models import User

logger = logging.getLogger(__name__)

# ------------------------------------------------------------------------------------------------
# Reminders of the duties of the year


def owners_of(owner: str) -> list[User]:
    """The active people who hold the role a duty belongs to (the leader: a secretariat user who also signs)."""
    people = User.objects.filter(is_active=True).exclude(email="")
    if owner == OwnerRole.SECRETARIAT:
        people = people.filter(is_secretariat=True)
    elif owner == OwnerRole.LEADER:
        people = people.filter(is_secretariat=True, is_director=True)
    elif owner == OwnerRole.DIRECTOR:
        people = people.filter(is_director=True, is_secretariat=False, organisation__isnull=False)
    else:
        people = people.filter(is_finance_officer=True, organisation__isnull=False)
    return list(people.order_by("pk"))


def duty_reminders_send(*, today: dt.date | None = None) -> int:
    """Remind the owners of each duty that is not done and falls due within its reminder's days; once per duty
    and year, whatever how often this runs. Returns how many reminders went out."""
    today = today or timezone.localdate()
    sent = 0
    for duty in Duty.objects.filter(active=True).select_related("body"):
        for year in (today.year, today.year + 1):
            due = duty.due_on(year)
            if not (0 <= (due - today).days <= duty.remind_days):
                continue
            if DutyReminder.objects.filter(duty=duty, year=year).exists():
                continue
            finding = CHECKS[duty.done_when](duty, year)
            if not reminder_due(done=finding.done, due=due, today=today, remind_days=duty.remind_days):
                continue
            sent += _remind(duty=duty, year=year, due=due, missing=finding.missing, url=finding.url)
    return sent


def _remind(*, duty: Duty, year: int, due: dt.date, missing: str, url: str) -> int:
    people = owners_of(duty.owner)
    try:
        with transaction.atomic():
            DutyReminder.objects.create(duty=duty, year=year, recipients=len(people))
            context = {
                "duty": duty,
                "year": year,
                "due": due,
                "missing": missing,
                "url": settings.PORTAL_BASE_URL.rstrip("/") + url if url else "",
            }
            for person in people:
                send_templated("duty-reminder", context, to=[person.email])
    except IntegrityError:  # another beat run reminded the same duty just now
        return 0
    return 1


# ------------------------------------------------------------------------------------------------
# Calendar addresses


@transaction.atomic
def calendar_feed_get(*, user: Any) -> CalendarFeed:
    """The person's private calendar address, made on first use."""
    feed = CalendarFeed.objects.filter(user=user).first()
    return feed or CalendarFeed.objects.create(user=user, token=secrets.token_urlsafe(32))


@transaction.atomic
def calendar_feed_renew(*, user: Any) -> CalendarFeed:
    """A new address; calendars subscribed to the old one get nothing more."""
    feed = CalendarFeed.objects.select_for_update().filter(user=user).first()
    if feed is None:
        return CalendarFeed.objects.create(user=user, token=secrets.token_urlsafe(32))
    feed.token = secrets.token_urlsafe(32)
    feed.save(update_fields=["token"])
    return feed


# ------------------------------------------------------------------------------------------------
# Actual figures


@transaction.atomic
def actuals_save(*, year: int, values: dict[str, Decimal | None]) -> list[BudgetActual]:
    """Set the actual figures of a year's lines; a line given as None is cleared."""
    unknown = set(values) - {choice.value for choice in ActualLine}
    if unknown:
        raise TypeError(f"Unknown budget lines: {sorted(unknown)}")
    saved = []
    for line, amount in values.items():
        if amount is None:
            BudgetActual.objects.filter(year=year, line=line).delete()
            continue
        actual = BudgetActual.objects.filter(year=year, line=line).first() or BudgetActual(year=year, line=line)
        actual.amount = amount
        actual.full_clean()
        actual.save()
        saved.append(actual)
    return saved


@transaction.atomic
def actuals_import(*, content: bytes) -> list[ActualRow]:
    """Read the host's accounts file and set every figure in it, or nothing (ActualsFileError names each bad line)."""
    rows = parse_actuals(content)
    for row in rows:
        actuals_save(year=row.year, values={row.line: row.amount})
    return rows


# ------------------------------------------------------------------------------------------------
# The annual report


def council() -> Body | None:
    """The body that approves the annual report and accounts: the council of representatives (or the annual
    meeting where a network has no council)."""
    for kind in (BodyKind.COUNCIL, BodyKind.ANNUAL_MEETING):
        body = Body.objects.filter(kind=kind).order_by("position", "pk").first()
        if body is not None:
            return body
    return None


@rule
def annual_report_is_approved(report: AnnualReport) -> bool:
    """Approved: the council adopted it in its case and the minutes that record it are approved."""
    case = report.case
    if case is None:
        return False
    decision = getattr(case, "decision", None)
    meeting = case.meeting
    return decision is not None and decision.outcome in APPROVED and bool(meeting and meeting.minutes_approved_at)


@rule
def annual_report_can_edit(report: AnnualReport) -> bool:
    """The text changes until the report is put before the council, and again if the council sends it back."""
    if report.frozen_at is not None:
        return False
    if report.case_id is None:
        return True
    decision = getattr(report.case, "decision", None)
    return decision is not None and decision.outcome not in APPROVED


@rule
def annual_report_can_submit(report: AnnualReport) -> bool:
    return annual_report_can_edit(report) and bool(report.introduction.strip()) and report.pk is not None


@transaction.atomic
def annual_report_save(*, year: int, **sections: str) -> AnnualReport:
    """Write the secretariat's sections of a year's report, in the council's document language."""
    unknown = set(sections) - {"introduction", "activities", "outlook"}
    if unknown:
        raise TypeError(f"Unknown sections: {sorted(unknown)}")
    report = AnnualReport.objects.select_for_update().filter(year=year).first() or AnnualReport(year=year)
    if report.pk and not annual_report_can_edit(report):
        raise ValidationError(_("The report is before the council or approved; its text no longer changes."))
    body = council()
    if body is not None:
        report.language = body.language
    for name, value in sections.items():
        setattr(report, name, value)
    report.full_clean()
    report.save()
    return report


@transaction.atomic
def annual_report_submit(*, report: AnnualReport, requested_by: Any = None) -> AnnualReport:
    """Put the report before the council as a case, and render the PDF the council approves."""
    report = AnnualReport.objects.select_for_update().get(pk=report.pk)
    if not annual_report_can_submit(report):
        raise ValidationError(_("Write the introduction first; a report before the council is not sent again."))
    body = council()
    if body is None:
        raise ValidationError(_("No council of representatives or annual meeting is registered to approve it."))
    with translation.override(body.language):
        title = _("Annual report and accounts for %(year)s") % {"year": report.year}
        proposed = _("The annual report and accounts for %(year)s are approved.") % {"year": report.year}
        background = _(
            "The secretariat presents the network's annual report for %(year)s, compiled from the portal's data on "
            "members, meetings, the portfolio, contributions, budget against actuals and grants."
        ) % {"year": report.year}
    report.language = body.language
    report.case = case_create(
        body=body,
        title=title,
        proposed_decision=proposed,
        background=background,
        case_officer=requested_by,
        year=timezone.localdate().year,
    )
    report.save(update_fields=["case", "language"])
    _render_start(report, requested_by)
    return report


@rule
def annual_report_can_render(report: AnnualReport) -> bool:
    """A draft PDF while the text may change; once more when the council has approved it, with the approval on its
    cover, and then never again: that PDF is frozen. While the case is before the council its papers stay put."""
    if report.frozen_at is not None:
        return False
    return annual_report_can_edit(report) or annual_report_is_approved(report)


@rule
def annual_report_can_freeze(report: AnnualReport) -> bool:
    return report.frozen_at is None and annual_report_is_approved(report)


@transaction.atomic
def annual_report_render_start(*, report: AnnualReport, requested_by: Any = None) -> AnnualReportRun:
    if not annual_report_can_render(report):
        raise ValidationError(_("The report is before the council or frozen; it is not rendered again now."))
    return _render_start(report, requested_by)


def _render_start(report: AnnualReport, requested_by: Any) -> AnnualReportRun:
    from annual.tasks import render_annual_report

    run = AnnualReportRun.objects.create(report=report, year=report.year, requested_by=requested_by)
    enqueue_run(render_annual_report, AnnualReportRun, run.pk, _("The task queue did not answer; try again."))
    return run


def annual_report_render_execute(*, run_id: int) -> AnnualReportRun:
    """Render the report to PDF and store it with its SHA-256 (the worker's part; running it twice does no harm)."""
    from annual.documents import annual_report_pdf

    run = AnnualReportRun.claim(run_id)
    if run.is_finished:
        return run
    try:
        content = annual_report_pdf(year=run.year)
        with transaction.atomic():
            report = AnnualReport.objects.select_for_update().get(pk=run.report_id)
            if report.frozen_at is not None:
                raise ValidationError(_("The approved report is frozen; it is not rendered again."))
            report.sha256 = document_store(report.pdf, f"arsmelding-{report.year}.pdf", content)
            report.pages = _page_count(content)
            report.rendered_at = timezone.now()
            if annual_report_is_approved(report):
                report.frozen_at = report.rendered_at
            report.save(update_fields=["pdf", "sha256", "pages", "rendered_at", "frozen_at"])
            run.status, run.progress, run.finished_at = RunStatus.SUCCEEDED, 100, timezone.now()
            run.save(update_fields=["status", "progress", "finished_at"])
    except Exception as error:
        logger.exception("Annual report %s could not be rendered", run.year)
        AnnualReportRun.fail(run_id=run.pk, error=str(error)[:500])
        run.refresh_from_db()
    return run


def _page_count(content: bytes) -> int:
    import io

    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(content)).pages)
