from decimal import Decimal

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.db.models.fields import BLANK_CHOICE_DASH
from django.utils.translation import gettext_lazy as _

from core import forms as core_forms
from core.uploads import read_text_upload
from funding.models import Budget, ContributionModel, Deflator, InvoiceRun, OneOffModel, PricedService, SharingPlan
from funding.services import BUDGET_FIELDS, MODEL_FIELDS
from members.choices import OrganisationKind
from members.forms import DateInput
from members.models import Organisation
from portfolio.models import Initiative

RULE_KINDS = [
    (OrganisationKind.MUNICIPALITY.value, OrganisationKind.MUNICIPALITY.label),
    (OrganisationKind.COUNTY_MUNICIPALITY.value, OrganisationKind.COUNTY_MUNICIPALITY.label),
]


def _helper(submit_label) -> FormHelper:
    helper = FormHelper()
    helper.add_input(Submit("save", submit_label))
    return helper


class ContributionModelForm(forms.ModelForm):
    class Meta:
        model = ContributionModel
        fields = list(MODEL_FIELDS)
        widgets = {"population_date": DateInput(), "description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["population_date"].required = False
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def _post_clean(self):
        # The service validates the model with its rules and exceptions, inside its transaction.
        pass


class RuleForm(forms.Form):
    # No kind is chosen in advance, so the empty row for a new rule is ignored when it is left as it is.
    kind = forms.ChoiceField(label=_("Kind"), choices=[*BLANK_CHOICE_DASH, *RULE_KINDS])
    fixed = forms.DecimalField(label=_("Fixed amount"), min_value=0, max_digits=14, decimal_places=2, initial=0)
    per_inhabitant = forms.DecimalField(
        label=_("Amount per inhabitant"), min_value=0, max_digits=14, decimal_places=2, initial=0
    )
    cap = forms.DecimalField(label=_("Cap"), min_value=0, max_digits=14, decimal_places=2, required=False)


class OverrideForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("Organisation"), queryset=Organisation.objects.order_by("name"))
    exempt = forms.BooleanField(label=_("Exempt"), required=False)
    fixed_amount = forms.DecimalField(
        label=_("Fixed amount"), min_value=0, max_digits=14, decimal_places=2, required=False
    )
    in_kind_value = forms.DecimalField(
        label=_("Value of in-kind share"), min_value=0, max_digits=14, decimal_places=2, required=False
    )
    description = forms.CharField(label=_("Description"), max_length=300, required=False)

    def clean(self):
        data = super().clean()
        if data.get("organisation") and bool(data.get("exempt")) == (data.get("fixed_amount") is not None):
            raise forms.ValidationError(_("Choose either exempt or a fixed amount."))
        return data


RuleFormSet = forms.formset_factory(RuleForm, extra=1, can_delete=True)
OverrideFormSet = forms.formset_factory(OverrideForm, extra=1, can_delete=True)


class AdoptForm(forms.Form):
    adopted_on = core_forms.DateField(label=_("Adopted on"), widget=DateInput())
    adopted_in_case = forms.ModelChoiceField(
        label=_("Case that adopted it"),
        queryset=None,
        required=False,
        help_text=_("Cases registered in the portal; otherwise write the body and case below."),
    )
    adopted_by = forms.CharField(
        label=_("Adopted by (body and case)"),
        max_length=200,
        required=False,
        help_text=_("E.g. Styringsgruppen, sak 37/25."),
    )

    def __init__(self, *args, **kwargs):
        from governance.models import Case

        super().__init__(*args, **kwargs)
        self.fields["adopted_in_case"].queryset = Case.objects.select_related("body").order_by("-year", "-number")
        self.helper = _helper(_("Adopt"))

    def clean(self):
        data = super().clean()
        if not data.get("adopted_in_case") and not data.get("adopted_by"):
            self.add_error("adopted_by", _("Choose the case that adopted the model, or name the body and case."))
        return data


class CopyForm(forms.Form):
    name = forms.CharField(label=_("Name of the new proposal"), max_length=200)
    year = forms.IntegerField(label=_("Budget year"), min_value=2000, max_value=2100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Create proposal"))


class DeflatorForm(forms.ModelForm):
    class Meta:
        model = Deflator
        fields = ["year", "rate", "source"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Save deflator"))

    def validate_unique(self):
        # Setting the deflator of a year that has one replaces it (the history keeps the old value).
        pass


class BudgetForm(forms.ModelForm):
    class Meta:
        model = Budget
        fields = list(BUDGET_FIELDS)
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Save budget"))


class ScenarioForm(forms.Form):
    models = forms.ModelMultipleChoiceField(
        label=_("Models to compare (2 to 4)"),
        queryset=ContributionModel.objects.none(),
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args, queryset=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["models"].queryset = queryset if queryset is not None else ContributionModel.objects.all()

    def clean_models(self):
        models = list(self.cleaned_data["models"])
        if not 2 <= len(models) <= 4:
            raise forms.ValidationError(_("Choose from 2 to 4 models."))
        return sorted(models, key=lambda m: (m.status != "adopted", m.year, m.pk))


class PaymentForm(forms.Form):
    amount = forms.DecimalField(
        label=_("Amount"), min_value=Decimal("0.01"), max_digits=14, decimal_places=2, localize=True
    )
    paid_on = core_forms.DateField(label=_("Paid on"), widget=DateInput())
    reference = forms.CharField(label=_("Reference"), max_length=200, required=False)


class ReminderForm(forms.Form):
    new_due_date = core_forms.DateField(label=_("New due date"), widget=DateInput())


class CreditNoteForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)
    issue_date = core_forms.DateField(label=_("Credit note date"), widget=DateInput())


class InvoiceRunForm(forms.Form):
    issue_date = core_forms.DateField(label=_("Invoice date"), widget=DateInput())
    due_date = core_forms.DateField(label=_("Due date"), widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Issue invoices"))


BANK_FILE_ENDINGS = (".csv", ".txt", ".ocr", ".dat", ".xml")


class BankImportForm(forms.Form):
    file = forms.FileField(
        label=_("Bank file"),
        help_text=_(
            "An OCR giro file from Nets, a camt.054 notification (XML) or a CSV file with the columns "
            "date,amount,kid,reference."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(BANK_FILE_ENDINGS)}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Import payments"))
        self.helper.attrs = {"enctype": "multipart/form-data"}

    def clean_file(self):
        return read_text_upload(self.cleaned_data["file"], extensions=BANK_FILE_ENDINGS, utf8=False)


class JournalForm(forms.Form):
    """Which postings the journal holds: a budget year, an invoice run, a period, or these together."""

    year = forms.TypedChoiceField(label=_("Budget year"), coerce=int, required=False, empty_value=None)
    run = forms.ModelChoiceField(label=_("Invoice run"), queryset=InvoiceRun.objects.none(), required=False)
    date_from = core_forms.DateField(label=_("From"), widget=DateInput(), required=False)
    date_to = core_forms.DateField(label=_("To"), widget=DateInput(), required=False)

    def __init__(self, *args, years: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", _("All years")), *((year, str(year)) for year in years)]
        self.fields["run"].queryset = InvoiceRun.objects.order_by("-pk")
        self.fields["run"].label_from_instance = lambda run: f"{run.year}: {run.issue_date:%d.%m.%Y} (#{run.pk})"
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.add_input(Submit("show", _("Show")))

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The period ends before it begins."))
        return cleaned


# -- Cost-sharing plans ----------------------------------------------------------------------------


class SharingPlanForm(forms.ModelForm):
    class Meta:
        from funding.services.sharing import PLAN_FIELDS

        model = SharingPlan
        fields = list(PLAN_FIELDS)
        widgets = {"population_date": DateInput(), "description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["initiative"].queryset = Initiative.objects.order_by("title")
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def _post_clean(self):
        # The service validates the plan with its participants, inside its transaction.
        pass


class SharingParticipantForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("Organisation"), queryset=Organisation.objects.order_by("name"))
    share = forms.DecimalField(
        label=_("Fixed share"), min_value=0, max_value=1, max_digits=7, decimal_places=6, required=False
    )
    usage = forms.DecimalField(label=_("Use"), min_value=0, max_digits=12, decimal_places=2, required=False)
    exempt = forms.BooleanField(label=_("Exempt"), required=False)
    fixed_amount = forms.DecimalField(
        label=_("Fixed amount"), min_value=0, max_digits=14, decimal_places=0, required=False
    )
    description = forms.CharField(label=_("Description"), max_length=300, required=False)

    def clean(self):
        data = super().clean()
        if data.get("exempt") and data.get("fixed_amount") is not None:
            raise forms.ValidationError(_("Choose either exempt or a fixed amount."))
        return data


SharingParticipantFormSet = forms.formset_factory(SharingParticipantForm, extra=2, can_delete=True)


class PlanInvoiceForm(forms.Form):
    year = forms.TypedChoiceField(label=_("Year"), coerce=int)
    issue_date = core_forms.DateField(label=_("Invoice date"), widget=DateInput())
    due_date = core_forms.DateField(label=_("Due date"), widget=DateInput())

    def __init__(self, *args, years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(year, year) for year in years]
        self.helper = _helper(_("Issue the invoices"))

    def clean(self):
        data = super().clean()
        if data.get("issue_date") and data.get("due_date") and data["due_date"] < data["issue_date"]:
            self.add_error("due_date", _("The due date cannot be before the invoice date."))
        return data


# -- Actual costs and settlement ---------------------------------------------------------------------


class ActualCostForm(forms.Form):
    year = forms.TypedChoiceField(label=_("Year"), coerce=int)
    amount = forms.DecimalField(
        label=_("Actual cost (NOK)"), min_value=0, max_digits=14, decimal_places=2, localize=True
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(year, year) for year in years]
        self.helper = _helper(_("Save the actual cost"))


class ActualCostsImportForm(forms.Form):
    file = forms.FileField(
        label=_("Accounts file"),
        help_text=_(
            "CSV from the host's accounts with the columns initiative,year,amount (comma or semicolon); "
            "the initiative is its number in the portal."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Import actual costs"))
        self.helper.attrs = {"enctype": "multipart/form-data"}

    def clean_file(self):
        return read_text_upload(self.cleaned_data["file"], extensions=(".csv", ".txt"))


class PlanSettleForm(PlanInvoiceForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["issue_date"].label = _("Date of the invoices and credit notes")
        self.helper = _helper(_("Settle the year"))


# ------------------------------------------------------------------------------------------------
# Priced services, orders and one-off contributions


class PricedServiceForm(forms.ModelForm):
    class Meta:
        model = PricedService
        fields = ["title", "description", "unit", "unit_price", "financed_by", "access_details", "is_published"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Save"))


class ServiceOrderForm(forms.Form):
    quantity = forms.DecimalField(
        label=_("Estimated quantity (hours or units)"), min_value=Decimal("0.01"), max_digits=10, decimal_places=2
    )
    description = forms.CharField(label=_("What is needed"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Place the order"))


class OrderDeliverForm(forms.Form):
    delivered_quantity = forms.DecimalField(
        label=_("Delivered quantity (hours or units)"), min_value=Decimal("0.01"), max_digits=10, decimal_places=2
    )
    delivered_on = core_forms.DateField(label=_("Delivered on"), widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Mark delivered"))


class InvoiceDatesForm(forms.Form):
    issue_date = core_forms.DateField(label=_("Invoice date"), widget=DateInput())
    due_date = core_forms.DateField(label=_("Due date"), widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Issue the invoice"))

    def clean(self):
        data = super().clean()
        if data.get("issue_date") and data.get("due_date") and data["due_date"] < data["issue_date"]:
            self.add_error("due_date", _("The due date cannot be before the invoice date."))
        return data


class OneOffModelForm(forms.ModelForm):
    class Meta:
        model = OneOffModel
        fields = [
            "name",
            "purpose",
            "population_date",
            "per_inhabitant_municipality",
            "per_inhabitant_county",
            "connection_fee",
            "decided_by",
        ]
        widgets = {"population_date": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Save"))


class OneOffInvoiceForm(InvoiceDatesForm):
    organisations = forms.ModelMultipleChoiceField(
        label=_("Organisations that contribute"),
        queryset=Organisation.objects.filter(
            kind__in=[OrganisationKind.MUNICIPALITY, OrganisationKind.COUNTY_MUNICIPALITY]
        ).order_by("name"),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.order_fields(["organisations", "issue_date", "due_date"])
        self.helper = _helper(_("Issue the invoices"))
