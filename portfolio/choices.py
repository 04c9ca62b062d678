from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class State(models.TextChoices):
    """Where an initiative is in its life cycle; the allowed moves are in portfolio.lifecycle."""

    IDEA = "idea", _("Idea")
    CONCEPT = "concept", _("Concept")
    APPROVED = "approved", _("Approved")
    PLANNING = "planning", _("Project: planning")
    EXECUTION = "execution", _("Project: execution")
    ROLLOUT = "rollout", _("Rollout")
    COMPLETED = "completed", _("Completed")
    REJECTED = "rejected", _("Rejected")
    PARKED = "parked", _("Parked")


class FocusArea(models.TextChoices):
    COMPETENCE = "competence", _("Competence")
    PROPOSALS = "proposals", _("Concepts and project proposals")
    SOLUTIONS = "solutions", _("Common digital solutions")
    COLLABORATION = "collaboration", _("Collaboration")


class ServiceArea(models.TextChoices):
    EHEALTH = "ehealth", _("E-health")
    EDUCATION = "education", _("Education")
    PLANNING_BUILDING = "planning_building", _("Planning, building and geodata")
    SECURITY = "security", _("Information security and privacy")
    ARCHITECTURE = "architecture", _("Enterprise architecture")
    OPERATIONS = "operations", _("ICT operations")
    CROSS_SECTOR = "cross_sector", _("Across service areas")


class ParticipantRole(models.TextChoices):
    PARTICIPANT = "participant", _("Participant")
    PILOT = "pilot", _("Pilot")
    PARTNER = "partner", _("Partner (not a member)")
    OBSERVER = "observer", _("Observer")


class FundingSource(models.TextChoices):
    COUNTY_GOVERNOR = "county_governor", _("Grant: county governor's discretionary funds")
    KS = "ks", _("Grant: KS funds")
    OTHER_GRANT = "other_grant", _("Grant: other")
    MEMBER_CONTRIBUTIONS = "member_contributions", _("Member contributions (base funding)")
    OWN_EFFORT = "own_effort", _("Own effort")


GRANT_SOURCES = frozenset({FundingSource.COUNTY_GOVERNOR, FundingSource.KS, FundingSource.OTHER_GRANT})


class Rag(models.TextChoices):
    GREEN = "green", _("Green")
    YELLOW = "yellow", _("Yellow")
    RED = "red", _("Red")


class AdoptionStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    # "Adopted" is also a contribution model's status (vedtatt); a solution that is adopted is "innført".
    ADOPTED = "adopted", pgettext_lazy("national solution", "Adopted")


class OfferingKind(models.TextChoices):
    EXPERT_GROUP = "expert_group", _("Expert group")
    ROLLOUT = "rollout", _("Rollout programme")
    TEMPLATE = "template", _("Template")
    COMPETENCE = "competence", _("Competence and networks")


class SuggestionKind(models.TextChoices):
    IDEA = "idea", _("Idea")
    NEED = "need", _("Need")


class SuggestionStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Awaiting assessment")
    IN_PORTFOLIO = "in_portfolio", _("Taken into the portfolio")
    MERGED = "merged", _("Merged with another")
    ANSWERED = "answered", _("Answered")


class TriageOutcome(models.TextChoices):
    PORTFOLIO = "portfolio", _("Take into the portfolio as an idea")
    MERGE = "merge", _("Merge with another idea or need")
    ANSWER = "answer", _("Answer with a reason")


class GrantStatus(models.TextChoices):
    """Where an application for a grant is: drafted, sent, decided by the grantor, reported on."""

    DRAFT = "draft", _("Draft")
    APPLIED = "applied", _("Applied for")
    AWARDED = "awarded", _("Awarded")
    PARTLY_AWARDED = "partly", _("Partly awarded")
    REFUSED = "refused", _("Refused")
    REPORTED = "reported", _("Reported")


GRANT_SOURCE_CHOICES = [(source.value, source.label) for source in FundingSource if source in GRANT_SOURCES]
