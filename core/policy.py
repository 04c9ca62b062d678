"""Who may do what: the one place every permission in the portal is decided.

Each permission is a Rule. The secretariat may do everything. Other users get a permission
when it is public, open to every signed-in user, or granted to one of their roles for objects
that belong to their own organisation. Views and selectors ask `can()` and `restrict()`; nothing
else decides access.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.db.models import Model, QuerySet

from core.roles import Role

DIRECTOR = Role.DIRECTOR.value
FINANCE = Role.FINANCE_OFFICER.value
CONTACT = Role.CONTACT.value
PROJECT_LEADER = Role.PROJECT_LEADER.value
DELEGATE = Role.DELEGATE.value
ANY_MEMBER_ROLE = frozenset({DIRECTOR, FINANCE, CONTACT, PROJECT_LEADER, DELEGATE})
# The director, and whoever the director delegates to, keep the organisation's people and invoicing details.
KEEPERS = frozenset({DIRECTOR, DELEGATE})
MONEY_ROLES = frozenset({DIRECTOR, FINANCE})


@dataclass(frozen=True)
class Rule:
    """Who holds a permission besides the secretariat."""

    public: bool = False  # anyone, also without signing in
    signed_in: bool = False  # any signed-in user of any organisation
    own: frozenset[str] = frozenset()  # roles that hold it for their own organisation's objects
    also_for_secretariat: frozenset[str] = frozenset()  # roles a secretariat user needs as well (e.g. the leader)
    secretariat: bool = True  # False for acts only the organisation itself may do (signing for it)


RULES: dict[str, Rule] = {
    # Organisations and their people
    "organisation.view": Rule(public=True),
    "organisation.view_people": Rule(own=ANY_MEMBER_ROLE),
    "organisation.view_history": Rule(),
    "organisation.manage_people": Rule(own=KEEPERS),
    "organisation.change_invoicing": Rule(own=KEEPERS),
    "organisation.create": Rule(),
    "organisation.change": Rule(),
    # Comparing organisations with Enhetsregisteret and applying its facts
    "organisation.import_register": Rule(),
    "organisation.export": Rule(public=True),
    "population.view": Rule(public=True),
    "population.create": Rule(),
    "population.import": Rule(),
    # Money matters
    "contribution.view": Rule(own=MONEY_ROLES),
    "contribution.recompute": Rule(),
    "contribution_model.view": Rule(signed_in=True),
    "contribution_model.view_proposals": Rule(),
    "contribution_model.manage": Rule(),
    "scenario.compare": Rule(),
    "deflator.manage": Rule(),
    "budget.view": Rule(signed_in=True),
    "budget.manage": Rule(),
    "invoice.view": Rule(own=MONEY_ROLES),
    "invoice.manage": Rule(),
    "payment.import": Rule(),
    # The Peppol outbox: deliveries to the access point and the buyers' Invoice Responses
    "invoice.delivery": Rule(),
    # Cost-sharing plans: the people of a participating organisation see the plan, its key and their own share.
    "sharing_plan.view": Rule(own=ANY_MEMBER_ROLE),
    # The plan pages open to anyone signed in; the selector then shows only the plans the user may view (so a
    # plan one's organisation is not in does not exist for one: 404).
    "sharing_plan.browse": Rule(signed_in=True),
    "sharing_plan.manage": Rule(),
    # The secretariat's priced services: the catalogue is open to signed-in users (a solution a one-off contribution
    # finances is used only by its contributors: can_use_service below). A member's people order for their own
    # organisation and see its orders; its director or finance officer agrees to an order (the organisation's own
    # act, not the secretariat's); the secretariat delivers and invoices.
    "priced_service.view": Rule(signed_in=True),
    "priced_service.manage": Rule(),
    "service_order.view": Rule(own=ANY_MEMBER_ROLE),
    "service_order.place": Rule(own=ANY_MEMBER_ROLE, secretariat=False),
    "service_order.agree": Rule(own=MONEY_ROLES, secretariat=False),
    "service_order.manage": Rule(),
    # One-off contributions: the model and who contributed are open to signed-in users; a director or finance
    # officer of an organisation that did not contribute takes a financed solution into use by paying the
    # connection fee (the organisation's own act).
    "one_off.view": Rule(signed_in=True),
    "one_off.manage": Rule(),
    "solution.take_into_use": Rule(own=MONEY_ROLES, secretariat=False),
    # The portal itself
    # Cooperation agreements
    "agreement.view": Rule(own=frozenset({DIRECTOR})),
    # Only the organisation's own director signs or declines for it; not even the secretariat.
    "agreement.sign": Rule(own=frozenset({DIRECTOR}), secretariat=False),
    "agreement.manage": Rule(),
    # The network's leader countersigns: a secretariat user who is also a signatory.
    "agreement.countersign": Rule(also_for_secretariat=frozenset({DIRECTOR})),
    # Governance: bodies, meetings, cases and minutes. Which papers a user sees is decided by
    # restrict_cases() and can_see_body_papers() below (the members of a body see its non-public papers).
    "governance.view": Rule(public=True),
    "governance.papers": Rule(signed_in=True),
    "governance.manage": Rule(),
    # Consultation rounds: everyone signed in follows them (the counts, their own organisation's answers, and every
    # answer once the deadline has passed: public bodies publish the input they get); the director and the
    # director's delegate answer for their organisation (can_answer_consultation below); the secretariat opens and
    # closes rounds and reads every answer, but does not answer for a member.
    "consultation.view": Rule(signed_in=True),
    "consultation.answer": Rule(own=KEEPERS, secretariat=False),
    "consultation.manage": Rule(),
    # The news page keeps the secretariat's messages to members; they may speak of internal matters (budgets,
    # meetings before their papers are public), so only signed-in people read it. The secretariat writes them.
    "news.view": Rule(signed_in=True),
    "announcement.send": Rule(),
    "dashboard.secretariat": Rule(),
    "admin.access": Rule(),
    # The mails written to files while DEBUG is on (core/dev_mail.py); the pages answer 404 without DEBUG.
    "development_mail.read": Rule(),
    # Each signed-in person chooses which optional mails they get (core.mail_preferences), for themselves only.
    "mail_preferences.change": Rule(signed_in=True),
    # Portfolio: the overview, initiatives and the service catalogue are open; budgets and notes for members
    "initiative.view": Rule(public=True),
    "initiative.view_internal": Rule(signed_in=True),
    "initiative.manage": Rule(),
    "status_report.pdf": Rule(signed_in=True),
    # The initiative's own people file status reports and realised benefit values: project leaders and contacts
    # of the owner or a participating organisation (can_report_on below); the gate decisions stay with the secretariat.
    "initiative.report": Rule(own=frozenset({PROJECT_LEADER, CONTACT})),
    "rollout.view": Rule(signed_in=True),
    "adoption.change": Rule(own=ANY_MEMBER_ROLE),
    "offering.view": Rule(public=True),
    # Ideas and needs: the list and outcomes are open (without names of people); a member's people submit and
    # join them for their own organisation; the secretariat assesses them.
    "suggestion.view": Rule(public=True),
    "suggestion.submit": Rule(own=ANY_MEMBER_ROLE),
    "suggestion.support": Rule(own=ANY_MEMBER_ROLE),
    "suggestion.triage": Rule(),
    # Grants for projects (applications, awards, reports to the grantor) are the secretariat's.
    "grant.manage": Rule(),
    # The network's year: the annual cycle (the secretariat's), each person's own calendar address, the budget's
    # actual figures (read with budget.view) and the annual report.
    "cycle.view": Rule(),
    "calendar.subscribe": Rule(signed_in=True),
    "actuals.manage": Rule(),
    "annual_report.view": Rule(signed_in=True),
    "annual_report.manage": Rule(),
}

# How to reach the owning organisation from an object of each model (a field path).
ORGANISATION_PATH: dict[str, str] = {
    "members.organisation": "pk",
    "members.populationfigure": "organisation",
    "members.organisationnumber": "organisation",
    "members.user": "organisation",
    "funding.contribution": "organisation",
    "funding.invoice": "organisation",
    "funding.serviceorder": "organisation",
    # A plan has many participants: restrict() finds the plans the user's organisation takes part in.
    "funding.sharingplan": "participants__organisation",
    "members.agreement": "organisation",
}


def _rule(permission: str) -> Rule:
    try:
        return RULES[permission]
    except KeyError:
        raise LookupError(f"Unknown permission {permission!r}: add it to core.policy.RULES") from None


def is_secretariat(user: Any) -> bool:
    """A secretariat user whose session passed the second login step (when OTP_REQUIRED_FOR_SECRETARIAT)."""
    if not (getattr(user, "is_authenticated", False) and user.is_active and user.is_secretariat):
        return False
    return not settings.OTP_REQUIRED_FOR_SECRETARIAT or is_verified(user)


def is_verified(user: Any) -> bool:
    """Whether the session passed the second login step (core.two_factor); a user no request carried has not."""
    check = getattr(user, "is_verified", None)
    return bool(check and check())


def roles_of(user: Any) -> frozenset[str]:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    return user.roles


def _organisation_id_of(obj: Model) -> int | None:
    path = ORGANISATION_PATH[obj._meta.label_lower]
    if path == "pk":
        return obj.pk
    value: Any = obj
    parts = path.split("__")
    for part in parts[:-1]:
        value = getattr(value, part)
    return getattr(value, f"{parts[-1]}_id")


def _secretariat_holds(rule: Rule, user: Any) -> bool:
    return rule.secretariat and is_secretariat(user) and rule.also_for_secretariat <= roles_of(user)


def can(user: Any, permission: str, obj: Model | None = None) -> bool:
    """Whether `user` holds `permission`, for `obj` when given, or for at least some objects when not."""
    rule = _rule(permission)
    if rule.public or _secretariat_holds(rule, user):
        return True
    authenticated = bool(getattr(user, "is_authenticated", False) and user.is_active)
    if rule.signed_in and authenticated:
        return True
    if not (rule.own & roles_of(user)) or user.organisation_id is None:
        return False
    return obj is None or _organisation_id_of(obj) == user.organisation_id


def restrict(queryset: QuerySet, user: Any, permission: str) -> QuerySet:
    """The part of `queryset` that `user` holds `permission` for."""
    rule = _rule(permission)
    if rule.public or _secretariat_holds(rule, user):
        return queryset
    if rule.signed_in and getattr(user, "is_authenticated", False) and user.is_active:
        return queryset
    if not (rule.own & roles_of(user)) or user.organisation_id is None:
        return queryset.none()
    path = ORGANISATION_PATH[queryset.model._meta.label_lower]
    return queryset.filter(**{path: user.organisation_id})


class PolicyBackend(ModelBackend):
    """Password authentication; the secretariat holds every model permission (the admin site asks for them)."""

    def user_can_authenticate(self, user: Any) -> bool:
        # A person registered as a contact point only has no account to sign in with.
        return super().user_can_authenticate(user) and getattr(user, "may_log_in", True)

    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        return is_secretariat(user_obj)

    def has_module_perms(self, user_obj: Any, app_label: str) -> bool:
        return is_secretariat(user_obj)


# -- The roles a person may give -------------------------------------------------------------------------
# Which role flags a user may set on a person of an organisation. The secretariat and the organisation's director
# give any member role; a delegate gives the everyday ones but neither the signatory's role nor the delegation
# itself. Nobody gives the secretariat's role here (that is done under Administration).
EVERYDAY_ROLES = frozenset({FINANCE, CONTACT, PROJECT_LEADER})


def assignable_roles(user: Any, organisation: Model) -> frozenset[str]:
    """The member roles `user` may give to or take from a person of `organisation`."""
    if is_secretariat(user):
        return ANY_MEMBER_ROLE
    if not can(user, "organisation.manage_people", organisation):
        return frozenset()
    if DIRECTOR in roles_of(user):
        return ANY_MEMBER_ROLE
    return EVERYDAY_ROLES


def can_manage_person(user: Any, person: Any) -> bool:
    """Whether `user` may change or remove `person`: someone of an organisation `user` keeps who holds no role `user`
    could not give (a delegate leaves the director alone; secretariat users are kept under Administration)."""
    if person.organisation_id is None:
        return False
    return person.roles <= assignable_roles(user, person.organisation)


# -- Initiatives: their own people report ------------------------------------------------------------------


def _initiative_organisation_ids(initiative: Any) -> set[int]:
    ids = set(initiative.participations.values_list("organisation_id", flat=True))
    if initiative.owner_id is not None:
        ids.add(initiative.owner_id)
    return ids


def can_report_on(user: Any, initiative: Any) -> bool:
    """Whether `user` files status reports and realised benefit values for `initiative`: the secretariat, and the
    project leaders and contacts of its owner and participating organisations."""
    if is_secretariat(user):
        return True
    if not can(user, "initiative.report") or user.organisation_id is None:
        return False
    return user.organisation_id in _initiative_organisation_ids(initiative)


def can_report_benefit(user: Any, benefit: Any) -> bool:
    """A realised value of a benefit kept per organisation is recorded by that organisation's people only."""
    if not can_report_on(user, benefit.initiative):
        return False
    return is_secretariat(user) or benefit.organisation_id in (None, user.organisation_id)


# -- Solutions financed by a one-off contribution -------------------------------------------------------------
# "Kan kun tas i bruk av dem som har bidratt med midler": an organisation contributed when it holds an invoice for
# the one-off model (its contribution, or the connection fee of a later joiner) that is not credited. Invoiced, not
# paid: the duty to pay is what the decision asks; an unpaid invoice is followed up by reminders, not by access.


def organisation_contributed(organisation_id: int | None, one_off_model_id: int) -> bool:
    """Whether the organisation holds a live (not credited) invoice for the one-off model."""
    if organisation_id is None:
        return False
    Invoice = apps.get_model("funding", "Invoice")
    return (
        Invoice.objects.filter(kind="invoice", organisation_id=organisation_id, one_off_model_id=one_off_model_id)
        .exclude(status__in=["draft", "credited"])
        .exists()
    )


def can_use_service(user: Any, service: Any) -> bool:
    """Whether `user` may use (and order) a service of the catalogue: any signed-in member for an ordinary service;
    for a solution a one-off contribution finances, the secretariat and the people of its contributors only."""
    if not can(user, "priced_service.view"):
        return False
    if service.financed_by_id is None or is_secretariat(user):
        return True
    return organisation_contributed(user.organisation_id, service.financed_by_id)


# -- Governance --------------------------------------------------------------------------------------
# A body's members (users linked to a seat whose term covers today) and the secretariat see the body's
# papers that are not public: cases before the notice is sent, cases exempt from public access, board packs
# and minutes before they are published. Everyone sees the rest.


def body_ids_of(user: Any) -> frozenset[int]:
    """The bodies `user` currently holds a seat in (asked once per request; kept on the user object)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    cached = getattr(user, "_governance_body_ids", None)
    if cached is None:
        from django.utils import timezone

        # The kernel imports no app: the seats are read through the app registry.
        BodyMembership = apps.get_model("governance", "BodyMembership")
        today = timezone.localdate()
        seats = BodyMembership.objects.filter(person=user, term_start__lte=today).exclude(term_end__lt=today)
        cached = frozenset(seats.values_list("body_id", flat=True))
        user._governance_body_ids = cached
    return cached


def can_see_body_papers(user: Any, body_id: int) -> bool:
    return is_secretariat(user) or body_id in body_ids_of(user)


def restrict_cases(queryset: QuerySet, user: Any) -> QuerySet:
    """The cases `user` may read: public ones (not exempt, notice sent) and every case of the user's bodies."""
    if is_secretariat(user):
        return queryset
    from django.db.models import Q

    public = Q(exempt=False, meeting__isnull=False) & ~Q(meeting__status="planned")
    return queryset.filter(public | Q(body_id__in=body_ids_of(user)))


# -- Consultation rounds ----------------------------------------------------------------------------------


def can_answer_consultation(user: Any, consultation: Any) -> bool:
    """Whether `user` answers `consultation` for their organisation: its director or delegate, when the
    organisation is one of those consulted (whether the round still takes answers is the round's own rule)."""
    if not can(user, "consultation.answer") or user.organisation_id is None:
        return False
    return consultation.consulted.filter(pk=user.organisation_id).exists()


def can_read_all_answers(user: Any, consultation: Any, *, deadline_passed: bool) -> bool:
    """The secretariat reads every answer at once; everyone else once the deadline has passed."""
    return can(user, "consultation.manage") or (deadline_passed and can(user, "consultation.view"))
