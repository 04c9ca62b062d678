from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from members.choices import MembershipStatus, OrganisationKind, Role
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
    email = models.EmailField(_("email (post box)"), blank=True)
    einvoice_endpoint = models.CharField(
        _("e-invoice endpoint"),
        max_length=50,
        blank=True,
        help_text=_("Peppol participant identifier, e.g. 0192:964338531."),
    )
    buyer_reference = models.CharField(
        _("buyer's reference"),
        max_length=100,
        blank=True,
        help_text=_("The reference the organisation requires on every invoice (e.g. a person or an order number)."),
    )
    is_host = models.BooleanField(_("host municipality"), default=False)
    membership_status = models.CharField(
        _("membership status"), max_length=20, choices=MembershipStatus.choices, default=MembershipStatus.NOT_MEMBER
    )
    invited_on = models.DateField(_("invited on"), null=True, blank=True)
    member_from = models.DateField(_("member from"), null=True, blank=True)
    notice_given_on = models.DateField(_("notice given on"), null=True, blank=True)
    member_until = models.DateField(_("member until"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name", "number"]
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
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

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
    reference_date = models.DateField(_("reference date"))
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


class User(AbstractUser):
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
        }
        return frozenset(role for role, held in flags.items() if held)

    def role_labels(self) -> list[str]:
        return [str(Role(role).label) for role in Role.values if role in self.roles]
