"""Recomputing a year's contributions: stored with their basis, all or nothing, invoiced ones frozen."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.runs import RunStatus
from funding.models import Contribution, RecomputeRun
from funding.services import (
    RecomputeBlocked,
    contribution_model_adopt,
    contributions_recompute,
    deflator_set,
    recompute_start,
)
from members.services import organisation_update, population_figure_record
from tests.factories import OrganisationFactory, PopulationFigureFactory, contribution_model

pytestmark = pytest.mark.django_db


@pytest.fixture
def network(personas):
    contribution_model(year=2026, exempt=[personas.host])
    return personas


def amounts(year=2026):
    return dict(Contribution.objects.filter(year=year).values_list("organisation__name", "amount"))


def test_recompute_stores_amount_population_parts_and_explanation(network):
    report = contributions_recompute(year=2026)
    assert report["created"] == 3
    assert amounts() == {"Bergen": Decimal(0), "Masfjorden": Decimal(133820), "Voss": Decimal(429420)}
    masfjorden = Contribution.objects.get(organisation=network.own)
    assert (masfjorden.population, masfjorden.population_date) == (1691, date(2024, 1, 1))
    assert masfjorden.fixed_part == 100000 and masfjorden.per_inhabitant_part == 33820
    assert (
        masfjorden.explanation == "100\xa0000 + 20 × 1\xa0691 innbyggere = 133\xa0820; taket på 500\xa0000 er ikke nådd"
    )
    assert masfjorden.model_version == masfjorden.model.version


def test_recompute_twice_changes_nothing(network):
    contributions_recompute(year=2026)
    report = contributions_recompute(year=2026)
    assert (report["created"], report["updated"], report["unchanged"]) == (0, 0, 3)


def test_missing_population_stops_the_run_listing_the_members_and_writes_nothing(network):
    contributions_recompute(year=2026)
    before = amounts()
    late = OrganisationFactory(name="Modalen", number="4629")
    also_late = OrganisationFactory(name="Fedje", number="4633")
    with pytest.raises(RecomputeBlocked) as blocked:
        contributions_recompute(year=2026)
    assert {o.name for o in blocked.value.organisations} == {"Modalen", "Fedje"}
    assert "2 members have no population figure per 01.01.2024" in str(blocked.value)
    assert amounts() == before
    assert late.pk and also_late.pk


def test_a_failed_run_lists_the_members_in_the_browser(client, network, django_capture_on_commit_callbacks):
    OrganisationFactory(name="Modalen", number="4629")
    client.force_login(network.secretariat)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/funding/recompute/2026/")
    run = RecomputeRun.objects.get()
    assert response.url == run.get_absolute_url()
    response = client.get(response.url)
    assert run.status == RunStatus.FAILED
    assert [m["name"] for m in run.missing_population] == ["Modalen"]
    text = response.content.decode()
    assert "Modalen" in text and "4629" in text
    assert not Contribution.objects.exists()


def test_an_invoiced_contribution_is_frozen_and_the_difference_reported(network):
    contributions_recompute(year=2026)
    Contribution.objects.filter(organisation=network.own).update(frozen_at=timezone.now())
    population_figure_record(organisation=network.own, reference_date=date(2024, 1, 1), count=1800, source="SSB")
    population_figure_record(organisation=network.foreign, reference_date=date(2024, 1, 1), count=16500, source="SSB")
    report = contributions_recompute(year=2026)
    assert amounts()["Masfjorden"] == 133820  # unchanged: it is invoiced
    assert amounts()["Voss"] == 430000  # changed: not invoiced
    assert report["frozen_differences"] == [
        {
            "organisation_id": network.own.pk,
            "organisation": "Masfjorden",
            "invoiced": "133820.00",
            "recomputed": "136000",
            "difference": "2180.00",
        }
    ]


def test_a_member_who_leaves_loses_the_uninvoiced_contribution(network):
    contributions_recompute(year=2026)
    organisation_update(organisation=network.foreign, membership_status="withdrawn", member_until=date(2025, 12, 31))
    report = contributions_recompute(year=2026)
    assert report["removed"] == 1
    assert "Voss" not in amounts()


def test_a_member_who_joins_in_july_pays_half(network):
    newcomer = OrganisationFactory(name="Kinn", number="4602", member_from=date(2026, 7, 1))
    PopulationFigureFactory(organisation=newcomer, count=17349)
    contributions_recompute(year=2026)
    kinn = Contribution.objects.get(organisation=newcomer)
    assert (kinn.months, kinn.amount) == (6, Decimal(223490))  # (100 000 + 20 × 17 349) × 6/12


def test_population_change_recomputes_the_years_that_use_it(network, django_capture_on_commit_callbacks):
    contributions_recompute(year=2026)
    with django_capture_on_commit_callbacks(execute=True):
        population_figure_record(organisation=network.own, reference_date=date(2024, 1, 1), count=1694, source="SSB")
    assert amounts()["Masfjorden"] == 133880
    assert RecomputeRun.objects.get().reason == "Population figures changed"


def test_deflator_change_recomputes_indexed_years(personas, django_capture_on_commit_callbacks):
    contribution_model(year=2026, base_year=2025, exempt=[personas.host])
    # Indexing from 2025 to 2026 needs the 2026 deflator: without it nothing is computed (never a silent factor 1).
    with pytest.raises(RecomputeBlocked, match="No deflator is registered for 2026"):
        contributions_recompute(year=2026)
    with django_capture_on_commit_callbacks(execute=True):
        deflator_set(year=2026, rate=Decimal("0.035"), source="KDD")
    # 100 000 × 1.035 + 20 × 1.035 × 1 691 = 103 500 + 35 003.70 = 138 503.70, rounded half up once
    assert amounts()["Masfjorden"] == Decimal(138504)
    assert Contribution.objects.get(organisation=personas.own).exact == Decimal("138503.70")
    with django_capture_on_commit_callbacks(execute=True):
        deflator_set(year=2024, rate=Decimal("0.05"), source="KDD")  # before the base year: no run
    assert RecomputeRun.objects.count() == 1


def test_adopting_a_proposal_supersedes_the_old_model_and_recomputes(network, django_capture_on_commit_callbacks):
    proposal = contribution_model(year=2026, status="proposal", name="Lower cap", cap="300000", exempt=[network.host])
    with django_capture_on_commit_callbacks(execute=True):
        contribution_model_adopt(model=proposal, adopted_on=date(2026, 11, 20), adopted_by="Styringsgruppen, sak 37/26")
    assert amounts()["Voss"] == 300000
    statuses = sorted(proposal.__class__.objects.values_list("name", "status"))
    assert statuses == [("Lower cap", "adopted"), ("Model 2026", "superseded")]


def test_a_waiting_run_is_reused(network, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        first = recompute_start(year=2026)
        second = recompute_start(year=2026)
    assert first.pk == second.pk


def test_recompute_command(network, capsys):
    call_command("contributions", "recompute", "--year", "2026")
    assert "2026: 3 new, 0 changed, 0 unchanged, 0 removed; total 563240 NOK." in capsys.readouterr().out
    with pytest.raises(CommandError, match="No contribution model is adopted for 2031"):
        call_command("contributions", "recompute", "--year", "2031")


def test_recompute_command_names_members_without_population(network):
    OrganisationFactory(name="Modalen", number="4629")
    with pytest.raises(CommandError, match=r"(?s)nothing was changed.*4629 Modalen"):
        call_command("contributions", "recompute", "--year", "2026")


def _recompute_queries(count: int, personas) -> tuple[int, int]:
    for index in range(count):
        organisation = OrganisationFactory(name=f"Member {count}-{index}")
        PopulationFigureFactory(organisation=organisation, count=1000 + index)
    with CaptureQueriesContext(connection) as created:
        contributions_recompute(year=2026)
    model = Contribution.objects.first().model
    from funding.models import ContributionRule

    ContributionRule.objects.filter(model=model).update(per_inhabitant=F("per_inhabitant") + 1)
    with CaptureQueriesContext(connection) as updated:
        contributions_recompute(year=2026)
    from members.models import Organisation

    assert Contribution.objects.filter(year=2026).count() == Organisation.objects.count() >= count + 3
    return len(created), len(updated)


@pytest.mark.skipif(connection.vendor == "sqlite", reason="SQLite caps the rows per statement; CI runs PostgreSQL")
def test_recompute_uses_the_same_number_of_queries_for_10_and_300_members(personas):
    contribution_model(year=2026, exempt=[personas.host])
    small = _recompute_queries(10, personas)
    Contribution.objects.all().delete()
    large = _recompute_queries(300, personas)
    assert small == large


def test_every_written_contribution_gets_a_history_row(network):
    contributions_recompute(year=2026)
    assert sorted(Contribution.history.values_list("history_type", flat=True)) == ["+", "+", "+"]
    population_figure_record(organisation=network.own, reference_date=date(2024, 1, 1), count=1694, source="SSB")
    contributions_recompute(year=2026)
    changed = Contribution.history.filter(history_type="~").get()
    assert (changed.organisation_id, changed.amount) == (network.own.pk, Decimal(133880))
    assert changed.prev_record.amount == Decimal(133820)


def test_a_prorated_member_is_unchanged_when_recomputed_again(network):
    newcomer = OrganisationFactory(name="Kinn", number="4602", member_from=date(2026, 4, 1))
    PopulationFigureFactory(organisation=newcomer, count=17349)
    contributions_recompute(year=2026)
    report = contributions_recompute(year=2026)
    assert (report["updated"], report["unchanged"]) == (0, 4)


def _tracked(record) -> dict:
    history = Contribution.history.model
    names = [f.attname for f in history._meta.concrete_fields if not f.name.startswith("history_")]
    return {name: getattr(record, name) for name in names}


def test_history_rows_hold_every_field_as_written_with_type_date_and_no_user_or_reason(network):
    """The history rows written with the contributions (one statement on PostgreSQL) are the rows
    django-simple-history keeps for a save: every field as stored, the type, the time, no user, no reason."""
    before = timezone.now()
    contributions_recompute(year=2026)
    population_figure_record(organisation=network.own, reference_date=date(2024, 1, 1), count=1694, source="SSB")
    middle = timezone.now()
    contributions_recompute(year=2026)
    after = timezone.now()
    history = Contribution.history.model
    for contribution in Contribution.objects.filter(year=2026):
        rows = list(history.objects.filter(id=contribution.pk).order_by("history_id"))
        assert rows[0].history_type == "+"
        assert before <= rows[0].history_date <= middle
        if contribution.organisation_id == network.own.pk:
            assert [row.history_type for row in rows] == ["+", "~"]
            assert middle <= rows[1].history_date <= after
            assert rows[0].amount == Decimal(133820)
        else:
            assert len(rows) == 1
        assert _tracked(rows[-1]) == _tracked(contribution)
        assert isinstance(rows[-1].explanation_facts, dict) and rows[-1].explanation_facts
        assert all(row.history_user_id is None and not row.history_change_reason for row in rows)
    # A history row is what simple-history itself writes when the same contribution is saved through the ORM.
    contribution = Contribution.objects.get(organisation=network.own, year=2026)
    contribution.save()
    saved = history.objects.filter(id=contribution.pk).latest("history_id")
    written = history.objects.filter(id=contribution.pk, history_type="~").earliest("history_id")
    assert _tracked(saved) == _tracked(written)
    assert not saved.history_change_reason and saved.history_user_id is None


def test_bulk_writes_keep_text_json_dates_and_decimals_exactly(network):
    """Text with tabs, newlines, quotes and non-ASCII, nested JSON, nulls and eight-place decimals survive the
    bulk writes unchanged (on PostgreSQL the JSON document of merge_rows_with_history, in parts; elsewhere Django's
    bulk operations), with a history row for each write."""
    from core.db import insert_rows_with_history, merge_rows_with_history, update_rows_with_history
    from funding.services.contributions import STORED_FIELDS

    contributions_recompute(year=2026)
    template = Contribution.objects.filter(year=2026).values(*STORED_FIELDS).first()
    organisations = [OrganisationFactory(name=f"Æøå {index}") for index in range(3)]
    rows = [
        {
            **template,
            "organisation_id": organisation.pk,
            "explanation": f'Linje 1\n\t«{index}» "sitat" \\ ø',
            "explanation_facts": {"nested": {"list": [1, "to", None]}, "index": index},
            "cap": None,
            "exact": Decimal("0.00000001") * (index + 1),
        }
        for index, organisation in enumerate(organisations)
    ]
    changed = [{**row, "explanation": "Ny\ttekst", "exact": Decimal("12.34567891")} for row in rows]
    now = timezone.now()
    if connection.vendor == "postgresql":

        def merge(parts):
            written = merge_rows_with_history(
                Contribution,
                parts,
                key="organisation_id",
                scope={"year": 2027},
                compare=STORED_FIELDS,
                also={"computed_at": now},
                held="frozen_at",
                report="amount",
            )
            return sorted(written, key=lambda action: action[1])

        assert merge([rows[:1], [], rows[1:]]) == [("+", row["organisation_id"], None) for row in rows]
        assert merge([changed]) == [("~", row["organisation_id"], None) for row in rows]
    else:
        keys = insert_rows_with_history(Contribution, [{**row, "year": 2027, "computed_at": now} for row in rows])
        update_rows_with_history(
            Contribution, [{"pk": key, "explanation": "Ny\ttekst", "exact": Decimal("12.34567891")} for key in keys]
        )
    history = Contribution.history.model
    stored = {c.organisation_id: c for c in Contribution.objects.filter(year=2027)}
    assert set(stored) == {organisation.pk for organisation in organisations}
    for row in changed:
        contribution = stored[row["organisation_id"]]
        assert {name: getattr(contribution, name) for name in row} == row
        types = list(
            history.objects.filter(id=contribution.pk).order_by("history_id").values_list("history_type", flat=True)
        )
        assert types == ["+", "~"]
        first = history.objects.filter(id=contribution.pk).earliest("history_id")
        original = next(r for r in rows if r["organisation_id"] == row["organisation_id"])
        assert {name: getattr(first, name) for name in original} == original
        assert _tracked(history.objects.filter(id=contribution.pk).latest("history_id")) == _tracked(contribution)
