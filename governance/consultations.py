"""Consultation rounds: opened by the secretariat on a draft, answered by each member organisation (revisions kept),
reminded before the deadline, and summed up in a PDF attached to the case that decides."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.documents import document_store, html_to_pdf
from core.emails import send_templated
from core.mail_preferences import MailTopic
from core.rules import rule
from governance.choices import ConsultationPosition, ConsultationSubject
from governance.consultation_subjects import Draft, source_for
from governance.models import (
    Case,
    Consultation,
    ConsultationAmount,
    ConsultationAnswer,
    ConsultationReminder,
    ConsultationVersion,
)
from governance.services import _check_size, attachment_add, pdf_check

# Members that have not answered are reminded this many days before the deadline (once per round).
REMINDER_DAYS = 5
# Documents sent to the members are written in Norwegian, whatever language the secretariat uses.
DOCUMENT_LANGUAGE = "nb"


def _today() -> date:
    return timezone.localdate()


@rule
def consultation_is_open(consultation: Consultation) -> bool:
    """A round takes answers (and new versions) until the end of its deadline, unless it is closed."""
    return consultation.closed_at is None and _today() <= consultation.deadline


@rule
def consultation_can_close(consultation: Consultation) -> bool:
    """A round is closed (and summed up) once, after its deadline."""
    return consultation.closed_at is None and _today() > consultation.deadline


def deadline_passed(consultation: Consultation) -> bool:
    return consultation.closed_at is not None or _today() > consultation.deadline


def _pdf_bytes(upload: UploadedFile | bytes, *, field: str) -> tuple[bytes, int]:
    if isinstance(upload, bytes):
        data = upload
    else:
        _check_size(upload.size or 0, field=field)
        upload.seek(0)
        data = upload.read()
    return data, pdf_check(data, field=field)


def _letterhead(consultation: Consultation) -> dict[str, Any]:
    from governance.documents import _network_name

    return {"network": _network_name(), "body": consultation.case.body if consultation.case else None}


def _render_draft(consultation: Consultation, draft: Draft, number: int, note: str) -> bytes:
    with translation.override(DOCUMENT_LANGUAGE):
        html = render_to_string(
            "governance/pdf/consultation_version.html",
            {
                "consultation": consultation,
                "draft": draft,
                "number": number,
                "note": note,
                "total": sum((a.amount for a in draft.amounts), start=0),
                "language": DOCUMENT_LANGUAGE,
                **_letterhead(consultation),
            },
        )
        return html_to_pdf(html, tagged=True)


def _answerers(consultation: Consultation) -> list[str]:
    """The addresses of the people who answer for the organisations consulted (directors and delegates)."""
    from members.models import User

    people = User.objects.filter(organisation__in=consultation.consulted.all(), is_active=True).exclude(email="")
    return sorted({p.email for p in people if p.is_director or p.is_delegate})


def _mail_context(consultation: Consultation) -> dict[str, Any]:
    return {
        "consultation": consultation,
        "url": consultation.get_absolute_url(),
        "base_url": settings.PORTAL_BASE_URL,
    }


def _add_version(
    consultation: Consultation, *, upload: UploadedFile | bytes | None, note: str, field: str = "file"
) -> ConsultationVersion:
    number = consultation.versions.count() + 1
    source = source_for(consultation.subject_kind)
    draft = None
    if source is not None:
        if consultation.subject_id is None:
            raise ValidationError({"draft": _("Choose the draft the members are asked about.")})
        try:
            draft = source.draft(consultation.subject_id)
        except LookupError:
            raise ValidationError({"draft": _("The draft is no longer a proposal; choose another.")}) from None
        if draft.amounts == [] and draft.problem:
            raise ValidationError({"draft": _("What each member would pay cannot be shown: %s") % draft.problem})
    if upload is not None:
        data, pages = _pdf_bytes(upload, field=field)
    elif draft is not None:
        data = _render_draft(consultation, draft, number, note)
        pages = pdf_check(data)
    else:
        raise ValidationError({field: _("Attach the document the members are asked about (PDF).")})
    version = ConsultationVersion(consultation=consultation, number=number, note=note, pages=pages)
    version.sha256 = document_store(version.file, f"{consultation.pk}-v{number}.pdf", data)
    version.full_clean()
    version.save()
    if draft is not None:
        ConsultationAmount.objects.bulk_create(
            ConsultationAmount(version=version, organisation_id=a.organisation_id, name=a.name, amount=a.amount)
            for a in draft.amounts
        )
    return version


@transaction.atomic
def consultation_open(
    *,
    title: str,
    subject_kind: str,
    deadline: date,
    subject_id: int | None = None,
    description: str = "",
    case: Case | None = None,
    upload: UploadedFile | bytes | None = None,
    opened_by: Any = None,
) -> Consultation:
    """Open a round on a draft and send its first version to every member organisation."""
    from members.choices import MembershipStatus
    from members.models import Organisation

    if deadline <= _today():
        raise ValidationError({"deadline": _("The deadline must be after today.")})
    if case is not None and hasattr(case, "decision"):
        raise ValidationError({"case": _("The case is decided; choose a case still to be decided.")})
    if source_for(subject_kind) is None:
        subject_id = None
    consultation = Consultation(
        title=title,
        subject_kind=subject_kind,
        subject_id=subject_id,
        description=description,
        deadline=deadline,
        case=case,
        opened_by=opened_by,
    )
    members = list(
        Organisation.objects.filter(membership_status__in=[MembershipStatus.MEMBER, MembershipStatus.NOTICE_GIVEN])
    )
    if not members:
        raise ValidationError(_("There are no member organisations to consult."))
    consultation.full_clean()
    consultation.save()
    consultation.consulted.set(members)
    _add_version(consultation, upload=upload, note="")
    addresses = _answerers(consultation)
    if addresses:
        send_templated("consultation-opened", _mail_context(consultation), addresses, topic=MailTopic.CONSULTATION)
    return consultation


@transaction.atomic
def consultation_version_add(
    *, consultation: Consultation, note: str, upload: UploadedFile | bytes | None = None
) -> ConsultationVersion:
    """Send out a revised version of the document; the earlier versions and the answers to them are kept."""
    consultation = Consultation.objects.select_for_update().get(pk=consultation.pk)
    if not consultation_is_open(consultation):
        raise ValidationError(_("The round is closed; its documents no longer change."))
    if not note.strip():
        raise ValidationError({"note": _("Say what changed in this version.")})
    return _add_version(consultation, upload=upload, note=note)


@transaction.atomic
def consultation_answer(
    *,
    consultation: Consultation,
    organisation: Any,
    position: str,
    comment: str = "",
    upload: UploadedFile | bytes | None = None,
    answered_by: Any = None,
    answered_by_name: str = "",
) -> ConsultationAnswer:
    """Record an organisation's answer; an answer given before is kept, and the new one counts."""
    consultation = Consultation.objects.select_for_update().get(pk=consultation.pk)
    if not consultation_is_open(consultation):
        raise ValidationError(_("The deadline has passed; the round takes no more answers."))
    if not consultation.consulted.filter(pk=organisation.pk).exists():
        raise ValidationError(_("%(organisation)s is not consulted in this round.") % {"organisation": organisation})
    if position not in ConsultationPosition.values:
        raise ValidationError({"position": _("Choose whether the organisation supports the draft.")})
    if position != ConsultationPosition.SUPPORTS and not comment.strip():
        raise ValidationError({"comment": _("Say what the remarks or objections are.")})
    previous = consultation.answers.filter(organisation=organisation).order_by("-revision").first()
    answer = ConsultationAnswer(
        consultation=consultation,
        organisation=organisation,
        revision=previous.revision + 1 if previous else 1,
        version=consultation.versions.order_by("-number").first(),
        position=position,
        comment=comment.strip(),
        answered_by=answered_by,
        answered_by_name=answered_by_name
        or (answered_by.get_full_name() or answered_by.username if answered_by else ""),
    )
    if upload is not None:
        data, _pages = _pdf_bytes(upload, field="file")
        answer.sha256 = document_store(answer.file, f"{consultation.pk}-{organisation.pk}-{answer.revision}.pdf", data)
    answer.full_clean()
    answer.save()
    return answer


def consultation_send_reminders(*, today: date | None = None) -> int:
    """Remind the organisations that have not answered a round whose deadline is near, once each; running it
    again (or after the deadline) sends nothing. Returns how many organisations were reminded."""
    from members.models import User

    today = today or _today()
    rounds = Consultation.objects.filter(
        closed_at__isnull=True, deadline__gte=today, deadline__lte=today + timedelta(days=REMINDER_DAYS)
    )
    reminded = 0
    for consultation in rounds:
        answered = consultation.answers.values("organisation_id")
        done = consultation.reminders.values("organisation_id")
        for organisation in consultation.consulted.exclude(pk__in=answered).exclude(pk__in=done).order_by("name"):
            people = User.objects.filter(organisation=organisation, is_active=True).exclude(email="")
            addresses = sorted({p.email for p in people if p.is_director or p.is_delegate})
            try:
                with transaction.atomic():
                    ConsultationReminder.objects.create(consultation=consultation, organisation=organisation)
                    if addresses:
                        context = {**_mail_context(consultation), "organisation": organisation}
                        send_templated("consultation-reminder", context, addresses, topic=MailTopic.CONSULTATION)
            except IntegrityError:
                continue  # another run reminded it a moment ago
            reminded += 1
    return reminded


@dataclass(frozen=True)
class Tally:
    supports: int
    remarks: int
    opposes: int
    unanswered: int

    @property
    def answered(self) -> int:
        return self.supports + self.remarks + self.opposes


def latest_answers(consultation: Consultation) -> list[ConsultationAnswer]:
    """Each organisation's answer that counts (its latest revision), by organisation name."""
    latest: dict[int, ConsultationAnswer] = {}
    for answer in consultation.answers.select_related("organisation", "version").order_by("revision"):
        latest[answer.organisation_id] = answer
    return sorted(latest.values(), key=lambda a: a.organisation.name)


def consultation_tally(consultation: Consultation) -> Tally:
    positions = [a.position for a in latest_answers(consultation)]
    return Tally(
        supports=positions.count(ConsultationPosition.SUPPORTS),
        remarks=positions.count(ConsultationPosition.REMARKS),
        opposes=positions.count(ConsultationPosition.OPPOSES),
        unanswered=consultation.consulted.count() - len(positions),
    )


def consultation_summary_pdf(consultation: Consultation) -> bytes:
    """Every consulted organisation with its answer (or none), the counts, and the versions sent out."""
    answers = {a.organisation_id: a for a in latest_answers(consultation)}
    rows = [(o, answers.get(o.pk)) for o in consultation.consulted.order_by("name")]
    with translation.override(DOCUMENT_LANGUAGE):
        html = render_to_string(
            "governance/pdf/consultation_summary.html",
            {
                "consultation": consultation,
                "rows": rows,
                "tally": consultation_tally(consultation),
                "versions": list(consultation.versions.order_by("number")),
                "revisions": consultation.answers.count(),
                "language": DOCUMENT_LANGUAGE,
                **_letterhead(consultation),
            },
        )
        return html_to_pdf(html, tagged=True)


@transaction.atomic
def consultation_close(*, consultation: Consultation) -> Consultation:
    """After the deadline: the summary is rendered, kept with the round and attached to the case that decides."""
    consultation = Consultation.objects.select_for_update(of=("self",)).select_related("case").get(pk=consultation.pk)
    if not consultation_can_close(consultation):
        if consultation.closed_at is not None:
            raise ValidationError(_("The round is already closed."))
        raise ValidationError(_("The round is closed after its deadline."))
    if consultation.case is not None and hasattr(consultation.case, "decision"):
        raise ValidationError(_("The case that decides is already decided; the summary cannot be attached to it."))
    data = consultation_summary_pdf(consultation)
    consultation.summary_sha256 = document_store(consultation.summary, f"{consultation.pk}-summary.pdf", data)
    consultation.closed_at = timezone.now()
    consultation.save(update_fields=["summary", "summary_sha256", "closed_at"])
    if consultation.case is not None:
        with translation.override(DOCUMENT_LANGUAGE):
            title = _("Consultation: %(title)s, summary of the answers") % {"title": consultation.title}
        attachment_add(case=consultation.case, title=title[:200], upload=data)
    return consultation


def subject_label(consultation: Consultation) -> str:
    return str(ConsultationSubject(consultation.subject_kind).label)
