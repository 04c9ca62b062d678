"""The life cycle of an initiative: which moves are allowed, and what each gate requires.

Pure: no database. A service gathers an initiative's facts into `Facts`, asks `problems()` and saves the
transition only when the list is empty. The funding rule (grant-funded projects need at least 50 % own
effort) lives here too, because the approval gate depends on it and pages show it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from portfolio.choices import GRANT_SOURCES, FundingSource, State

OWN_EFFORT_MINIMUM = Decimal("0.5")

# Allowed moves: from each state, the states it may go to. Completed and rejected are final.
TRANSITIONS: dict[str, frozenset[str]] = {
    State.IDEA: frozenset({State.CONCEPT, State.REJECTED, State.PARKED}),
    State.CONCEPT: frozenset({State.APPROVED, State.IDEA, State.REJECTED, State.PARKED}),
    State.APPROVED: frozenset({State.PLANNING, State.PARKED}),
    State.PLANNING: frozenset({State.EXECUTION, State.PARKED}),
    State.EXECUTION: frozenset({State.ROLLOUT, State.COMPLETED, State.PARKED}),
    State.ROLLOUT: frozenset({State.COMPLETED, State.PARKED}),
    State.PARKED: frozenset({State.IDEA, State.CONCEPT, State.PLANNING, State.EXECUTION, State.REJECTED}),
    State.COMPLETED: frozenset(),
    State.REJECTED: frozenset(),
}

# States in which the initiative is a project with a budget: the approval gate has been passed.
PROJECT_STATES = frozenset({State.APPROVED, State.PLANNING, State.EXECUTION, State.ROLLOUT, State.COMPLETED})


@dataclass(frozen=True)
class FundingLine:
    """One source in a funding plan, as the rule sees it: where the money comes from and how much."""

    source: str
    amount: Decimal


@dataclass(frozen=True)
class FundingCheck:
    """The own-effort rule applied to a funding plan."""

    total: Decimal
    grants: Decimal
    own_effort: Decimal

    @property
    def grant_funded(self) -> bool:
        return self.grants > 0

    @property
    def own_effort_share(self) -> Decimal | None:
        return self.own_effort / self.total if self.total else None

    @property
    def rule_met(self) -> bool:
        """Grant-funded projects need own effort of at least half the total; others have no such rule."""
        if not self.grant_funded:
            return True
        return self.own_effort >= self.total * OWN_EFFORT_MINIMUM


def check_funding(lines: Iterable[FundingLine]) -> FundingCheck:
    """The rule over a funding plan's lines (every year of it, as the approval gate reads it)."""
    total = grants = own = Decimal(0)
    for line in lines:
        total += line.amount
        if line.source in GRANT_SOURCES:
            grants += line.amount
        elif line.source == FundingSource.OWN_EFFORT:
            own += line.amount
    return FundingCheck(total=total, grants=grants, own_effort=own)


def largest_grant(lines: Iterable[FundingLine]) -> Decimal:
    """The largest grant the own-effort rule allows beside `lines` (the plan without the grant in question):
    own effort must be at least half of everything, the grant included, so the grant is at most own effort
    less whatever else is not own effort."""
    check = check_funding(lines)
    others = check.total - check.own_effort
    return max(check.own_effort - others, Decimal(0))


def grant_problem(*, initiative: str, lines: Iterable[FundingLine], grant: FundingLine, language: str) -> str | None:
    """Why `grant` may not go into the funding plan of `initiative` beside `lines`, or None when it may."""
    from core.formatting import format_nok

    lines = tuple(lines)
    after = check_funding((*lines, grant))
    if after.rule_met or not grant.amount:
        return None
    return _(
        "%(initiative)s: a grant of %(grant)s brings the funding plan to %(total)s, of which own effort is "
        "%(own)s (%(share)s %%); own effort must be at least half, so the grant can be at most %(most)s."
    ) % {
        "initiative": initiative,
        "grant": format_nok(grant.amount, language=language),
        "total": format_nok(after.total, language=language),
        "own": format_nok(after.own_effort, language=language),
        "share": (after.own_effort * 100 / after.total).quantize(Decimal(1)) if after.total else 0,
        "most": format_nok(largest_grant(lines), language=language),
    }


@dataclass(frozen=True)
class Facts:
    """What the gates look at, gathered from one initiative."""

    summary: str = ""
    has_owner: bool = False
    project_leader: str = ""
    has_start: bool = False
    has_end: bool = False
    funding: tuple[FundingLine, ...] = ()
    benefits: int = 0
    benefits_with_realised_values: int = 0


def allowed(from_state: str, to_state: str) -> bool:
    return to_state in TRANSITIONS.get(from_state, frozenset())


def next_states(from_state: str) -> list[str]:
    """The states an initiative may move to, in life-cycle order."""
    order = list(State.values)
    return sorted(TRANSITIONS.get(from_state, frozenset()), key=order.index)


def _concept_gate(facts: Facts) -> list[str]:
    missing = []
    if not facts.summary.strip():
        missing.append(_("A concept needs a summary."))
    if not facts.has_owner:
        missing.append(_("A concept needs an owner organisation."))
    return missing


def _approval_gate(facts: Facts) -> list[str]:
    missing = []
    if not facts.funding:
        missing.append(_("Approval needs a funding plan."))
    elif not check_funding(facts.funding).rule_met:
        missing.append(_("A grant-funded project needs own effort of at least half its funding plan."))
    if not facts.benefits:
        missing.append(_("Approval needs at least one benefit with an owner."))
    if not facts.has_start or not facts.has_end:
        missing.append(_("Approval needs a start and an end date."))
    return missing


def _project_gate(facts: Facts) -> list[str]:
    return [] if facts.project_leader.strip() else [_("A project needs a project leader.")]


def _completion_gate(facts: Facts) -> list[str]:
    if facts.benefits and not facts.benefits_with_realised_values:
        return [_("Completion needs realised values for the benefits.")]
    return []


# What must be filled in before an initiative may enter a state (states not named here have no gate).
GATES: dict[str, Callable[[Facts], list[str]]] = {
    State.CONCEPT: _concept_gate,
    State.APPROVED: _approval_gate,
    State.PLANNING: _project_gate,
    State.COMPLETED: _completion_gate,
}


def problems(from_state: str, to_state: str, facts: Facts) -> list[str]:
    """Why the move is not possible (an empty list when it is)."""
    if not allowed(from_state, to_state):
        return [
            _("An initiative cannot go from %(from)s to %(to)s.")
            % {"from": State(from_state).label, "to": State(to_state).label}
        ]
    gate = GATES.get(to_state)
    return gate(facts) if gate else []
