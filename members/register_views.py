"""Pages for comparing organisations with Enhetsregisteret and applying the facts the secretariat confirms."""

from __future__ import annotations

from collections import defaultdict

from django.contrib import messages
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from core.access import require
from members import register, selectors
from members.enhetsregisteret import RegisterFileError, read_units
from members.forms import RegisterImportForm

SIGNING_SALT = "members.register.proposal"
PROPOSAL_MAX_AGE = 3600  # seconds a comparison may be confirmed in


def _change_key(organisation_id: int, field: str) -> str:
    return f"{organisation_id}:{field}"


@require("organisation.import_register")
def register_import(request: HttpRequest) -> HttpResponse:
    """Upload a file from Enhetsregisteret and see how it differs from the portal's records."""
    form = RegisterImportForm(request.POST or None, request.FILES or None)
    context: dict = {"form": form}
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            organisations = register.register_candidates(user=request.user)
            comparison = register.register_compare(
                organisations=organisations,
                units=read_units(upload, wanted=set(organisations.values_list("org_number", flat=True))),
            )
        except RegisterFileError as error:
            form.add_error("file", _("The file is not Enhetsregisteret's JSON: %(problem)s") % {"problem": error})
        else:
            proposal = [
                [difference.organisation.pk, change.field, change.current, change.register]
                for difference in comparison.differences
                for change in difference.changes
            ]
            context.update(
                comparison=comparison,
                source=upload.name,
                token=signing.dumps({"source": upload.name, "changes": proposal}, salt=SIGNING_SALT, compress=True),
                rows=[
                    (difference, [(_change_key(difference.organisation.pk, c.field), c) for c in difference.changes])
                    for difference in comparison.differences
                ],
            )
    return render(request, "members/register_import.html", context)


@require("organisation.import_register")
def register_apply(request: HttpRequest) -> HttpResponse:
    """Apply the register's values the secretariat ticked on the comparison."""
    if request.method != "POST":
        return redirect("members:register_import")
    try:
        proposal = signing.loads(request.POST.get("proposal", ""), salt=SIGNING_SALT, max_age=PROPOSAL_MAX_AGE)
    except signing.BadSignature:
        messages.error(request, _("The comparison has expired or was altered. Upload the file again."))
        return redirect("members:register_import")
    chosen = set(request.POST.getlist("change"))
    by_organisation: dict[int, list[register.FactChange]] = defaultdict(list)
    for organisation_id, field, current, value in proposal["changes"]:
        if _change_key(organisation_id, field) in chosen:
            by_organisation[organisation_id].append(register.FactChange(field=field, current=current, register=value))
    if not by_organisation:
        messages.info(request, _("Nothing was ticked, so nothing was changed."))
        return redirect("members:register_import")
    try:
        with transaction.atomic():
            for organisation_id, changes in by_organisation.items():
                organisation = selectors.organisation_get(
                    user=request.user, pk=organisation_id, permission="organisation.import_register"
                )
                register.organisation_apply_register_facts(
                    organisation=organisation, changes=changes, source=proposal["source"]
                )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages) + " " + _("Nothing was changed."))
        return redirect("members:register_import")
    messages.success(
        request,
        _("Facts from Enhetsregisteret were saved for %(count)d organisations; the history keeps what they were.")
        % {"count": len(by_organisation)},
    )
    return redirect("members:organisation_list")
