"""The network's own governance: bodies and their members, meetings, numbered cases, decisions and minutes."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core import fields
from core.runs import BackgroundRun
from governance.choices import (
    AttendanceStatus,
    Authority,
    BodyKind,
    ConsultationPosition,
    ConsultationSubject,
    DecisionRule,
    DocumentKind,
    DocumentLanguage,
    MeetingStatus,
    MembershipRole,
    Outcome,
    Vote,
)

__all__ = [
    "Announcement",
    "Attendance",
    "Body",
    "BodyMembership",
    "Case",
    "CaseAttachment",
    "CaseCounter",
    "Consultation",
    "ConsultationAmount",
    "ConsultationAnswer",
    "ConsultationReminder",
    "ConsultationVersion",
    "Decision",
    "DecisionArea",
    "DecisionAuthority",
    "Meeting",
    "MeetingDocumentRun",
    "RollCallVote",
]


class Body(models.Model):
    """A governing body of the network (steering group, council, committee, expert group ...), as it defines them."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=BodyKind.choices)
    mandate = models.TextField(_("mandate"))
    decision_rule = models.CharField(_("decision rule"), max_length=12, choices=DecisionRule.choices)
    decision_rule_note = models.CharField(
        _("decision rule in detail"), max_length=300, blank=True, help_text=_("E.g. quorum, or who breaks a tie.")
    )
    language = models.CharField(
        _("language of documents"), max_length=2, choices=DocumentLanguage.choices, default=DocumentLanguage.BOKMAL
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("body")
        verbose_name_plural = _("bodies")
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("governance:body_detail", kwargs={"pk": self.pk})


class BodyMembership(models.Model):
    """A person's seat in a body for a term: their role and the organisation they represent."""

    body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("body"))
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="body_memberships",
        verbose_name=_("user account"),
        help_text=_("Link the seat to the person's account so that they see the body's papers."),
    )
    name = models.CharField(_("name"), max_length=200)
    title = models.CharField(_("position"), max_length=200, blank=True)
    organisation = models.ForeignKey(
        "members.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="body_memberships",
        verbose_name=_("represents"),
    )
    role = models.CharField(_("role"), max_length=10, choices=MembershipRole.choices, default=MembershipRole.MEMBER)
    term_start = fields.DateField(_("term from"))
    term_end = fields.DateField(_("term to"), null=True, blank=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["body", "role", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(term_end__isnull=True) | Q(term_end__gte=models.F("term_start")),
                name="membership_term_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_role_display()}, {self.body})"


class DecisionArea(models.Model):
    """A kind of matter the decision matrix covers, e.g. the budget or the contribution model."""

    name = models.CharField(_("matter"), max_length=200, unique=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("decision matrix row")
        verbose_name_plural = _("decision matrix rows")
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class DecisionAuthority(models.Model):
    """What a body does with a matter: decides, recommends, prepares or is informed."""

    area = models.ForeignKey(DecisionArea, on_delete=models.CASCADE, related_name="authorities")
    body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="authorities")
    authority = models.CharField(_("authority"), max_length=12, choices=Authority.choices)

    class Meta:
        verbose_name = _("decision authority")
        verbose_name_plural = _("decision authorities")
        constraints = [models.UniqueConstraint(fields=["area", "body"], name="one_authority_per_body_and_matter")]

    def __str__(self) -> str:
        return f"{self.area}: {self.body} {self.get_authority_display()}"


class Meeting(models.Model):
    """A meeting of a body: when and where, and how far it has come (planned, notice sent, held, minutes approved)."""

    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="meetings", verbose_name=_("body"))
    starts_at = fields.DateTimeField(_("starts"))
    ends_at = fields.DateTimeField(_("ends"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    video_link = models.URLField(_("video link"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED)
    notice_text = models.TextField(
        _("notice"), blank=True, help_text=_("The letter of notice that opens the board pack.")
    )
    notice_sent_at = models.DateTimeField(_("notice sent"), null=True, blank=True)
    chair = models.CharField(_("chair"), max_length=200, blank=True)
    minutes_text = models.TextField(_("minutes: other matters"), blank=True)
    minutes_approved_at = models.DateTimeField(_("minutes approved"), null=True, blank=True)
    minutes_approved_in = models.CharField(
        _("minutes approved in"), max_length=200, blank=True, help_text=_("E.g. the next meeting, case 41/26.")
    )
    minutes_published_at = models.DateTimeField(_("minutes published"), null=True, blank=True)

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gt=models.F("starts_at")),
                name="meeting_ends_after_it_starts",
            )
        ]

    def __str__(self) -> str:
        return f"{self.body} {self.starts_at:%d.%m.%Y}"

    def get_absolute_url(self) -> str:
        return reverse("governance:meeting_detail", kwargs={"pk": self.pk})

    @property
    def notice_is_out(self) -> bool:
        return self.status != MeetingStatus.PLANNED

    @property
    def is_held(self) -> bool:
        return self.status in (MeetingStatus.HELD, MeetingStatus.MINUTES_APPROVED)


class Attendance(models.Model):
    """Whether a member of the body attended a meeting."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    membership = models.ForeignKey(BodyMembership, on_delete=models.PROTECT, related_name="attendance")
    status = models.CharField(_("attendance"), max_length=10, choices=AttendanceStatus.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [models.UniqueConstraint(fields=["meeting", "membership"], name="one_attendance_per_member")]

    def __str__(self) -> str:
        return f"{self.membership.name}: {self.get_status_display()}"


class CaseCounter(models.Model):
    """The last case number given in a body's year; locked while the next number is taken."""

    body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["body", "year"], name="one_case_counter_per_body_and_year")]

    def __str__(self) -> str:
        return f"{self.body} {self.year}: {self.last_number}"


class Case(models.Model):
    """A case put before a body, numbered per body and year (37/23), with its case paper."""

    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="cases", verbose_name=_("body"))
    year = models.PositiveIntegerField(_("year"), editable=False)
    number = models.PositiveIntegerField(_("number"), editable=False)
    meeting = models.ForeignKey(
        Meeting, on_delete=models.PROTECT, null=True, blank=True, related_name="cases", verbose_name=_("meeting")
    )
    agenda_position = models.PositiveSmallIntegerField(_("place on the agenda"), default=0)
    title = models.CharField(_("title"), max_length=300)
    case_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("case officer"),
    )
    background = models.TextField(_("background"), blank=True)
    assessment = models.TextField(_("assessment"), blank=True)
    proposed_decision = models.TextField(_("proposed decision"))
    exempt = models.BooleanField(_("exempt from public access"), default=False)
    legal_basis = models.CharField(
        _("legal basis for exemption"), max_length=100, blank=True, help_text=_("E.g. offl. § 14 or offl. § 23.")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-year", "agenda_position", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["body", "year", "number"], name="one_case_per_number"),
            models.CheckConstraint(condition=Q(exempt=False) | ~Q(legal_basis=""), name="exempt_case_has_legal_basis"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("governance:case_detail", kwargs={"pk": self.pk})

    @property
    def reference(self) -> str:
        """The case number as it is written: 37/23."""
        return f"{self.number}/{self.year % 100:02d}"


def attachment_path(instance: CaseAttachment, filename: str) -> str:
    return f"governance/cases/{instance.case_id}/{instance.sha256[:16]}.pdf"


class CaseAttachment(models.Model):
    """A PDF attached to a case paper; the board pack includes it after the paper, in order."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file (PDF)"), upload_to=attachment_path)
    sha256 = models.CharField(max_length=64, editable=False)
    pages = models.PositiveIntegerField(_("pages"), editable=False)
    size = models.PositiveIntegerField(_("size (bytes)"), editable=False)
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["case", "position", "pk"]

    def __str__(self) -> str:
        return self.title


class Decision(models.Model):
    """What the body decided in a case, and how (unanimously or with votes)."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="decision")
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    text = models.TextField(_("decision"))
    unanimous = models.BooleanField(_("unanimous"), default=True)
    votes_for = models.PositiveSmallIntegerField(_("votes for"), null=True, blank=True)
    votes_against = models.PositiveSmallIntegerField(_("votes against"), null=True, blank=True)
    abstentions = models.PositiveSmallIntegerField(_("abstentions"), null=True, blank=True)
    # By roll call the totals above are counted from the votes (RollCallVote), never typed.
    by_roll_call = models.BooleanField(_("by roll call"), default=False, editable=False)
    recorded_at = models.DateTimeField(_("recorded"), auto_now=True)

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        constraints = [
            models.CheckConstraint(
                condition=Q(unanimous=True) | (Q(votes_for__isnull=False) & Q(votes_against__isnull=False)),
                name="decision_by_vote_has_votes",
            )
        ]

    def __str__(self) -> str:
        return f"{self.case.reference}: {self.get_outcome_display()}"


class RollCallVote(models.Model):
    """A member organisation's vote in a roll call on a decision, cast by the representative or deputy who sat."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="roll_call")
    organisation = models.ForeignKey(
        "members.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("member")
    )
    seat = models.ForeignKey(
        BodyMembership,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="votes",
        verbose_name=_("voted by"),
    )
    vote = models.CharField(_("vote"), max_length=8, choices=Vote.choices)

    class Meta:
        verbose_name = _("roll-call vote")
        verbose_name_plural = _("roll-call votes")
        ordering = ["organisation__name"]
        constraints = [
            models.UniqueConstraint(fields=["decision", "organisation"], name="one_vote_per_member_and_decision"),
            models.CheckConstraint(
                condition=Q(vote=Vote.ABSENT) | Q(seat__isnull=False), name="a_vote_cast_names_who_sat"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id}: {self.get_vote_display()}"


def document_path(instance: MeetingDocumentRun, filename: str) -> str:
    return f"governance/meetings/{instance.meeting_id}/{filename}"


class MeetingDocumentRun(BackgroundRun):
    """One rendering of a meeting's board pack or minutes to PDF by a worker, with its progress and result."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="document_runs")
    kind = models.CharField(_("document"), max_length=12, choices=DocumentKind.choices)
    file = models.FileField(_("PDF"), upload_to=document_path, blank=True)
    public_file = models.FileField(
        _("PDF without exempt cases"), upload_to=document_path, blank=True, help_text=_("Minutes for the public.")
    )
    sha256 = models.CharField(max_length=64, blank=True, editable=False)
    pages = models.PositiveIntegerField(_("pages"), null=True, blank=True)

    class Meta(BackgroundRun.Meta):
        verbose_name = _("document rendering")
        verbose_name_plural = _("document renderings")

    def get_absolute_url(self) -> str:
        return reverse("governance:document_run_detail", kwargs={"pk": self.pk})


# ------------------------------------------------------------------------------------------------
# Consultation rounds: a document sent out to the members, their answers, and the log of both.


class Consultation(models.Model):
    """A consultation round: a draft sent to every member organisation for its answer before a deadline."""

    title = models.CharField(_("title"), max_length=200)
    subject_kind = models.CharField(_("document"), max_length=20, choices=ConsultationSubject.choices)
    # The draft in the app that keeps it (a contribution model, an agreement text, a cost-sharing plan); empty for
    # a document that lives only here (a strategy). Not a foreign key: the drafts live in apps above this one.
    subject_id = models.PositiveIntegerField(_("draft"), null=True, blank=True)
    description = models.TextField(_("what the members are asked"), blank=True)
    deadline = fields.DateField(_("deadline"), help_text=_("Answers are taken until the end of this day."))
    case = models.ForeignKey(
        Case,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="consultations",
        verbose_name=_("case that decides"),
    )
    consulted = models.ManyToManyField(
        "members.Organisation", related_name="consultations", verbose_name=_("organisations consulted")
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    opened_at = models.DateTimeField(_("opened"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    summary = models.FileField(_("summary (PDF)"), upload_to="governance/consultations/", blank=True)
    summary_sha256 = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name = _("consultation round")
        verbose_name_plural = _("consultation rounds")
        ordering = ["-deadline", "-pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("governance:consultation_detail", args=[self.pk])


class ConsultationVersion(models.Model):
    """A version of the document sent out in a round; every version is kept with the round."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField(_("version"))
    note = models.CharField(_("what changed"), max_length=300, blank=True)
    file = models.FileField(_("document (PDF)"), upload_to="governance/consultations/")
    sha256 = models.CharField(max_length=64, editable=False)
    pages = models.PositiveIntegerField(_("pages"), editable=False)
    sent_at = models.DateTimeField(_("sent out"), auto_now_add=True)

    class Meta:
        verbose_name = _("version sent out")
        verbose_name_plural = _("versions sent out")
        ordering = ["consultation", "number"]
        constraints = [
            models.UniqueConstraint(fields=["consultation", "number"], name="one_consultation_version_per_number")
        ]

    def __str__(self) -> str:
        return f"{self.consultation} v{self.number}"


class ConsultationAmount(models.Model):
    """What one member would pay under the version sent out (a draft contribution model or cost-sharing plan)."""

    version = models.ForeignKey(ConsultationVersion, on_delete=models.CASCADE, related_name="amounts")
    organisation = models.ForeignKey("members.Organisation", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=200)
    amount = models.DecimalField(_("amount (NOK)"), max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = _("amount per member")
        verbose_name_plural = _("amounts per member")
        ordering = ["version", "name"]
        constraints = [
            models.UniqueConstraint(fields=["version", "organisation"], name="one_consultation_amount_per_member")
        ]

    def __str__(self) -> str:
        return f"{self.name}: {self.amount}"


class ConsultationAnswer(models.Model):
    """A member organisation's answer as given at one time; a revision adds a row and the latest one counts."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="answers")
    organisation = models.ForeignKey(
        "members.Organisation", on_delete=models.PROTECT, related_name="consultation_answers"
    )
    revision = models.PositiveSmallIntegerField(_("revision"))
    version = models.ForeignKey(
        ConsultationVersion, on_delete=models.PROTECT, related_name="answers", verbose_name=_("version answered")
    )
    position = models.CharField(_("position"), max_length=10, choices=ConsultationPosition.choices)
    comment = models.TextField(_("comment"), blank=True)
    file = models.FileField(_("attachment (PDF)"), upload_to="governance/consultations/answers/", blank=True)
    sha256 = models.CharField(max_length=64, blank=True, editable=False)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answered_by_name = models.CharField(_("answered by"), max_length=200)
    answered_at = models.DateTimeField(_("answered"), auto_now_add=True)

    class Meta:
        verbose_name = _("consultation answer")
        verbose_name_plural = _("consultation answers")
        ordering = ["consultation", "organisation__name", "revision"]
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "organisation", "revision"], name="one_consultation_answer_per_revision"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.get_position_display()}"


class ConsultationReminder(models.Model):
    """The one reminder an organisation gets in a round; kept so that running the reminders again sends none."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="reminders")
    organisation = models.ForeignKey("members.Organisation", on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "organisation"], name="one_consultation_reminder_per_member"
            )
        ]

    def __str__(self) -> str:
        return f"{self.consultation}: {self.organisation}"


class Announcement(models.Model):
    """A message from the secretariat: mailed to the people chosen by role, body or organisation, and kept on the
    members' news page."""

    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("message"))
    to_roles = models.JSONField(_("to people with the roles"), default=list, blank=True)
    to_bodies = models.ManyToManyField(Body, blank=True, related_name="+", verbose_name=_("to the members of"))
    to_organisations = models.ManyToManyField(
        "members.Organisation", blank=True, related_name="+", verbose_name=_("to the people of")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("written"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    recipients = models.PositiveIntegerField(_("recipients"), null=True, blank=True)

    class Meta:
        verbose_name = _("message from the secretariat")
        verbose_name_plural = _("messages from the secretariat")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title
