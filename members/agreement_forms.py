from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from core import forms as core_forms
from members.choices import MembershipStatus
from members.forms import DateInput
from members.models import AgreementTemplate, Organisation


def _helper(label: str) -> FormHelper:
    helper = FormHelper()
    helper.add_input(Submit("submit", label))
    return helper


class AgreementTemplateForm(forms.ModelForm):
    class Meta:
        model = AgreementTemplate
        fields = [
            "title",
            "version",
            "period_start",
            "period_end",
            "notice_months",
            "body",
            "funding_appendix",
            "organisation_appendix",
            "statutes_appendix",
            "adopted_in_case",
        ]
        widgets = {"period_start": DateInput(), "period_end": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Save draft"))


class InviteForm(forms.Form):
    template = forms.ModelChoiceField(
        label=_("Agreement text"), queryset=AgreementTemplate.objects.filter(published_at__isnull=False)
    )
    all_members = forms.BooleanField(label=_("All member organisations"), required=False)
    organisations = forms.ModelMultipleChoiceField(
        label=_("Or these organisations"),
        required=False,
        queryset=Organisation.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 12}),
    )
    expires_on = core_forms.DateField(label=_("Sign by"), widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisations"].queryset = (
            Organisation.objects.exclude(membership_status=MembershipStatus.WITHDRAWN)
            .exclude(kind="partner")
            .order_by("name")
        )
        self.helper = _helper(_("Send invitations"))

    def clean(self):
        data = super().clean()
        if data.get("all_members"):
            data["organisations"] = list(
                Organisation.objects.filter(
                    membership_status__in=[MembershipStatus.MEMBER, MembershipStatus.INVITED]
                ).order_by("name")
            )
        if not data.get("organisations"):
            raise forms.ValidationError(_("Choose the organisations to invite, or all members."))
        return data


class SignStartForm(forms.Form):
    decision_body = forms.CharField(
        label=_("Deciding body"), max_length=200, help_text=_("E.g. Formannskapet or Kommunestyret.")
    )
    decision_case = forms.CharField(label=_("Case number"), max_length=50, help_text=_("E.g. 109/2020."))
    # Plain text (dd.mm.åååå): typed the way the decision is written, and easy with the keyboard alone.
    decision_date = core_forms.DateField(
        label=_("Date of the decision"),
        help_text=_("As on the decision, e.g. 17.11.2020."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    password = forms.CharField(
        label=_("Your password"), widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )


class IdportenSignForm(SignStartForm):
    """The decision to sign under; the signer then authenticates anew with ID-porten instead of the password."""

    password = None


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("One-time code from the email"),
        max_length=6,
        min_length=6,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class CountersignStartForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"), widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )


class DeclineForm(forms.Form):
    reason = forms.CharField(label=_("Why the organisation declines"), widget=forms.Textarea(attrs={"rows": 3}))


class WithdrawForm(forms.Form):
    notice_given_on = core_forms.DateField(label=_("Notice received on"), widget=DateInput())
    notice_months = forms.IntegerField(label=_("Notice period (months)"), min_value=0, max_value=36, initial=6)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Register the notice"))
