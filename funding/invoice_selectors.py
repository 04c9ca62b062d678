"""Every read of invoices, runs and payments that a user triggers, scoped by the policy."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import DecimalField, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.http import Http404

from funding.choices import InvoiceKind, InvoiceStatus
from funding.models import Invoice, InvoiceRun, Payment
from network import policy


def _paid() -> Coalesce:
    paid = (
        Payment.objects.filter(invoice=OuterRef("pk")).values("invoice").annotate(total=Sum("amount")).values("total")
    )
    return Coalesce(Subquery(paid, output_field=DecimalField()), Value(Decimal(0)), output_field=DecimalField())


def invoice_list(*, user: Any) -> QuerySet[Invoice]:
    queryset = Invoice.objects.select_related("organisation", "credited_invoice").annotate(paid=_paid())
    return policy.restrict(queryset.order_by("-issue_date", "-series", "-number"), user, "invoice.view")


def invoice_get(*, user: Any, pk: int) -> Invoice:
    try:
        return invoice_list(user=user).get(pk=pk)
    except Invoice.DoesNotExist:
        raise Http404 from None


def invoice_years(*, user: Any) -> list[int]:
    return list(invoice_list(user=user).order_by("-year").values_list("year", flat=True).distinct())


def invoice_totals(*, user: Any) -> list[dict[str, Any]]:
    """Per year: invoiced, credited, paid and outstanding, over what the user may see."""
    visible = invoice_list(user=user)
    rows = []
    for year in invoice_years(user=user):
        of_year = visible.filter(year=year)
        invoiced = of_year.filter(kind=InvoiceKind.INVOICE).aggregate(total=Sum("total"))["total"] or Decimal(0)
        credited = of_year.filter(kind=InvoiceKind.CREDIT_NOTE).aggregate(total=Sum("total"))["total"] or Decimal(0)
        paid = Payment.objects.filter(invoice__in=of_year.values("pk")).aggregate(total=Sum("amount"))[
            "total"
        ] or Decimal(0)
        open_invoices = of_year.filter(kind=InvoiceKind.INVOICE).exclude(status=InvoiceStatus.CREDITED)
        open_total = open_invoices.aggregate(total=Sum("total"))["total"] or Decimal(0)
        paid_open = Payment.objects.filter(invoice__in=open_invoices.values("pk")).aggregate(total=Sum("amount"))[
            "total"
        ] or Decimal(0)
        rows.append(
            {
                "year": year,
                "invoiced": invoiced,
                "credited": credited,
                "paid": paid,
                "outstanding": open_total - paid_open,
            }
        )
    return rows


def invoice_run_get(*, user: Any, pk: int) -> InvoiceRun:
    if not policy.can(user, "invoice.manage"):
        raise Http404
    try:
        return InvoiceRun.objects.get(pk=pk)
    except InvoiceRun.DoesNotExist:
        raise Http404 from None
