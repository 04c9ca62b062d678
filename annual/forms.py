from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from annual.choices import ActualLine
from core.uploads import read_csv_upload


class ActualsForm(forms.Form):
    """The actual figures of a year's budget lines; an empty field has no figure."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for choice in ActualLine:
            self.fields[choice.value] = forms.DecimalField(
                label=choice.label, required=False, min_value=0, max_digits=14, decimal_places=2, localize=True
            )
        self.helper = FormHelper()
        self.helper.add_input(Submit("save", _("Save")))


class ActualsImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file from the accounts"),
        help_text=_("Columns: year;line;amount (UTF-8), as described in the README."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.attrs = {"enctype": "multipart/form-data"}
        self.helper.add_input(Submit("import", _("Import")))

    def clean_file(self):
        return read_csv_upload(self.cleaned_data["file"])


class ReportForm(forms.Form):
    introduction = forms.CharField(label=_("Introduction"), widget=forms.Textarea(attrs={"rows": 5}), max_length=20000)
    activities = forms.CharField(
        label=_("The year's work"), widget=forms.Textarea(attrs={"rows": 8}), required=False, max_length=50000
    )
    outlook = forms.CharField(
        label=_("Looking ahead"), widget=forms.Textarea(attrs={"rows": 5}), required=False, max_length=20000
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("save", _("Save")))
