"""Named predicates: the one definition of when an action is open (an invoice can be reminded, minutes approved, ...).

An app defines a predicate beside the service it guards and registers it with @rule; the service refuses by calling it,
and a page offers the action through the template filter `holds` (core/templatetags/portal.py), e.g.
`{% if invoice|holds:"invoice_can_remind" %}`. Templates never compare status strings themselves."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.core.exceptions import ImproperlyConfigured

Predicate = TypeVar("Predicate", bound=Callable[[Any], bool])

_RULES: dict[str, Callable[[Any], bool]] = {}


def rule(predicate: Predicate) -> Predicate:
    """Register `predicate` under its function name, so pages can ask for it."""
    _RULES[predicate.__name__] = predicate
    return predicate


def holds(name: str, obj: Any) -> bool:
    """Whether the registered predicate `name` holds for `obj`."""
    try:
        predicate = _RULES[name]
    except KeyError:
        raise ImproperlyConfigured(f"No rule is registered as {name!r}.") from None
    return bool(predicate(obj))
