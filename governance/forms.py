from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from governance.choices import AttendanceStatus
from governance.models import Case, Decision, Meeting
from governance.services import CASE_FIELDS, MEETING_FIELDS
from members.models import User


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
