"""Forms of consultation rounds: opening one, sending a revised version, and a member's answer."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from core.uploads import read_pdf_upload
from governance.choices import ConsultationPosition, ConsultationSubject
from governance.consultation_subjects import draft_choices, source_for
from governance.models import Case


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def _helper(label) -> FormHelper:
    helper = FormHelper()
    helper.add_input(Submit("save", label))
    return helper


class _PdfField(forms.FileField):
    """An optional PDF, checked as every uploaded PDF is (name, size, content)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.ClearableFileInput(attrs={"accept": "application/pdf"}))
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        upload = super().clean(data, initial)
        if upload:
            read_pdf_upload(upload)
            upload.seek(0)
        return upload or None


class ConsultationForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    subject_kind = forms.ChoiceField(label=_("Document"), choices=ConsultationSubject.choices)
    draft = forms.ChoiceField(
        label=_("Draft"),
        required=False,
        help_text=_("The draft contribution model, agreement text or cost-sharing plan; not for a strategy."),
    )
    description = forms.CharField(
        label=_("What the members are asked"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    deadline = forms.DateField(label=_("Deadline"), widget=DateInput())
    case = forms.ModelChoiceField(
        label=_("Case that decides"),
        queryset=Case.objects.filter(decision__isnull=True).select_related("body"),
        required=False,
        help_text=_("The summary of the answers is attached to this case after the deadline."),
    )
    file = _PdfField(
        label=_("Document (PDF)"),
        help_text=_("Required for a strategy; for a draft, a PDF is made from it (with what each member would pay)."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["draft"].choices = [("", "---------"), *draft_choices()]
        self.helper = _helper(_("Open the round"))

    def clean(self):
        data = super().clean()
        kind, draft = data.get("subject_kind"), data.get("draft") or ""
        data["subject_id"] = None
        if kind and source_for(kind) is not None:
            prefix = f"{kind}:"
            if not draft.startswith(prefix):
                self.add_error("draft", _("Choose a draft of the kind chosen under Document."))
            else:
                data["subject_id"] = int(draft.removeprefix(prefix))
        return data


class ConsultationVersionForm(forms.Form):
    note = forms.CharField(label=_("What changed"), max_length=300)
    file = _PdfField(label=_("Document (PDF)"), help_text=_("Leave empty to make the PDF from the draft as it is now."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Send out the new version"))


class ConsultationAnswerForm(forms.Form):
    position = forms.ChoiceField(
        label=_("Our position"), choices=ConsultationPosition.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Required when the organisation has remarks or opposes."),
    )
    file = _PdfField(label=_("Attachment (PDF)"), help_text=_("Optional: a letter or decision as PDF."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Send the answer"))
