from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from governance.choices import AttendanceStatus, Outcome, Vote
from governance.models import Body, Case, Decision, Meeting
from governance.services import CASE_FIELDS, MEETING_FIELDS
from members.models import Organisation, User


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


def _helper(submit_label) -> FormHelper:
    helper = FormHelper()
    helper.add_input(Submit("save", submit_label))
    return helper


class ServiceForm(forms.ModelForm):
    """A model form whose object is validated and saved by a service, not by the form."""

    submit_label = _("Save")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(self.submit_label)

    def _post_clean(self):
        pass


class MeetingForm(ServiceForm):
    video_link = forms.URLField(label=_("Video link"), required=False, assume_scheme="https")

    class Meta:
        model = Meeting
        fields = list(MEETING_FIELDS)
        widgets = {
            "starts_at": DateTimeInput(),
            "ends_at": DateTimeInput(),
            "notice_text": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["starts_at"].input_formats = ["%Y-%m-%dT%H:%M", "%d.%m.%Y %H:%M"]
        self.fields["ends_at"].input_formats = ["%Y-%m-%dT%H:%M", "%d.%m.%Y %H:%M"]
        if self.instance.pk:
            self.fields["body"].disabled = True


class CaseForm(ServiceForm):
    class Meta:
        model = Case
        fields = ["body", *CASE_FIELDS]
        widgets = {
            "background": forms.Textarea(attrs={"rows": 5}),
            "assessment": forms.Textarea(attrs={"rows": 5}),
            "proposed_decision": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["case_officer"].queryset = User.objects.filter(is_secretariat=True, is_active=True).order_by(
            "first_name", "last_name"
        )
        self.fields["meeting"].queryset = Meeting.objects.select_related("body").filter(
            minutes_approved_at__isnull=True
        )
        if self.instance.pk:
            self.fields["body"].disabled = True

    def clean(self):
        data = super().clean()
        if data.get("exempt") and not data.get("legal_basis"):
            self.add_error("legal_basis", _("Give the legal basis for exempting the case, e.g. offl. § 14."))
        return data


class AttachmentForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    file = forms.FileField(label=_("File (PDF)"), widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Attach"))


class DecisionForm(ServiceForm):
    submit_label = _("Record the decision")

    class Meta:
        model = Decision
        fields = ["outcome", "text", "unanimous", "votes_for", "votes_against", "abstentions"]
        widgets = {"text": forms.Textarea(attrs={"rows": 4})}


class MinutesForm(ServiceForm):
    class Meta:
        model = Meeting
        fields = ["minutes_text"]
        widgets = {"minutes_text": forms.Textarea(attrs={"rows": 5})}


class ApproveMinutesForm(forms.Form):
    approved_in = forms.CharField(
        label=_("Approved in"), max_length=200, required=False, help_text=_("E.g. the next meeting, case 41/26.")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Approve the minutes"))


class AttendanceForm(forms.Form):
    """One choice per seat in the body: present, excused or absent."""

    def __init__(self, *args, seats, current, **kwargs):
        super().__init__(*args, **kwargs)
        self.seats = list(seats)
        for seat in self.seats:
            label = (
                f"{seat.name} ({seat.get_role_display()}{', ' + seat.organisation.name if seat.organisation else ''})"
            )
            self.fields[f"seat_{seat.pk}"] = forms.ChoiceField(
                label=label,
                choices=AttendanceStatus.choices,
                initial=current.get(seat.pk, AttendanceStatus.PRESENT),
                widget=forms.RadioSelect,
            )
        self.helper = _helper(_("Save attendance; the meeting is held"))

    def attendance(self) -> dict[int, str]:
        return {seat.pk: self.cleaned_data[f"seat_{seat.pk}"] for seat in self.seats}


class RollCallForm(forms.Form):
    """A decision by roll call: the outcome and text, and one vote per member organisation with a seat."""

    outcome = forms.ChoiceField(label=_("Outcome"), choices=Outcome.choices)
    text = forms.CharField(label=_("Decision"), widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, seats, current, **kwargs):
        super().__init__(*args, **kwargs)
        self.seats = list(seats)
        for seat in self.seats:
            if seat.sitting is None:
                label = _("%(member)s (nobody present)") % {"member": seat.name}
            else:
                label = _("%(member)s (voted by %(name)s)") % {"member": seat.name, "name": seat.sitting.name}
            self.fields[f"member_{seat.organisation_id}"] = forms.ChoiceField(
                label=label,
                choices=Vote.choices,
                initial=current.get(seat.organisation_id, Vote.FOR if seat.sitting else Vote.ABSENT),
                widget=forms.RadioSelect,
            )
        self.helper = _helper(_("Record the decision and the votes"))

    def votes(self) -> dict[int, str]:
        return {seat.organisation_id: self.cleaned_data[f"member_{seat.organisation_id}"] for seat in self.seats}


class AnnouncementForm(forms.Form):
    """A message from the secretariat and who gets it: people with a role, the members of a body, an organisation's
    people (any of them)."""

    title = forms.CharField(label=_("Title"), max_length=200)
    text = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 8}))
    roles = forms.MultipleChoiceField(
        label=_("To people with the roles"), required=False, widget=forms.CheckboxSelectMultiple
    )
    bodies = forms.ModelMultipleChoiceField(
        label=_("To the members of"), queryset=Body.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    organisations = forms.ModelMultipleChoiceField(
        label=_("To the people of"), queryset=Organisation.objects.none(), required=False
    )

    def __init__(self, *args, **kwargs):
        from core.roles import Role

        super().__init__(*args, **kwargs)
        self.fields["roles"].choices = Role.choices
        self.fields["bodies"].queryset = Body.objects.all()
        self.fields["organisations"].queryset = Organisation.objects.order_by("name")
        self.helper = FormHelper()
        self.helper.add_input(Submit("preview", _("Count the recipients"), css_class="btn-secondary"))
        self.helper.add_input(Submit("send", _("Send the message")))

    def clean(self):
        data = super().clean()
        if not (data.get("roles") or data.get("bodies") or data.get("organisations")):
            raise forms.ValidationError(_("Choose who gets the message: a role, a body or an organisation."))
        return data
