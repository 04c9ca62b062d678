"""The start page asks on every visit which members' contributions are out of date; the answer is kept under a
fingerprint of the tables it is worked out from (core.db.tables_fingerprint), so any write to them is seen at once."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from core.db import tables_fingerprint
from funding.models import Contribution, ContributionRule
from funding.services import contributions_out_of_date, contributions_recompute
from funding.services.contributions import OUT_OF_DATE_READS, _recompute_plan
from members.models import Organisation, PopulationFigure
from tests.factories import OrganisationFactory, PopulationFigureFactory, contribution_model

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="the fingerprint is PostgreSQL's"),
]


@pytest.fixture
def network(personas):
    contribution_model(year=2026)
    contributions_recompute(year=2026)
    return personas


@pytest.mark.django_db(transaction=True)  # each write its own transaction, as in the portal
def test_every_write_changes_the_fingerprint_and_nothing_else_does(network):
    def now():
        return tables_fingerprint(Organisation, PopulationFigure)

    seen = [now()]
    assert now() == seen[0]  # reading alone changes nothing
    organisation = OrganisationFactory(name="Ny kommune")  # an insert
    seen.append(now())
    Organisation.objects.filter(pk=organisation.pk).update(name="Ny kommune 2")  # an update, no signal
    seen.append(now())
    figure = PopulationFigureFactory(organisation=organisation, count=10)
    seen.append(now())
    PopulationFigure.objects.filter(pk=figure.pk).update(count=11)
    seen.append(now())
    assert len(set(seen)) == len(seen) == 5
    PopulationFigure.objects.filter(pk=figure.pk).delete()  # a delete: the table as it was before the insert
    assert now() == seen[2]


def test_the_fingerprint_covers_every_table_the_comparison_reads(network):
    with CaptureQueriesContext(connection) as queries:
        _recompute_plan(2026)
    read = {
        table
        for query in queries.captured_queries
        for table in re.findall(r'(?:FROM|JOIN)\s+"([a-z_0-9]+)"', query["sql"])
    }
    assert read, "no query was captured"
    assert read <= {model._meta.db_table for model in OUT_OF_DATE_READS}


def test_a_transaction_that_has_written_gets_no_fingerprint(network):
    # Its writes share one transaction id: an update of a row it wrote itself would not move the fingerprint.
    assert tables_fingerprint(Organisation) is None  # the test's own transaction has written (the fixture)


@pytest.mark.django_db(transaction=True)  # committed writes, so that the kept answer is used and tested
@pytest.mark.parametrize(
    "change",
    [
        "rule",  # the model's rule, by a queryset update (no signal)
        "population",  # a member's population figure
        "membership",  # a member leaves
        "stored",  # the stored contribution itself, behind the portal's back
    ],
)
def test_a_change_of_any_input_is_seen_at_once(network, change):
    assert tables_fingerprint(*OUT_OF_DATE_READS) is not None
    assert contributions_out_of_date(year=2026) == []  # kept now
    masfjorden = network.secretariat.organisation
    if change == "rule":
        ContributionRule.objects.update(per_inhabitant=F("per_inhabitant") + Decimal("1"))
    elif change == "population":
        PopulationFigure.objects.filter(organisation=masfjorden).update(count=F("count") + 1000)
    elif change == "membership":
        Organisation.objects.filter(pk=masfjorden.pk).update(member_until=date(2026, 6, 30))
    else:
        Contribution.objects.filter(organisation=masfjorden).update(amount=F("amount") + 1)
    stale = contributions_out_of_date(year=2026)
    assert stale and stale == _recompute_plan(2026).out_of_date()
    contributions_recompute(year=2026)
    assert contributions_out_of_date(year=2026) == []
