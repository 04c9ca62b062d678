from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout, Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from core import forms as core_forms
from core.uploads import read_csv_upload
from members.models import Organisation, PopulationFigure
from members.services import ORGANISATION_FIELDS
from members.validators import validate_region_number


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


DATE_WIDGETS = {name: DateInput() for name in ("invited_on", "member_from", "notice_given_on", "member_until")}


class OrganisationForm(forms.ModelForm):
    number = forms.CharField(
        label=_("Municipality/county number"),
        required=False,
        max_length=4,
        validators=[validate_region_number],
        help_text=_("Four digits for a municipality, two for a county municipality; empty for others."),
    )

    class Meta:
        model = Organisation
        fields = list(ORGANISATION_FIELDS)
        widgets = {**DATE_WIDGETS, "notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, with_number: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not with_number:
            del self.fields["number"]
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Fieldset(_("Organisation"), "kind", "name", *(["number"] if with_number else []), "org_number", "county"),
            Fieldset(
                _("Address and invoicing"),
                "street_address",
                "postal_code",
                "city",
                "email",
                "einvoice_endpoint",
                "buyer_reference",
                "invoice_email",
            ),
            Fieldset(
                _("Membership"),
                "is_host",
                "membership_status",
                "invited_on",
                "member_from",
                "notice_given_on",
                "member_until",
                "notes",
            ),
            Submit("save", _("Save")),
        )

    def _post_clean(self):
        # Model validation runs in the service, inside its transaction; the form checks input only.
        pass


class NumberChangeForm(forms.Form):
    number = forms.CharField(label=_("New number"), max_length=4, validators=[validate_region_number])
    valid_from = core_forms.DateField(label=_("Valid from"), widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("save", _("Change number")))


class PopulationFigureForm(forms.ModelForm):
    class Meta:
        model = PopulationFigure
        fields = ["reference_date", "count", "source"]
        widgets = {"reference_date": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].initial = "SSB, tabell 07459"
        self.helper = FormHelper()
        self.helper.add_input(Submit("save", _("Save")))

    def _post_clean(self):
        pass


class PopulationImportForm(forms.Form):
    file = forms.FileField(
        label=_("Population file (CSV)"),
        help_text=_("Columns: kommunenummer,name,county,population,population_date (UTF-8)."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
    source = forms.CharField(label=_("Source"), max_length=200, initial="SSB, tabell 07459")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.attrs = {"enctype": "multipart/form-data"}
        self.helper.add_input(Submit("import", _("Import")))

    def clean_file(self):
        return read_csv_upload(self.cleaned_data["file"])


class InvoicingForm(forms.Form):
    """The details invoices to the organisation are addressed by."""

    buyer_reference = forms.CharField(
        label=_("Buyer's reference"),
        max_length=100,
        help_text=_("The reference your organisation requires on every invoice (e.g. a person or an order number)."),
    )
    einvoice_endpoint = forms.CharField(
        label=_("E-invoice address"),
        max_length=50,
        required=False,
        help_text=_("Peppol address, e.g. 0192:964338531; empty: your organisation number."),
    )
    invoice_email = forms.EmailField(
        label=_("Invoice email"),
        required=False,
        help_text=_("Where invoices and reminders are mailed; the organisation's post box when empty."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("save", _("Save")))


class PersonForm(forms.Form):
    """A person of the organisation, with or without an account, and the roles the user may give."""

    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    email = forms.EmailField(label=_("Email"), required=False)
    job_title = forms.CharField(label=_("Job title"), max_length=200, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    roles = forms.MultipleChoiceField(label=_("Roles"), required=False, widget=forms.CheckboxSelectMultiple)
    may_log_in = forms.BooleanField(
        label=_("May sign in"),
        required=False,
        initial=True,
        help_text=_("With an account, the person gets an email with a link to choose a password."),
    )

    def __init__(self, *args, assignable: frozenset[str], **kwargs):
        from core.roles import Role

        super().__init__(*args, **kwargs)
        self.fields["roles"].choices = [(role.value, role.label) for role in Role if role.value in assignable]
        self.helper = FormHelper()
        self.helper.add_input(Submit("save", _("Save")))
