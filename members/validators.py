"""Validators for Norwegian identifiers, built on python-stdnum."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.validators import validate_org_number

__all__ = ["validate_org_number", "validate_region_number"]


def validate_region_number(value: str) -> None:
    """A municipality (four digits) or county (two digits) number."""
    if not (value.isascii() and value.isdigit() and len(value) in (2, 4)):
        raise ValidationError(
            _("%(value)s is not a municipality number (four digits) or county number (two digits)."),
            code="invalid_region_number",
            params={"value": value},
        )


def validate_einvoice_endpoint(value: str) -> None:
    """An e-invoice (Peppol) address, SCHEME:IDENTIFIER such as 0192:964338531 (0192: an organisation number)."""
    import re

    from core.validators import validate_org_number as check_org_number

    scheme, _colon, identifier = value.strip().removeprefix("iso6523-actorid-upis::").partition(":")
    if not re.fullmatch(r"\d{4}", scheme) or not re.fullmatch(r"[A-Za-z0-9.:_+\-]{1,50}", identifier):
        raise ValidationError(
            _("%(value)s is not an e-invoice address: four digits, a colon and the identifier, e.g. 0192:964338531."),
            code="invalid_einvoice_endpoint",
            params={"value": value},
        )
    if scheme == "0192":
        check_org_number(identifier)
