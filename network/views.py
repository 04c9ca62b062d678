from django.db import DatabaseError, connection
from django.db.models import Count, Q, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from members import selectors as member_selectors
from members.choices import MembershipStatus
from network import policy


def dashboard(request: HttpRequest) -> HttpResponse:
    """The start page: what each role needs first."""
    user = request.user
    context: dict = {}
    organisations = member_selectors.organisation_list(user=user)
    members = organisations.filter(membership_status__in=[MembershipStatus.MEMBER, MembershipStatus.NOTICE_GIVEN])
    context["member_count"] = members.count()
    context["member_population"] = members.aggregate(total=Sum("population"))["total"] or 0
    if policy.is_secretariat(user):
        context["status_counts"] = [
            {
                "status": row["membership_status"],
                "label": MembershipStatus(row["membership_status"]).label,
                "n": row["n"],
            }
            for row in organisations.values("membership_status").annotate(n=Count("pk")).order_by("membership_status")
        ]
        context["missing_population"] = members.filter(Q(population__isnull=True)).order_by("name")
        context["missing_buyer_reference"] = members.filter(buyer_reference="").count()
    if user.is_authenticated and user.organisation_id:
        own = member_selectors.organisation_get(user=user, pk=user.organisation_id)
        context["own"] = own
        context["own_people"] = member_selectors.people_list(user=user, organisation=own)
        if policy.can(user, "contribution.view", own) and not policy.is_secretariat(user):
            from funding import invoice_selectors
            from funding import selectors as funding_selectors
            from funding.choices import InvoiceKind, InvoiceStatus

            context["own_contributions"] = funding_selectors.contribution_list(user=user).filter(organisation=own)[:3]
            context["own_open_invoices"] = (
                invoice_selectors.invoice_list(user=user)
                .filter(organisation=own, kind=InvoiceKind.INVOICE)
                .exclude(status__in=[InvoiceStatus.PAID, InvoiceStatus.CREDITED])
            )
    return render(request, "network/dashboard.html", context)


def health(request: HttpRequest) -> HttpResponse:
    """For load balancers and monitoring: "ok" when the database answers, 503 when it does not.

    Redis is left out on purpose: without it the portal still serves pages and says so when a job cannot be queued.
    """
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")
