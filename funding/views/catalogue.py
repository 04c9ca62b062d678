"""The secretariat's priced services and members' orders of them; one-off contributions and the solutions they
finance (open to their contributors, or to whoever pays the connection fee)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import policy
from core.access import require
from core.forms import add_service_error
from funding import selectors
from funding.forms import (
    InvoiceDatesForm,
    OneOffInvoiceForm,
    OneOffModelForm,
    OrderDeliverForm,
    PricedServiceForm,
    ServiceOrderForm,
)
from funding.services import catalogue as services
from funding.services import default_due_date
from funding.services.catalogue import ONE_OFF_FIELDS, SERVICE_FIELDS


def _dates_initial() -> dict:
    today = timezone.localdate()
    return {"issue_date": today, "due_date": default_due_date(today)}


def _form_page(request: HttpRequest, form, title: str, back: str, intro: str = "") -> HttpResponse:
    return render(request, "funding/simple_form.html", {"form": form, "title": title, "back": back, "intro": intro})


# ------------------------------------------------------------------------------------------------
# The catalogue


@require("priced_service.view")
def service_list(request: HttpRequest) -> HttpResponse:
    services_shown = list(selectors.priced_service_list(user=request.user))
    for service in services_shown:
        service.usable = policy.can_use_service(request.user, service)
    return render(
        request,
        "funding/service_list.html",
        {"services": services_shown, "can_manage": policy.can(request.user, "priced_service.manage")},
    )


@require("priced_service.view")
def service_detail(request: HttpRequest, pk: int) -> HttpResponse:
    service = selectors.priced_service_get(user=request.user, pk=pk)
    usable = policy.can_use_service(request.user, service)
    return render(
        request,
        "funding/service_detail.html",
        {
            "service": service,
            "usable": usable,
            "can_order": usable and policy.can(request.user, "service_order.place"),
            "can_take_into_use": not usable
            and services.service_can_take_into_use(service)
            and policy.can(request.user, "solution.take_into_use"),
            "can_manage": policy.can(request.user, "priced_service.manage"),
        },
    )


def _saved_form_page(request: HttpRequest, form, instance, fields, save, saved_message, new_title) -> HttpResponse:
    """A catalogue form (a service, a one-off model): saved through its service with its fields, or shown
    again with the service's refusal on it."""
    if request.method == "POST" and form.is_valid():
        try:
            saved = save(**{name: form.cleaned_data[name] for name in fields})
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, saved_message)
            return redirect(saved)
    title = _("Edit %(name)s") % {"name": instance} if instance else new_title
    return _form_page(request, form, title, instance.get_absolute_url() if instance else "")


def _service_form_page(request: HttpRequest, service=None) -> HttpResponse:
    return _saved_form_page(
        request,
        PricedServiceForm(request.POST or None, instance=service),
        service,
        SERVICE_FIELDS,
        lambda **values: services.priced_service_save(service=service, **values),
        _("The service was saved."),
        _("New service"),
    )


@require("priced_service.manage")
def service_create(request: HttpRequest) -> HttpResponse:
    return _service_form_page(request)


@require("priced_service.manage")
def service_update(request: HttpRequest, pk: int) -> HttpResponse:
    return _service_form_page(request, selectors.priced_service_get(user=request.user, pk=pk))


@require_POST
@require("solution.take_into_use")
def service_take_into_use(request: HttpRequest, pk: int) -> HttpResponse:
    service = selectors.priced_service_get(user=request.user, pk=pk)
    try:
        invoice = services.solution_take_into_use(
            service=service, organisation=request.user.organisation, taken_by=request.user
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("%(service)s is taken into use; the connection fee is invoiced (%(invoice)s).")
            % {"service": service.title, "invoice": invoice},
        )
    return redirect(service)


# ------------------------------------------------------------------------------------------------
# Orders


@require("service_order.place")
def order_create(request: HttpRequest, pk: int) -> HttpResponse:
    service = selectors.priced_service_get(user=request.user, pk=pk)
    form = ServiceOrderForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            order = services.service_order_place(
                service=service,
                organisation=request.user.organisation,
                quantity=form.cleaned_data["quantity"],
                description=form.cleaned_data["description"],
                ordered_by=request.user,
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The order is placed; your director or finance officer agrees to it."))
            return redirect(order)
    intro = _("%(service)s costs %(price)s NOK %(unit)s, without VAT (the network's services are outside VAT).") % {
        "service": service.title,
        "price": service.unit_price,
        "unit": service.get_unit_display(),
    }
    return _form_page(
        request, form, _("Order %(service)s") % {"service": service.title}, service.get_absolute_url(), intro
    )


@require("service_order.view")
def order_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "funding/order_list.html",
        {
            "orders": selectors.service_order_list(user=request.user),
            "can_manage": policy.can(request.user, "service_order.manage"),
        },
    )


@require("service_order.view")
def order_detail(request: HttpRequest, pk: int) -> HttpResponse:
    order = selectors.service_order_get(user=request.user, pk=pk)
    invoices = order.invoices.order_by("number") if policy.can(request.user, "invoice.view", order) else []
    return render(
        request,
        "funding/order_detail.html",
        {
            "order": order,
            "invoices": invoices,
            "can_agree": policy.can(request.user, "service_order.agree", order),
            "can_manage": policy.can(request.user, "service_order.manage"),
        },
    )


@require_POST
@require("service_order.agree")
def order_agree(request: HttpRequest, pk: int) -> HttpResponse:
    order = selectors.service_order_get(user=request.user, pk=pk)
    if not policy.can(request.user, "service_order.agree", order):
        messages.error(request, _("Only the organisation's director or finance officer agrees to its orders."))
        return redirect(order)
    try:
        services.service_order_agree(order=order, agreed_by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The order is agreed."))
    return redirect(order)


@require_POST
@require("service_order.manage")
def order_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    order = selectors.service_order_get(user=request.user, pk=pk)
    try:
        services.service_order_cancel(order=order)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The order is cancelled."))
    return redirect(order)


@require("service_order.manage")
def order_deliver(request: HttpRequest, pk: int) -> HttpResponse:
    order = selectors.service_order_get(user=request.user, pk=pk)
    form = OrderDeliverForm(
        request.POST or None, initial={"delivered_quantity": order.quantity, "delivered_on": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.service_order_deliver(order=order, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The order is marked delivered."))
            return redirect(order)
    return _form_page(request, form, _("Deliver %(order)s") % {"order": order}, order.get_absolute_url())


@require("service_order.manage")
def order_invoice(request: HttpRequest, pk: int) -> HttpResponse:
    order = selectors.service_order_get(user=request.user, pk=pk)
    form = InvoiceDatesForm(request.POST or None, initial=_dates_initial())
    if request.method == "POST" and form.is_valid():
        try:
            invoice, _created = services.service_order_invoice(order=order, issued_by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Invoice %(number)s is issued.") % {"number": invoice.display_number})
            return redirect(invoice)
    intro = ""
    if order.delivered_amount is not None:
        intro = _("The delivered quantity is invoiced at the price agreed: %(amount)s NOK.") % {
            "amount": order.delivered_amount
        }
    return _form_page(request, form, _("Invoice %(order)s") % {"order": order}, order.get_absolute_url(), intro)


# ------------------------------------------------------------------------------------------------
# One-off contributions


@require("one_off.view")
def one_off_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "funding/one_off_list.html",
        {
            "models": selectors.one_off_model_list(user=request.user),
            "can_manage": policy.can(request.user, "one_off.manage"),
        },
    )


@require("one_off.view")
def one_off_detail(request: HttpRequest, pk: int) -> HttpResponse:
    model = selectors.one_off_model_get(user=request.user, pk=pk)
    can_manage = policy.can(request.user, "one_off.manage")
    contributors = services.one_off_contributors(model)
    return render(
        request,
        "funding/one_off_detail.html",
        {
            "model": model,
            "contributors": contributors,
            "shows_invoices": can_manage,
            "solutions": model.solutions.filter(is_published=True),
            "can_manage": can_manage,
            "editable": can_manage and not model.invoices.exists(),
        },
    )


def _one_off_form_page(request: HttpRequest, model=None) -> HttpResponse:
    return _saved_form_page(
        request,
        OneOffModelForm(request.POST or None, instance=model),
        model,
        ONE_OFF_FIELDS,
        lambda **values: services.one_off_model_save(model=model, **values),
        _("The one-off contribution was saved."),
        _("New one-off contribution"),
    )


@require("one_off.manage")
def one_off_create(request: HttpRequest) -> HttpResponse:
    return _one_off_form_page(request)


@require("one_off.manage")
def one_off_update(request: HttpRequest, pk: int) -> HttpResponse:
    model = selectors.one_off_model_get(user=request.user, pk=pk)
    if model.invoices.exists():
        messages.error(request, _("%(name)s has been invoiced; it is not changed any more.") % {"name": model.name})
        return redirect(model)
    return _one_off_form_page(request, model)


@require("one_off.manage")
def one_off_invoice(request: HttpRequest, pk: int) -> HttpResponse:
    model = selectors.one_off_model_get(user=request.user, pk=pk)
    form = OneOffInvoiceForm(request.POST or None, initial=_dates_initial())
    if request.method == "POST" and form.is_valid():
        try:
            issued = services.one_off_invoice(
                model=model,
                organisations=list(form.cleaned_data["organisations"]),
                issue_date=form.cleaned_data["issue_date"],
                due_date=form.cleaned_data["due_date"],
                issued_by=request.user,
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("%(count)d invoices issued.") % {"count": len(issued)})
            return redirect(model)
    intro = _(
        "Each organisation chosen is invoiced once: NOK per inhabitant on %(date)s by its kind. One already invoiced "
        "(and not credited) is not invoiced again."
    ) % {"date": model.population_date.strftime("%d.%m.%Y")}
    return _form_page(request, form, _("Invoice %(name)s") % {"name": model.name}, model.get_absolute_url(), intro)
