"""Every write to organisations, numbers, population figures and the people's identity for ID-porten."""

from __future__ import annotations

import csv
import functools
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from stdnum.no import fodselsnummer

from core import oidc
from members.choices import OrganisationKind
from members.models import Organisation, OrganisationNumber, PopulationFigure, User
from members.population_file import PopulationFileError, PopulationRow
from members.signals import membership_changed, population_changed
from members.ssb_population import parse_any_population_file
from members.validators import validate_region_number

MEMBERSHIP_FIELDS = ("membership_status", "member_from", "member_until")

NATIONAL_FILE = Path(__file__).resolve().parent / "data" / "kommuner-2024.csv"

ORGANISATION_FIELDS = (
    "kind",
    "name",
    "org_number",
    "county",
    "street_address",
    "postal_code",
    "city",
    "postal_street_address",
    "postal_postal_code",
    "postal_city",
    "organisation_form",
    "business_municipality_number",
    "email",
    "einvoice_endpoint",
    "invoice_channel",
    "buyer_reference",
    "invoice_email",
    "is_host",
    "membership_status",
    "invited_on",
    "member_from",
    "notice_given_on",
    "member_until",
    "notes",
)


def _check_number_fits_kind(kind: str, number: str) -> None:
    if kind == OrganisationKind.MUNICIPALITY and len(number) != 4:
        raise ValidationError({"number": _("A municipality has a four-digit municipality number.")})
    if kind == OrganisationKind.COUNTY_MUNICIPALITY and len(number) != 2:
        raise ValidationError({"number": _("A county municipality has a two-digit county number.")})
    if kind in (OrganisationKind.PARTNER, OrganisationKind.ICT_COOPERATION) and number:
        raise ValidationError({"number": _("Only municipalities and county municipalities have a number.")})


@transaction.atomic
def organisation_create(*, number: str = "", number_valid_from: date | None = None, **values: Any) -> Organisation:
    """Register an organisation, with its municipality or county number when it has one."""
    unknown = set(values) - set(ORGANISATION_FIELDS)
    if unknown:
        raise TypeError(f"Unknown organisation fields: {sorted(unknown)}")
    if values.get("org_number") == "":
        values["org_number"] = None
    organisation = Organisation(**values)
    # Report every problem at once: the number's and the model's.
    errors: dict[str, list[str]] = {}
    for check in (lambda: _check_number_fits_kind(organisation.kind, number), organisation.full_clean):
        try:
            check()
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                errors.setdefault(name, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    organisation.save()
    if organisation.member_from is not None:
        _announce_membership_change(organisation.pk, [organisation.member_from])
    if number:
        organisation_change_number(
            organisation=organisation, number=number, valid_from=number_valid_from or date(2020, 1, 1)
        )
    return organisation


@transaction.atomic
def organisation_update(*, organisation: Organisation, **values: Any) -> Organisation:
    """Change an organisation's details and membership; the history keeps what it was."""
    unknown = set(values) - set(ORGANISATION_FIELDS)
    if unknown:
        raise TypeError(f"Unknown organisation fields: {sorted(unknown)}")
    if values.get("org_number") == "":
        values["org_number"] = None
    changed = [name for name, value in values.items() if getattr(organisation, name) != value]
    if not changed:
        return organisation
    before = [getattr(organisation, name) for name in ("member_from", "member_until")]
    for name in changed:
        setattr(organisation, name, values[name])
    organisation.full_clean()
    organisation.save(update_fields=changed)
    if set(changed) & set(MEMBERSHIP_FIELDS):
        after = [organisation.member_from, organisation.member_until]
        _announce_membership_change(organisation.pk, [day for day in before + after if day is not None])
    return organisation


def _announce_membership_change(organisation_id: int, dates: list[date]) -> None:
    """After commit: the membership changed, and contributions from the earliest of these dates may differ."""
    since = min(dates) if dates else date.min
    transaction.on_commit(
        lambda: membership_changed.send(sender=Organisation, organisation_id=organisation_id, since=since)
    )


@transaction.atomic
def organisation_change_number(*, organisation: Organisation, number: str, valid_from: date) -> OrganisationNumber:
    """Give an organisation a new municipality or county number from a date, closing the one it had."""
    validate_region_number(number)
    _check_number_fits_kind(organisation.kind, number)
    # Lock the organisation so two number changes cannot interleave.
    locked = Organisation.objects.select_for_update().get(pk=organisation.pk)
    current = locked.numbers.filter(valid_to__isnull=True).first()
    if current is not None:
        if current.number == number:
            return current
        if valid_from <= current.valid_from:
            raise ValidationError(
                {
                    "valid_from": _("The new number must start after %(date)s, when the current one started.")
                    % {"date": current.valid_from.strftime("%d.%m.%Y")}
                }
            )
        current.valid_to = valid_from - timedelta(days=1)
        current.save(update_fields=["valid_to"])
    holder = Organisation.objects.filter(number=number).exclude(pk=organisation.pk).first()
    if holder is not None:
        raise ValidationError(
            {"number": _("%(number)s is the current number of %(name)s.") % {"number": number, "name": holder.name}}
        )
    record = OrganisationNumber(organisation=locked, number=number, valid_from=valid_from)
    record.full_clean()
    record.save()
    locked.number = organisation.number = number
    locked.save(update_fields=["number"])
    return record


def _announce_population_change(reference_dates: set[date]) -> None:
    transaction.on_commit(lambda: population_changed.send(sender=PopulationFigure, reference_dates=reference_dates))


@transaction.atomic
def population_figure_record(
    *, organisation: Organisation, reference_date: date, count: int, source: str, announce: bool = True
) -> PopulationFigure:
    """Record (or correct) the population of one organisation at a reference date."""
    figure = PopulationFigure.objects.filter(organisation=organisation, reference_date=reference_date).first()
    if figure is None:
        figure = PopulationFigure(organisation=organisation, reference_date=reference_date, count=count, source=source)
        figure.full_clean()
        figure.save()
    elif (figure.count, figure.source) != (count, source):
        changed = figure.count != count
        figure.count, figure.source = count, source
        figure.full_clean()
        figure.save(update_fields=["count", "source"])
        if not changed:
            return figure
    else:
        return figure
    if announce:
        _announce_population_change({reference_date})
    return figure


@dataclass
class PopulationImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    outside_network: int = 0
    reference_dates: set[date] = field(default_factory=set)


def _organisation_for(number: str, on: date) -> Organisation | None:
    record = (
        OrganisationNumber.objects.select_related("organisation")
        .filter(number=number, valid_from__lte=on)
        .exclude(valid_to__lt=on)
        .first()
    )
    return record.organisation if record else None


@functools.cache
def national_municipality_numbers() -> frozenset[str]:
    """Every Norwegian municipality number in force since 1 January 2024 (from the bundled national file)."""
    with NATIONAL_FILE.open(encoding="utf-8") as handle:
        return frozenset(row["kommunenummer"] for row in csv.DictReader(handle))


def population_import(*, text: str, source: str) -> PopulationImportResult:
    """Import a population file all or nothing.

    Rows for municipalities that are not organisations in the portal are counted and skipped, so that the
    national file from Statistics Norway can be read as it is. A number that is neither an organisation's
    number on the reference date nor a Norwegian municipality number is an error.
    """
    rows, errors = parse_any_population_file(text)
    known_nationally = national_municipality_numbers()
    matched: list[tuple[PopulationRow, Organisation]] = []
    result = PopulationImportResult()
    for row in rows:
        organisation = _organisation_for(row.number, row.reference_date)
        if organisation is not None:
            matched.append((row, organisation))
        elif row.number in known_nationally:
            result.outside_network += 1
        elif row.place:
            errors.append(
                (
                    row.line,
                    _("%(where)s: %(number)s (%(name)s) is an unknown municipality number.")
                    % {"where": row.place, "number": row.number, "name": row.name},
                )
            )
        else:
            errors.append(
                (
                    row.line,
                    _("Line %(line)d, kommunenummer: %(number)s (%(name)s) is an unknown municipality number.")
                    % {"line": row.line, "number": row.number, "name": row.name},
                )
            )
    if errors:
        raise PopulationFileError.from_problems(errors)
    if not matched:
        raise PopulationFileError([_("No row in the file is for an organisation in this network.")])
    existing = {
        (figure.organisation_id, figure.reference_date): figure
        for figure in PopulationFigure.objects.filter(
            organisation__in=[organisation for _row, organisation in matched],
            reference_date__in={row.reference_date for row, _org in matched},
        )
    }
    with transaction.atomic():
        for row, organisation in matched:
            result.reference_dates.add(row.reference_date)
            figure = existing.get((organisation.pk, row.reference_date))
            if figure is None:
                result.created += 1
            elif (figure.count, figure.source) == (row.population, source):
                result.unchanged += 1
                continue
            else:
                result.updated += 1
            population_figure_record(
                organisation=organisation,
                reference_date=row.reference_date,
                count=row.population,
                source=source,
                announce=False,
            )
        if result.created or result.updated:
            _announce_population_change(result.reference_dates)
    return result


@transaction.atomic
def user_language_set(*, user: Any, language: str) -> None:
    """Keep the interface language a person chose on their account, so every device they log in on uses it."""
    from django.conf import settings

    if language not in {code for code, _name in settings.LANGUAGES}:
        raise ValidationError({"language": _("Choose one of the portal's languages.")})
    User.objects.filter(pk=user.pk).exclude(language=language).update(language=language)
    user.language = language


# -- The organisation's own details: its people and its invoicing details -----------------------------------
# Kept by the organisation's director and whoever the director delegates to (core.policy decides who, and which
# role flags each may give). The history (django-simple-history) records who changed what and when.

INVOICING_FIELDS = ("buyer_reference", "einvoice_endpoint", "invoice_email")
PERSON_FIELDS = ("first_name", "last_name", "email", "job_title", "phone")
ROLE_FLAGS = {
    "director": "is_director",
    "finance_officer": "is_finance_officer",
    "contact": "is_contact",
    "project_leader": "is_project_leader",
    "delegate": "is_delegate",
}


@transaction.atomic
def organisation_invoicing_update(
    *, organisation: Organisation, buyer_reference: str, einvoice_endpoint: str, invoice_email: str
) -> Organisation:
    """Change the details invoices are addressed by; invoices issued after this carry them, earlier ones keep theirs."""
    from members.validators import validate_einvoice_endpoint

    values = {
        "buyer_reference": buyer_reference.strip(),
        "einvoice_endpoint": einvoice_endpoint.strip(),
        "invoice_email": invoice_email.strip(),
    }
    if values["einvoice_endpoint"]:
        try:
            validate_einvoice_endpoint(values["einvoice_endpoint"])
        except ValidationError as error:
            raise ValidationError({"einvoice_endpoint": error.messages}) from None
    locked = Organisation.objects.select_for_update().get(pk=organisation.pk)
    changed = [name for name, value in values.items() if getattr(locked, name) != value]
    for name in changed:
        setattr(locked, name, values[name])
        setattr(organisation, name, values[name])
    if changed:
        locked.full_clean()
        locked.save(update_fields=changed)
    return organisation


def _unique_username(first_name: str, last_name: str, email: str) -> str:
    from django.utils.text import slugify

    base = (email.split("@")[0] if email else slugify(f"{first_name}.{last_name}")) or "person"
    base = base.lower()[:140]
    candidate, n = base, 1
    while User.objects.filter(username=candidate).exists():
        n += 1
        candidate = f"{base}{n}"
    return candidate


def _set_roles(person: Any, roles: set[str], allowed: frozenset[str]) -> list[str]:
    """Set the flags of the roles `allowed` to give: held when in `roles`; other flags stay as they are."""
    changed = []
    for role, flag in ROLE_FLAGS.items():
        if role in allowed and getattr(person, flag) != (role in roles):
            setattr(person, flag, role in roles)
            changed.append(flag)
    refused = set(roles) - set(allowed) - set(person.roles)
    if refused:
        raise ValidationError(
            {"roles": _("You may not give these roles: %(roles)s.") % {"roles": ", ".join(sorted(refused))}}
        )
    return changed


def _welcome(person: Any) -> None:
    """Mail a new person with an account a link to choose a password (the password reset link, used once)."""
    from django.conf import settings
    from django.contrib.auth.tokens import default_token_generator
    from django.urls import reverse
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    from core.emails import send_templated

    path = reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(person.pk)),
            "token": default_token_generator.make_token(person),
        },
    )
    send_templated("person-welcome", {"person": person, "url": settings.PORTAL_BASE_URL + path}, [person.email])


@transaction.atomic
def person_create(*, organisation: Organisation, by: Any, roles: set[str], may_log_in: bool, **values: Any) -> Any:
    """Register a person of the organisation, with the roles `by` may give; with an account, mail a link to set a
    password."""
    from core import policy

    unknown = set(values) - set(PERSON_FIELDS)
    if unknown:
        raise TypeError(f"Unknown person fields: {sorted(unknown)}")
    allowed = policy.assignable_roles(by, organisation)
    if not allowed:
        raise ValidationError(_("You may not register people for %(name)s.") % {"name": organisation.name})
    values = {name: str(value).strip() for name, value in values.items()}
    if may_log_in and not values.get("email"):
        raise ValidationError({"email": _("A person who signs in needs an email address.")})
    person = User(organisation=organisation, may_log_in=may_log_in, **values)
    person.username = _unique_username(
        values.get("first_name", ""), values.get("last_name", ""), values.get("email", "")
    )
    _set_roles(person, roles, allowed)
    person.set_unusable_password()
    person.full_clean(exclude=["password"])
    person.save()
    if may_log_in:
        _welcome(person)
    return person


@transaction.atomic
def person_update(*, person: Any, by: Any, roles: set[str], may_log_in: bool, **values: Any) -> Any:
    """Change a person's details and the roles `by` may give; roles `by` may not give stay as they are."""
    from core import policy

    unknown = set(values) - set(PERSON_FIELDS)
    if unknown:
        raise TypeError(f"Unknown person fields: {sorted(unknown)}")
    if not policy.can_manage_person(by, person):
        raise ValidationError(_("You may not change this person."))
    locked = User.objects.select_for_update().get(pk=person.pk)
    values = {name: str(value).strip() for name, value in values.items()}
    changed = [name for name, value in values.items() if getattr(locked, name) != value]
    for name in changed:
        setattr(locked, name, values[name])
    organisation = locked.organisation
    assert organisation is not None  # can_manage_person holds only for a person of an organisation
    changed += _set_roles(locked, roles, policy.assignable_roles(by, organisation))
    if may_log_in and not locked.email:
        raise ValidationError({"email": _("A person who signs in needs an email address.")})
    gains_login = may_log_in and not locked.may_log_in
    if locked.may_log_in != may_log_in:
        locked.may_log_in = may_log_in
        changed.append("may_log_in")
        if not may_log_in:
            locked.set_unusable_password()
            changed.append("password")
    if locked.pk == getattr(by, "pk", None) and not may_log_in:
        raise ValidationError({"may_log_in": _("You cannot take away your own account.")})
    if changed:
        locked.full_clean(exclude=["password"])
        locked.save(update_fields=changed)
    if gains_login and not locked.has_usable_password():
        _welcome(locked)
    return locked


@transaction.atomic
def person_remove(*, person: Any, by: Any) -> Any:
    """Take a person off the organisation's list: the account is closed, the history keeps them."""
    from core import policy

    if not policy.can_manage_person(by, person):
        raise ValidationError(_("You may not remove this person."))
    if person.pk == getattr(by, "pk", None):
        raise ValidationError(_("You cannot remove yourself; ask your director or the secretariat."))
    locked = User.objects.select_for_update().get(pk=person.pk)
    if locked.is_active:
        locked.is_active = False
        locked.save(update_fields=["is_active"])
    return locked


def identity_number_check(number: str) -> str:
    """Eleven digits with both check digits right. The birth date is not checked: D-numbers, H-numbers and the
    synthetic numbers of ID-porten's test persons (Tenor) carry shifted dates."""
    digits = fodselsnummer.compact(number)
    if len(digits) != 11 or not digits.isdigit():
        raise ValidationError(_("A national identity number has 11 digits."))
    if digits[9] != fodselsnummer.calc_check_digit1(digits) or digits[10] != fodselsnummer.calc_check_digit2(digits):
        raise ValidationError(_("This is not a valid national identity number (the check digits do not match)."))
    return digits


@transaction.atomic
def user_identity_register(*, user: User, national_identity_number: str) -> User:
    """Register the national identity number a person signs in with through ID-porten; only its keyed hash is kept.
    An empty number removes it (the person then signs in with the password only)."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if national_identity_number.strip():
        digest = oidc.identity_hash(identity_number_check(national_identity_number))
        if User.objects.filter(pid_hash=digest).exclude(pk=user.pk).exists():
            raise ValidationError(_("Another account is already registered with this national identity number."))
        user.pid_hash = digest
    else:
        user.pid_hash = None
    user.save(update_fields=["pid_hash"])
    return user
