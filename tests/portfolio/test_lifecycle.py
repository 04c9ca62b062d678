"""The life-cycle rules and the own-effort rule, without a database."""

from decimal import Decimal

import pytest

from portfolio.choices import FundingSource, State
from portfolio.lifecycle import (
    TRANSITIONS,
    Facts,
    FundingLine,
    allowed,
    check_funding,
    next_states,
    problems,
)

GRANT = FundingSource.COUNTY_GOVERNOR
OWN = FundingSource.OWN_EFFORT

READY = Facts(
    summary="Flere digitale byggesøknader",
    has_owner=True,
    project_leader="Ingrid",
    has_start=True,
    has_end=True,
    funding=(FundingLine(GRANT, Decimal(600000)), FundingLine(OWN, Decimal(750000))),
    benefits=1,
    benefits_with_realised_values=1,
)


def test_every_state_has_its_moves_and_completed_and_rejected_are_final():
    assert set(TRANSITIONS) == set(State.values)
    assert TRANSITIONS[State.COMPLETED] == frozenset()
    assert TRANSITIONS[State.REJECTED] == frozenset()
    for targets in TRANSITIONS.values():
        assert targets <= set(State.values)


@pytest.mark.parametrize(
    ("from_state", "to_state"),
    [
        (State.IDEA, State.CONCEPT),
        (State.CONCEPT, State.APPROVED),
        (State.APPROVED, State.PLANNING),
        (State.PLANNING, State.EXECUTION),
        (State.EXECUTION, State.ROLLOUT),
        (State.ROLLOUT, State.COMPLETED),
        (State.IDEA, State.REJECTED),
        (State.CONCEPT, State.PARKED),
        (State.PARKED, State.CONCEPT),
    ],
)
def test_the_life_cycle_from_idea_to_completion_is_allowed(from_state, to_state):
    assert allowed(from_state, to_state)
    assert problems(from_state, to_state, READY) == []


@pytest.mark.parametrize(
    ("from_state", "to_state"),
    [
        (State.IDEA, State.APPROVED),  # no skipping the concept
        (State.IDEA, State.EXECUTION),
        (State.COMPLETED, State.EXECUTION),
        (State.REJECTED, State.IDEA),
        (State.ROLLOUT, State.IDEA),
    ],
)
def test_moves_outside_the_life_cycle_are_refused_with_both_states_named(from_state, to_state):
    assert not allowed(from_state, to_state)
    [message] = problems(from_state, to_state, READY)
    assert str(State(from_state).label) in message and str(State(to_state).label) in message


def test_next_states_are_in_life_cycle_order():
    assert next_states(State.IDEA) == [State.CONCEPT, State.REJECTED, State.PARKED]
    assert next_states(State.COMPLETED) == []


def test_a_concept_needs_a_summary_and_an_owner():
    assert problems(State.IDEA, State.CONCEPT, Facts()) == [
        "A concept needs a summary.",
        "A concept needs an owner organisation.",
    ]


def test_approval_needs_a_funding_plan_a_benefit_and_dates():
    assert problems(State.CONCEPT, State.APPROVED, Facts(summary="x", has_owner=True)) == [
        "Approval needs a funding plan.",
        "Approval needs at least one benefit with an owner.",
        "Approval needs a start and an end date.",
    ]


def test_approval_of_a_grant_funded_project_with_too_little_own_effort_is_refused():
    facts = Facts(
        has_start=True,
        has_end=True,
        benefits=1,
        funding=(FundingLine(GRANT, Decimal(500000)), FundingLine(OWN, Decimal(360000))),
    )
    assert problems(State.CONCEPT, State.APPROVED, facts) == [
        "A grant-funded project needs own effort of at least half its funding plan."
    ]


def test_a_project_needs_a_leader_and_completion_needs_realised_benefits():
    assert problems(State.APPROVED, State.PLANNING, Facts(project_leader="  ")) == ["A project needs a project leader."]
    assert problems(State.ROLLOUT, State.COMPLETED, Facts(benefits=2)) == [
        "Completion needs realised values for the benefits."
    ]
    assert problems(State.ROLLOUT, State.COMPLETED, Facts(benefits=0)) == []


@pytest.mark.parametrize(
    ("lines", "share", "met"),
    [
        ([(GRANT, "500000"), (OWN, "500000")], Decimal("0.5"), True),  # exactly half is enough
        ([(GRANT, "500001"), (OWN, "500000")], None, False),
        ([(FundingSource.KS, "1200000"), (GRANT, "800000"), (OWN, "2100000")], None, True),
        ([(FundingSource.MEMBER_CONTRIBUTIONS, "400000"), (OWN, "100000")], Decimal("0.2"), True),  # no grant
        ([], None, True),
    ],
)
def test_the_own_effort_rule_applies_to_grant_funded_projects_only(lines, share, met):
    check = check_funding(FundingLine(source, Decimal(amount)) for source, amount in lines)
    assert check.rule_met is met
    if share is not None:
        assert check.own_effort_share == share


def test_the_funding_check_adds_up_grants_and_own_effort():
    check = check_funding(
        [
            FundingLine(GRANT, Decimal(600000)),
            FundingLine(FundingSource.KS, Decimal(100000)),
            FundingLine(OWN, Decimal(750000)),
            FundingLine(FundingSource.MEMBER_CONTRIBUTIONS, Decimal(50000)),
        ]
    )
    assert (check.total, check.grants, check.own_effort) == (Decimal(1500000), Decimal(700000), Decimal(750000))
    assert check.grant_funded and check.rule_met
    assert check_funding([]).own_effort_share is None
