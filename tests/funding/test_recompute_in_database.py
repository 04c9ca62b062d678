"""On PostgreSQL a recompute compares the results with the stored contributions and writes what differs, one
statement per part of the members (core.db.merge_rows_with_history). Whatever state the year is in, it must do
exactly what the comparison in Python (_recompute_plan, which also answers "whose contributions are out of date")
decides."""

from datetime import date

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Value
from django.db.models.functions import Concat
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.db import merge_rows_with_history
from funding.models import Contribution
from funding.services import contributions_recompute
from funding.services.contributions import STORED_FIELDS, _recompute_plan
from members.services import organisation_update
from tests.factories import OrganisationFactory, PopulationFigureFactory, contribution_model

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the statement is PostgreSQL's; CI runs it"),
]

# What happens to one member's stored contribution between two recomputes.
STATES = (
    "same",
    "absent",  # no contribution stored: created
    "amount",  # not invoiced, differs: updated
    "explanation",
    "facts",
    "population",  # NULL stored where the result has a figure
    "invoiced",  # invoiced, same amount: left alone, unchanged
    "invoiced_other",  # invoiced, another amount: left alone, the difference reported
    "left",  # no longer a member, not invoiced: removed
    "left_invoiced",  # no longer a member, invoiced: kept
    "population_changed",  # the input changed: updated
)


@pytest.fixture
def model(personas):
    return contribution_model(year=2026, exempt=[personas.host])


def _change(organisation, state):
    stored = Contribution.objects.filter(organisation=organisation, year=2026)
    if state == "absent":
        stored.delete()
    elif state == "amount":
        stored.update(amount=F("amount") + 1)
    elif state == "explanation":
        stored.update(explanation=Concat(F("explanation"), Value(" ")))
    elif state == "facts":
        stored.update(explanation_facts={"changed": [1, None]})
    elif state == "population":
        stored.update(population=None)
    elif state == "invoiced":
        stored.update(frozen_at=timezone.now())
    elif state == "invoiced_other":
        stored.update(frozen_at=timezone.now(), amount=F("amount") + 100)
    elif state in ("left", "left_invoiced"):
        if state == "left_invoiced":
            stored.update(frozen_at=timezone.now())
        organisation_update(organisation=organisation, membership_status="withdrawn", member_until=date(2025, 12, 31))
    elif state == "population_changed":
        organisation.population_figures.update(count=F("count") + 7)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(states=st.lists(st.sampled_from(STATES), min_size=1, max_size=7))
def test_the_statement_writes_what_the_comparison_in_python_decides(model, states):
    with transaction.atomic():
        organisations = []
        for index, _state in enumerate(states):
            organisation = OrganisationFactory(name=f"Medlem {index}")
            PopulationFigureFactory(organisation=organisation, count=1000 + 37 * index)
            organisations.append(organisation)
        contributions_recompute(year=2026)
        for organisation, state in zip(organisations, states, strict=True):
            _change(organisation, state)
        before = {row["organisation_id"]: row for row in Contribution.objects.filter(year=2026).values()}
        history_before = Contribution.history.count()
        plan = _recompute_plan(2026)

        report = contributions_recompute(year=2026)

        expected = {
            "created": len(plan.to_create),
            "updated": len(plan.to_update),
            "removed": len(plan.stale),
            "unchanged": plan.report["unchanged"],
            "frozen_differences": plan.report["frozen_differences"],
        }
        assert {name: report[name] for name in expected} == expected
        # What the states make of it, independent of either path.
        assert report["created"] == states.count("absent")
        assert report["removed"] == states.count("left")
        assert len(report["frozen_differences"]) == states.count("invoiced_other")
        changed = ("amount", "explanation", "facts", "population", "population_changed")
        assert report["updated"] == sum(states.count(state) for state in changed)
        # Afterwards nothing is out of date, invoiced rows are as they were, every write has one history row.
        after = _recompute_plan(2026)
        assert (after.to_create, after.to_update, after.stale) == ([], [], [])
        stored = {row["organisation_id"]: row for row in Contribution.objects.filter(year=2026).values()}
        for organisation_id, row in before.items():
            if row["frozen_at"] is not None:
                assert stored[organisation_id] == row
        written = report["created"] + report["updated"] + report["removed"]
        assert Contribution.history.count() - history_before == written
        transaction.set_rollback(True)


def _keys_are_deferred() -> None:
    """A row may point at an organisation that does not exist yet, as long as it is mended before the commit."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT max(id) + 1 FROM members_organisation")
        (later,) = cursor.fetchone()
        stored = Contribution.objects.filter(year=2026).first()
        update = "UPDATE funding_contribution SET organisation_id = %s WHERE id = %s"
        cursor.execute(update, [later, stored.pk])  # refused at once if the keys were checked immediately
        cursor.execute(update, [stored.organisation_id, stored.pk])


def _merge(parts):
    return merge_rows_with_history(
        Contribution,
        parts,
        key="organisation_id",
        scope={"year": 2026},
        compare=STORED_FIELDS,
        also={"computed_at": timezone.now()},
        held="frozen_at",
        report="amount",
    )


def _stored_rows():
    return list(Contribution.objects.filter(year=2026).order_by("pk").values("organisation_id", *STORED_FIELDS))


def test_foreign_keys_are_deferred_again_after_a_recompute(model):
    """The statements check foreign keys as they write; afterwards the transaction defers them again, as Django
    declares them."""
    with transaction.atomic():
        contributions_recompute(year=2026)
        _keys_are_deferred()
        transaction.set_rollback(True)


def test_a_part_the_database_refuses_raises_djangos_error_and_leaves_nothing_written(model):
    contributions_recompute(year=2026)
    stored, history = _stored_rows(), Contribution.history.count()
    rows = [dict(row) for row in stored]
    rows[0]["amount"] += 1  # a change the first part writes
    rows[-1]["months"] = -1  # refused by the table's check in the last part
    with pytest.raises(IntegrityError, match="months"), transaction.atomic():
        _merge([rows[:1], rows[1:]])
    assert _stored_rows() == stored
    assert Contribution.history.count() == history
    with transaction.atomic():
        _keys_are_deferred()
        transaction.set_rollback(True)


def test_a_part_that_cannot_be_computed_leaves_the_keys_deferred_for_the_rest_of_the_transaction(model):
    contributions_recompute(year=2026)
    rows = [dict(row) for row in _stored_rows()]

    def parts():
        yield rows[:1]
        raise ValueError("the second part cannot be computed")

    with transaction.atomic():
        with pytest.raises(ValueError, match="second part"):
            _merge(parts())
        _keys_are_deferred()
        transaction.set_rollback(True)
