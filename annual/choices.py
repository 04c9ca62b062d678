from django.db import models
from django.utils.translation import gettext_lazy as _


class OwnerRole(models.TextChoices):
    """Who in the network answers for a duty (and gets its reminder)."""

    SECRETARIAT = "secretariat", _("Secretariat")
    LEADER = "leader", _("The network's leader")
    DIRECTOR = "director", _("Municipal directors")
    FINANCE_OFFICER = "finance_officer", _("Finance officers")


class Check(models.TextChoices):
    """What in the portal's data shows that a duty of the year is done (annual/checks.py)."""

    POPULATION = "population", _("Population figures registered for 1 January of the year")
    DEFLATOR = "deflator", _("Deflator for next year registered")
    BUDGET = "budget", _("Next year's budget registered")
    MODEL = "model", _("Next year's contribution model adopted")
    INVOICES = "invoices", _("This year's contributions invoiced")
    PAYMENTS = "payments", _("This year's invoices paid")
    AGREEMENTS = "agreements", _("No agreement invitation left open past its date")
    MEETING = "meeting", _("A meeting of the body held in the period")
    ACTUALS = "actuals", _("Last year's actual figures registered")
    REPORT = "report", _("Last year's annual report approved")


class DutyStatus(models.TextChoices):
    DONE = "done", _("Done")
    LATE = "late", _("Late")
    DUE = "due", _("Due soon")
    UPCOMING = "upcoming", _("Upcoming")


class ActualLine(models.TextChoices):
    """The budget's lines (funding.Budget), as the host's accounts report them."""

    STAFF = "staff", _("Staff")
    PROJECTS = "projects", _("Projects")
    OTHER_COSTS = "other_costs", _("Other costs")
    CONTRIBUTIONS = "contributions", _("Member contributions")
    GRANTS = "grants", _("Grants")
    HOST_IN_KIND = "host_in_kind", _("Host's in-kind contribution")
    OTHER_INCOME = "other_income", _("Other income")


COST_LINES = (ActualLine.STAFF, ActualLine.PROJECTS, ActualLine.OTHER_COSTS)
