from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.validators import EARLIEST_YEAR, LATEST_YEAR, check_date_in_range, check_year_in_range


class OneTimeCodeForm(forms.Form):
    token = forms.CharField(
        label=_("Code"),
        max_length=20,
        help_text=_("The 6-digit code your authenticator app shows, or one of your backup codes."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"}),
    )


# Form fields for dates and years that people enter: refused outside EARLIEST_YEAR..LATEST_YEAR with a message that
# names the field (core.validators); the model fields in core.fields use them as their form fields.
class _Bounded(forms.Field):
    check = staticmethod(check_date_in_range)

    def validate(self, value):
        super().validate(value)
        self.check(value, self.label or _("This field"))


class DateField(_Bounded, forms.DateField):
    def to_python(self, value):
        try:
            return super().to_python(value)
        except OverflowError:
            # A year Python's date cannot hold at all (the browser's date picker allows six digits).
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None

    def widget_attrs(self, widget):
        return {**super().widget_attrs(widget), "min": f"{EARLIEST_YEAR}-01-01", "max": f"{LATEST_YEAR}-12-31"}


class DateTimeField(_Bounded, forms.DateTimeField):
    def to_python(self, value):
        try:
            return super().to_python(value)
        except OverflowError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None


class YearField(_Bounded, forms.IntegerField):
    check = staticmethod(check_year_in_range)


def add_service_error(form: forms.BaseForm, error: ValidationError) -> None:
    """A service's refusal shown on the form: beside the field it names when the form has that field, above the
    form otherwise (a service may name a field the form does not show, e.g. the end of a membership that a
    notice date moves)."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)
