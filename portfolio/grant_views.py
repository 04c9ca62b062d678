"""Grants: the secretariat applies, records the grantor's decision and reports on the use of the funds."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.access import require
from core.exports import spreadsheet_response
from core.forms import add_service_error
from portfolio import grants as services
from portfolio import selectors
from portfolio.grant_forms import (
    GrantAwardForm,
    GrantForm,
    GrantItemFormSet,
    GrantReportForm,
    GrantReportSubmitForm,
    GrantSubmitForm,
)
from portfolio.models import Grant


@require("grant.manage")
def grant_list(request: HttpRequest) -> HttpResponse:
    return render(request, "portfolio/grant_list.html", {"grants": selectors.grant_list(user=request.user)})


@require("grant.manage")
def grant_detail(request: HttpRequest, pk: int) -> HttpResponse:
    grant = selectors.grant_get(user=request.user, pk=pk)
    rows = services.grant_report_rows(grant)
    return render(
        request,
        "portfolio/grant_detail.html",
        {
            "grant": grant,
            "items": selectors.grant_items(grant),
            "rows": rows,
            "totals": services.report_totals(rows),
            "missing": services.grant_report_missing(grant) if services.grant_can_report(grant) else [],
            "report_submit_form": GrantReportSubmitForm(initial={"reported_on": timezone.localdate()}),
        },
    )


def _grant_form_page(request: HttpRequest, grant: Grant | None = None) -> HttpResponse:
    data = request.POST if request.method == "POST" else None
    form = GrantForm(data, instance=grant)
    initial = [{"initiative": item.initiative, "applied": item.applied} for item in grant.items.all()] if grant else []
    items = GrantItemFormSet(data, initial=initial or None, prefix="items")
    if request.method == "POST" and form.is_valid() and items.is_valid():
        inputs = [
            services.ItemInput(initiative=f.cleaned_data["initiative"], applied=f.cleaned_data["applied"])
            for f in items.forms
            if f.cleaned_data and f.cleaned_data.get("initiative") and not f.cleaned_data.get("DELETE")
        ]
        try:
            saved = services.grant_save(grant=grant, values=form.cleaned_data, items=inputs)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The application was saved."))
            return redirect(saved)
    title = _("Edit %(name)s") % {"name": grant.title} if grant else _("New grant application")
    return render(request, "portfolio/grant_form.html", {"form": form, "items": items, "grant": grant, "title": title})


@require("grant.manage")
def grant_create(request: HttpRequest) -> HttpResponse:
    return _grant_form_page(request)


@require("grant.manage")
def grant_update(request: HttpRequest, pk: int) -> HttpResponse:
    grant = selectors.grant_get(user=request.user, pk=pk)
    if not services.grant_can_edit(grant):
        messages.error(request, _("An application that has been sent is not changed."))
        return redirect(grant)
    return _grant_form_page(request, grant)


def _simple(request: HttpRequest, grant: Grant, form, title: str, intro: str = "") -> HttpResponse:
    return render(
        request,
        "portfolio/grant_step.html",
        {"form": form, "grant": grant, "title": title, "intro": intro},
    )


@require("grant.manage")
def grant_submit(request: HttpRequest, pk: int) -> HttpResponse:
    grant = selectors.grant_get(user=request.user, pk=pk)
    if not services.grant_can_submit(grant):
        messages.error(request, _("This application has already been sent."))
        return redirect(grant)
    form = GrantSubmitForm(request.POST or None, initial={"applied_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.grant_submit(grant=grant, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The application is marked as sent; it is no longer changed."))
            return redirect(grant)
    return _simple(
        request,
        grant,
        form,
        _("Send %(name)s") % {"name": grant.title},
        _("Each initiative's funding plan is checked first: own effort must be at least half of it."),
    )


@require("grant.manage")
def grant_award(request: HttpRequest, pk: int) -> HttpResponse:
    grant = selectors.grant_get(user=request.user, pk=pk)
    if not services.grant_can_award(grant):
        messages.error(request, _("The grantor's decision is recorded for an application that has been sent."))
        return redirect(grant)
    items = list(selectors.grant_items(grant))
    initial = {
        "decided_on": grant.decided_on or timezone.localdate(),
        "grantor_reference": grant.grantor_reference,
        "conditions": grant.conditions,
        "report_due": grant.report_due,
    }
    form = GrantAwardForm(request.POST or None, items=items, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.grant_award(
                grant=grant,
                awarded=form.awarded(),
                **{name: form.cleaned_data[name] for name in ("decided_on", "grantor_reference", "conditions")},
                report_due=form.cleaned_data["report_due"],
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The decision is recorded and the funding plans are updated."))
            return redirect(grant)
    return _simple(
        request,
        grant,
        form,
        _("The grantor's decision on %(name)s") % {"name": grant.title},
        _("Each amount awarded goes into the initiative's funding plan; own effort must stay at least half of it."),
    )


@require("grant.manage")
def grant_report(request: HttpRequest, pk: int) -> HttpResponse:
    grant = selectors.grant_get(user=request.user, pk=pk)
    if not services.grant_can_report(grant):
        messages.error(request, _("A report is written for a grant that was awarded and not yet reported on."))
        return redirect(grant)
    items = list(selectors.grant_items(grant))
    own_effort = {item.pk: services.own_effort_in_plan(item, grant.year) for item in items}
    form = GrantReportForm(request.POST or None, items=items, own_effort=own_effort)
    if request.method == "POST" and form.is_valid():
        try:
            services.grant_report_save(grant=grant, report=form.entries())
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The report was saved."))
            return redirect(grant)
    return _simple(
        request,
        grant,
        form,
        _("Report on %(name)s") % {"name": grant.title},
        _("Per project, as the grantor's form asks: funds used, own effort, where it stands and what it gave."),
    )


@require_POST
@require("grant.manage")
def grant_report_submit(request: HttpRequest, pk: int) -> HttpResponse:
    grant = selectors.grant_get(user=request.user, pk=pk)
    form = GrantReportSubmitForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect(grant)
    try:
        services.grant_report_submit(grant=grant, **form.cleaned_data)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The report is filed and stored as PDF."))
    return redirect(grant)


@require("grant.manage")
def grant_report_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    grant = selectors.grant_get(user=request.user, pk=pk)
    response = HttpResponse(services.grant_report_pdf_bytes(grant=grant), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, f"rapport-tilskudd-{grant.pk}.pdf")
    return response


@require("grant.manage")
def grant_report_csv(request: HttpRequest, pk: int) -> HttpResponse:
    grant = selectors.grant_get(user=request.user, pk=pk)
    header, rows = services.grant_report_table(grant)
    return spreadsheet_response("csv", f"rapport-tilskudd-{grant.pk}", header, rows)
