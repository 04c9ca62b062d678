"""Every write in governance: cases and their numbers, attachments, meetings, decisions, minutes and documents."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from core.counters import counter_advance, counter_lock
from core.emails import send_templated
from core.mail_preferences import MailTopic
from core.rules import rule
from core.runs import RunStatus
from core.uploads import pdf_page_count
from governance.choices import (
    AttendanceStatus,
    BodyKind,
    DecisionRule,
    DocumentKind,
    MeetingStatus,
    MembershipRole,
    Outcome,
    Vote,
)
from governance.models import (
    Attendance,
    Body,
    BodyMembership,
    Case,
    CaseAttachment,
    CaseCounter,
    Decision,
    Meeting,
    MeetingDocumentRun,
    RollCallVote,
)

CASE_FIELDS = (
    "title",
    "meeting",
    "agenda_position",
    "case_officer",
    "background",
    "assessment",
    "proposed_decision",
    "exempt",
    "legal_basis",
)
MEETING_FIELDS = ("body", "starts_at", "ends_at", "place", "video_link", "chair", "notice_text")

# ------------------------------------------------------------------------------------------------
# Case numbers


def case_number_allocate(*, body: Body, year: int) -> int:
    """The next number in the body's series for `year`: 1, 2, 3 ... without gaps or duplicates.

    The counter row is locked until the caller's transaction ends, so a number that is taken is also used
    (the case is saved in the same transaction) and concurrent callers wait their turn.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("case_number_allocate must run inside the transaction that saves the case")
    return counter_advance(CaseCounter, field="last_number", body=body, year=year)


@transaction.atomic
def case_counter_continue(*, body: Body, year: int, last_number: int) -> None:
    """Continue a series begun before the portal: the next case of `year` gets `last_number` + 1."""
    counter = counter_lock(CaseCounter, body=body, year=year)
    if last_number < counter.last_number:
        raise ValidationError(
            {
                "last_number": _("Case %(number)s/%(year)s is already given; the series cannot go back.")
                % {"number": counter.last_number, "year": f"{year % 100:02d}"}
            }
        )
    counter.last_number = last_number
    counter.save(update_fields=["last_number"])


def _check_meeting(body: Body, meeting: Meeting | None) -> None:
    if meeting is not None and meeting.body_id != body.pk:
        raise ValidationError({"meeting": _("The meeting belongs to another body.")})
    if meeting is not None and meeting.minutes_approved_at:
        raise ValidationError({"meeting": _("The minutes of this meeting are approved; no case can be added.")})


@transaction.atomic
def case_create(*, body: Body, title: str, proposed_decision: str, year: int | None = None, **fields: Any) -> Case:
    """Register a case and give it the next number of its body and year."""
    unknown = set(fields) - set(CASE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown case fields: {sorted(unknown)}")
    meeting = fields.get("meeting")
    _check_meeting(body, meeting)
    if year is None:
        year = meeting.starts_at.year if meeting else timezone.localdate().year
    case = Case(body=body, year=year, number=0, title=title, proposed_decision=proposed_decision, **fields)
    case.full_clean(exclude=["number"])
    case.number = case_number_allocate(body=body, year=year)
    case.save()
    return case


@transaction.atomic
def case_update(*, case: Case, **fields: Any) -> Case:
    unknown = set(fields) - set(CASE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown case fields: {sorted(unknown)}")
    if hasattr(case, "decision"):
        raise ValidationError(_("The case is decided; its paper no longer changes."))
    if "meeting" in fields:
        _check_meeting(case.body, fields["meeting"])
    for name, value in fields.items():
        setattr(case, name, value)
    if not case.exempt:
        case.legal_basis = ""
    case.full_clean()
    case.save(update_fields=[*fields, "legal_basis"])
    return case


# ------------------------------------------------------------------------------------------------
# Attachments


def _check_size(size: int, *, field: str) -> None:
    limit = settings.UPLOAD_MAX_BYTES
    if size > limit:
        message = _("The file is %(size)s; the limit is %(limit)s.")
        raise ValidationError({field: message % {"size": filesizeformat(size), "limit": filesizeformat(limit)}})


def pdf_check(data: bytes, *, field: str = "file") -> int:
    """The pages of `data` when it is a PDF the board pack can merge; a clear error naming the field if not."""
    _check_size(len(data), field=field)
    if not data.startswith(b"%PDF-"):
        raise ValidationError({field: _("The file is not a PDF. Attach case documents as PDF files.")})
    try:
        return pdf_page_count(data)
    except ValidationError as error:
        raise ValidationError({field: error.messages}) from None


@transaction.atomic
def attachment_add(
    *, case: Case, title: str, upload: UploadedFile | bytes, position: int | None = None
) -> CaseAttachment:
    """Attach a PDF to a case paper (checked by its content, not its name)."""
    if hasattr(case, "decision"):
        raise ValidationError(_("The case is decided; its paper no longer changes."))
    if isinstance(upload, bytes):
        data = upload
    else:
        _check_size(upload.size or 0, field="file")  # before reading a large upload into memory
        data = upload.read()
    pages = pdf_check(data)
    if position is None:
        position = case.attachments.count() + 1
    attachment = CaseAttachment(
        case=case, title=title, sha256=hashlib.sha256(data).hexdigest(), pages=pages, size=len(data), position=position
    )
    attachment.file.save(f"{attachment.sha256}.pdf", ContentFile(data), save=False)
    attachment.full_clean()
    attachment.save()
    return attachment


@transaction.atomic
def attachment_remove(*, attachment: CaseAttachment) -> None:
    """Take an attachment off its case paper before the board pack is rendered; the others close up in order."""
    from governance.selectors import attachment_removal_refused

    case = Case.objects.select_for_update().get(pk=attachment.case_id)
    refused = attachment_removal_refused(case=case)
    if refused:
        raise ValidationError(refused)
    name, storage = attachment.file.name, attachment.file.storage
    attachment.delete()
    for position, rest in enumerate(case.attachments.order_by("position", "pk"), start=1):
        if rest.position != position:
            rest.position = position
            rest.save(update_fields=["position"])
    if name and not CaseAttachment.objects.filter(file=name).exists():
        transaction.on_commit(lambda: storage.delete(name))


# ------------------------------------------------------------------------------------------------
# Meetings


@transaction.atomic
def meeting_create(**fields: Any) -> Meeting:
    unknown = set(fields) - set(MEETING_FIELDS)
    if unknown:
        raise TypeError(f"Unknown meeting fields: {sorted(unknown)}")
    meeting = Meeting(**fields)
    meeting.full_clean()
    meeting.save()
    return meeting


@transaction.atomic
def meeting_update(*, meeting: Meeting, **fields: Any) -> Meeting:
    unknown = set(fields) - set(MEETING_FIELDS) - {"minutes_text"}
    if unknown:
        raise TypeError(f"Unknown meeting fields: {sorted(unknown)}")
    if meeting.minutes_approved_at:
        raise ValidationError(_("The minutes are approved; the meeting no longer changes."))
    for name, value in fields.items():
        setattr(meeting, name, value)
    meeting.full_clean()
    meeting.save(update_fields=list(fields))
    return meeting


def _member_addresses(body: Body) -> list[str]:
    today = timezone.localdate()
    seats = BodyMembership.objects.filter(body=body, term_start__lte=today, person__isnull=False).exclude(
        term_end__lt=today
    )
    return sorted({seat.person.email for seat in seats.select_related("person") if seat.person and seat.person.email})


@rule
def meeting_can_send_notice(meeting: Meeting) -> bool:
    """The notice goes out once, while the meeting is planned."""
    return meeting.status == MeetingStatus.PLANNED


@rule
def meeting_can_record_attendance(meeting: Meeting) -> bool:
    """Attendance is recorded after the notice, until the minutes are approved."""
    return meeting.status in (MeetingStatus.NOTICE_SENT, MeetingStatus.HELD) and not meeting.minutes_approved_at


@rule
def minutes_can_approve(meeting: Meeting) -> bool:
    """The minutes of a held meeting are approved once (and their other matters edited until then)."""
    return meeting.status == MeetingStatus.HELD


@rule
def minutes_can_publish(meeting: Meeting) -> bool:
    """Approved minutes are published once."""
    return bool(meeting.minutes_approved_at) and not meeting.minutes_published_at


@transaction.atomic
def meeting_send_notice(*, meeting: Meeting) -> Meeting:
    """Send the notice with the agenda to the body's members; the papers become public (except exempt cases)."""
    meeting = Meeting.objects.select_for_update().select_related("body").get(pk=meeting.pk)
    if not meeting_can_send_notice(meeting):
        raise ValidationError(_("The notice of this meeting is already sent."))
    if not meeting.cases.exists():
        raise ValidationError(_("Put at least one case on the agenda before sending the notice."))
    meeting.status, meeting.notice_sent_at = MeetingStatus.NOTICE_SENT, timezone.now()
    meeting.save(update_fields=["status", "notice_sent_at"])
    addresses = _member_addresses(meeting.body)
    context = {
        "meeting": meeting,
        "cases": list(meeting.cases.order_by("agenda_position", "number")),
        "url": meeting.get_absolute_url(),
        "base_url": settings.PORTAL_BASE_URL,
    }
    if addresses:
        send_templated(
            "meeting-notice", context, addresses, language=meeting.body.language, topic=MailTopic.BOARD_DOCUMENTS
        )
    return meeting


@transaction.atomic
def meeting_record_attendance(
    *, meeting: Meeting, attendance: Mapping[int, str], notes: Mapping[int, str] | None = None
) -> Meeting:
    """Record who attended (membership id -> present, excused or absent) and mark the meeting held."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if not meeting_can_record_attendance(meeting):
        if meeting.minutes_approved_at:
            raise ValidationError(_("The minutes are approved; the attendance no longer changes."))
        raise ValidationError(_("Send the notice before the meeting is held."))
    seats = {seat.pk: seat for seat in BodyMembership.objects.filter(body_id=meeting.body_id, pk__in=list(attendance))}
    for membership_id, status in attendance.items():
        if membership_id not in seats:
            raise ValidationError({"attendance": _("Only members of the body can attend.")})
        if status not in AttendanceStatus.values:
            raise ValidationError({"attendance": _("Unknown attendance: %(status)s") % {"status": status}})
        Attendance.objects.update_or_create(
            meeting=meeting,
            membership_id=membership_id,
            defaults={"status": status, "note": (notes or {}).get(membership_id, "")},
        )
    meeting.status = MeetingStatus.HELD
    meeting.save(update_fields=["status"])
    return meeting


# ------------------------------------------------------------------------------------------------
# Decisions and minutes


@transaction.atomic
def decision_record(
    *,
    case: Case,
    outcome: str,
    text: str,
    unanimous: bool = True,
    votes_for: int | None = None,
    votes_against: int | None = None,
    abstentions: int | None = None,
) -> Decision:
    """Record what the body decided in a case at a held meeting (before its minutes are approved)."""
    _held_meeting_of(case)
    if unanimous:
        votes_for = votes_against = abstentions = None
    else:
        if votes_for is None or votes_against is None:
            raise ValidationError(
                {"votes_for": _("Give the votes for and against when the decision was not unanimous.")}
            )
        if outcome == Outcome.REJECTED and votes_for > votes_against:
            raise ValidationError({"outcome": _("More votes for than against: the proposal was not rejected.")})
    decision = Decision.objects.filter(case=case).first() or Decision(case=case)
    decision.outcome, decision.text, decision.unanimous = outcome, text, unanimous
    decision.votes_for, decision.votes_against, decision.abstentions = votes_for, votes_against, abstentions
    decision.by_roll_call = False
    decision.full_clean()
    decision.save()
    decision.roll_call.all().delete()  # a vote by show of hands replaces an earlier roll call
    return decision


def _held_meeting_of(case: Case) -> Meeting:
    """The held meeting whose agenda holds `case`, locked against a concurrent approval of its minutes."""
    meeting = None
    if case.meeting_id is not None:
        meeting = Meeting.objects.select_for_update().select_related("body").filter(pk=case.meeting_id).first()
    if meeting is None or not meeting.is_held:
        raise ValidationError(_("A decision is recorded for a case on the agenda of a meeting that has been held."))
    if meeting.minutes_approved_at:
        raise ValidationError(_("The minutes are approved; the decision no longer changes."))
    return meeting


@dataclass(frozen=True)
class RollCallSeat:
    """A member organisation with a seat at a meeting, and who of its seat holders sat (None: nobody)."""

    organisation_id: int
    name: str
    sitting: BodyMembership | None


def roll_call_seats(*, meeting: Meeting) -> list[RollCallSeat]:
    """Every member organisation with a seat in the council on the meeting's day, and the seat holder who can vote
    for it: the representative when present, otherwise the deputy when present."""
    seats = council_seats(body=meeting.body, on=timezone.localdate(meeting.starts_at))
    present = set(meeting.attendance.filter(status=AttendanceStatus.PRESENT).values_list("membership_id", flat=True))
    members: dict[int, RollCallSeat] = {}
    for seat in seats:  # per organisation the representative comes before the deputy
        assert seat.organisation is not None
        known = members.get(seat.organisation.pk)
        if known is None or (known.sitting is None and seat.pk in present):
            members[seat.organisation.pk] = RollCallSeat(
                seat.organisation.pk, seat.organisation.name, seat if seat.pk in present else None
            )
    return list(members.values())


def vote_passes(*, rule: str, votes_for: int, votes_against: int) -> bool:
    """Whether a proposal is carried: by a simple majority of the votes cast, or by two thirds of them (abstentions
    are not votes cast)."""
    if rule == DecisionRule.QUALIFIED:
        return 3 * votes_for >= 2 * (votes_for + votes_against) and votes_for > 0
    return votes_for > votes_against


@rule
def case_can_vote_by_roll_call(case: Case) -> bool:
    """A council's case on the agenda of a held meeting whose minutes are not approved is decided by roll call."""
    meeting = case.meeting
    return (
        meeting is not None
        and meeting.body.kind == BodyKind.COUNCIL
        and meeting.is_held
        and not meeting.minutes_approved_at
    )


@transaction.atomic
def decision_record_roll_call(*, case: Case, outcome: str, text: str, votes: Mapping[int, str]) -> Decision:
    """Record a decision by roll call: each member organisation's vote (organisation id -> for, against, abstain or
    absent), cast by whoever of its representative and deputy sat. The totals are counted from the votes; the meeting
    must have been quorate and the outcome must follow from the votes under the body's rule."""
    meeting = _held_meeting_of(case)
    if meeting.body.kind != BodyKind.COUNCIL:
        raise ValidationError(_("Votes by roll call are recorded per member in a council of representatives."))
    quorum = meeting_quorum(meeting=meeting)
    if quorum is None or not quorum.met:
        raise ValidationError(
            _("The meeting was not quorate (%(present)s of %(votes)s members present); it could not decide.")
            % {"present": quorum.present if quorum else 0, "votes": quorum.votes if quorum else 0}
        )
    seated = {seat.organisation_id: seat for seat in roll_call_seats(meeting=meeting)}
    strangers = set(votes) - set(seated)
    if strangers:
        raise ValidationError({"votes": _("Only members with a seat at the meeting vote.")})
    missing = [seated[pk].name for pk in seated if pk not in votes]
    if missing:
        raise ValidationError({"votes": _("Give the vote of %(names)s.") % {"names": ", ".join(missing)}})
    for pk, vote in votes.items():
        if vote not in Vote.values:
            raise ValidationError({"votes": _("Unknown vote: %(vote)s") % {"vote": vote}})
        if vote != Vote.ABSENT and seated[pk].sitting is None:
            raise ValidationError(
                {"votes": _("Nobody sat for %(name)s at the meeting; it cannot vote.") % {"name": seated[pk].name}}
            )
    counted = {choice: sum(1 for vote in votes.values() if vote == choice) for choice in Vote.values}
    votes_for, votes_against = counted[Vote.FOR], counted[Vote.AGAINST]
    carried = vote_passes(rule=meeting.body.decision_rule, votes_for=votes_for, votes_against=votes_against)
    if outcome in (Outcome.ADOPTED, Outcome.AMENDED) and not carried:
        raise ValidationError({"outcome": _("The votes do not carry the proposal under the body's rule.")})
    if outcome == Outcome.REJECTED and carried:
        raise ValidationError({"outcome": _("The votes carry the proposal; it was not rejected.")})
    decision = Decision.objects.filter(case=case).first() or Decision(case=case)
    decision.outcome, decision.text, decision.by_roll_call = outcome, text, True
    decision.unanimous = votes_against == 0 and counted[Vote.ABSTAIN] == 0 and votes_for > 0
    decision.votes_for, decision.votes_against, decision.abstentions = votes_for, votes_against, counted[Vote.ABSTAIN]
    decision.full_clean()
    decision.save()
    decision.roll_call.all().delete()
    for pk, vote in votes.items():
        sitting = seated[pk].sitting
        RollCallVote.objects.create(
            decision=decision, organisation_id=pk, seat=sitting if vote != Vote.ABSENT else None, vote=vote
        )
    return decision


@transaction.atomic
def minutes_approve(*, meeting: Meeting, approved_in: str = "", requested_by: Any = None) -> Meeting:
    """Approve the minutes: every case must have its decision; the minutes are then rendered to PDF."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if not minutes_can_approve(meeting):
        raise ValidationError(
            _("Only the minutes of a held meeting whose minutes are not yet approved can be approved.")
        )
    undecided = [case.reference for case in meeting.cases.filter(decision__isnull=True).order_by("number")]
    if undecided:
        raise ValidationError(_("These cases have no decision yet: %(cases)s.") % {"cases": ", ".join(undecided)})
    meeting.status, meeting.minutes_approved_at, meeting.minutes_approved_in = (
        MeetingStatus.MINUTES_APPROVED,
        timezone.now(),
        approved_in,
    )
    meeting.save(update_fields=["status", "minutes_approved_at", "minutes_approved_in"])
    document_run_start(meeting=meeting, kind=DocumentKind.MINUTES, requested_by=requested_by)
    return meeting


@transaction.atomic
def minutes_publish(*, meeting: Meeting) -> Meeting:
    """Publish approved minutes: the members are told, and everyone can read the parts that are not exempt."""
    meeting = Meeting.objects.select_for_update().select_related("body").get(pk=meeting.pk)
    if not meeting.minutes_approved_at:
        raise ValidationError(_("Approve the minutes before publishing them."))
    if meeting.minutes_published_at:
        return meeting
    meeting.minutes_published_at = timezone.now()
    meeting.save(update_fields=["minutes_published_at"])
    addresses = _member_addresses(meeting.body)
    context = {"meeting": meeting, "url": meeting.get_absolute_url(), "base_url": settings.PORTAL_BASE_URL}
    if addresses:
        send_templated(
            "minutes-published", context, addresses, language=meeting.body.language, topic=MailTopic.BOARD_DOCUMENTS
        )
    return meeting


# ------------------------------------------------------------------------------------------------
# Board packs and minutes as PDF, rendered by a worker


def document_run_start(*, meeting: Meeting, kind: str, requested_by: Any = None) -> MeetingDocumentRun:
    """Queue a rendering of the meeting's board pack or minutes; one already waiting is reused."""
    from governance import tasks

    if kind == DocumentKind.MINUTES and not meeting.is_held:
        raise ValidationError(_("Minutes are rendered after the meeting is held."))
    with transaction.atomic():
        waiting = (
            MeetingDocumentRun.objects.select_for_update()
            .filter(meeting=meeting, kind=kind, status=RunStatus.QUEUED)
            .first()
        )
        if waiting is not None:
            return waiting
        run = MeetingDocumentRun.objects.create(
            meeting=meeting,
            kind=kind,
            year=meeting.starts_at.year,
            requested_by=requested_by if getattr(requested_by, "pk", None) else None,
        )
        tasks.enqueue_document_run(run.pk)  # sent once the transaction commits
    return run


def document_run_execute(*, run_id: int) -> MeetingDocumentRun:
    """Carry out a queued rendering; safe to call twice (a finished run is left as it is)."""
    from governance import documents

    run = MeetingDocumentRun.claim(run_id)
    if run.is_finished:
        return run

    def progress(percent: int) -> None:
        MeetingDocumentRun.objects.filter(pk=run.pk).update(progress=percent)

    meeting = Meeting.objects.select_related("body").get(pk=run.meeting_id)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    try:
        if run.kind == DocumentKind.BOARD_PACK:
            rendered = documents.board_pack_pdf(meeting, on_progress=progress)
            run.file.save(f"saksdokumenter-{meeting.pk}-{stamp}.pdf", ContentFile(rendered.data), save=False)
        else:
            rendered = documents.minutes_pdf(meeting, public=False)
            progress(60)
            public = documents.minutes_pdf(meeting, public=True)
            run.file.save(f"protokoll-{meeting.pk}-{stamp}.pdf", ContentFile(rendered.data), save=False)
            run.public_file.save(f"protokoll-offentlig-{meeting.pk}-{stamp}.pdf", ContentFile(public.data), save=False)
    except Exception as error:  # the run records any failure for the person waiting for it
        run.status, run.error = RunStatus.FAILED, str(error) or error.__class__.__name__
    else:
        run.status, run.sha256, run.pages = (
            RunStatus.SUCCEEDED,
            hashlib.sha256(rendered.data).hexdigest(),
            rendered.pages,
        )
    run.progress, run.finished_at = 100, timezone.now()
    run.save(update_fields=["status", "error", "file", "public_file", "sha256", "pages", "progress", "finished_at"])
    return run


def document_run_fail(*, run_id: int, error: str) -> None:
    MeetingDocumentRun.fail(run_id, error)


def upload_limit_mb() -> str:
    return f"{settings.UPLOAD_MAX_BYTES / 1_000_000:.1f}".replace(".", ",")


# -- The council of representatives: a seat for every member -------------------------------------------------
# (Local Government Act chapter 19: every member of a municipal joint undertaking has a seat.) A seat is the
# organisation's BodyMembership in each council body; the representative's and deputy's names and accounts are
# filled in under Administration. The seats follow membership: a new member gets one, a member that leaves loses its
# seats (representative and deputy) at the end of its membership.


# A seat's two places, with a name until the secretariat fills in who holds them (in Norwegian, like the council's
# documents).
SEAT_ROLES = {
    MembershipRole.MEMBER: "Representant for %(name)s",
    MembershipRole.SUBSTITUTE: "Vararepresentant for %(name)s",
}


@dataclass
class SeatChanges:
    opened: list[str] = field(default_factory=list)
    closed: list[str] = field(default_factory=list)


@transaction.atomic
def council_seats_sync(*, today: date | None = None) -> SeatChanges:
    """Give every member organisation a seat in each council of representatives, and close the seats of those no
    longer members; running it again changes nothing."""
    from members.models import Organisation

    today = today or timezone.localdate()
    changes = SeatChanges()
    councils = list(Body.objects.select_for_update().filter(kind=BodyKind.COUNCIL))
    organisations = list(Organisation.objects.all())
    for body in councils:
        open_seats: dict[int | None, list[BodyMembership]] = {}
        for seat in body.memberships.filter(organisation__isnull=False).exclude(term_end__lt=today):
            open_seats.setdefault(seat.organisation_id, []).append(seat)
        for organisation in organisations:
            seats = open_seats.get(organisation.pk, [])
            missing = [role for role in SEAT_ROLES if not any(s.role == role for s in seats)]
            if organisation.is_member and missing:
                for role in missing:
                    seat = BodyMembership(
                        body=body,
                        organisation=organisation,
                        role=role,
                        name=SEAT_ROLES[role] % {"name": organisation.legal_name},
                        term_start=organisation.member_from or today,
                        term_end=organisation.member_until,
                    )
                    seat.full_clean()
                    seat.save()
                changes.opened.append(organisation.name)
            elif organisation.is_member and organisation.member_until:
                # Notice given: the seats end with the membership.
                for seat in seats:
                    if seat.term_end != organisation.member_until and organisation.member_until >= seat.term_start:
                        seat.term_end = organisation.member_until
                        seat.save(update_fields=["term_end"])
            elif not organisation.is_member and seats:
                left = organisation.member_until
                end = left if left is not None and left < today else today - timedelta(days=1)
                for seat in seats:
                    if end < seat.term_start:
                        seat.delete()  # a seat for a membership that never began was never held
                        continue
                    seat.term_end = end
                    seat.save(update_fields=["term_end"])
                changes.closed.append(organisation.name)
    return changes


def council_seats(*, body: Body, on: date | None = None) -> list[BodyMembership]:
    """The seats of a council on a day: per member organisation, the representative before the deputy."""
    on = on or timezone.localdate()
    seats = body.memberships.select_related("organisation", "person").filter(
        organisation__isnull=False, term_start__lte=on
    )
    order: dict[str, int] = {MembershipRole.MEMBER.value: 0, MembershipRole.SUBSTITUTE.value: 1}
    return sorted(
        seats.exclude(term_end__lt=on),
        key=lambda seat: (seat.organisation.name if seat.organisation else "", order.get(seat.role, 2)),
    )


@dataclass(frozen=True)
class Quorum:
    """Whether a meeting could decide: the votes present against the votes of the body on the day."""

    votes: int
    present: int

    @property
    def met(self) -> bool:
        # Local Government Act § 11-9: a body decides only when at least half of its members are present.
        return self.votes > 0 and 2 * self.present >= self.votes


def meeting_quorum(*, meeting: Meeting) -> Quorum | None:
    """The quorum of a held meeting of a deciding body, or None (advisory bodies and meetings without attendance).
    In a council a member organisation has one vote, cast by its representative or, when absent, its deputy; in other
    bodies each member, leader and deputy leader has one and observers none."""
    if meeting.body.decision_rule == DecisionRule.ADVISORY or not meeting.attendance.exists():
        return None
    day = timezone.localdate(meeting.starts_at)
    seats = meeting.body.memberships.filter(term_start__lte=day).exclude(term_end__lt=day)
    present = set(meeting.attendance.filter(status=AttendanceStatus.PRESENT).values_list("membership_id", flat=True))
    if meeting.body.kind == BodyKind.COUNCIL:
        voters = {seat.organisation_id for seat in seats if seat.organisation_id is not None}
        there = {seat.organisation_id for seat in seats if seat.pk in present and seat.organisation_id in voters}
        return Quorum(votes=len(voters), present=len(there))
    voting = [seat for seat in seats if seat.role not in (MembershipRole.OBSERVER, MembershipRole.SUBSTITUTE)]
    return Quorum(votes=len(voting), present=sum(1 for seat in voting if seat.pk in present))


# -- Messages from the secretariat ---------------------------------------------------------------------------
# Written once, mailed in the background to the people chosen (by role, by a body they sit in, by organisation) who
# want such mails (core.mail_preferences), and kept on the members' news page.

ROLE_FLAGS = {
    "secretariat": "is_secretariat",
    "director": "is_director",
    "finance_officer": "is_finance_officer",
    "contact": "is_contact",
    "project_leader": "is_project_leader",
    "delegate": "is_delegate",
}


def announcement_people(*, roles: Any = (), bodies: Any = (), organisations: Any = ()) -> Any:
    """The active people with an address chosen by any of: a role they hold, a body they sit in today, their
    organisation."""
    from django.db.models import Q

    from members.models import User

    today = timezone.localdate()
    chosen = Q(pk__in=[])
    for role in roles:
        chosen |= Q(**{ROLE_FLAGS[role]: True})
    if bodies:
        seats = BodyMembership.objects.filter(body__in=list(bodies), term_start__lte=today, person__isnull=False)
        chosen |= Q(pk__in=seats.exclude(term_end__lt=today).values("person_id"))
    if organisations:
        chosen |= Q(organisation__in=list(organisations))
    return User.objects.filter(chosen, is_active=True).exclude(email="").distinct().order_by("pk")


@dataclass(frozen=True)
class RecipientCount:
    """How many the chosen people are, and how many of them chose not to get messages from the secretariat."""

    chosen: int
    declined: int

    @property
    def mailed(self) -> int:
        return self.chosen - self.declined


def announcement_recipient_count(*, roles: Any = (), bodies: Any = (), organisations: Any = ()) -> RecipientCount:
    from core.mail_preferences import wanted

    addresses = list(
        announcement_people(roles=roles, bodies=bodies, organisations=organisations).values_list("email", flat=True)
    )
    unique = list(dict.fromkeys(address.lower() for address in addresses))
    return RecipientCount(len(unique), len(unique) - len(wanted(MailTopic.MESSAGE, unique)))


@transaction.atomic
def announcement_create(
    *, title: str, text: str, roles: Any = (), bodies: Any = (), organisations: Any = (), by: Any = None
) -> Any:
    """Write a message from the secretariat and send it in the background, once."""
    from governance import tasks
    from governance.models import Announcement

    roles = list(dict.fromkeys(roles))
    unknown = set(roles) - set(ROLE_FLAGS)
    if unknown:
        raise ValidationError({"to_roles": _("Unknown role: %(role)s") % {"role": ", ".join(sorted(unknown))}})
    if not (roles or bodies or organisations):
        raise ValidationError(_("Choose who gets the message: a role, a body or an organisation."))
    announcement = Announcement(
        title=title, text=text, to_roles=roles, created_by=by if getattr(by, "pk", None) else None
    )
    announcement.full_clean()
    announcement.save()
    announcement.to_bodies.set(bodies)
    announcement.to_organisations.set(organisations)
    tasks.enqueue_announcement(announcement.pk)
    return announcement


@transaction.atomic
def announcement_send(*, announcement_id: int) -> int:
    """Mail a message to its recipients; a message already sent is not sent again (the task may run twice)."""
    from governance.models import Announcement

    announcement = Announcement.objects.select_for_update().get(pk=announcement_id)
    if announcement.sent_at is not None:
        return 0
    people = announcement_people(
        roles=announcement.to_roles,
        bodies=announcement.to_bodies.all(),
        organisations=announcement.to_organisations.all(),
    )
    from core.mail_preferences import wanted

    addresses = wanted(MailTopic.MESSAGE, dict.fromkeys(person.email for person in people))
    context = {"announcement": announcement, "base_url": settings.PORTAL_BASE_URL}
    for address in addresses:  # one mail each: no recipient sees the others' addresses
        send_templated("announcement", context, [address])
    announcement.sent_at, announcement.recipients = timezone.now(), len(addresses)
    announcement.save(update_fields=["sent_at", "recipients"])
    return len(addresses)
