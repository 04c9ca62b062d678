"""Governance pages: bodies and the decision matrix, meetings, cases, board packs and minutes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import policy
from core.access import require
from core.forms import add_service_error
from governance import links, selectors, services
from governance.choices import DocumentKind
from governance.forms import (
    AnnouncementForm,
    ApproveMinutesForm,
    AttachmentForm,
    AttendanceForm,
    CaseForm,
    DecisionForm,
    MeetingForm,
    MinutesForm,
    RollCallForm,
)
from governance.services import CASE_FIELDS, MEETING_FIELDS


def _save(form, call: Callable[[], Any]) -> Any:
    """Run a service for a valid form; its field errors are shown at the fields, the rest above the form."""
    if not form.is_valid():
        return None
    try:
        return call()
    except ValidationError as error:
        add_service_error(form, error)
    return None


def _form_page(request: HttpRequest, form, title: str, back: str = "", intro: str = "") -> HttpResponse:
    return render(request, "funding/simple_form.html", {"form": form, "title": title, "back": back, "intro": intro})


def _act(request: HttpRequest, call: Callable[[], Any], done: str) -> None:
    try:
        call()
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, done)


# -- Bodies --------------------------------------------------------------------------------------


@require("governance.view")
def body_list(request: HttpRequest) -> HttpResponse:
    return render(request, "governance/body_list.html", {"bodies": selectors.body_list(user=request.user)})


@require("governance.view")
def decision_matrix(request: HttpRequest) -> HttpResponse:
    bodies, rows = selectors.decision_matrix(user=request.user)
    return render(request, "governance/decision_matrix.html", {"bodies": bodies, "rows": rows})


@require("governance.view")
def body_detail(request: HttpRequest, pk: int) -> HttpResponse:
    body = selectors.body_get(user=request.user, pk=pk)
    return render(
        request,
        "governance/body_detail.html",
        {
            "body": body,
            "memberships": selectors.membership_list(user=request.user, body=body),
            "meetings": selectors.meeting_list(user=request.user, body=body)[:20],
            "today": timezone.localdate(),
        },
    )


# -- Meetings ------------------------------------------------------------------------------------


@require("governance.view")
def meeting_list(request: HttpRequest) -> HttpResponse:
    return render(request, "governance/meeting_list.html", {"meetings": selectors.meeting_list(user=request.user)})


@require("governance.view")
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.meeting_get(user=request.user, pk=pk)
    papers = policy.can_see_body_papers(request.user, meeting.body_id)
    manage = policy.can(request.user, "governance.manage")
    return render(
        request,
        "governance/meeting_detail.html",
        {
            "meeting": meeting,
            "cases": selectors.meeting_cases(user=request.user, meeting=meeting),
            "papers": papers,
            "can_manage": manage,
            "minutes_visible": selectors.minutes_visible(user=request.user, meeting=meeting),
            "board_pack": selectors.latest_document(meeting=meeting, kind=DocumentKind.BOARD_PACK) if papers else None,
            "minutes": selectors.latest_document(meeting=meeting, kind=DocumentKind.MINUTES),
            "attendance": selectors.attendance_list(user=request.user, meeting=meeting),
            "quorum": services.meeting_quorum(meeting=meeting),
            "runs": selectors.document_runs(user=request.user, meeting=meeting)[:5] if manage else [],
            "approve_form": ApproveMinutesForm(),
            "can_send_notice": manage and services.meeting_can_send_notice(meeting),
            "can_record_attendance": manage and services.meeting_can_record_attendance(meeting),
            "can_approve_minutes": manage and services.minutes_can_approve(meeting),
            "can_publish_minutes": manage and services.minutes_can_publish(meeting),
        },
    )


@require("governance.manage")
def meeting_create(request: HttpRequest) -> HttpResponse:
    form = MeetingForm(request.POST or None, initial={"body": request.GET.get("body")})
    meeting = _save(form, lambda: services.meeting_create(**{f: form.cleaned_data[f] for f in MEETING_FIELDS}))
    if meeting is not None:
        messages.success(request, _("The meeting is planned. Add its cases, then send the notice."))
        return redirect(meeting)
    return _form_page(request, form, _("New meeting"))


@require("governance.manage")
def meeting_update(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.meeting_get(user=request.user, pk=pk)
    form = MeetingForm(request.POST or None, instance=meeting)
    fields = [f for f in MEETING_FIELDS if f != "body"]
    done = _save(form, lambda: services.meeting_update(meeting=meeting, **{f: form.cleaned_data[f] for f in fields}))
    if done is not None:
        return redirect(meeting)
    return _form_page(request, form, _("Change meeting"), back=meeting.get_absolute_url())


@require_POST
@require("governance.manage")
def meeting_notice(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.meeting_get(user=request.user, pk=pk)
    _act(request, lambda: services.meeting_send_notice(meeting=meeting), _("The notice is sent to the members."))
    return redirect(meeting)


@require("governance.manage")
def meeting_attendance(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.meeting_get(user=request.user, pk=pk)
    seats = selectors.seats_at(user=request.user, meeting=meeting)
    current = dict(meeting.attendance.values_list("membership_id", "status"))
    form = AttendanceForm(request.POST or None, seats=seats, current=current)
    done = _save(form, lambda: services.meeting_record_attendance(meeting=meeting, attendance=form.attendance()))
    if done is not None:
        return redirect(meeting)
    return _form_page(request, form, _("Attendance"), back=meeting.get_absolute_url())


@require("governance.manage")
def minutes_edit(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.meeting_get(user=request.user, pk=pk)
    form = MinutesForm(request.POST or None, instance=meeting)

    def save():
        return services.meeting_update(meeting=meeting, minutes_text=form.cleaned_data["minutes_text"])

    if _save(form, save) is not None:
        return redirect(meeting)
    return _form_page(request, form, _("Minutes: other matters"), back=meeting.get_absolute_url())


@require_POST
@require("governance.manage")
def minutes_approve(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.meeting_get(user=request.user, pk=pk)
    form = ApproveMinutesForm(request.POST)
    approved_in = form.cleaned_data["approved_in"] if form.is_valid() else ""
    _act(
        request,
        lambda: services.minutes_approve(meeting=meeting, approved_in=approved_in, requested_by=request.user),
        _("The minutes are approved and are being rendered to PDF."),
    )
    return redirect(meeting)


@require_POST
@require("governance.manage")
def minutes_publish(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.meeting_get(user=request.user, pk=pk)
    _act(request, lambda: services.minutes_publish(meeting=meeting), _("The minutes are published."))
    return redirect(meeting)


# -- Documents -----------------------------------------------------------------------------------


def _pdf(field, filename: str) -> FileResponse:
    return FileResponse(field.open("rb"), as_attachment=True, filename=filename, content_type="application/pdf")


@require("governance.papers")
def board_pack_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.papers_meeting_get(user=request.user, pk=pk)
    document = selectors.latest_document(meeting=meeting, kind=DocumentKind.BOARD_PACK)
    if document is None:
        raise Http404(_("The board pack has not been rendered yet."))
    return _pdf(document.file, f"saksdokument-{meeting.body.name}-{meeting.starts_at:%Y-%m-%d}.pdf")


@require("governance.view")
def minutes_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.meeting_get(user=request.user, pk=pk)
    document = selectors.latest_document(meeting=meeting, kind=DocumentKind.MINUTES)
    if document is None or not selectors.minutes_visible(user=request.user, meeting=meeting):
        raise Http404
    full = policy.can_see_body_papers(request.user, meeting.body_id)
    if not full and document.finished_at < meeting.minutes_approved_at:
        raise Http404  # a draft rendered before approval is never what the public reads
    return _pdf(
        document.file if full else document.public_file,
        f"protokoll-{meeting.body.name}-{meeting.starts_at:%Y-%m-%d}.pdf",
    )


@require_POST
@require("governance.manage")
def document_render(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    meeting = selectors.meeting_get(user=request.user, pk=pk)
    if kind not in DocumentKind.values:
        raise Http404
    try:
        run = services.document_run_start(meeting=meeting, kind=kind, requested_by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect(meeting)
    return redirect(run)


@require("governance.manage")
def document_run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    run = selectors.document_run_get(user=request.user, pk=pk)
    return render(request, "governance/document_run_detail.html", {"run": run})


@require("governance.manage")
def document_run_status(request: HttpRequest, pk: int) -> JsonResponse:
    return JsonResponse(selectors.document_run_get(user=request.user, pk=pk).state())


# -- Cases ---------------------------------------------------------------------------------------


@require("governance.view")
def case_list(request: HttpRequest) -> HttpResponse:
    year = request.GET.get("year")
    cases = selectors.case_list(
        user=request.user, year=int(year) if year and year.isascii() and year.isdigit() else None
    )
    return render(request, "governance/case_list.html", {"cases": cases[:200], "year": year})


@require("governance.view")
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_get(user=request.user, pk=pk)
    return render(
        request,
        "governance/case_detail.html",
        {
            "case": case,
            "decision_visible": case.meeting is not None
            and selectors.minutes_visible(user=request.user, meeting=case.meeting),
            "decided": links.decided_by(case),
            "can_manage": policy.can(request.user, "governance.manage"),
            "attachment_form": AttachmentForm(),
            "attachments_removable": selectors.attachment_removal_refused(case=case) is None,
        },
    )


@require("governance.manage")
def case_create(request: HttpRequest) -> HttpResponse:
    meeting_id = request.GET.get("meeting")
    initial: dict[str, Any] = {"case_officer": request.user.pk}
    if meeting_id and meeting_id.isascii() and meeting_id.isdigit():
        meeting = selectors.meeting_get(user=request.user, pk=int(meeting_id))
        initial.update(meeting=meeting.pk, body=meeting.body_id)
    form = CaseForm(request.POST or None, initial=initial)

    def create():
        data = form.cleaned_data
        fields = {f: data[f] for f in CASE_FIELDS if f not in ("title", "proposed_decision")}
        return services.case_create(
            body=data["body"], title=data["title"], proposed_decision=data["proposed_decision"], **fields
        )

    case = _save(form, create)
    if case is not None:
        messages.success(request, _("Case %(reference)s is registered.") % {"reference": case.reference})
        return redirect(case)
    return _form_page(request, form, _("New case"))


@require("governance.manage")
def case_update(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_get(user=request.user, pk=pk)
    form = CaseForm(request.POST or None, instance=case)
    done = _save(form, lambda: services.case_update(case=case, **{f: form.cleaned_data[f] for f in CASE_FIELDS}))
    if done is not None:
        return redirect(case)
    return _form_page(request, form, _("Case %(reference)s") % {"reference": case.reference}, case.get_absolute_url())


@require("governance.manage")
def attachment_add(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_get(user=request.user, pk=pk)
    form = AttachmentForm(request.POST or None, request.FILES or None)

    def upload():
        return services.attachment_add(case=case, title=form.cleaned_data["title"], upload=form.cleaned_data["file"])

    if request.method == "POST" and _save(form, upload) is not None:
        messages.success(request, _("The attachment is added."))
        return redirect(case)
    return _form_page(
        request,
        form,
        _("Attach a PDF to case %(reference)s") % {"reference": case.reference},
        back=case.get_absolute_url(),
        intro=_("PDF files only, at most %(size)s MB.") % {"size": services.upload_limit_mb()},
    )


@require("governance.view")
def attachment_download(request: HttpRequest, pk: int) -> HttpResponse:
    attachment = selectors.attachment_get(user=request.user, pk=pk)
    return _pdf(attachment.file, f"{attachment.case.reference.replace('/', '-')}-{attachment.position}.pdf")


@require_POST
@require("governance.manage")
def attachment_remove(request: HttpRequest, pk: int) -> HttpResponse:
    attachment = selectors.attachment_get(user=request.user, pk=pk)
    _act(
        request,
        lambda: services.attachment_remove(attachment=attachment),
        _("The attachment %(title)s is removed.") % {"title": attachment.title},
    )
    return redirect(attachment.case)


@require("governance.manage")
def decision_record(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_get(user=request.user, pk=pk)
    existing = getattr(case, "decision", None)
    form = DecisionForm(request.POST or None, instance=existing, initial={"text": case.proposed_decision})
    fields = ["outcome", "text", "unanimous", "votes_for", "votes_against", "abstentions"]
    done = _save(form, lambda: services.decision_record(case=case, **{f: form.cleaned_data[f] for f in fields}))
    if done is not None:
        messages.success(request, _("The decision is recorded."))
        return redirect(case.meeting or case)
    return _form_page(
        request, form, _("Decision in case %(reference)s") % {"reference": case.reference}, case.get_absolute_url()
    )


@require("governance.manage")
def decision_roll_call(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_get(user=request.user, pk=pk)
    if case.meeting is None or not services.case_can_vote_by_roll_call(case):
        raise Http404
    existing = getattr(case, "decision", None)
    current = dict(existing.roll_call.values_list("organisation_id", "vote")) if existing else {}
    initial = {
        "text": existing.text if existing else case.proposed_decision,
        "outcome": getattr(existing, "outcome", ""),
    }
    form = RollCallForm(
        request.POST or None,
        seats=services.roll_call_seats(meeting=case.meeting),
        current=current,
        initial=initial,
    )

    def record():
        data = form.cleaned_data
        return services.decision_record_roll_call(
            case=case, outcome=data["outcome"], text=data["text"], votes=form.votes()
        )

    if _save(form, record) is not None:
        messages.success(request, _("The decision and each member's vote are recorded."))
        return redirect(case.meeting)
    quorum = services.meeting_quorum(meeting=case.meeting)
    intro = (
        _("%(present)s of %(votes)s members present.") % {"present": quorum.present, "votes": quorum.votes}
        if quorum
        else ""
    )
    return _form_page(
        request,
        form,
        _("Roll call in case %(reference)s") % {"reference": case.reference},
        case.get_absolute_url(),
        intro=intro,
    )


# -- Messages from the secretariat and the news page ----------------------------------------------------------


@require("news.view")
def news(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "governance/news.html",
        {
            "announcements": selectors.news_list(user=request.user)[:50],
            "can_send": policy.can(request.user, "announcement.send"),
        },
    )


@require("announcement.send")
def announcement_create(request: HttpRequest) -> HttpResponse:
    form = AnnouncementForm(request.POST or None)
    count = None
    if request.method == "POST" and form.is_valid():
        chosen = {
            "roles": form.cleaned_data["roles"],
            "bodies": form.cleaned_data["bodies"],
            "organisations": form.cleaned_data["organisations"],
        }
        if "send" in request.POST:
            done = _save(
                form,
                lambda: services.announcement_create(
                    title=form.cleaned_data["title"], text=form.cleaned_data["text"], by=request.user, **chosen
                ),
            )
            if done is not None:
                messages.success(request, _("The message is on the news page and is being mailed."))
                return redirect("governance:news")
        count = services.announcement_recipient_count(**chosen)
    return render(request, "governance/announcement_form.html", {"form": form, "count": count})
