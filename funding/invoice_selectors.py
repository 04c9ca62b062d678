"""Every read of invoices, runs and payments that a user triggers, scoped by the policy."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from django.db.models import DecimalField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.http import Http404

from core import policy
from funding.choices import InvoiceKind, InvoiceStatus
from funding.models import Invoice, InvoiceRun, Payment
from funding.models.invoices import InvoiceQuerySet


def _paid() -> Coalesce:
    paid = (
        Payment.objects.filter(invoice=OuterRef("pk")).values("invoice").annotate(total=Sum("amount")).values("total")
    )
    return Coalesce(Subquery(paid, output_field=DecimalField()), Value(Decimal(0)), output_field=DecimalField())


def invoice_list(*, user: Any) -> InvoiceQuerySet:
    queryset = Invoice.objects.select_related("organisation", "credited_invoice").annotate(paid=_paid())
    restricted = policy.restrict(queryset.order_by("-issue_date", "-series", "-number"), user, "invoice.view")
    return cast(InvoiceQuerySet, restricted)  # restrict() filters the same queryset class


def invoice_get(*, user: Any, pk: int) -> Invoice:
    try:
        return invoice_list(user=user).get(pk=pk)
    except Invoice.DoesNotExist:
        raise Http404 from None


def invoice_years(*, user: Any) -> list[int]:
    return list(invoice_list(user=user).order_by("-year").values_list("year", flat=True).distinct())


def invoice_totals(*, user: Any) -> list[dict[str, Any]]:
    """Per year: invoiced, credited, paid and outstanding, over what the user may see (two queries in all)."""
    visible = policy.restrict(Invoice.objects.order_by(), user, "invoice.view")
    money = DecimalField(max_digits=14, decimal_places=2)
    zero = Value(Decimal(0), output_field=money)
    is_invoice = Q(kind=InvoiceKind.INVOICE)
    is_open = is_invoice & ~Q(status=InvoiceStatus.CREDITED)
    per_year = visible.values("year").annotate(
        invoiced=Coalesce(Sum("total", filter=is_invoice), zero),
        credited=Coalesce(Sum("total", filter=Q(kind=InvoiceKind.CREDIT_NOTE)), zero),
        open_total=Coalesce(Sum("total", filter=is_open), zero),
    )
    payments = {
        row["invoice__year"]: row
        for row in Payment.objects.filter(invoice__in=visible.values("pk"))
        .order_by()
        .values("invoice__year")
        .annotate(
            paid=Coalesce(Sum("amount"), zero),
            paid_open=Coalesce(
                Sum("amount", filter=Q(invoice__kind=InvoiceKind.INVOICE) & ~Q(invoice__status=InvoiceStatus.CREDITED)),
                zero,
            ),
        )
    }
    rows = []
    for row in sorted(per_year, key=lambda row: row["year"], reverse=True):
        paid = payments.get(row["year"], {"paid": Decimal(0), "paid_open": Decimal(0)})
        rows.append(
            {
                "year": row["year"],
                "invoiced": row["invoiced"],
                "credited": row["credited"],
                "paid": paid["paid"],
                "outstanding": row["open_total"] - paid["paid_open"],
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
