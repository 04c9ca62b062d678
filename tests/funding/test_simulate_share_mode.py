"""`contributions simulate` with a share-mode model: base_year and year have nothing to do there."""

import pytest
from django.core.management.base import CommandError

from funding.calculation import SHARE, ModelError
from funding.model_io import model_to_dict, parse_model
from tests.funding.test_simulate_command import MEMBERS, MODEL, simulate, write

SHARE_MODEL = {
    "name": "Deling 2027",
    "mode": "share",
    "target_total": "1000000",
    "equal_share": "0.3",
    "overrides": {"4601": {"exempt": True, "description": "vertskommune"}},
}


def test_a_share_model_without_years_is_simulated(tmp_path):
    rows = simulate(*write(tmp_path, SHARE_MODEL))
    amounts = {row["id"]: int(row["amount"]) for row in rows}
    assert amounts["4601"] == 0
    assert sum(amounts.values()) == 1_000_000
    # 30 % equally between the two, 70 % by population; both have 1691 inhabitants: 500 000 each.
    assert amounts["4634"] == amounts["1"] == 500_000


def test_a_share_model_with_years_is_read_as_before(tmp_path):
    rows = simulate(*write(tmp_path, {**SHARE_MODEL, "base_year": 2021, "year": 2027}))
    assert sum(int(row["amount"]) for row in rows) == 1_000_000


@pytest.mark.parametrize(
    ("model", "message"),
    [
        ({**SHARE_MODEL, "yaer": 2027}, "model.json: yaer: unknown key"),
        ({**SHARE_MODEL, "year": "2027x"}, "model.json: year:"),
        ({**SHARE_MODEL, "base_year": 2028, "year": 2027}, "model.json: year: 2027 is before base_year 2028"),
        ({key: value for key, value in MODEL.items() if key != "base_year"}, "model.json: base_year: missing"),
        ({key: value for key, value in MODEL.items() if key != "year"}, "model.json: year: missing"),
    ],
)
def test_unknown_keys_and_a_formula_model_without_years_are_still_refused(tmp_path, model, message):
    with pytest.raises(CommandError, match=message):
        simulate(*write(tmp_path, model, MEMBERS))


def test_a_share_model_without_years_round_trips():
    model = parse_model(SHARE_MODEL)
    assert (model.mode, model.base_year, model.year) == (SHARE, None, None)
    data = model_to_dict(model)
    assert "base_year" not in data and "year" not in data
    assert parse_model(data) == model


def test_a_formula_model_cannot_be_made_without_years():
    with pytest.raises(ModelError, match="base_year: missing"):
        parse_model({key: value for key, value in MODEL.items() if key != "base_year"})
