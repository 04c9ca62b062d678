"""The members' part of the start page: the network's size, and one's own organisation and people."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, Sum
from django.http import HttpRequest
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core import policy
from core.dashboard import Todo, add_todos, dashboard_part
from members import selectors
from members.choices import MembershipStatus


@dashboard_part
def members_part(request: HttpRequest, context: dict[str, Any]) -> None:
    user = request.user
    organisations = selectors.organisation_list(user=user)
    members = organisations.filter(membership_status__in=[MembershipStatus.MEMBER, MembershipStatus.NOTICE_GIVEN])
    # One query for the count, the inhabitants and (for the secretariat) those without a buyer's reference.
    totals = members.aggregate(
        n=Count("pk"), total=Sum("population"), no_reference=Count("pk", filter=Q(buyer_reference=""))
    )
    context["member_count"] = totals["n"]
    context["member_population"] = totals["total"] or 0
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
        context["missing_buyer_reference"] = totals["no_reference"]
    if user.is_authenticated and user.organisation_id:
        own = selectors.organisation_get(user=user, pk=user.organisation_id)
        context["own"] = own
        context["own_people"] = selectors.people_list(user=user, organisation=own)


@dashboard_part
def agreement_todos(request: HttpRequest, context: dict[str, Any]) -> None:
    """A director's agreements waiting for their signature; the leader's waiting for the countersignature."""
    user = request.user
    if not user.is_authenticated:
        return
    today = timezone.localdate()

    def todo(agreement) -> Todo:
        detail = _("sign by %(date)s") % {"date": date_format(agreement.expires_on, "SHORT_DATE_FORMAT")}
        return Todo(
            label=f"{agreement.template} – {agreement.organisation.name}",
            url=agreement.get_absolute_url(),
            detail=detail,
            urgent=(agreement.expires_on - today).days <= 7,
        )

    add_todos(
        context,
        _("Agreements waiting for your signature"),
        [todo(i) for i in selectors.invitations_awaiting_signature(user=user)],
    )
    add_todos(
        context,
        _("Agreements waiting for the network's countersignature"),
        [todo(i) for i in selectors.invitations_awaiting_countersignature(user=user)],
    )
