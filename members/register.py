"""Organisation facts from Enhetsregisteret: compare them with the portal's records, and apply what is confirmed.

The comparison is a read (scoped to the user by the policy); applying is a write that refuses when a record
changed after it was compared, so what the secretariat confirmed is exactly what is saved. Each organisation's
change is one historical record whose reason names the file, so the history keeps both the old and the new facts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from core import policy
from members.choices import OrganisationKind
from members.enhetsregisteret import RegisterUnit
from members.models import Organisation
from members.services import organisation_update

# The portal's fields that Enhetsregisteret holds, in the order the comparison shows them.
REGISTER_FIELDS = (
    "name",
    "organisation_form",
    "street_address",
    "postal_code",
    "city",
    "business_municipality_number",
    "postal_street_address",
    "postal_postal_code",
    "postal_city",
)


def register_facts(unit: RegisterUnit) -> dict[str, str]:
    """The portal's fields as the register gives them."""
    business, postal = unit.business_address, unit.postal_address
    return {
        "name": unit.name,
        "organisation_form": unit.form_code,
        "street_address": business.street,
        "postal_code": business.postal_code,
        "city": business.city,
        "business_municipality_number": business.municipality_number,
        "postal_street_address": postal.street,
        "postal_postal_code": postal.postal_code,
        "postal_city": postal.city,
    }


def _same_name(organisation: Organisation, register_name: str) -> bool:
    # The register writes "MASFJORDEN KOMMUNE" for the municipality the portal calls "Masfjorden".
    return register_name.casefold() in {organisation.name.casefold(), organisation.legal_name.casefold()}


@dataclass(frozen=True)
class FactChange:
    """One field whose register value differs from the portal's."""

    field: str
    current: str
    register: str

    @property
    def label(self) -> str:
        return str(getattr(Organisation._meta.get_field(self.field), "verbose_name", self.field))


@dataclass
class OrganisationDifference:
    """What the register says differently about one organisation, with notes the secretariat should read."""

    organisation: Organisation
    changes: list[FactChange] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class RegisterComparison:
    differences: list[OrganisationDifference] = field(default_factory=list)
    unchanged: list[Organisation] = field(default_factory=list)
    not_in_portal: list[str] = field(default_factory=list)  # organisation numbers in the file the portal lacks

    @property
    def matched(self) -> int:
        return len(self.differences) + len(self.unchanged)


def compare(organisation: Organisation, unit: RegisterUnit) -> OrganisationDifference:
    """The differences between one organisation and its unit in the register.

    An empty value in the register never proposes to clear what the portal holds (many units have no separate
    postal address), and a name that differs only in case or the word "kommune" is the same name.
    """
    difference = OrganisationDifference(organisation=organisation)
    for name, register_value in register_facts(unit).items():
        current = getattr(organisation, name) or ""
        if not register_value or register_value == current:
            continue
        if name == "name" and _same_name(organisation, register_value):
            continue
        difference.changes.append(FactChange(field=name, current=current, register=register_value))
    if unit.deleted_on:
        difference.notes.append(
            _("Enhetsregisteret lists the unit as deleted on %(date)s.") % {"date": unit.deleted_on}
        )
    number = unit.business_address.municipality_number
    if organisation.kind == OrganisationKind.MUNICIPALITY and number and organisation.number != number:
        difference.notes.append(
            _(
                "The register places the business address in municipality %(register)s; the portal's number is "
                "%(portal)s. A number changes from a date, on the organisation's number page."
            )
            % {"register": number, "portal": organisation.number or "–"}
        )
    return difference


def register_candidates(*, user: Any) -> QuerySet[Organisation]:
    """The organisations the user may compare with the register and change from it."""
    return policy.restrict(Organisation.objects.exclude(org_number=None), user, "organisation.import_register")


def register_compare(*, organisations: QuerySet[Organisation], units: Iterable[RegisterUnit]) -> RegisterComparison:
    """Compare the register's units with `organisations`, matched by organisation number."""
    by_number = {organisation.org_number: organisation for organisation in organisations}
    result = RegisterComparison()
    seen: set[str] = set()
    for unit in units:
        if unit.org_number in seen:
            continue
        seen.add(unit.org_number)
        organisation = by_number.get(unit.org_number)
        if organisation is None:
            result.not_in_portal.append(unit.org_number)
            continue
        difference = compare(organisation, unit)
        if difference.changes or difference.notes:
            result.differences.append(difference)
        else:
            result.unchanged.append(organisation)
    result.differences.sort(key=lambda d: d.organisation.name)
    return result


def portal_org_numbers() -> set[str]:
    """The organisation numbers the portal holds: the units worth reading from a bulk file."""
    return {number for number in Organisation.objects.values_list("org_number", flat=True) if number}


@transaction.atomic
def organisation_apply_register_facts(
    *, organisation: Organisation, changes: Iterable[FactChange], source: str
) -> Organisation:
    """Save the register's values the secretariat confirmed; refused when the record changed since the comparison."""
    changes = list(changes)
    unknown = {change.field for change in changes} - set(REGISTER_FIELDS)
    if unknown:
        raise ValidationError(_("These are not facts from Enhetsregisteret: %(fields)s") % {"fields": sorted(unknown)})
    locked = Organisation.objects.select_for_update().get(pk=organisation.pk)
    stale = [change.label for change in changes if (getattr(locked, change.field) or "") != change.current]
    if stale:
        raise ValidationError(
            _("%(name)s was changed after the comparison (%(fields)s). Compare the file again.")
            % {"name": locked.name, "fields": ", ".join(stale)}
        )
    if not changes:
        return locked
    locked._change_reason = (_("From Enhetsregisteret (%(source)s)") % {"source": source})[:100]  # type: ignore[attr-defined]
    return organisation_update(organisation=locked, **{change.field: change.register for change in changes})
