"""Validators for Norwegian identifiers, built on python-stdnum."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.no import kontonr, orgnr


def validate_org_number(value: str) -> None:
    """An organisation number (organisasjonsnummer): nine digits with a MOD11 check digit."""
    try:
        orgnr.validate(value)
    except StdnumError:
        raise ValidationError(
            _("%(value)s is not a valid organisation number (nine digits with a valid check digit)."),
            code="invalid_org_number",
            params={"value": value},
        ) from None


def validate_bank_account(value: str) -> None:
    """A Norwegian bank account number (kontonummer): eleven digits with a MOD11 check digit."""
    if not kontonr.is_valid(value):
        raise ValidationError(
            _("%(value)s is not a valid Norwegian account number (eleven digits with a valid check digit)."),
            code="invalid_bank_account",
            params={"value": value},
        )


# Dates and years that people enter lie within these years: far enough back for historical membership and
# population figures, far enough ahead for long agreements, and well inside what Python's datetime, the time zone
# conversions and PostgreSQL handle (a meeting dated year 1 turned into a negative year in UTC and broke every page
# that listed it). Every date and year field, in forms and models, checks against these two numbers.
EARLIEST_YEAR = 1900
LATEST_YEAR = 2200


def check_date_in_range(value, field_name) -> None:
    """A date or date and time of a field a user fills in, refused outside EARLIEST_YEAR..LATEST_YEAR."""
    if value is None or value == "":
        return
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise ValidationError(
            _("%(field)s must lie between the years %(earliest)s and %(latest)s."),
            code="date_out_of_range",
            params={"field": _capitalised(field_name), "earliest": EARLIEST_YEAR, "latest": LATEST_YEAR},
        )


def check_year_in_range(value, field_name) -> None:
    """A year a user fills in (a budget year, a deflator's year), refused outside EARLIEST_YEAR..LATEST_YEAR."""
    if value is None or value == "":
        return
    if not EARLIEST_YEAR <= value <= LATEST_YEAR:
        raise ValidationError(
            _("%(field)s must be a year between %(earliest)s and %(latest)s."),
            code="year_out_of_range",
            params={"field": _capitalised(field_name), "earliest": EARLIEST_YEAR, "latest": LATEST_YEAR},
        )


def _capitalised(name) -> str:
    text = str(name)
    return text[:1].upper() + text[1:]
