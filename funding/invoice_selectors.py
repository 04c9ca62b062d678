"""Every read of invoices, runs and payments that a user triggers, scoped by the policy."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, cast

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import DecimalField, OuterRef, Q, QuerySet, Subquery, Sum, Value, prefetch_related_objects
from django.db.models.functions import Coalesce
from django.http import Http404

from core import policy
from core.db import remembered
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
    """Invoices and credit notes the user may see, with `paid` and `credited` (see Invoice.outstanding).

    The organisation is joined. The relations most invoices lack (a plan's or a settlement's share) are not: a list
    that shows them fetches them with `with_shares` for the invoices that have them. Joined, PostgreSQL hashed
    every invoice of every year to find the few with one; prefetched, Django built and compiled each lookup's
    query for every list even when no invoice on it had the relation (about 1 ms each).
    """
    queryset = Invoice.objects.select_related("organisation").annotate(paid=_paid(), credited=_credited())
    restricted = policy.restrict(queryset.order_by("-issue_date", "-series", "-number"), user, "invoice.view")
    return cast(InvoiceQuerySet, restricted)  # restrict() filters the same queryset class


# Each plan's title names its initiative.
SHARES = {
    "plan_share_id": "plan_share__plan__initiative",
    "settlement_share_id": "settlement_share__settlement__plan__initiative",
}


def with_shares(invoices: Iterable[Invoice]) -> list[Invoice]:
    """The invoices, with the cost-sharing plan or settlement each is for fetched (one query per relation and
    level) for the invoices that have one: a list of contributions' invoices asks nothing more."""
    invoices = list(invoices)
    for attname, lookup in SHARES.items():
        having = [invoice for invoice in invoices if getattr(invoice, attname)]
        if having:
            prefetch_related_objects(having, lookup)
    return invoices


def invoice_get(*, user: Any, pk: int) -> Invoice:
    try:
        return invoice_list(user=user).get(pk=pk)
    except Invoice.DoesNotExist:
        raise Http404 from None


def invoice_get_for_page(*, user: Any, pk: int) -> Invoice:
    """invoice_get with the lines, payments, reminders and credit notes its page shows fetched with it (and
    services.effective_due_date reads the reminders fetched instead of asking again)."""
    try:
        return invoice_list(user=user).prefetch_related("lines", "payments", "reminders", "credit_notes").get(pk=pk)
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


def _restriction(queryset: QuerySet) -> tuple[str, tuple] | None:
    """The SQL of a queryset restricted to what a user may see, None when it is empty: part of a cache key."""
    try:
        return queryset.query.sql_with_params()
    except EmptyResultSet:
        return None


def invoice_summary(*, user: Any) -> tuple[list[int], list[dict[str, Any]]]:
    """The years of the invoices the user may see (newest first) and their totals per year (invoice_totals).

    Kept while the invoices and payments are as they were (core.db.remembered), for each user's restriction: the
    invoice list shows both on every visit, and both read every invoice of every year.
    """
    mine = policy.restrict(Invoice.objects.order_by(), user, "invoice.view")
    restriction = _restriction(mine)
    if restriction is None:  # someone who may see no invoice (policy.restrict gave none())
        return [], []

    def summary() -> tuple[list[int], list[dict[str, Any]]]:
        years = list(mine.values_list("year", flat=True).distinct().order_by("-year"))
        return years, _totals(mine.exclude(status=InvoiceStatus.DRAFT))

    return remembered("funding:invoice-summary", (Invoice, Payment), restriction, summary)


def invoice_years(*, user: Any) -> list[int]:
    return invoice_summary(user=user)[0]


def invoice_totals(*, user: Any) -> list[dict[str, Any]]:
    """Per year: invoiced, credited, paid, outstanding and overpaid, over what the user may see (one query).

    Outstanding and overpaid add up each invoice's own amount - payments - credits (Invoice.outstanding), so the
    year shows what the invoice pages show; an overpaid invoice does not hide what another still owes.
    """
    return invoice_summary(user=user)[1]


def _totals(visible: QuerySet[Invoice]) -> list[dict[str, Any]]:
    if connection.vendor == "postgresql":
        return _invoice_totals_in_sql(visible)
    rows: dict[int, dict[str, Any]] = {}
    for kind, year, total, paid, credited in visible.annotate(paid=_paid(), credited=_credited()).values_list(
        "kind", "year", "total", "paid", "credited"
    ):
        row = rows.setdefault(year, _year_row(year))
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


def _year_row(year: int) -> dict[str, Any]:
    return {
        "year": year,
        "invoiced": Decimal(0),
        "credited": Decimal(0),
        "paid": Decimal(0),
        "outstanding": Decimal(0),
        "overpaid": Decimal(0),
    }


def _invoice_totals_in_sql(visible: QuerySet[Invoice]) -> list[dict[str, Any]]:
    """invoice_totals in PostgreSQL: the payments and the credits are summed once per invoice and joined (a hash
    join), instead of two subqueries per invoice and every invoice of every year read into Python (a third of the
    invoice list's time with 5 000 invoices). What is owed is outstanding_amount's: total - paid - credited."""
    try:
        visible_sql, visible_params = visible.values("pk", "year", "kind", "total").query.sql_with_params()
    except EmptyResultSet:  # someone who may see no invoice (policy.restrict gave none())
        return []
    payment, invoice = (connection.ops.quote_name(model._meta.db_table) for model in (Payment, Invoice))
    sql = f"""
        WITH paid AS (
            SELECT invoice_id, SUM(amount) AS amount FROM {payment} GROUP BY invoice_id
        ), credited AS (
            SELECT credited_invoice_id AS invoice_id, SUM(total) AS amount FROM {invoice}
            WHERE kind = %s AND status <> %s AND credited_invoice_id IS NOT NULL GROUP BY credited_invoice_id
        ), visible AS (
            SELECT i.year, i.kind = %s AS is_credit_note, i.total, COALESCE(p.amount, 0) AS paid,
                   i.total - COALESCE(p.amount, 0) - COALESCE(c.amount, 0) AS owed
            FROM ({visible_sql}) i (id, year, kind, total)
            LEFT JOIN paid p ON p.invoice_id = i.id LEFT JOIN credited c ON c.invoice_id = i.id
        )
        SELECT year,
               COALESCE(SUM(total) FILTER (WHERE NOT is_credit_note), 0),
               COALESCE(SUM(total) FILTER (WHERE is_credit_note), 0),
               COALESCE(SUM(paid) FILTER (WHERE NOT is_credit_note), 0),
               COALESCE(SUM(owed) FILTER (WHERE NOT is_credit_note AND owed >= 0), 0),
               COALESCE(-SUM(owed) FILTER (WHERE NOT is_credit_note AND owed < 0), 0)
        FROM visible GROUP BY year ORDER BY year DESC
    """  # noqa: S608 (table names from the models; every value a parameter)
    credit_note = InvoiceKind.CREDIT_NOTE.value
    with connection.cursor() as cursor:
        cursor.execute(sql, [credit_note, InvoiceStatus.DRAFT.value, credit_note, *visible_params])
        rows = cursor.fetchall()
    return [
        {"year": year, "invoiced": invoiced, "credited": credited, "paid": paid, "outstanding": owed, "overpaid": over}
        for year, invoiced, credited, paid, owed, over in rows
    ]


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
