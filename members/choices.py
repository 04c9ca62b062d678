from django.db import models
from django.utils.translation import gettext_lazy as _

from core.roles import Role  # noqa: F401 - members hold roles; the kernel defines them


class OrganisationKind(models.TextChoices):
    MUNICIPALITY = "municipality", _("Municipality")
    COUNTY_MUNICIPALITY = "county_municipality", _("County municipality")
    PARTNER = "partner", _("Partner")
    ICT_COOPERATION = "ict_cooperation", _("ICT cooperation")


class InvoiceChannel(models.TextChoices):
    """How an organisation receives its invoices."""

    PEPPOL = "peppol", _("EHF through the Peppol network")
    EMAIL = "email", _("Email (PDF and EHF attached)")


class MembershipStatus(models.TextChoices):
    NOT_MEMBER = "not_member", _("Not a member")
    INVITED = "invited", _("Invited")
    MEMBER = "member", _("Member")
    NOTICE_GIVEN = "notice_given", _("Member, notice given")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class AgreementStatus(models.TextChoices):
    INVITED = "invited", _("Invited")
    OPENED = "opened", _("Opened")
    SIGNED = "signed", _("Signed, awaiting countersignature")
    DECLINED = "declined", _("Declined")
    COUNTERSIGNED = "countersigned", _("Countersigned")
    IN_FORCE = "in_force", _("In force")
    EXPIRED = "expired", _("Expired")


class SignatureParty(models.TextChoices):
    MEMBER = "member", _("Member")
    NETWORK = "network", _("The network")


# What each step in an agreement's audit trail is called on the page (the stored action stays a plain code).
AGREEMENT_EVENT_LABELS = {
    "invited": _("Invited"),
    "link_used": _("Email link used"),
    "opened": _("Opened"),
    "password_refused": _("Password refused"),
    "code_sent": _("One-time code sent"),
    "code_refused": _("One-time code refused"),
    "signed": _("Signed"),
    "countersigned": _("Countersigned"),
    "sealed": _("Sealed"),
    "declined": _("Declined"),
    "expired": _("Expired"),
    "reminded": _("Reminder sent"),
}
