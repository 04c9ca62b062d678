"""Every read of invoices, runs and payments that a user triggers, scoped by the policy."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any, cast

from django.db.models import DecimalField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.http import Http404

from core import policy
from funding.choices import InvoiceKind, InvoiceStatus
from funding.models import Invoice, InvoiceDelivery, InvoiceResponseMessage, InvoiceRun, Payment
from funding.models.invoices import InvoiceQuerySet, outstanding_amount


def _paid() -> Coalesce:
    paid = (
        Payment.objects.filter(invoice=OuterRef("pk")).values("invoice").annotate(total=Sum("amount")).values("total")
    )
    return Coalesce(Subquery(paid, output_field=DecimalField()), Value(Decimal(0)), output_field=DecimalField())


def _credited() -> Coalesce:
    credited = (
        Invoice.objects.filter(credited_invoice=OuterRef("pk"), kind=InvoiceKind.CREDIT_NOTE)
        .exclude(status=InvoiceStatus.DRAFT)
        .order_by()
        .values("credited_invoice")
        .annotate(total=Sum("total"))
        .values("total")
    )
    return Coalesce(Subquery(credited, output_field=DecimalField()), Value(Decimal(0)), output_field=DecimalField())


def invoice_list(*, user: Any) -> InvoiceQuerySet:
    """Invoices and credit notes the user may see, with `paid` and `credited` (see Invoice.outstanding)."""
    queryset = Invoice.objects.select_related(
        "organisation",
        "credited_invoice",
        "plan_share__plan__initiative",
        "settlement_share__settlement__plan__initiative",
    ).annotate(paid=_paid(), credited=_credited())
    restricted = policy.restrict(queryset.order_by("-issue_date", "-series", "-number"), user, "invoice.view")
    return cast(InvoiceQuerySet, restricted)  # restrict() filters the same queryset class


def invoice_get(*, user: Any, pk: int) -> Invoice:
    try:
        return invoice_list(user=user).get(pk=pk)
    except Invoice.DoesNotExist:
        raise Http404 from None


def invoices_due(*, user: Any, today: date, within_days: int = 14) -> QuerySet[Invoice]:
    """The user's unpaid invoices that are overdue or fall due within `within_days`, the earliest first."""
    return (
        invoice_list(user=user)
        .open()
        .filter(Q(due_date__lte=today + timedelta(days=within_days)) | Q(status=InvoiceStatus.OVERDUE))
        .order_by("due_date", "number")
    )


def invoice_years(*, user: Any) -> list[int]:
    return list(invoice_list(user=user).order_by("-year").values_list("year", flat=True).distinct())


def invoice_totals(*, user: Any) -> list[dict[str, Any]]:
    """Per year: invoiced, credited, paid, outstanding and overpaid, over what the user may see (one query).

    Outstanding and overpaid add up each invoice's own amount - payments - credits (Invoice.outstanding), so the
    year shows what the invoice pages show; an overpaid invoice does not hide what another still owes.
    """
    visible = policy.restrict(Invoice.objects.order_by(), user, "invoice.view").exclude(status=InvoiceStatus.DRAFT)
    rows: dict[int, dict[str, Any]] = {}
    for kind, year, total, paid, credited in visible.annotate(paid=_paid(), credited=_credited()).values_list(
        "kind", "year", "total", "paid", "credited"
    ):
        row = rows.setdefault(
            year,
            {
                "year": year,
                "invoiced": Decimal(0),
                "credited": Decimal(0),
                "paid": Decimal(0),
                "outstanding": Decimal(0),
                "overpaid": Decimal(0),
            },
        )
        if kind == InvoiceKind.CREDIT_NOTE:
            row["credited"] += total
            continue
        row["invoiced"] += total
        row["paid"] += paid
        owed = outstanding_amount(total=total, paid=paid, credited=credited)
        if owed >= 0:
            row["outstanding"] += owed
        else:
            row["overpaid"] -= owed
    return [rows[year] for year in sorted(rows, reverse=True)]


def invoice_run_get(*, user: Any, pk: int) -> InvoiceRun:
    if not policy.can(user, "invoice.manage"):
        raise Http404
    try:
        return InvoiceRun.objects.get(pk=pk)
    except InvoiceRun.DoesNotExist:
        raise Http404 from None


def delivery_list(*, user: Any) -> QuerySet[InvoiceDelivery]:
    """The Peppol outbox, newest first, for those who may see it."""
    if not policy.can(user, "invoice.delivery"):
        return InvoiceDelivery.objects.none()
    return InvoiceDelivery.objects.select_related("invoice", "invoice__organisation").order_by("-queued_at", "-pk")


def delivery_get(*, user: Any, pk: int) -> InvoiceDelivery:
    try:
        return delivery_list(user=user).get(pk=pk)
    except InvoiceDelivery.DoesNotExist:
        raise Http404 from None


def unmatched_responses(*, user: Any) -> QuerySet[InvoiceResponseMessage]:
    """Invoice Responses that could not be applied (not readable, or for no delivered invoice)."""
    if not policy.can(user, "invoice.delivery"):
        return InvoiceResponseMessage.objects.none()
    return InvoiceResponseMessage.objects.exclude(problem="").order_by("-received_at")


def responses_with_warnings(*, user: Any) -> QuerySet[InvoiceResponseMessage]:
    """Invoice Responses that were applied although they break rules of the BIS flagged as warnings."""
    if not policy.can(user, "invoice.delivery"):
        return InvoiceResponseMessage.objects.none()
    return InvoiceResponseMessage.objects.filter(problem="").exclude(rule_warnings="").order_by("-received_at")
