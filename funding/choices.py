from django.db import models
from django.utils.translation import gettext_lazy as _


class ModelMode(models.TextChoices):
    FORMULA = "formula", _("Fixed amount and amount per inhabitant")
    SHARE = "share", _("Split a target total")


class ModelStatus(models.TextChoices):
    PROPOSAL = "proposal", _("Proposal")
    ADOPTED = "adopted", _("Adopted")
    SUPERSEDED = "superseded", _("Superseded")


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Completed")
    FAILED = "failed", _("Failed")


class Basis(models.TextChoices):
    EXEMPT = "exempt", _("Exempt")
    FIXED_AMOUNT = "fixed_amount", _("Fixed amount")
    FORMULA = "formula", _("Formula")
    CAPPED = "capped", _("Capped")
    SHARE = "share", _("Share of target")
