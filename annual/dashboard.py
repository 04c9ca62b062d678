"""The annual cycle's part of the start page: the secretariat sees the duties of the year that are late."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from annual import selectors
from core import policy
from core.dashboard import Todo, add_todos, dashboard_part


@dashboard_part
def late_duties_part(request: HttpRequest, context: dict[str, Any]) -> None:
    if not policy.can(request.user, "cycle.view"):
        return
    items = [
        Todo(
            label=row.duty.title,
            url=row.finding.url or reverse("annual:cycle"),
            detail=_("due %(date)s. %(missing)s")
            % {"date": date_format(row.due, "SHORT_DATE_FORMAT"), "missing": row.finding.missing},
            urgent=True,
        )
        for row in selectors.late_duties(user=request.user)
    ]
    add_todos(context, _("Late in the annual cycle"), items)
