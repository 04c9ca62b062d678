"""The portfolio's part of the start page: the secretariat sees the grant reports that fall due soon or are late."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core import policy
from core.dashboard import Todo, add_todos, dashboard_part
from portfolio import selectors

# How long before its due date a grant report appears on the start page.
REPORT_NOTICE = dt.timedelta(days=60)


@dashboard_part
def grant_reports_part(request: HttpRequest, context: dict[str, Any]) -> None:
    if not policy.can(request.user, "grant.manage"):
        return
    today = timezone.localdate()
    items = []
    for grant in selectors.grant_reports_due(user=request.user, until=today + REPORT_NOTICE):
        if grant.report_due is None:  # the selector leaves these out
            continue
        items.append(
            Todo(
                label=_("Report on %(name)s") % {"name": grant.title},
                url=grant.get_absolute_url(),
                detail=_("to %(grantor)s, due %(date)s")
                % {"grantor": grant.grantor, "date": date_format(grant.report_due, "SHORT_DATE_FORMAT")},
                urgent=grant.report_due < today,
            )
        )
    add_todos(context, _("Grant reports due"), items)
