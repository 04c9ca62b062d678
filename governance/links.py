"""What a case decided: the objects elsewhere in the portal that point to the case that adopted them.

Each kind is a reverse relation on Case (a nullable ForeignKey to network.Case on the other model). To show
a new kind on the case page, add a line here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class DecidedKind:
    label: str | Promise
    related_name: str


DECIDED_KINDS: list[DecidedKind] = [
    DecidedKind(_("Contribution models"), "adopted_contribution_models"),
    DecidedKind(_("Agreement texts"), "adopted_agreement_templates"),
    DecidedKind(_("Portfolio decisions"), "portfolio_decisions"),
]


def decided_by(case: Any) -> list[tuple[str | Promise, list[Any]]]:
    """Per kind, the objects this case adopted (kinds with none left out)."""
    found = []
    for kind in DECIDED_KINDS:
        objects = list(getattr(case, kind.related_name).all())
        if objects:
            found.append((kind.label, objects))
    return found
