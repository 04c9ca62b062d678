"""Forms for grants: the application with its initiatives, the grantor's decision and the report."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout, Submit
from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from core import forms as core_forms
from core.formatting import format_nok
from members.forms import DateInput
from portfolio.choices import State
from portfolio.models import Grant, Initiative

MONEY = {"min_value": 0, "max_digits": 12, "decimal_places": 2}


def _helper(label) -> FormHelper:
    helper = FormHelper()
    helper.add_input(Submit("save", label))
    return helper


class GrantForm(forms.ModelForm):
    """The application's own facts; the initiatives come in the formset beside it."""

    class Meta:
        model = Grant
        fields = ["grantor", "year", "title"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class GrantItemForm(forms.Form):
    initiative = forms.ModelChoiceField(
        label=_("Initiative"),
        queryset=Initiative.objects.exclude(state__in=[State.REJECTED, State.COMPLETED]).order_by("title"),
    )
    applied = forms.DecimalField(label=_("Applied for (NOK)"), **MONEY)


GrantItemFormSet = forms.formset_factory(GrantItemForm, extra=2, can_delete=True)


class GrantSubmitForm(forms.Form):
    applied_on = core_forms.DateField(label=_("Sent to the grantor on"), widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Mark as sent"))


class GrantAwardForm(forms.Form):
    """The grantor's decision: one amount per initiative, then the decision's date, reference and conditions."""

    decided_on = core_forms.DateField(label=_("Decided on"), widget=DateInput())
    grantor_reference = forms.CharField(label=_("Grantor's reference"), max_length=100, required=False)
    conditions = forms.CharField(label=_("Conditions"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    report_due = core_forms.DateField(label=_("Report due"), widget=DateInput(), required=False)

    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.items = list(items)
        for item in self.items:
            self.fields[f"awarded_{item.pk}"] = forms.DecimalField(
                label=_("%(initiative)s: awarded (NOK)") % {"initiative": item.initiative},
                help_text=_("Applied for: %(amount)s. Enter 0 if nothing was awarded.")
                % {"amount": format_nok(item.applied, language=(get_language() or "nb")[:2])},
                initial=item.awarded,
                **MONEY,
            )
        self.helper = _helper(_("Record the decision"))

    def awarded(self) -> dict[int, object]:
        return {item.pk: self.cleaned_data.get(f"awarded_{item.pk}") for item in self.items}


class GrantReportForm(forms.Form):
    """The report per initiative awarded funds, as the grantor's form asks: used, own effort, status, results."""

    def __init__(self, *args, items=(), own_effort=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = [item for item in items if item.awarded]
        own_effort = own_effort or {}
        sets = []
        for item in self.items:
            names = [f"{name}_{item.pk}" for name in ("spent", "own_effort", "progress", "results")]
            self.fields[names[0]] = forms.DecimalField(label=_("Used (NOK)"), initial=item.spent, **MONEY)
            self.fields[names[1]] = forms.DecimalField(
                label=_("Own effort (NOK)"),
                initial=item.own_effort if item.own_effort is not None else own_effort.get(item.pk),
                help_text=_("Hours and money the members put in, valued in NOK."),
                **MONEY,
            )
            self.fields[names[2]] = forms.CharField(
                label=_("Status"),
                initial=item.progress,
                required=False,
                widget=forms.Textarea(attrs={"rows": 3}),
                help_text=_("Where the project stands."),
            )
            self.fields[names[3]] = forms.CharField(
                label=_("Results and benefits"),
                initial=item.results,
                required=False,
                widget=forms.Textarea(attrs={"rows": 3}),
            )
            sets.append(Fieldset(str(item.initiative), *names))
        self.helper = _helper(_("Save the report"))
        self.helper.layout = Layout(*sets)

    def entries(self):
        from portfolio.grants import ReportInput

        data = self.cleaned_data
        return {
            item.pk: ReportInput(
                spent=data[f"spent_{item.pk}"],
                own_effort=data[f"own_effort_{item.pk}"],
                progress=data[f"progress_{item.pk}"],
                results=data[f"results_{item.pk}"],
            )
            for item in self.items
        }


class GrantReportSubmitForm(forms.Form):
    reported_on = core_forms.DateField(label=_("Reported on"), widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("File the report"))
