"""Every governance read a user triggers, already scoped to what the user may see (core.policy decides)."""

from __future__ import annotations

from typing import Any

from django.db.models import Case as Case_
from django.db.models import F, Prefetch, QuerySet, Value, When
from django.http import Http404
from django.shortcuts import get_object_or_404

from core import policy
from core.runs import RunStatus
from governance.choices import ROLE_ORDER
from governance.models import (
    Announcement,
    Attendance,
    Body,
    BodyMembership,
    Case,
    CaseAttachment,
    DecisionArea,
    DecisionAuthority,
    Meeting,
    MeetingDocumentRun,
)


def body_list(*, user: Any) -> QuerySet[Body]:
    return Body.objects.all()


def body_get(*, user: Any, pk: int) -> Body:
    return get_object_or_404(Body, pk=pk)


def _by_role(field: str = "role") -> Case_:
    return Case_(*(When(**{field: role}, then=Value(rank)) for role, rank in ROLE_ORDER.items()), default=Value(9))


def membership_list(*, user: Any, body: Body) -> QuerySet[BodyMembership]:
    """Current seats first, leader, deputy, members, observers."""
    return body.memberships.select_related("organisation").order_by(
        F("term_end").desc(nulls_first=True), _by_role(), "name"
    )


def seats_at(*, user: Any, meeting: Meeting) -> QuerySet[BodyMembership]:
    """The seats whose term covers the meeting day, leader first."""
    day = meeting.starts_at.date()
    seats = meeting.body.memberships.select_related("organisation").filter(term_start__lte=day)
    return seats.exclude(term_end__lt=day).order_by(_by_role(), "name")


def attendance_list(*, user: Any, meeting: Meeting) -> QuerySet[Attendance]:
    return meeting.attendance.select_related("membership__organisation").order_by(
        _by_role("membership__role"), "membership__name"
    )


def decision_matrix(*, user: Any) -> tuple[list[Body], list[tuple[DecisionArea, list[DecisionAuthority | None]]]]:
    """The bodies that appear in the matrix, and per matter what each of them does (None: no part in it)."""
    areas = list(DecisionArea.objects.prefetch_related(Prefetch("authorities", DecisionAuthority.objects.all())))
    used = {authority.body_id for area in areas for authority in area.authorities.all()}
    bodies = [body for body in Body.objects.all() if body.pk in used]
    rows = []
    for area in areas:
        by_body = {authority.body_id: authority for authority in area.authorities.all()}
        rows.append((area, [by_body.get(body.pk) for body in bodies]))
    return bodies, rows


def meeting_list(*, user: Any, body: Body | None = None) -> QuerySet[Meeting]:
    meetings = Meeting.objects.select_related("body").order_by("-starts_at")
    return meetings.filter(body=body) if body is not None else meetings


def meeting_get(*, user: Any, pk: int) -> Meeting:
    return get_object_or_404(Meeting.objects.select_related("body"), pk=pk)


def case_list(*, user: Any, body: Body | None = None, year: int | None = None) -> QuerySet[Case]:
    cases = policy.restrict_cases(Case.objects.all(), user).select_related("body", "meeting", "decision")
    if body is not None:
        cases = cases.filter(body=body)
    if year is not None:
        cases = cases.filter(year=year)
    return cases.order_by("-year", "-number", "body__position")


def meeting_cases(*, user: Any, meeting: Meeting) -> QuerySet[Case]:
    """The agenda as the user may see it, with what the board pack and minutes need."""
    return (
        policy.restrict_cases(meeting.cases.all(), user)
        .select_related("case_officer", "decision", "body", "meeting__body")
        .prefetch_related("attachments")
        .order_by("agenda_position", "number")
    )


def case_get(*, user: Any, pk: int) -> Case:
    cases = policy.restrict_cases(Case.objects.all(), user).select_related(
        "body", "meeting", "case_officer", "decision"
    )
    return get_object_or_404(cases.prefetch_related("attachments"), pk=pk)


def attachment_get(*, user: Any, pk: int) -> CaseAttachment:
    attachment = get_object_or_404(CaseAttachment.objects.select_related("case"), pk=pk)
    case_get(user=user, pk=attachment.case_id)
    return attachment


def attachment_removal_refused(*, case: Case) -> str | None:
    """Why the attachments of `case` can no longer be removed, or None while they can.

    They can until the case is decided, the notice of its meeting is sent, or a board pack of the meeting
    is rendered (or being rendered): what members may already have read stays as it was.
    """
    from django.utils.translation import gettext as _

    from governance.choices import DocumentKind

    if hasattr(case, "decision"):
        return _("The case is decided; its paper no longer changes.")
    meeting = case.meeting
    if meeting is None:
        return None
    if meeting.notice_is_out:
        return _("The notice of the meeting is sent with this attachment; it can no longer be removed.")
    rendered = MeetingDocumentRun.objects.filter(
        meeting=meeting,
        kind=DocumentKind.BOARD_PACK,
        status__in=[RunStatus.QUEUED, RunStatus.RUNNING, RunStatus.SUCCEEDED],
    )
    if rendered.exists():
        return _("The board pack of the meeting is rendered with this attachment; it can no longer be removed.")
    return None


def papers_meeting_get(*, user: Any, pk: int) -> Meeting:
    """A meeting whose non-public papers (board pack, draft minutes) the user may read; others get 404."""
    meeting = meeting_get(user=user, pk=pk)
    if not policy.can_see_body_papers(user, meeting.body_id):
        raise Http404
    return meeting


def minutes_visible(*, user: Any, meeting: Meeting) -> bool:
    """The body's members and the secretariat read minutes once the meeting is held; everyone once published."""
    if meeting.minutes_published_at:
        return True
    return meeting.is_held and policy.can_see_body_papers(user, meeting.body_id)


def latest_document(*, meeting: Meeting, kind: str) -> MeetingDocumentRun | None:
    return (
        MeetingDocumentRun.objects.filter(meeting=meeting, kind=kind, status=RunStatus.SUCCEEDED)
        .order_by("-finished_at", "-pk")
        .first()
    )


def document_runs(*, user: Any, meeting: Meeting) -> QuerySet[MeetingDocumentRun]:
    return MeetingDocumentRun.objects.filter(meeting=meeting).select_related("requested_by").order_by("-created_at")


def document_run_get(*, user: Any, pk: int) -> MeetingDocumentRun:
    return get_object_or_404(MeetingDocumentRun.objects.select_related("meeting__body", "requested_by"), pk=pk)


# -- Consultation rounds ---------------------------------------------------------------------------


def consultation_list(*, user: Any) -> QuerySet:
    from governance.models import Consultation

    return Consultation.objects.select_related("case__body").prefetch_related("consulted")


def consultation_get(*, user: Any, pk: int):
    from governance.models import Consultation

    return get_object_or_404(Consultation.objects.select_related("case__body", "opened_by"), pk=pk)


def consultation_answers(*, user: Any, consultation: Any) -> list:
    """The answers `user` may read, every revision, by organisation: all of them for the secretariat and, once the
    deadline has passed, for everyone; before it, only those of the user's own organisation."""
    from governance.consultations import deadline_passed

    answers = consultation.answers.select_related("organisation", "version").order_by("organisation__name", "revision")
    if policy.can_read_all_answers(user, consultation, deadline_passed=deadline_passed(consultation)):
        return list(answers)
    if getattr(user, "organisation_id", None) is None:
        return []
    return list(answers.filter(organisation_id=user.organisation_id))


def consultation_answer_get(*, user: Any, pk: int):
    """An answer the user may read (its attachment is downloaded through this), or 404."""
    from governance.models import ConsultationAnswer

    answer = get_object_or_404(ConsultationAnswer.objects.select_related("consultation"), pk=pk)
    if answer not in consultation_answers(user=user, consultation=answer.consultation):
        raise Http404
    return answer


def consultation_version_get(*, user: Any, pk: int):
    from governance.models import ConsultationVersion

    return get_object_or_404(ConsultationVersion.objects.select_related("consultation"), pk=pk)


def consultations_on(*, user: Any, kind: str, subject_id: int) -> QuerySet:
    """The rounds opened on one draft (its log of versions sent out and answers), for the draft's own page."""
    from governance.models import Consultation

    if not policy.can(user, "consultation.view"):
        return Consultation.objects.none()
    return Consultation.objects.filter(subject_kind=kind, subject_id=subject_id).order_by("-deadline")


def news_list(*, user: Any) -> QuerySet[Announcement]:
    """The secretariat's messages, newest first (the news page is for signed-in people only)."""
    return policy.restrict(Announcement.objects.all(), user, "news.view").select_related("created_by")
