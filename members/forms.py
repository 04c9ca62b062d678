from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout, Submit
from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from core import forms as core_forms
from core.uploads import read_text_upload
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
        # An organisation gets its invoices by email unless Peppol is chosen (the model's default).
        self.fields["invoice_channel"].required = False
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Fieldset(_("Organisation"), "kind", "name", *(["number"] if with_number else []), "org_number", "county"),
            Fieldset(
                _("Address and invoicing"),
                "organisation_form",
                "street_address",
                "postal_code",
                "city",
                "business_municipality_number",
                "postal_street_address",
                "postal_postal_code",
                "postal_city",
                "email",
                "invoice_channel",
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

    def clean_invoice_channel(self):
        return self.cleaned_data.get("invoice_channel") or Organisation._meta.get_field("invoice_channel").default

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
        label=_("Population file"),
        help_text=_(
            "Statistics Norway's table 07459 as downloaded from the statistics bank (CSV) or its API (JSON-stat 2.0), "
            "or a CSV file with the columns kommunenummer,name,county,population,population_date (UTF-8)."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.json,text/csv,application/json"}),
    )
    source = forms.CharField(label=_("Source"), max_length=200, initial="SSB, tabell 07459")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.attrs = {"enctype": "multipart/form-data"}
        self.helper.add_input(Submit("import", _("Import")))

    def clean_file(self):
        # The encoding is checked when the file is read (a statistics bank download may be Windows-1252).
        return read_text_upload(self.cleaned_data["file"], extensions=(".csv", ".json"), utf8=False)


class RegisterImportForm(forms.Form):
    file = forms.FileField(
        label=_("File from Enhetsregisteret (JSON)"),
        help_text=_(
            "One unit's JSON from data.brreg.no/enhetsregisteret/api/enheter/<organisation number>, or the bulk "
            "download (a JSON array of units, gzip-compressed)."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".json,.gz,application/json,application/gzip"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("compare", _("Compare")))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.UPLOAD_MAX_BYTES
        if upload.size is None or upload.size > limit:
            raise forms.ValidationError(
                _(
                    "The file is %(size)d bytes; the limit is %(limit)d bytes. Import larger files with the command "
                    "line."
                )
                % {"size": upload.size or 0, "limit": limit}
            )
        return upload


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
