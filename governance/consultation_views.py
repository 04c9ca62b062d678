"""Consultation round pages: the list and a round (with the organisation's own answer form), the secretariat's
opening, new versions and closing, and the documents of a round."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import policy
from core.access import require
from core.documents import StoredDocumentAltered, document_read
from governance import consultations, selectors
from governance.consultation_forms import ConsultationAnswerForm, ConsultationForm, ConsultationVersionForm
from governance.views import _act, _form_page, _save


def _pdf(content: bytes, filename: str) -> FileResponse:
    import io

    return FileResponse(io.BytesIO(content), as_attachment=True, filename=filename, content_type="application/pdf")


def _stored(field, digest: str, what: str) -> bytes:
    try:
        return document_read(field, digest, what)
    except StoredDocumentAltered:
        raise Http404(_("The stored document has been altered and is not served.")) from None


@require("consultation.view")
def consultation_list(request: HttpRequest) -> HttpResponse:
    rounds = list(selectors.consultation_list(user=request.user))
    return render(
        request,
        "governance/consultation_list.html",
        {"rounds": [(c, consultations.consultation_tally(c)) for c in rounds]},
    )


@require("consultation.view")
def consultation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = selectors.consultation_get(user=request.user, pk=pk)
    answers = selectors.consultation_answers(user=request.user, consultation=consultation)
    is_open = consultations.consultation_is_open(consultation)
    may_answer = policy.can_answer_consultation(request.user, consultation)
    own = [a for a in answers if a.organisation_id == getattr(request.user, "organisation_id", None)]
    versions = list(consultation.versions.prefetch_related("amounts").order_by("number"))
    return render(
        request,
        "governance/consultation_detail.html",
        {
            "consultation": consultation,
            "subject": consultations.subject_label(consultation),
            "versions": versions,
            "latest": versions[-1] if versions else None,
            "tally": consultations.consultation_tally(consultation),
            "answers": answers,
            "all_answers": policy.can_read_all_answers(
                request.user, consultation, deadline_passed=consultations.deadline_passed(consultation)
            ),
            "own_answer": own[-1] if own else None,
            "can_answer": may_answer and is_open,
            "can_manage": policy.can(request.user, "consultation.manage"),
            "can_add_version": is_open,
            "can_close": consultations.consultation_can_close(consultation),
        },
    )


@require("consultation.manage")
def consultation_create(request: HttpRequest) -> HttpResponse:
    form = ConsultationForm(request.POST or None, request.FILES or None)

    def open_round():
        data = form.cleaned_data
        return consultations.consultation_open(
            title=data["title"],
            subject_kind=data["subject_kind"],
            subject_id=data["subject_id"],
            description=data["description"],
            deadline=data["deadline"],
            case=data["case"],
            upload=data["file"],
            opened_by=request.user,
        )

    consultation = _save(form, open_round) if request.method == "POST" else None
    if consultation is not None:
        messages.success(request, _("The round is open and the members are told."))
        return redirect(consultation)
    return _form_page(request, form, _("New consultation round"), back=_list_url())


def _list_url() -> str:
    from django.urls import reverse

    return reverse("governance:consultation_list")


@require("consultation.manage")
def consultation_version_add(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = selectors.consultation_get(user=request.user, pk=pk)
    form = ConsultationVersionForm(request.POST or None, request.FILES or None)

    def add():
        data = form.cleaned_data
        return consultations.consultation_version_add(consultation=consultation, note=data["note"], upload=data["file"])

    if request.method == "POST" and _save(form, add) is not None:
        messages.success(request, _("The new version is sent out."))
        return redirect(consultation)
    return _form_page(
        request, form, _("New version of %(title)s") % {"title": consultation.title}, consultation.get_absolute_url()
    )


@require("consultation.answer", hidden=True)
def consultation_answer(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = selectors.consultation_get(user=request.user, pk=pk)
    if not policy.can_answer_consultation(request.user, consultation):
        raise Http404
    if not consultations.consultation_is_open(consultation):
        messages.error(request, _("The deadline has passed; the round takes no more answers."))
        return redirect(consultation)
    previous = consultation.answers.filter(organisation_id=request.user.organisation_id).order_by("-revision").first()
    initial = {"position": previous.position, "comment": previous.comment} if previous else {}
    form = ConsultationAnswerForm(request.POST or None, request.FILES or None, initial=initial)

    def answer():
        data = form.cleaned_data
        return consultations.consultation_answer(
            consultation=consultation,
            organisation=request.user.organisation,
            position=data["position"],
            comment=data["comment"],
            upload=data["file"],
            answered_by=request.user,
        )

    if request.method == "POST" and _save(form, answer) is not None:
        messages.success(request, _("The answer is recorded. You can revise it until the deadline."))
        return redirect(consultation)
    return _form_page(
        request,
        form,
        _("Answer for %(organisation)s: %(title)s")
        % {"organisation": request.user.organisation, "title": consultation},
        back=consultation.get_absolute_url(),
        intro=_("The deadline is %(date)s. Your earlier answers are kept.")
        % {"date": consultation.deadline.strftime("%d.%m.%Y")},
    )


@require_POST
@require("consultation.manage")
def consultation_close(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = selectors.consultation_get(user=request.user, pk=pk)
    _act(
        request,
        lambda: consultations.consultation_close(consultation=consultation),
        _("The round is closed; the summary is attached to the case that decides."),
    )
    return redirect(consultation)


@require("consultation.view")
def consultation_version_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    version = selectors.consultation_version_get(user=request.user, pk=pk)
    content = _stored(version.file, version.sha256, "document")
    return _pdf(content, f"horing-{version.consultation_id}-v{version.number}.pdf")


@require("consultation.view")
def consultation_answer_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    answer = selectors.consultation_answer_get(user=request.user, pk=pk)
    if not answer.file:
        raise Http404
    content = _stored(answer.file, answer.sha256, "attachment")
    return _pdf(content, f"horingssvar-{answer.consultation_id}-{answer.organisation_id}-{answer.revision}.pdf")


@require("consultation.view")
def consultation_summary_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = selectors.consultation_get(user=request.user, pk=pk)
    if not consultation.summary:
        raise Http404
    content = _stored(consultation.summary, consultation.summary_sha256, "summary")
    return _pdf(content, f"horing-{consultation.pk}-oppsummering.pdf")
