"""The money part of the start page: a finance officer's or director's own contributions and open invoices."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from core import policy
from core.dashboard import dashboard_part
from funding import invoice_selectors
from funding import selectors as funding_selectors


@dashboard_part
def money_attention_part(request: HttpRequest, context: dict[str, Any]) -> None:
    """For the secretariat: what in the money year is out of date, blocked or waiting, each with where to mend it."""
    if not policy.is_secretariat(request.user):
        return
    from funding.attention import money_attention

    context["money_attention"] = money_attention()


@dashboard_part
def money_part(request: HttpRequest, context: dict[str, Any]) -> None:
    user = request.user
    own = context.get("own")
    if own is None or policy.is_secretariat(user) or not policy.can(user, "contribution.view", own):
        return
    context["own_contributions"] = funding_selectors.contribution_list(user=user).filter(organisation=own)[:3]
    context["own_open_invoices"] = invoice_selectors.invoice_list(user=user).open().filter(organisation=own)
