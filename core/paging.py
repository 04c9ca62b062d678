"""One page of a list that can grow: a bounded number of rows a request, the count taken in SQL."""

from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest

PER_PAGE = 50


def page_of(request: HttpRequest, queryset: QuerySet, per_page: int | None = None) -> Page:
    """The page `?page=` asks for (the first for a missing or bad number, the last past the end)."""
    page = Paginator(queryset, per_page or PER_PAGE).get_page(request.GET.get("page"))
    # The numbers to link to (the first and last few, those around this one, "…" between): for the template.
    page.elided_range = list(page.paginator.get_elided_page_range(page.number))  # type: ignore[attr-defined]
    return page
