from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from core import forms as core_forms
from governance.models import Case
from members.forms import DateInput
from portfolio import lifecycle, selectors
from portfolio.choices import AdoptionStatus, FocusArea, ParticipantRole, Rag, ServiceArea, State, TriageOutcome
from portfolio.models import Benefit, FundingPlanLine, Initiative, StatusReport, Suggestion
from portfolio.services import INITIATIVE_FIELDS

ROLE_FIELDS = {
    "participants": (ParticipantRole.PARTICIPANT, _("Participating organisations")),
    "pilots": (ParticipantRole.PILOT, _("Pilot organisations")),
    "partners": (ParticipantRole.PARTNER, _("Partners")),
    "observers": (ParticipantRole.OBSERVER, _("Observers")),
}


class _Helped:
    submit_label = _("Save")

    def _add_helper(self):
        self.helper = FormHelper()
        self.helper.add_input(Submit("save", self.submit_label))


class InitiativeForm(_Helped, forms.ModelForm):
    class Meta:
        model = Initiative
        fields = list(INITIATIVE_FIELDS)
        widgets = {
            "start": DateInput(),
            "end": DateInput(),
            "summary": forms.Textarea(attrs={"rows": 3}),
            "description": forms.Textarea(attrs={"rows": 6}),
            "internal_notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["expert_group"].queryset = selectors.expert_groups()
        from members.models import Organisation

        organisations = Organisation.objects.order_by("name")
        self.fields["owner"].queryset = organisations
        current: dict[str, list[int]] = {name: [] for name in ROLE_FIELDS}
        if self.instance.pk:
            for participation in self.instance.participations.all():
                for name, (role, _label) in ROLE_FIELDS.items():
                    if participation.role == role:
                        current[name].append(participation.organisation_id)
        for name, (_role, label) in ROLE_FIELDS.items():
            self.fields[name] = forms.ModelMultipleChoiceField(
                label=label,
                queryset=organisations,
                required=False,
                initial=current[name],
                help_text=_("Hold Ctrl (Cmd on a Mac) to choose several."),
                widget=forms.SelectMultiple(attrs={"size": 6}),
            )
        self._add_helper()

    def clean(self):
        cleaned = super().clean()
        seen: set[int] = set()
        for name in ROLE_FIELDS:
            for organisation in cleaned.get(name) or []:
                if organisation.pk in seen:
                    self.add_error(name, _("%(name)s is chosen in more than one role.") % {"name": organisation})
                seen.add(organisation.pk)
        return cleaned

    def participants(self):
        return [
            (organisation, role)
            for name, (role, _label) in ROLE_FIELDS.items()
            for organisation in self.cleaned_data.get(name) or []
        ]

    def _post_clean(self):
        # The service validates the initiative inside its transaction.
        pass


class TransitionForm(_Helped, forms.Form):
    submit_label = _("Record the decision")
    to_state = forms.ChoiceField(label=_("New state"))
    reason = forms.CharField(
        label=_("Why"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The decision and its grounds, e.g. the body and case that decided it."),
    )
    decided_in = forms.ModelChoiceField(
        label=_("Case that decided it"),
        queryset=None,
        required=False,
        help_text=_("The governance case, when the decision was made in a meeting registered in the portal."),
    )

    def __init__(self, *args, initiative, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decided_in"].queryset = Case.objects.select_related("body").order_by("-year", "-number")
        self.fields["to_state"].choices = [
            (state, State(state).label) for state in lifecycle.next_states(initiative.state)
        ]
        self._add_helper()


class StatusReportForm(_Helped, forms.ModelForm):
    class Meta:
        model = StatusReport
        fields = ["period_start", "period_end", "rag", "summary", "next_steps"]
        widgets = {
            "period_start": DateInput(),
            "period_end": DateInput(),
            "rag": forms.RadioSelect,
            "summary": forms.Textarea(attrs={"rows": 4}),
            "next_steps": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rag"].choices = Rag.choices  # no empty choice among the radio buttons
        self._add_helper()


class FundingLineForm(_Helped, forms.ModelForm):
    class Meta:
        model = FundingPlanLine
        fields = ["year", "source", "organisation", "description", "hours", "budget", "actual"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = self.fields["organisation"].queryset.order_by("name")
        self._add_helper()


class BenefitForm(_Helped, forms.ModelForm):
    class Meta:
        model = Benefit
        fields = ["description", "owner", "indicator", "unit", "organisation", "baseline", "target"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = self.fields["organisation"].queryset.order_by("name")
        self._add_helper()


class BenefitValueForm(_Helped, forms.Form):
    benefit = forms.ModelChoiceField(label=_("Benefit"), queryset=Benefit.objects.none())
    measured_on = core_forms.DateField(label=_("Measured on"), widget=DateInput())
    value = forms.DecimalField(label=_("Value"), max_digits=14, decimal_places=2)

    def __init__(self, *args, initiative, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["benefit"].queryset = selectors.benefits_reportable(user=user, initiative=initiative)
        self._add_helper()


class AdoptionForm(_Helped, forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=AdoptionStatus.choices, widget=forms.RadioSelect)
    status_date = core_forms.DateField(label=_("Date"), required=False, widget=DateInput())
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._add_helper()


class SuggestionForm(_Helped, forms.ModelForm):
    submit_label = _("Submit")

    class Meta:
        model = Suggestion
        fields = ["kind", "title", "problem", "who_meets_it", "gain"]
        widgets = {
            "kind": forms.RadioSelect,
            "problem": forms.Textarea(attrs={"rows": 4}),
            "who_meets_it": forms.Textarea(attrs={"rows": 3}),
            "gain": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "problem": _("What is difficult or missing today?"),
            "who_meets_it": _("Inhabitants, staff or services that meet the problem."),
            "gain": _("What would be better, saved or possible?"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._add_helper()

    def _post_clean(self):
        # Model validation runs in the service.
        pass


class TriageForm(_Helped, forms.Form):
    submit_label = _("Save the assessment")

    outcome = forms.ChoiceField(label=_("Outcome"), choices=TriageOutcome.choices, widget=forms.RadioSelect)
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required for an answer; shown on the public list and mailed to the submitter."),
    )
    merge_into = forms.ModelChoiceField(label=_("Merge with"), queryset=Suggestion.objects.none(), required=False)
    focus_area = forms.ChoiceField(
        label=_("Strategic focus area"), choices=[("", "---------"), *FocusArea.choices], required=False
    )
    service_area = forms.ChoiceField(
        label=_("Service area"), choices=[("", "---------"), *ServiceArea.choices], required=False
    )

    def __init__(self, *args, suggestion: Suggestion, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["merge_into"].queryset = selectors.suggestion_merge_targets(suggestion=suggestion)
        self._add_helper()
