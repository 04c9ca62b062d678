"""Cost-sharing plans without a database: the keys, exact sums, explanations, reference cases and bad input."""

import csv
import io
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from hypothesis import given
from hypothesis import strategies as st

from funding import sharing
from funding.calculation import ModelError
from funding.model_io import load_plan
from funding.sharing import (
    EQUAL,
    FIXED_SHARES,
    KEYS,
    MIX,
    POPULATION,
    USAGE,
    Participant,
    Plan,
    changes,
    compute_shares,
)

REFERENCE = Path(__file__).parents[1] / "data" / "reference" / "cost-sharing"
REFERENCE_CASES = sorted(path.name for path in REFERENCE.iterdir() if path.is_dir())


def plan(key: str = EQUAL, amount: int = 420000, participants=None, **changes) -> Plan:
    participants = participants or [Participant(str(n)) for n in range(1, 5)]
    return Plan(name="Prosjekt", amount=Decimal(amount), key=key, participants=participants, **changes)


def plain(share) -> str:
    """The explanation with its no-break spaces (between thousands) as plain spaces."""
    return share.explanation.replace("\xa0", " ")


def amounts(shares) -> list[int]:
    return [int(share.amount) for share in shares]


def read_expected(case: Path) -> list[tuple[str, str]]:
    with (case / "expected.csv").open(newline="", encoding="utf-8") as file:
        return [(row["id"], row["amount"]) for row in csv.DictReader(file)]


def test_there_are_reference_cases_from_the_seed_networks():
    assert {"helgeland-likedeling", "helgeland-velferdsteknologi", "hordaland-innbyggerdialog"} <= set(REFERENCE_CASES)


@pytest.mark.parametrize("case", REFERENCE_CASES)
def test_reference_case(case):
    folder = REFERENCE / case
    shares = compute_shares(load_plan((folder / "plan.json").read_text(encoding="utf-8")))

    assert [(share.participant_id, f"{share.amount:f}") for share in shares] == read_expected(folder)


@pytest.mark.parametrize("case", REFERENCE_CASES)
def test_simulate_prints_the_reference_case(case):
    folder = REFERENCE / case
    stdout = io.StringIO()
    call_command("contributions", "simulate", "--plan", str(folder / "plan.json"), stdout=stdout)
    rows = list(csv.DictReader(io.StringIO(stdout.getvalue())))

    assert [(row["id"], row["amount"]) for row in rows] == read_expected(folder)
    assert all(row["explanation"] for row in rows)


def test_a_quarter_each_is_explained_as_the_finance_officer_checks_it():
    shares = compute_shares(plan(EQUAL))

    assert amounts(shares) == [105000] * 4
    assert plain(shares[0]) == "1/4 av 420 000 = 105 000"


def test_a_third_each_adds_up_to_the_krone_by_the_largest_remainder():
    shares = compute_shares(plan(EQUAL, 100000, [Participant("a"), Participant("b"), Participant("c")]))

    assert amounts(shares) == [33334, 33333, 33333]
    assert "største-rest-metoden" in plain(shares[0])
    assert plain(shares[1]) == "1/3 av 100 000 = 33 333,33 → 33 333"


def test_population_key_names_the_reference_date():
    participants = [Participant("a", population=1691), Participant("b", population=3309)]
    shares = compute_shares(plan(POPULATION, 100000, participants, population_date=date(2026, 1, 1)))

    assert amounts(shares) == [33820, 66180]
    assert plain(shares[0]) == "1 691/5 000 innbyggere per 01.01.2026 av 100 000 = 33 820"


def test_fixed_shares_must_add_up_to_one():
    participants = [Participant("a", share=Decimal("0.6")), Participant("b", share=Decimal("0.3"))]
    with pytest.raises(ModelError, match=r"add up to 0\.9, not 1"):
        compute_shares(plan(FIXED_SHARES, 100000, participants))

    participants[1] = Participant("b", share=Decimal("0.4"))
    shares = compute_shares(plan(FIXED_SHARES, 100000, participants))
    assert amounts(shares) == [60000, 40000]
    assert plain(shares[0]) == "Fast andel 60 % av 100 000 = 60 000"


def test_usage_key_needs_a_measure_for_every_sharer():
    participants = [Participant("a", usage=Decimal(30)), Participant("b")]
    with pytest.raises(ModelError, match=r"participants\.b\.usage: missing"):
        compute_shares(plan(USAGE, 100000, participants, unit="timer"))

    participants[1] = Participant("b", usage=Decimal(10))
    shares = compute_shares(plan(USAGE, 100000, participants, unit="timer"))
    assert amounts(shares) == [75000, 25000]
    assert plain(shares[1]) == "10/40 timer av 100 000 = 25 000"


def test_mix_key_shows_both_parts():
    participants = [Participant("a", population=1000), Participant("b", population=3000)]
    shares = compute_shares(plan(MIX, 100000, participants, equal_share=Decimal("0.2")))

    # 20 000 equally (10 000 each), 80 000 by population (20 000 and 60 000).
    assert amounts(shares) == [30000, 70000]
    assert plain(shares[0]).startswith("1/2 av 20 000 (20 % likt) = 10 000 + 1 000/4 000 innbyggere av 80 000")


def test_exempt_and_fixed_amounts_come_off_before_sharing():
    participants = [
        Participant("host", fixed_amount=Decimal(50000), description="vertskommune"),
        Participant("pilot", exempt=True),
        Participant("a"),
        Participant("b"),
    ]
    shares = compute_shares(plan(EQUAL, 150000, participants))

    assert amounts(shares) == [50000, 0, 50000, 50000]
    assert plain(shares[2]) == "150 000 − faste beløp 50 000 = 100 000 å fordele; 1/2 av 100 000 = 50 000"


def test_fixed_amounts_above_the_amount_are_refused():
    with pytest.raises(ModelError, match="less than the fixed amounts"):
        compute_shares(plan(EQUAL, 1000, [Participant("a", fixed_amount=Decimal(2000)), Participant("b")]))


def test_nobody_to_share_with_is_refused():
    with pytest.raises(ModelError, match="no participant shares it"):
        compute_shares(plan(EQUAL, 1000, [Participant("a", exempt=True)]))


@given(
    key=st.sampled_from(KEYS),
    amount=st.integers(min_value=0, max_value=10**9),
    figures=st.lists(st.integers(min_value=1, max_value=10**6), min_size=1, max_size=12),
    equal_share=st.decimals(min_value=0, max_value=1, places=2),
)
def test_the_shares_add_up_exactly_and_none_is_more_than_a_krone_from_its_exact_share(
    key, amount, figures, equal_share
):
    total = sum(figures)
    participants = [
        Participant(
            str(index),
            population=figure,
            usage=Decimal(figure),
            # Fixed shares as exact fractions: the last takes what is left, so they add up to 1.
            share=Decimal(figure) / Decimal(total) if index else None,
        )
        for index, figure in enumerate(figures)
    ]
    if key == FIXED_SHARES:
        if any(p.share is not None and p.share != p.share.normalize() for p in participants[1:]):
            return
        shares_so_far = sum((p.share for p in participants[1:]), Decimal(0))
        if shares_so_far > 1:
            return
        participants[0] = Participant("0", share=Decimal(1) - shares_so_far)
    try:
        shares = compute_shares(plan(key, amount, participants, equal_share=equal_share, unit="timer"))
    except ModelError:
        assert key == FIXED_SHARES  # an exact fraction of 1 that has too many digits
        return
    assert sum(share.amount for share in shares) == amount
    assert all(abs(share.amount - share.exact) < 1 for share in shares)
    assert all(share.amount == share.amount.to_integral_value() for share in shares)


def test_changes_between_versions_name_each_participant_whose_share_moved():
    before = compute_shares(plan(EQUAL, 420000))
    after = compute_shares(plan(EQUAL, 300000, [Participant("1"), Participant("2"), Participant("5")]))

    found = {(change.participant_id, change.before, change.after) for change in changes(before, after)}
    assert found == {
        ("1", 105000, 100000),
        ("2", 105000, 100000),
        ("5", None, 100000),
        ("3", 105000, None),
        ("4", 105000, None),
    }


def test_plan_json_errors_name_the_file_and_the_key(tmp_path):
    path = tmp_path / "plan.json"
    path.write_text(json.dumps({"amount": "1000", "key": "halvparten", "participants": []}), encoding="utf-8")
    with pytest.raises(CommandError, match=r"plan.json: key: 'halvparten' is not one of"):
        call_command("contributions", "simulate", "--plan", str(path), stdout=io.StringIO())

    path.write_text(json.dumps({"amount": "1000", "key": "mix", "participants": []}), encoding="utf-8")
    with pytest.raises(CommandError, match=r"plan.json: equal_share: missing"):
        call_command("contributions", "simulate", "--plan", str(path), stdout=io.StringIO())

    path.write_text(
        json.dumps({"amount": "1000", "key": "equal", "participants": [{"id": "a", "users": 3}]}), encoding="utf-8"
    )
    with pytest.raises(CommandError, match=r"participants\[0\].users: unknown key"):
        call_command("contributions", "simulate", "--plan", str(path), stdout=io.StringIO())


def test_simulate_takes_a_plan_or_a_model_but_not_both(tmp_path):
    path = tmp_path / "plan.json"
    path.write_text(json.dumps({"amount": "10", "key": "equal", "participants": [{"id": "a"}]}), encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("contributions", "simulate", "--plan", str(path), "--model", str(path), stdout=io.StringIO())
    with pytest.raises(CommandError, match="takes no --members"):
        call_command("contributions", "simulate", "--plan", str(path), "--members", str(path), stdout=io.StringIO())


@pytest.mark.parametrize("difference", [-22000, -1, 0, 3, 20003])
@pytest.mark.parametrize("key", [sharing.EQUAL, sharing.POPULATION, sharing.MIX, sharing.FIXED_SHARES, sharing.USAGE])
def test_a_settlement_shares_the_difference_by_the_plans_own_key(key, difference):
    participants = [
        sharing.Participant("a", population=2300, share=Decimal("0.5"), usage=Decimal(3)),
        sharing.Participant("b", population=13400, share=Decimal("0.3"), usage=Decimal(5)),
        sharing.Participant("c", population=1691, share=Decimal("0.2"), usage=Decimal(1)),
        sharing.Participant("d", population=9000, fixed_amount=Decimal(10000)),
        sharing.Participant("e", population=500, exempt=True),
    ]
    plan = sharing.Plan("Prosjekt", Decimal(420000), key, participants, equal_share=Decimal("0.5"))

    shares = sharing.settlement_shares(plan, year=2026, actual=Decimal(420000 + difference), invoiced=Decimal(420000))

    assert sum(share.amount for share in shares) == difference
    assert all(share.amount == share.amount.to_integral_value() for share in shares)
    assert all(abs(share.amount - share.exact) < 1 for share in shares)
    assert all(share.amount * difference >= 0 for share in shares)
    assert [share.amount for share in shares[3:]] == [0, 0]
    # The same key as the plan: the difference in proportion to the shares of those who share.
    if difference:
        plain = sharing.compute_shares(
            sharing.Plan("Prosjekt", Decimal(abs(difference)), key, participants[:3], equal_share=Decimal("0.5"))
        )
        assert [share.exact.copy_abs() for share in shares[:3]] == [share.exact for share in plain]
    assert all(share.explanation.startswith("Avregning 2026: faktiske kostnader") for share in shares)
