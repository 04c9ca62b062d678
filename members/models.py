from __future__ import annotations

import datetime
import re

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core import fields
from members.choices import (
    AGREEMENT_EVENT_LABELS,
    AgreementStatus,
    InvoiceChannel,
    MembershipStatus,
    OrganisationKind,
    Role,
    SignatureParty,
)
from members.validators import validate_org_number, validate_region_number


class Organisation(models.Model):
    """A member or partner of the network: a municipality, county municipality, partner or ICT cooperation."""

    kind = models.CharField(_("kind"), max_length=32, choices=OrganisationKind.choices)
    name = models.CharField(_("name"), max_length=200)
    # The current municipality or county number; its history lives in OrganisationNumber.
    number = models.CharField(_("municipality/county number"), max_length=4, blank=True, editable=False)
    org_number = models.CharField(
        _("organisation number"), max_length=9, blank=True, null=True, unique=True, validators=[validate_org_number]
    )
    county = models.CharField(_("county"), max_length=100, blank=True)
    street_address = models.CharField(_("street address"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=4, blank=True)
    city = models.CharField(_("postal town"), max_length=100, blank=True)
    # Where letters go when it is not the street address (a post box); Enhetsregisteret's postadresse.
    postal_street_address = models.CharField(_("postal address"), max_length=200, blank=True)
    postal_postal_code = models.CharField(_("postal address: postal code"), max_length=4, blank=True)
    postal_city = models.CharField(_("postal address: postal town"), max_length=100, blank=True)
    organisation_form = models.CharField(
        _("organisation form"),
        max_length=10,
        blank=True,
        help_text=_("Enhetsregisteret's code, e.g. KOMM (municipality), FYLK (county municipality), IKS, FLI."),
    )
    business_municipality_number = models.CharField(_("municipality of the business address"), max_length=4, blank=True)
    email = models.EmailField(_("email (post box)"), blank=True)
    einvoice_endpoint = models.CharField(
        _("e-invoice endpoint"),
        max_length=50,
        blank=True,
        help_text=_("Peppol participant identifier, e.g. 0192:964338531."),
    )
    invoice_channel = models.CharField(
        _("invoice delivery"),
        max_length=10,
        choices=InvoiceChannel.choices,
        default=InvoiceChannel.EMAIL,
        help_text=_(
            "Peppol: the EHF goes to the host's access point, addressed to the e-invoice endpoint "
            "(or 0192 and the organisation number when it is empty)."
        ),
    )
    buyer_reference = models.CharField(
        _("buyer's reference"),
        max_length=100,
        blank=True,
        help_text=_("The reference the organisation requires on every invoice (e.g. a person or an order number)."),
    )
    invoice_email = models.EmailField(
        _("invoice email"),
        blank=True,
        help_text=_("Where invoices and reminders are mailed; the post box address when empty."),
    )
    is_host = models.BooleanField(_("host municipality"), default=False)
    membership_status = models.CharField(
        _("membership status"), max_length=20, choices=MembershipStatus.choices, default=MembershipStatus.NOT_MEMBER
    )
    invited_on = fields.DateField(_("invited on"), null=True, blank=True)
    member_from = fields.DateField(_("member from"), null=True, blank=True)
    notice_given_on = fields.DateField(_("notice given on"), null=True, blank=True)
    member_until = fields.DateField(_("member until"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name", "number"]
        # The member list's order: a page of it read from the index (its population figures looked up for that
        # page only).
        indexes = [models.Index(fields=["name", "number"], name="organisation_name_order")]
        constraints = [
            models.UniqueConstraint(fields=["is_host"], condition=Q(is_host=True), name="one_host_organisation"),
            models.UniqueConstraint(fields=["number"], condition=~Q(number=""), name="unique_current_number"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.number})" if self.number else self.name

    def get_absolute_url(self) -> str:
        return reverse("members:organisation_detail", kwargs={"pk": self.pk})

    @property
    def legal_name(self) -> str:
        """The name as a legal entity: "Masfjorden kommune" for the municipality registered as "Masfjorden"."""
        if self.kind == OrganisationKind.MUNICIPALITY and "kommune" not in self.name.lower():
            return f"{self.name} kommune"
        return self.name

    @property
    def peppol_participant(self) -> str:
        """The Peppol participant identifier invoices are addressed to: the stored endpoint, else 0192:<orgno>."""
        if self.einvoice_endpoint.strip():
            return self.einvoice_endpoint.strip()
        return f"0192:{self.org_number}" if self.org_number else ""

    @property
    def invoice_address(self) -> tuple[str, str, str]:
        """Street, postal code and town an invoice is addressed to: the postal address when it is whole."""
        postal = (self.postal_street_address, self.postal_postal_code, self.postal_city)
        if all(part.strip() for part in postal):
            return postal
        return (self.street_address, self.postal_code, self.city)

    @property
    def is_member(self) -> bool:
        return self.membership_status in (MembershipStatus.MEMBER, MembershipStatus.NOTICE_GIVEN)

    def clean(self) -> None:
        from members.domain import membership_errors

        errors = membership_errors(
            status=self.membership_status,
            invited_on=self.invited_on,
            member_from=self.member_from,
            notice_given_on=self.notice_given_on,
            member_until=self.member_until,
        )
        if errors:
            from django.core.exceptions import ValidationError

            raise ValidationError(errors)


class OrganisationNumber(models.Model):
    """A municipality or county number an organisation held for a period; numbers change with mergers and reforms."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="numbers")
    number = models.CharField(_("number"), max_length=4, validators=[validate_region_number])
    valid_from = fields.DateField(_("valid from"))
    valid_to = fields.DateField(_("valid to"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("municipality/county number")
        verbose_name_plural = _("municipality/county numbers")
        ordering = ["organisation", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["number", "valid_from"], name="unique_number_start"),
            models.UniqueConstraint(
                fields=["organisation"], condition=Q(valid_to__isnull=True), name="one_open_number_per_organisation"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} ({self.valid_from}–{self.valid_to or ''})"


class PopulationFigure(models.Model):
    """The number of inhabitants of an organisation at a reference date, from official statistics."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="population_figures")
    reference_date = fields.DateField(_("reference date"))
    count = models.PositiveIntegerField(_("inhabitants"))
    source = models.CharField(_("source"), max_length=200)
    registered_at = models.DateTimeField(_("registered"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("population figure")
        verbose_name_plural = _("population figures")
        ordering = ["organisation", "-reference_date"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "reference_date"], name="one_figure_per_date"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.count} ({self.reference_date:%d.%m.%Y})"


# The type checker cannot see the manager of core.ProviderSignIn (a django-otp device, an untyped base) behind the
# reverse relation `provider_sign_ins`.
class User(AbstractUser):  # type: ignore[django-manager-missing]
    """A person with an account: belongs to one organisation and holds one or more roles."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="people",
        null=True,
        blank=True,
        verbose_name=_("organisation"),
    )
    job_title = models.CharField(_("job title"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    is_secretariat = models.BooleanField(_("secretariat"), default=False)
    is_director = models.BooleanField(_("municipal director (signatory)"), default=False)
    is_finance_officer = models.BooleanField(_("finance officer"), default=False)
    is_contact = models.BooleanField(_("contact"), default=False)
    # The interface language the person chose, on any device (core.middleware.LanguageMiddleware); blank: not chosen.
    language = models.CharField(_("language"), max_length=8, blank=True, choices=settings.LANGUAGES)
    is_project_leader = models.BooleanField(_("project leader"), default=False)
    may_log_in = models.BooleanField(
        _("may sign in"),
        default=True,
        help_text=_("A person registered only as a contact point, without an account, cannot sign in."),
    )
    is_delegate = models.BooleanField(
        _("keeps the organisation's details"),
        default=False,
        help_text=_("Maintains the organisation's people and invoicing details on the director's behalf."),
    )
    # The keyed hash (core.oidc.identity_hash) of the national identity number ID-porten asserts as `pid`.
    pid_hash = models.CharField(
        _("national identity number (keyed hash)"), max_length=64, unique=True, null=True, blank=True, editable=False
    )

    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["last_name", "first_name", "username"]

    @property
    def roles(self) -> frozenset[str]:
        flags = {
            Role.SECRETARIAT: self.is_secretariat,
            Role.DIRECTOR: self.is_director,
            Role.FINANCE_OFFICER: self.is_finance_officer,
            Role.CONTACT: self.is_contact,
            Role.PROJECT_LEADER: self.is_project_leader,
            Role.DELEGATE: self.is_delegate,
        }
        return frozenset(role for role, held in flags.items() if held)

    def role_labels(self) -> list[str]:
        return [str(Role(role).label) for role in Role.values if role in self.roles]


class ImmutableRecordError(Exception):
    """An attempt to change a published agreement text or a signed agreement."""


class AgreementTemplate(models.Model):
    """A version of the cooperation agreement text with its appendices; a published version never changes."""

    title = models.CharField(_("title"), max_length=200)
    version = models.PositiveIntegerField(_("version"), default=1)
    period_start = fields.DateField(_("period from"))
    period_end = fields.DateField(_("period to"), null=True, blank=True)
    body = models.TextField(_("agreement text"))
    funding_appendix = models.TextField(_("appendix: funding model"), blank=True)
    organisation_appendix = models.TextField(_("appendix: organisation"), blank=True)
    statutes_appendix = models.TextField(_("appendix: statutes"), blank=True)
    notice_months = models.PositiveSmallIntegerField(_("notice period (months)"), default=6)
    adopted_in_case = models.ForeignKey(
        "governance.Case",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="adopted_agreement_templates",
        verbose_name=_("adopted in case"),
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("agreement text")
        verbose_name_plural = _("agreement texts")
        ordering = ["-period_start", "title", "-version"]
        constraints = [models.UniqueConstraint(fields=["title", "version"], name="unique_agreement_version")]

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"

    def save(self, *args, **kwargs):
        # Integrity guard: a published text is what members sign; a change is a new version.
        if self.pk and AgreementTemplate.objects.filter(pk=self.pk, published_at__isnull=False).exists():
            raise ImmutableRecordError(f"{self} is published; make a new version instead.")
        super().save(*args, **kwargs)

    @property
    def appendices(self) -> list[tuple[str, str]]:
        named = [
            (str(_("Appendix 1: Funding model")), self.funding_appendix),
            (str(_("Appendix 2: Organisation")), self.organisation_appendix),
            (str(_("Appendix 3: Statutes")), self.statutes_appendix),
        ]
        return [(title, text) for title, text in named if text]


class Agreement(models.Model):
    """An organisation's agreement on one version of the text, from the invitation to sign until it is in force."""

    template = models.ForeignKey(AgreementTemplate, on_delete=models.PROTECT, related_name="agreements")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="agreements")
    status = models.CharField(
        _("status"), max_length=16, choices=AgreementStatus.choices, default=AgreementStatus.INVITED
    )
    invited_at = models.DateTimeField(_("invited"), auto_now_add=True)
    invited_by = models.ForeignKey("User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    expires_on = fields.DateField(_("expires"))
    opened_at = models.DateTimeField(_("opened"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminded"), null=True, blank=True)
    declined_at = models.DateTimeField(_("declined"), null=True, blank=True)
    decline_reason = models.TextField(_("reason for declining"), blank=True)
    document = models.FileField(_("document to sign"), upload_to="agreements/")
    document_sha256 = models.CharField(_("document SHA-256"), max_length=64)
    sealed = models.FileField(_("sealed agreement"), upload_to="agreements/", blank=True)
    sealed_sha256 = models.CharField(_("sealed SHA-256"), max_length=64, blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        ordering = ["-invited_at", "organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["template", "organisation"],
                condition=Q(status__in=["invited", "opened", "signed", "countersigned", "in_force"]),
                name="one_open_agreement_per_organisation_and_text",
            )
        ]

    def __str__(self) -> str:
        return f"{self.template} – {self.organisation}"

    def get_absolute_url(self) -> str:
        return reverse("members:agreement_detail", kwargs={"pk": self.pk})


class Signature(models.Model):
    """A signature on an agreement: who, for which organisation and role, when, from where, on which bytes."""

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="signatures")
    party = models.CharField(_("party"), max_length=10, choices=SignatureParty.choices)
    user = models.ForeignKey("User", on_delete=models.PROTECT, related_name="signatures")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(_("role"), max_length=100)
    signer_name = models.CharField(_("name"), max_length=200)
    signed_at = models.DateTimeField(_("signed"))
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=500, blank=True)
    document_sha256 = models.CharField(_("SHA-256 of the document signed"), max_length=64)
    decision_body = models.CharField(_("deciding body"), max_length=200, blank=True)
    decision_case = models.CharField(_("case number"), max_length=50, blank=True)
    decision_date = fields.DateField(_("date of decision"), null=True, blank=True)
    mandate = models.CharField(
        _("mandate"),
        max_length=300,
        blank=True,
        help_text=_("For the network's countersignature: the decision it rests on (body and case)."),
    )
    # How the signer was authenticated at signing: ID-porten's level (acr), the time of the authentication, the
    # identity provider (amr) and the keyed hash of the identity number. Empty: password and a mailed code.
    assurance_level = models.CharField(_("assurance level"), max_length=100, blank=True)
    authenticated_at = models.DateTimeField(_("authenticated"), null=True, blank=True)
    identity_provider = models.CharField(_("identity provider"), max_length=200, blank=True)
    identity_hash = models.CharField(_("identity (keyed hash)"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        ordering = ["agreement", "signed_at"]
        constraints = [models.UniqueConstraint(fields=["agreement", "party"], name="one_signature_per_party")]

    def __str__(self) -> str:
        return f"{self.signer_name} ({self.organisation}) {self.signed_at:%d.%m.%Y %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk:
            raise ImmutableRecordError("A signature is never changed.")
        super().save(*args, **kwargs)


class AgreementEvent(models.Model):
    """One step in an agreement's audit trail."""

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="events")
    at = models.DateTimeField(_("when"), auto_now_add=True)
    actor = models.ForeignKey("User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    action = models.CharField(_("what"), max_length=40)
    detail = models.CharField(_("details"), max_length=500, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        verbose_name = _("agreement event")
        verbose_name_plural = _("agreement events")
        ordering = ["agreement", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.at:%d.%m.%Y %H:%M} {self.action}"

    @property
    def action_label(self) -> str:
        return str(AGREEMENT_EVENT_LABELS.get(self.action, self.action))

    @property
    def detail_text(self) -> str:
        """The detail in the reader's language: an invitation's expiry date, a signature's decision, a party.

        The stored detail is language-neutral where it can be (an ISO date, a party code); details written in
        Bokmål before ("Utløper 01.12.2026", "Styret, sak 12/26, 01.12.2026; SHA-256 …") are read the same way."""
        if self.action == "invited":
            expires = _date_in(self.detail)
            if expires is not None:
                return gettext("Expires %(date)s") % {"date": date_format(expires, "SHORT_DATE_FORMAT")}
        elif self.action == "signed":
            decision = _SIGNED_DETAIL.match(self.detail)
            decided_on = _date_in(decision["date"]) if decision else None
            if decision and decided_on is not None:
                return gettext("%(body)s, case %(case)s, %(date)s; %(fingerprint)s") % {
                    "body": decision["body"],
                    "case": decision["case"],
                    "date": date_format(decided_on, "SHORT_DATE_FORMAT"),
                    "fingerprint": decision["fingerprint"],
                }
        elif self.action == "code_sent" and self.detail in SignatureParty.values:
            return str(SignatureParty(self.detail).label)
        return self.detail


_SIGNED_DETAIL = re.compile(
    r"^(?P<body>.*), sak (?P<case>[^,]*), (?P<date>[0-9.\-]+); (?P<fingerprint>SHA-256 .*)$", re.S
)


def _date_in(text: str) -> datetime.date | None:
    """A date written as 2026-12-01 or 01.12.2026, alone or at the end of the text."""
    found = re.search(r"(\d{4})-(\d{2})-(\d{2})$|(\d{2})\.(\d{2})\.(\d{4})$", text.strip())
    if found is None:
        return None
    year, month, day = (found[1], found[2], found[3]) if found[1] else (found[6], found[5], found[4])
    try:
        return datetime.date(int(year), int(month), int(day))
    except ValueError:
        return None


class OneTimeSecret(models.Model):
    """A one-time secret for an agreement: a link sent by email, or a signing code; stored as a hash only."""

    LINK, CODE = "link", "code"

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="secrets")
    user = models.ForeignKey("User", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    purpose = models.CharField(max_length=8, choices=[(LINK, "link"), (CODE, "code")])
    digest = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("one-time secret")
        verbose_name_plural = _("one-time secrets")

    def __str__(self) -> str:
        return f"{self.purpose} for {self.agreement_id}"
