"""The portfolio's public pages are cached for visitors who are not signed in (core.cache.cache_public_page); any
change of what they show makes them stale at once, in the transaction of the change."""

from __future__ import annotations

from typing import Any

from django.apps import apps

from core.cache import page_generation_renew
from portfolio.apps import PAGES

# What the overview, an initiative's page and the service catalogue show: the portfolio itself, the cases and
# bodies that decided on it, and the organisations and people named.
APPS = ("portfolio", "governance")
MODELS = ("members.Organisation", "members.User")
NOT_SHOWN = {"last_login"}  # a sign-in saves the user, but no page shows when someone last signed in


def _watched(model: Any) -> bool:
    meta = model._meta
    if meta.apps is not apps:  # a migration's historical model: no page is served from it
        return False
    if meta.object_name.startswith("Historical"):  # the history row of a change already renewed it
        return False
    return meta.app_label in APPS or meta.label in MODELS


def on_change(sender: Any, update_fields: Any = None, action: str | None = None, **kwargs: Any) -> None:
    """post_save, post_delete and m2m_changed of every model: a new generation for the pages."""
    if action is not None and not action.startswith("post_"):
        return  # m2m_changed: once after the change, not before it too
    if not _watched(sender) or (update_fields and set(update_fields) <= NOT_SHOWN):
        return
    page_generation_renew(PAGES)


def renew_generation() -> None:
    """For writes that send no signals (bulk_create, QuerySet.update)."""
    page_generation_renew(PAGES)
