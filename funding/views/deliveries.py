"""The Peppol outbox: invoices handed to the access point, and what the buyers answered."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.access import require
from funding import access_point, invoice_selectors, services


@require("invoice.delivery")
def delivery_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "funding/delivery_list.html",
        {
            "deliveries": invoice_selectors.delivery_list(user=request.user)[:200],
            "unmatched": invoice_selectors.unmatched_responses(user=request.user)[:50],
            "warned": invoice_selectors.responses_with_warnings(user=request.user)[:50],
            "configured": access_point.SftpSettings.from_django().configured,
        },
    )


@require_POST
@require("invoice.delivery")
def delivery_retry(request: HttpRequest, pk: int) -> HttpResponse:
    delivery = invoice_selectors.delivery_get(user=request.user, pk=pk)
    try:
        services.delivery_retry(delivery=delivery)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The delivery was queued again."))
    return redirect("funding:delivery_list")


@require_POST
@require("invoice.delivery")
def responses_collect(request: HttpRequest) -> HttpResponse:
    try:
        result = services.invoice_responses_collect()
    except access_point.AccessPointError as error:
        messages.error(request, _("The access point could not be reached: %(error)s") % {"error": error})
    else:
        messages.success(
            request,
            _("%(applied)d Invoice Responses read; %(problems)d could not be applied.")
            % {"applied": len(result.applied), "problems": len(result.problems)},
        )
    return redirect("funding:delivery_list")
