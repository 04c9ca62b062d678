"""Every read of organisations, people and populations that a user triggers, scoped by the policy."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery
from django.http import Http404

from core import policy
from members.models import Organisation, OrganisationNumber, PopulationFigure, User


def _latest_figure(column: str) -> Subquery:
    return Subquery(
        PopulationFigure.objects.filter(organisation=OuterRef("pk")).order_by("-reference_date").values(column)[:1]
    )


def organisation_list(*, user: Any) -> QuerySet[Organisation]:
    """Organisations the user may see, with their latest population figure."""
    queryset = Organisation.objects.annotate(
        population=_latest_figure("count"), population_date=_latest_figure("reference_date")
    )
    return policy.restrict(queryset, user, "organisation.view")


def organisation_get(*, user: Any, pk: int, permission: str = "organisation.view") -> Organisation:
    """One organisation, or 404 when it does not exist or the user may not see it for `permission`."""
    queryset = policy.restrict(organisation_list(user=user), user, permission)
    try:
        return queryset.get(pk=pk)
    except Organisation.DoesNotExist:
        raise Http404 from None


def population_list(*, user: Any, organisation: Organisation) -> QuerySet[PopulationFigure]:
    return policy.restrict(
        PopulationFigure.objects.filter(organisation=organisation).order_by("-reference_date"), user, "population.view"
    )


def number_history(*, user: Any, organisation: Organisation) -> QuerySet[OrganisationNumber]:
    return policy.restrict(organisation.numbers.order_by("-valid_from"), user, "organisation.view")


def people_list(*, user: Any, organisation: Organisation) -> QuerySet[User]:
    if not policy.can(user, "organisation.view_people", organisation):
        return User.objects.none()
    # The organisation comes along: the page asks the policy, per person, whether the user may change them.
    return organisation.people.filter(is_active=True).select_related("organisation").order_by("last_name", "first_name")


def person_get(*, user: Any, organisation: Organisation, pk: int) -> User:
    """A current person of `organisation` for someone who keeps its people; 404 otherwise."""
    if not policy.can(user, "organisation.manage_people", organisation):
        raise Http404
    try:
        return organisation.people.select_related("organisation").get(pk=pk, is_active=True)
    except User.DoesNotExist:
        raise Http404 from None


@dataclass(frozen=True)
class Change:
    field: str
    old: str
    new: str


@dataclass(frozen=True)
class HistoryEntry:
    when: datetime
    who: str
    what: str
    action: str
    changes: list[Change]


_ACTIONS = {"+": "created", "~": "changed", "-": "deleted"}


def _as_recorded(record: Any, organisation: Organisation) -> Any:
    """The object as the record saw it, built from the record alone: simple_history's `record.instance` queries the
    live row for the fields it does not track (a user's password), and `str()` of a population figure would load
    its organisation, each once per record."""
    instance = record.instance_type(
        **{field.attname: getattr(record, field.attname) for field in record.tracked_fields}
    )
    if getattr(instance, "organisation_id", None) == organisation.pk:
        instance.organisation = organisation
    return instance


def _entries(records: list[Any], label: str, organisation: Organisation) -> list[HistoryEntry]:
    entries = []
    previous_by_object: dict[Any, Any] = {}
    for record in sorted(records, key=lambda r: (r.history_date, r.history_id)):
        previous = previous_by_object.get(record.id)
        changes: list[Change] = []
        if previous is not None and record.history_type == "~":
            delta = record.diff_against(previous)
            for change in delta.changes:
                field = record.instance_type._meta.get_field(change.field)
                changes.append(Change(str(field.verbose_name), _show(change.old), _show(change.new)))
        elif record.history_type == "+":
            changes = [
                Change(str(f.verbose_name), "", _show(getattr(record, f.attname)))
                for f in record.tracked_fields
                if f.name != "id" and getattr(record, f.attname) not in (None, "", False)
            ]
        previous_by_object[record.id] = record
        user = record.history_user
        entries.append(
            HistoryEntry(
                when=record.history_date,
                who=(user.get_full_name() or user.username) if user else "",
                what=f"{label}: {_as_recorded(record, organisation)}",
                action=_ACTIONS[record.history_type],
                changes=changes,
            )
        )
    return entries


def _show(value: Any) -> str:
    if value is None:
        return ""
    if hasattr(value, "strftime"):
        return value.strftime("%d.%m.%Y")
    return str(value)


def organisation_history(*, user: Any, organisation: Organisation) -> list[HistoryEntry]:
    """Every recorded change to the organisation, its numbers, populations and people: newest first."""
    if not policy.can(user, "organisation.view_history", organisation):
        return []
    from django.utils.translation import gettext as _

    sources = [
        (Organisation.history.filter(id=organisation.pk), _("Organisation")),
        (OrganisationNumber.history.filter(organisation_id=organisation.pk), _("Number")),
        (PopulationFigure.history.filter(organisation_id=organisation.pk), _("Population")),
        (User.history.filter(organisation_id=organisation.pk), _("Person")),
    ]
    entries: list[HistoryEntry] = []
    for queryset, label in sources:
        entries.extend(_entries(list(queryset.select_related("history_user")), label, organisation))
    return sorted(entries, key=lambda e: e.when, reverse=True)


def agreement_list(*, user: Any):
    """Agreements the user may see: the secretariat all, a director their organisation's."""
    from members.models import Agreement

    queryset = Agreement.objects.select_related("template", "organisation").order_by("-invited_at")
    return policy.restrict(queryset, user, "agreement.view")


def invitations_awaiting_signature(*, user: Any):
    """Agreements waiting for the user's signature: open agreements of organisations the user signs for."""
    from members.agreements import OPEN
    from members.models import Agreement

    queryset = Agreement.objects.select_related("template", "organisation").filter(status__in=OPEN)
    return policy.restrict(queryset, user, "agreement.sign").order_by("expires_on", "pk")


def invitations_awaiting_countersignature(*, user: Any):
    """Agreements signed by the member and waiting for the network's countersignature (the leader)."""
    from members.choices import AgreementStatus
    from members.models import Agreement

    if not policy.can(user, "agreement.countersign"):
        return Agreement.objects.none()
    queryset = Agreement.objects.select_related("template", "organisation").filter(status=AgreementStatus.SIGNED)
    return queryset.order_by("expires_on", "pk")


def agreement_get(*, user: Any, pk: int):
    from members.models import Agreement

    try:
        return agreement_list(user=user).get(pk=pk)
    except Agreement.DoesNotExist:
        raise Http404 from None
