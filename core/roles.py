"""The roles a person holds in the network; the policy (core.policy) decides what each may do."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    SECRETARIAT = "secretariat", _("Secretariat")
    DIRECTOR = "director", _("Municipal director")
    FINANCE_OFFICER = "finance_officer", _("Finance officer")
    CONTACT = "contact", _("Contact")
    PROJECT_LEADER = "project_leader", _("Project leader")
    # Keeps the organisation's people and invoicing details on the director's behalf.
    DELEGATE = "delegate", _("Keeps the organisation's details")
