"""Validators for Norwegian identifiers, built on python-stdnum."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.no import orgnr


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


def validate_region_number(value: str) -> None:
    """A municipality (four digits) or county (two digits) number."""
    if not (value.isdigit() and len(value) in (2, 4)):
        raise ValidationError(
            _("%(value)s is not a municipality number (four digits) or county number (two digits)."),
            code="invalid_region_number",
            params={"value": value},
        )
