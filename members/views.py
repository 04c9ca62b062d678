from collections.abc import Callable
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import i18n
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig
from django_tables2.export import TableExport

from core import policy, retention
from core import views as core_views
from core.access import require
from core.forms import add_service_error
from members import selectors, services
from members.filters import OrganisationFilter
from members.forms import (
    InvoicingForm,
    NumberChangeForm,
    OrganisationForm,
    PersonForm,
    PopulationFigureForm,
    PopulationImportForm,
)
from members.models import Organisation
from members.population_file import PopulationFileError, decode_upload
from members.services import ORGANISATION_FIELDS
from members.tables import OrganisationTable, SecretariatOrganisationTable


@require("organisation.view")
def organisation_list(request: HttpRequest) -> HttpResponse:
    queryset = selectors.organisation_list(user=request.user)
    filterset = OrganisationFilter(request.GET, queryset=queryset)
    table_class = SecretariatOrganisationTable if policy.is_secretariat(request.user) else OrganisationTable
    table = table_class(filterset.qs)
    RequestConfig(request, paginate={"per_page": 25}).configure(table)
    export_format = request.GET.get("_export")
    if export_format:
        if not TableExport.is_valid_format(export_format) or export_format not in ("csv", "xlsx"):
            return HttpResponse(_("Unknown export format."), status=400)
        exporter = TableExport(export_format, table, exclude_columns=())
        return exporter.response(f"medlemmer.{export_format}")
    return render(
        request,
        "members/organisation_list.html",
        {"filter": filterset, "table": table, "count": filterset.qs.count()},
    )


@require("organisation.view")
def organisation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = selectors.organisation_get(user=request.user, pk=pk)
    return render(
        request,
        "members/organisation_detail.html",
        {
            "organisation": organisation,
            "figures": selectors.population_list(user=request.user, organisation=organisation),
            "numbers": selectors.number_history(user=request.user, organisation=organisation),
            "people": selectors.people_list(user=request.user, organisation=organisation),
            "history": selectors.organisation_history(user=request.user, organisation=organisation),
            "can_change": policy.can(request.user, "organisation.change", organisation),
            "can_manage_people": policy.can(request.user, "organisation.manage_people", organisation),
            "can_change_invoicing": policy.can(request.user, "organisation.change_invoicing", organisation),
            "manageable": {
                person.pk
                for person in selectors.people_list(user=request.user, organisation=organisation)
                if policy.can_manage_person(request.user, person)
            },
            "can_view_people": policy.can(request.user, "organisation.view_people", organisation),
            "can_view_history": policy.can(request.user, "organisation.view_history", organisation),
        },
    )


@require("organisation.create")
def organisation_create(request: HttpRequest) -> HttpResponse:
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            organisation = services.organisation_create(
                number=data["number"], **{name: data[name] for name in ORGANISATION_FIELDS}
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("%(name)s was registered.") % {"name": organisation.name})
            return redirect(organisation)
    return render(request, "members/organisation_form.html", {"form": form, "title": _("New organisation")})


def _organisation_form_page(
    request: HttpRequest,
    organisation: Organisation,
    form: forms.Form,
    *,
    save: Callable[[dict[str, Any]], Any],
    saved: Callable[[Any], str],
    title: str,
) -> HttpResponse:
    """A form about one organisation: on a valid POST `save` runs the service with the cleaned data; a refusal
    comes back beside its field, success says `saved(result)` and returns to the organisation."""
    if request.method == "POST" and form.is_valid():
        try:
            result = save(form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, saved(result))
            return redirect(organisation)
    return render(
        request, "members/organisation_form.html", {"form": form, "organisation": organisation, "title": title}
    )


@require("organisation.change")
def organisation_update(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = selectors.organisation_get(user=request.user, pk=pk, permission="organisation.change")
    form = OrganisationForm(request.POST or None, instance=organisation, with_number=False)
    return _organisation_form_page(
        request,
        organisation,
        form,
        save=lambda data: services.organisation_update(
            organisation=organisation, **{name: data[name] for name in ORGANISATION_FIELDS}
        ),
        saved=lambda _result: _("The changes were saved."),
        title=_("Edit %(name)s") % {"name": organisation.name},
    )


@require("organisation.change")
def organisation_change_number(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = selectors.organisation_get(user=request.user, pk=pk, permission="organisation.change")
    form = NumberChangeForm(request.POST or None)
    return _organisation_form_page(
        request,
        organisation,
        form,
        save=lambda data: services.organisation_change_number(organisation=organisation, **data),
        saved=lambda _result: _("The number was changed."),
        title=_("New number for %(name)s") % {"name": organisation.name},
    )


@require("population.create")
def population_create(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = selectors.organisation_get(user=request.user, pk=pk, permission="population.create")
    form = PopulationFigureForm(request.POST or None)
    return _organisation_form_page(
        request,
        organisation,
        form,
        save=lambda data: services.population_figure_record(organisation=organisation, **data),
        saved=lambda _result: _("The population figure was saved."),
        title=_("Population figure for %(name)s") % {"name": organisation.name},
    )


@require("population.import")
def population_import(request: HttpRequest) -> HttpResponse:
    form = PopulationImportForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            result = services.population_import(
                text=decode_upload(form.cleaned_data["file"]), source=form.cleaned_data["source"]
            )
        except PopulationFileError as error:
            errors = error.errors
        else:
            messages.success(
                request,
                _(
                    "Imported: %(created)d new, %(updated)d corrected, %(unchanged)d unchanged; "
                    "%(outside)d rows for municipalities outside the network were skipped."
                )
                % {
                    "created": result.created,
                    "updated": result.updated,
                    "unchanged": result.unchanged,
                    "outside": result.outside_network,
                },
            )
            return redirect("members:organisation_list")
    return render(request, "members/population_import.html", {"form": form, "errors": errors})


def set_language(request: HttpRequest) -> HttpResponse:
    """The language switcher: Django's view sets the cookie (on POST; any other request is only sent on), and a
    logged-in person's choice is also kept on the account."""
    response = i18n.set_language(request)
    language = request.POST.get("language", "") if request.method == "POST" else ""
    if request.user.is_authenticated and language in {code for code, _name in settings.LANGUAGES}:
        services.user_language_set(user=request.user, language=language)
    return response


@require("organisation.change_invoicing")
def invoicing_update(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = selectors.organisation_get(user=request.user, pk=pk, permission="organisation.change_invoicing")
    initial = {name: getattr(organisation, name) for name in services.INVOICING_FIELDS}
    form = InvoicingForm(request.POST or None, initial=initial)
    return _organisation_form_page(
        request,
        organisation,
        form,
        save=lambda data: services.organisation_invoicing_update(organisation=organisation, **data),
        saved=lambda _result: _("The invoicing details were saved. Invoices issued from now on carry them."),
        title=_("Invoicing details for %(name)s") % {"name": organisation.name},
    )


def _person_values(data: dict) -> dict:
    return {
        "roles": set(data["roles"]),
        "may_log_in": data["may_log_in"],
        **{name: data[name] for name in services.PERSON_FIELDS},
    }


@require("organisation.manage_people")
def person_create(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = selectors.organisation_get(user=request.user, pk=pk, permission="organisation.manage_people")
    form = PersonForm(request.POST or None, assignable=policy.assignable_roles(request.user, organisation))
    return _organisation_form_page(
        request,
        organisation,
        form,
        save=lambda data: services.person_create(organisation=organisation, by=request.user, **_person_values(data)),
        saved=lambda person: _("%(name)s was registered.") % {"name": person.get_full_name()},
        title=_("New person in %(name)s") % {"name": organisation.name},
    )


@require("organisation.manage_people")
def person_update(request: HttpRequest, pk: int, person_pk: int) -> HttpResponse:
    organisation = selectors.organisation_get(user=request.user, pk=pk, permission="organisation.manage_people")
    person = selectors.person_get(user=request.user, organisation=organisation, pk=person_pk)
    if not policy.can_manage_person(request.user, person):
        raise PermissionDenied
    assignable = policy.assignable_roles(request.user, organisation)
    initial = {
        "roles": sorted(person.roles & assignable),
        "may_log_in": person.may_log_in,
        **{name: getattr(person, name) for name in services.PERSON_FIELDS},
    }
    form = PersonForm(request.POST or None, initial=initial, assignable=assignable)
    if request.method == "POST" and form.is_valid():
        try:
            services.person_update(person=person, by=request.user, **_person_values(form.cleaned_data))
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The changes were saved."))
            return redirect(organisation)
    return render(
        request,
        "members/person_form.html",
        {"form": form, "organisation": organisation, "person": person, "title": person.get_full_name()},
    )


@require_POST
@require("organisation.manage_people")
def person_remove(request: HttpRequest, pk: int, person_pk: int) -> HttpResponse:
    organisation = selectors.organisation_get(user=request.user, pk=pk, permission="organisation.manage_people")
    person = selectors.person_get(user=request.user, organisation=organisation, pk=person_pk)
    try:
        services.person_remove(person=person, by=request.user)
    except ValidationError as error:
        raise PermissionDenied(" ".join(error.messages)) from None
    messages.success(request, _("%(name)s was removed from the list.") % {"name": person.get_full_name()})
    return redirect(organisation)


def privacy(request: HttpRequest) -> HttpResponse:
    """The privacy statement: the host municipality is the data controller (named by the network profile, or by
    the host organisation until the profile is filled in)."""
    host = selectors.organisation_list(user=request.user).filter(is_host=True).first()
    context = {"profile": core_views.controller(), "host": host, "retention": retention.periods()}
    return render(request, "core/privacy.html", context)
