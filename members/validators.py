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
