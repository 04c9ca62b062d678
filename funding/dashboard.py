"""The money part of the start page: a finance officer's or director's own contributions and open invoices."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core import policy
from core.dashboard import Todo, add_todos, dashboard_part
from core.templatetags.portal import nok
from funding import invoice_selectors
from funding import selectors as funding_selectors
from funding.choices import InvoiceStatus


@dashboard_part
def money_attention_part(request: HttpRequest, context: dict[str, Any]) -> None:
    """For the secretariat: what in the money year is out of date, blocked or waiting, each with where to mend it."""
    if not policy.is_secretariat(request.user):
        return
    from funding.attention import money_attention

    context["money_attention"] = money_attention()


@dashboard_part
def money_part(request: HttpRequest, context: dict[str, Any]) -> None:
    user = request.user
    own = context.get("own")
    if own is None or policy.is_secretariat(user) or not policy.can(user, "contribution.view", own):
        return
    context["own_contributions"] = funding_selectors.contribution_list(user=user).filter(organisation=own)[:3]
    context["own_open_invoices"] = invoice_selectors.invoice_list(user=user).open().filter(organisation=own)


@dashboard_part
def invoice_todos(request: HttpRequest, context: dict[str, Any]) -> None:
    """A finance officer's invoices that are overdue or fall due within two weeks."""
    user = request.user
    if not (user.is_authenticated and getattr(user, "is_finance_officer", False)):
        return
    today = timezone.localdate()
    overdue: list[Todo] = []
    due: list[Todo] = []
    for invoice in invoice_selectors.invoices_due(user=user, today=today):
        if invoice.due_date is None:  # an issued invoice always has one
            continue
        late = invoice.due_date < today or invoice.status == InvoiceStatus.OVERDUE
        outstanding = invoice.outstanding
        detail = _("%(amount)s, due %(date)s") % {
            "amount": nok(outstanding, 2),
            "date": date_format(invoice.due_date, "SHORT_DATE_FORMAT"),
        }
        label = _("Invoice %(number)s to %(name)s") % {"number": invoice.display_number, "name": invoice.buyer_name}
        (overdue if late else due).append(Todo(label=label, url=invoice.get_absolute_url(), detail=detail, urgent=late))
    add_todos(context, _("Overdue invoices"), overdue)
    add_todos(context, _("Invoices due within two weeks"), due)
