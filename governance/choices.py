from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class BodyKind(models.TextChoices):
    ANNUAL_MEETING = "annual_meeting", _("Annual meeting")
    COUNCIL = "council", _("Council of representatives")
    STEERING_GROUP = "steering_group", _("Steering group")
    COMMITTEE = "committee", _("Digitalisation committee")
    EXPERT_GROUP = "expert_group", _("Expert group")
    RESOURCE_GROUP = "resource_group", _("Resource group")
    SECRETARIAT = "secretariat", _("Secretariat")


class DecisionRule(models.TextChoices):
    MAJORITY = "majority", _("Simple majority of the votes cast")
    QUALIFIED = "qualified", _("Two-thirds majority")
    CONSENSUS = "consensus", _("Consensus; if none, the leader decides")
    ADVISORY = "advisory", _("Advisory: gives recommendations, decides nothing")


class DocumentLanguage(models.TextChoices):
    BOKMAL = "nb", _("Bokmål")
    NYNORSK = "nn", _("Nynorsk")


class MembershipRole(models.TextChoices):
    LEADER = "leader", _("Leader")
    DEPUTY = "deputy", _("Deputy leader")
    MEMBER = "member", _("Member")
    OBSERVER = "observer", _("Observer")
    # A member organisation's deputy representative (vararepresentant) in the council.
    SUBSTITUTE = "substitute", _("Deputy representative")


ROLE_ORDER = {"leader": 0, "deputy": 1, "member": 2, "substitute": 3, "observer": 4}


class Authority(models.TextChoices):
    DECIDES = "decides", _("Decides")
    RECOMMENDS = "recommends", _("Recommends")
    PREPARES = "prepares", _("Prepares")
    INFORMED = "informed", _("Is informed")


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    NOTICE_SENT = "notice_sent", _("Notice sent")
    HELD = "held", _("Held")
    MINUTES_APPROVED = "minutes_approved", _("Minutes approved")


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("Present")
    EXCUSED = "excused", _("Excused")
    ABSENT = "absent", _("Absent")


class Outcome(models.TextChoices):
    ADOPTED = "adopted", _("Adopted")
    AMENDED = "amended", _("Adopted as amended")
    REJECTED = "rejected", _("Rejected")
    POSTPONED = "postponed", _("Postponed")


class Vote(models.TextChoices):
    """A member organisation's vote in a roll call."""

    FOR = "for", pgettext_lazy("vote", "For")
    AGAINST = "against", _("Against")
    ABSTAIN = "abstain", _("Abstained")
    ABSENT = "absent", _("Absent")


class DocumentKind(models.TextChoices):
    BOARD_PACK = "board_pack", _("Board pack")
    MINUTES = "minutes", _("Minutes")


class ConsultationSubject(models.TextChoices):
    """What a consultation round asks the members about."""

    CONTRIBUTION_MODEL = "contribution_model", _("Draft contribution model")
    AGREEMENT = "agreement", _("Draft agreement text")
    STRATEGY = "strategy", _("Strategy")
    SHARING_PLAN = "sharing_plan", _("Cost-sharing plan of a project")


class ConsultationPosition(models.TextChoices):
    SUPPORTS = "supports", _("Supports")
    REMARKS = "remarks", _("Supports with remarks")
    OPPOSES = "opposes", _("Opposes")
