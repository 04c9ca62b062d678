from datetime import date

from django.db.models import Count, Q, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from members import selectors as member_selectors
from members.choices import MembershipStatus
from network import policy
from network.models import NetworkProfile


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


# The statements every Norwegian public web solution publishes: accessibility (WCAG 2.1 AA) and privacy.
ACCESSIBILITY_REVIEWED = date(2026, 12, 1)


def _controller() -> NetworkProfile | None:
    """The network's legal entity (the host municipality), as its profile names it."""
    return NetworkProfile.objects.order_by("pk").first()


def accessibility_statement(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "network/accessibility_statement.html",
        {"profile": _controller(), "reviewed": ACCESSIBILITY_REVIEWED},
    )


def privacy(request: HttpRequest) -> HttpResponse:
    host = member_selectors.organisation_list(user=request.user).filter(is_host=True).first()
    return render(request, "network/privacy.html", {"profile": _controller(), "host": host})
