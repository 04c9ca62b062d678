"""The start page: what each role needs first. Each app adds its own part (registered in its AppConfig.ready),
so the kernel shows members' facts, money and papers without importing the apps."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

Part = Callable[[HttpRequest, dict[str, Any]], None]
_parts: list[Part] = []


def dashboard_part(part: Part) -> Part:
    """Register a function that adds an app's part of the start page to the template context."""
    if part not in _parts:
        _parts.append(part)
    return part


@dataclass(frozen=True)
class Todo:
    """One thing waiting for the user, with the page where it is done."""

    label: str
    url: str
    detail: str = ""
    urgent: bool = False


def add_todos(context: dict[str, Any], title: str, items: list[Todo]) -> None:
    """Add a group of to-dos to the start page's "To do" section (a group without items is left out)."""
    if items:
        context.setdefault("todos", []).append({"title": title, "items": items})


def dashboard(request: HttpRequest) -> HttpResponse:
    context: dict[str, Any] = {}
    for part in _parts:
        part(request, context)
    return render(request, "core/dashboard.html", context)
