"""Every read of invoices, runs and payments that a user triggers, scoped by the policy."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import DecimalField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.http import Http404

from core import policy
from funding.choices import InvoiceKind, InvoiceStatus
from funding.models import Invoice, InvoiceRun, Payment


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


def invoices_due(*, user: Any, today: date, within_days: int = 14) -> QuerySet[Invoice]:
    """The user's unpaid invoices that are overdue or fall due within `within_days`, the earliest first."""
    open_statuses = [InvoiceStatus.ISSUED, InvoiceStatus.SENT, InvoiceStatus.PARTLY_PAID, InvoiceStatus.OVERDUE]
    return (
        invoice_list(user=user)
        .filter(kind=InvoiceKind.INVOICE, status__in=open_statuses)
        .filter(Q(due_date__lte=today + timedelta(days=within_days)) | Q(status=InvoiceStatus.OVERDUE))
        .order_by("due_date", "number")
    )


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
