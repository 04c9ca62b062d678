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
