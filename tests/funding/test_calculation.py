"""The pure contribution calculation: reference cases, the domain's figures, explanations and bad input."""

import csv
import json
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest

from funding.calculation import (
    KINDS,
    ContributionModel,
    Member,
    MembersError,
    ModelError,
    Override,
    Rule,
    compute,
    index_factor,
)
from funding.fairness import fairness
from funding.model_io import load_model, model_to_dict, parse_members_csv, parse_model
from members.choices import OrganisationKind

REFERENCE = Path(__file__).parents[1] / "data" / "reference" / "contributions"
REFERENCE_CASES = sorted(path.name for path in REFERENCE.iterdir() if path.is_dir())

DIGIVESTLAND = Rule(fixed=Decimal(100000), per_inhabitant=Decimal(20), cap=Decimal(500000))


def formula_model(**changes) -> ContributionModel:
    """DigiVestland 2021: 100 000 fixed + 20 per inhabitant, capped at 500 000, unless changed."""
    values = {
        "name": "DigiVestland 2021-2024",
        "mode": "formula",
        "base_year": 2021,
        "year": 2021,
        "rules": {"municipality": DIGIVESTLAND},
        "overrides": {},
    }
    return ContributionModel(**{**values, **changes})


def share_model(target_total: int, equal_share: str = "0", **changes) -> ContributionModel:
    """A share-mode model dividing target_total, equal_share of it equally, unless changed."""
    values = {
        "name": "Fordeling",
        "mode": "share",
        "base_year": 2021,
        "year": 2021,
        "rules": {},
        "overrides": {},
        "target_total": Decimal(target_total),
        "equal_share": Decimal(equal_share),
    }
    return ContributionModel(**{**values, **changes})


def municipality(member_id: str, population: int, months: int = 12) -> Member:
    """A municipality member."""
    return Member(id=member_id, kind="municipality", population=population, months=months)


def amounts(contributions) -> list[int]:
    """The amounts as plain integers, for short assertions."""
    return [int(contribution.amount) for contribution in contributions]


def read_expected(case: Path) -> list[tuple[str, str]]:
    """The (id, amount) rows of a reference case's expected.csv."""
    with (case / "expected.csv").open(newline="", encoding="utf-8") as file:
        return [(row["id"], row["amount"]) for row in csv.DictReader(file)]


# --- Reference cases -------------------------------------------------------------------------------------


def test_there_are_reference_cases():
    assert {"digivestland-2021", "digiviken-2022"} <= set(REFERENCE_CASES)


@pytest.mark.parametrize("case", REFERENCE_CASES)
def test_reference_case(case):
    folder = REFERENCE / case
    model = load_model((folder / "model.json").read_text(encoding="utf-8"))
    members = parse_members_csv((folder / "members.csv").read_text(encoding="utf-8"))

    result = [(contribution.member_id, f"{contribution.amount:f}") for contribution in compute(model, members)]

    assert result == read_expected(folder)


# --- The domain's figures ---------------------------------------------------------------------------------


def test_digivestland_municipality_of_1691_inhabitants_pays_133820():
    [contribution] = compute(formula_model(), [municipality("4634", 1691)])

    assert contribution.amount == Decimal(133820)
    assert contribution.basis == "formula"
    assert contribution.fixed_part == Decimal(100000)
    assert contribution.per_inhabitant_part == Decimal(33820)
    assert contribution.cap == Decimal(500000)
    assert contribution.index_factor == Decimal(1)
    assert (
        contribution.explanation
        == "100\xa0000 + 20 × 1\xa0691 innbyggere = 133\xa0820; taket på 500\xa0000 er ikke nådd"
    )


def test_digivestland_cap_limits_the_largest_member():
    [contribution] = compute(formula_model(), [municipality("4601", 291940)])

    assert contribution.amount == Decimal(500000)
    assert contribution.basis == "capped"
    assert contribution.per_inhabitant_part == Decimal(5838800)
    assert contribution.explanation == (
        "100\xa0000 + 20 × 291\xa0940 innbyggere = 5\xa0938\xa0800; over taket, betaler taket på 500\xa0000"
    )


def test_amount_exactly_at_the_cap_is_not_capped():
    [contribution] = compute(formula_model(), [municipality("1", 20000)])

    assert contribution.amount == Decimal(500000)
    assert contribution.basis == "formula"
    assert contribution.explanation.endswith("= 500\xa0000; lik taket på 500\xa0000")


def test_host_exempt_pays_nothing_and_the_explanation_gives_the_reason():
    model = formula_model(
        overrides={"4601": Override(exempt=True, description="vertskommune, egenbidrag 9,1 mill. kr")}
    )

    [contribution] = compute(model, [municipality("4601", 291940)])

    assert contribution.amount == Decimal(0)
    assert contribution.basis == "exempt"
    assert contribution.explanation == "Fritatt: vertskommune, egenbidrag 9,1 mill. kr"


def test_digiviken_20000_inhabitants_pays_60000_and_the_county_a_fixed_150000():
    model = formula_model(
        name="DigiViken 2022",
        base_year=2022,
        year=2022,
        rules={"municipality": Rule(fixed=Decimal(0), per_inhabitant=Decimal(3))},
        overrides={"30": Override(fixed_amount=Decimal(150000))},
    )
    members = [municipality("3048", 20000), Member(id="30", kind="county_municipality", population=1252384)]

    municipal, county = compute(model, members)

    assert (municipal.amount, county.amount) == (Decimal(60000), Decimal(150000))
    assert municipal.explanation == "3 × 20\xa0000 innbyggere = 60\xa0000"
    assert county.basis == "fixed_amount"
    assert county.explanation == "Fast beløp 150\xa0000"


def test_digitale_hordaland_flat_500000_whatever_the_population():
    model = formula_model(
        name="Digitale Hordaland 2018",
        base_year=2018,
        year=2018,
        rules={"municipality": Rule(fixed=Decimal(500000), per_inhabitant=Decimal(0))},
    )

    result = compute(model, [municipality("small", 200), municipality("large", 285000)])

    assert amounts(result) == [500000, 500000]
    assert result[0].explanation == "Fast grunnbeløp 500\xa0000"


def test_rule_missing_for_a_kind_is_only_an_error_when_a_member_needs_it():
    members = [Member(id="30", kind="county_municipality", population=1252384)]
    with pytest.raises(ModelError, match=r"no rule for kind 'county_municipality', needed by member 30"):
        compute(formula_model(), members)
    # A fixed amount needs no rule.
    model = formula_model(overrides={"30": Override(fixed_amount=Decimal(150000))})
    assert amounts(compute(model, members)) == [150000]


# --- The index factor ----------------------------------------------------------------------------------------


def test_index_factor_is_one_in_the_base_year():
    assert index_factor(formula_model(deflators={2021: Decimal("0.5")})) == Decimal(1)


def test_index_factor_multiplies_the_years_after_the_base_year_and_a_missing_year_counts_zero():
    # 2022: 3.5 %, 2023 missing (0), 2024: 4 %; 2021 is the base year and 2025 is after `year`: both ignored.
    deflators = {2021: Decimal("0.5"), 2022: Decimal("0.035"), 2024: Decimal("0.04"), 2025: Decimal("0.5")}
    model = formula_model(year=2024, deflators=deflators)

    assert index_factor(model) == Decimal("1.0764")

    [contribution] = compute(model, [municipality("4634", 1691)])
    # 100 000 * 1.0764 + 20 * 1.0764 * 1 691 = 107 640 + 36 403.848
    assert contribution.exact == Decimal("144043.848")
    assert contribution.amount == Decimal(144044)
    assert contribution.explanation == (
        "Prisjustert med faktor 1,0764 fra 2021 til 2024: 107\xa0640 + 21,528 × 1\xa0691 innbyggere "
        "= 144\xa0043,85 → 144\xa0044; taket på 500\xa0000 (ikke prisjustert) er ikke nådd"
    )


def test_year_before_base_year_is_an_error():
    with pytest.raises(ModelError, match="year: 2020 is before base_year 2021"):
        index_factor(formula_model(year=2020))


@pytest.mark.parametrize(("cap_indexed", "expected"), [(False, 500000), (True, 538200)])
def test_cap_follows_the_index_only_when_the_model_says_so(cap_indexed, expected):
    model = formula_model(year=2024, deflators={2022: Decimal("0.035"), 2024: Decimal("0.04")}, cap_indexed=cap_indexed)

    [contribution] = compute(model, [municipality("4601", 291940)])

    assert contribution.amount == Decimal(expected)
    assert contribution.cap == Decimal(expected)
    assert contribution.basis == "capped"


def test_indexed_cap_is_named_in_the_explanation():
    model = formula_model(year=2022, deflators={2022: Decimal("0.035")}, cap_indexed=True)

    [contribution] = compute(model, [municipality("4601", 291940)])

    assert contribution.amount == Decimal(517500)
    assert contribution.explanation.endswith(
        "over taket, betaler det prisjusterte taket på 517\xa0500 (500\xa0000 × 1,035)"
    )


# --- Proration --------------------------------------------------------------------------------------------


def test_half_year_member_pays_half():
    [contribution] = compute(formula_model(), [municipality("4634", 1691, months=6)])

    assert contribution.amount == Decimal(66910)
    assert contribution.months == 6
    assert contribution.explanation == (
        "100\xa0000 + 20 × 1\xa0691 innbyggere = 133\xa0820; taket på 500\xa0000 er ikke nådd; "
        "medlem 6 av 12 måneder: 133\xa0820 × 6/12 = 66\xa0910"
    )


def test_proration_applies_after_the_cap():
    [contribution] = compute(formula_model(), [municipality("4601", 291940, months=3)])

    assert contribution.amount == Decimal(125000)


def test_proration_that_is_not_whole_rounds_half_up_and_shows_the_exact_figure():
    [contribution] = compute(formula_model(), [municipality("4634", 1691, months=7)])

    # 133 820 * 7 / 12 = 78 061.666...
    assert contribution.amount == Decimal(78062)
    assert contribution.explanation.endswith("medlem 7 av 12 måneder: 133\xa0820 × 7/12 = 78\xa0061,67 → 78\xa0062")


def test_fixed_amount_is_prorated_and_exempt_stays_zero():
    model = formula_model(
        overrides={"30": Override(fixed_amount=Decimal(150000)), "4601": Override(exempt=True)},
        rules={"municipality": DIGIVESTLAND, "county_municipality": Rule(Decimal(0), Decimal(5))},
    )
    members = [Member(id="30", kind="county_municipality", population=1252384, months=6), municipality("4601", 1, 4)]

    county, host = compute(model, members)

    assert county.amount == Decimal(75000)
    assert county.explanation == "Fast beløp 150\xa0000; medlem 6 av 12 måneder: 150\xa0000 × 6/12 = 75\xa0000"
    assert host.amount == Decimal(0)
    assert host.explanation == "Fritatt"


def test_fixed_amount_is_not_indexed():
    model = formula_model(
        year=2022, deflators={2022: Decimal("0.035")}, overrides={"46": Override(fixed_amount=Decimal(150000))}
    )

    [contribution] = compute(model, [municipality("46", 600000)])

    assert contribution.amount == Decimal(150000)
    assert contribution.index_factor == Decimal(1)


# --- Rounding -------------------------------------------------------------------------------------------------


def test_rounding_is_half_up_not_to_even():
    model = formula_model(rules={"municipality": Rule(fixed=Decimal(0), per_inhabitant=Decimal("2.5"))})

    result = compute(model, [municipality("a", 1), municipality("b", 5)])

    # 2.5 -> 3 and 12.5 -> 13 (rounding to even would give 2 and 12).
    assert amounts(result) == [3, 13]
    assert result[0].explanation == "2,50 × 1 innbygger = 2,50 → 3"


def test_rounding_happens_once_at_the_end_not_before_proration():
    model = formula_model(rules={"municipality": Rule(fixed=Decimal(100), per_inhabitant=Decimal("0.5"))})

    [contribution] = compute(model, [municipality("a", 1, months=6)])

    # Exact: 100.5 * 6/12 = 50.25 -> 50. Rounding 100.5 to 101 first would give 50.5 -> 51.
    assert contribution.exact == Decimal("50.25")
    assert contribution.amount == Decimal(50)


def test_indexed_rate_is_not_rounded_to_ore_before_multiplying():
    model = formula_model(year=2023, deflators={2022: Decimal("0.035"), 2023: Decimal("0.035")})

    [contribution] = compute(model, [municipality("4634", 1691)])

    # f = 1.071225: 107 122.5 + 21.4245 * 1 691 = 143 351.3295. A rate rounded to 21.42 would give 143 344.
    assert contribution.exact == Decimal("143351.3295")
    assert contribution.amount == Decimal(143351)
    assert "21,4245 × 1\xa0691 innbyggere" in contribution.explanation


def test_shown_ore_never_contradict_the_rounding():
    model = formula_model(rules={"municipality": Rule(fixed=Decimal("100.496"), per_inhabitant=Decimal(0))})

    [contribution] = compute(model, [municipality("a", 1)])

    assert contribution.amount == Decimal(100)
    assert contribution.explanation == "Fast grunnbeløp 100,49 → 100"


# --- Share mode ---------------------------------------------------------------------------------------------------


def test_share_mode_equal_and_population_parts_with_the_specs_explanation():
    populations = [1691, 100000, 200000, 150000, 99608, 50000, 20000, 10000, 10000, 10000]
    members = [municipality(f"m{index}", population) for index, population in enumerate(populations)]

    result = compute(share_model(1000000, "0.3"), members)

    assert sum(amounts(result)) == 1000000
    assert amounts(result) == [31817, 137478, 244955, 191216, 137056, 83739, 51495, 40748, 40748, 40748]
    assert result[0].explanation == (
        "Likt fordelt 30 % av 1\xa0000\xa0000 på 10 medlemmer = 30\xa0000 + 70 % etter folketall: "
        "700\xa0000 × 1\xa0691 / 651\xa0299 innbyggere = 1\xa0817,44; til sammen 31\xa0817,44 → 31\xa0817"
    )
    # 51 495.504 loses its krone to larger remainders; the explanation says why.
    assert result[6].explanation.endswith(
        "→ 51\xa0495 (avrundet etter største-rest-metoden, så summen blir nøyaktig 1\xa0000\xa0000)"
    )
    assert result[0].basis == "share"
    assert result[0].fixed_part == Decimal(30000)


def test_share_mode_ties_go_to_the_earlier_member():
    result = compute(share_model(1000), [municipality("a", 1), municipality("b", 1), municipality("c", 1)])

    assert amounts(result) == [334, 333, 333]


def test_share_mode_leftover_goes_to_the_largest_remainder_not_the_first_member():
    result = compute(share_model(10), [municipality("a", 1), municipality("b", 2)])

    # 3.33 and 6.67: the krone left over goes to b.
    assert amounts(result) == [3, 7]


def test_share_mode_subtracts_fixed_amounts_and_skips_exempt_members():
    overrides = {"fixed": Override(fixed_amount=Decimal(100)), "host": Override(exempt=True)}
    members = [
        municipality("a", 100),
        municipality("fixed", 5000),
        municipality("host", 9000),
        municipality("b", 300),
    ]

    result = compute(share_model(1000, "0.5", overrides=overrides), members)

    # 900 left: 225 each equally, then 450 by population: 112.5 and 337.5; the tied .5 remainders go by input order.
    assert amounts(result) == [338, 100, 0, 562]
    assert [contribution.basis for contribution in result] == ["share", "fixed_amount", "exempt", "share"]
    assert result[0].explanation.startswith("1\xa0000 − faste beløp 100 = 900 å fordele; likt fordelt 50 % av 900")


def test_share_mode_all_equal_and_months_ignored():
    members = [municipality("a", 10, months=3), municipality("b", 20000), municipality("c", 0)]

    result = compute(share_model(1000, "1"), members)

    assert amounts(result) == [334, 333, 333]
    assert result[0].explanation == (
        "Likt fordelt 1\xa0000 på 3 medlemmer = 333,33 → 334 "
        "(avrundet etter største-rest-metoden, så summen blir nøyaktig 1\xa0000)"
    )


def test_share_mode_by_population_only():
    result = compute(share_model(1000), [municipality("a", 1), municipality("b", 3)])

    assert amounts(result) == [250, 750]
    assert result[0].explanation == "Etter folketall: 1\xa0000 × 1 / 4 innbyggere = 250"


def test_share_mode_ignores_rules_deflators_and_cap():
    model = share_model(
        1000, rules={"municipality": DIGIVESTLAND}, year=2023, deflators={2022: Decimal("0.5")}, cap_indexed=True
    )

    assert amounts(compute(model, [municipality("a", 1), municipality("b", 1)])) == [500, 500]


@pytest.mark.parametrize(
    ("model", "message"),
    [
        (share_model(100, overrides={"a": Override(fixed_amount=Decimal(150))}), "less than the fixed amounts"),
        (share_model(1000, overrides={"a": Override(exempt=True), "b": Override(exempt=True)}), "no member shares it"),
        (replace(share_model(1000), target_total=None), "target_total: missing"),
        (replace(share_model(1000), target_total=Decimal("0.5")), "target_total: '0.5' is not a whole number"),
        (replace(share_model(1000), equal_share=Decimal("1.5")), "equal_share: '1.5' is not between 0 and 1"),
    ],
)
def test_share_mode_that_cannot_add_up_is_an_error(model, message):
    with pytest.raises(ModelError, match=message):
        compute(model, [municipality("a", 1), municipality("b", 1)])


def test_share_mode_without_inhabitants_cannot_divide_by_population():
    with pytest.raises(ModelError, match="no inhabitants"):
        compute(share_model(1000), [municipality("a", 0), municipality("b", 0)])
    assert amounts(compute(share_model(1000, "1"), [municipality("a", 0), municipality("b", 0)])) == [500, 500]


# --- Fairness -------------------------------------------------------------------------------------------------


def test_fairness_shows_the_spread_of_cost_per_inhabitant():
    model = formula_model(overrides={"4601": Override(exempt=True)})
    members = [municipality("4634", 1691), municipality("4601", 291940), municipality("1", 291940)] + [
        municipality(str(index), 1000 * index) for index in range(2, 6)
    ]

    result = fairness(compute(model, members), members)

    assert result.total == Decimal(1313820)
    # 500 000 / 291 940, (45 + 53.33) / 2 and 133 820 / 1 691 per inhabitant; the exempt host is left out.
    assert result.min_per_inhabitant == Decimal("1.71")
    assert result.median_per_inhabitant == Decimal("49.17")
    assert result.max_per_inhabitant == Decimal("79.14")
    assert result.max_min_ratio == Decimal("46.21")
    # The five most populous: the host (0), 500 000, 200 000, 180 000 and 160 000 of 1 313 820.
    assert result.largest_members_share == Decimal("0.7916")


def test_fairness_of_nothing_paid():
    members = [municipality("a", 10)]
    result = fairness(compute(formula_model(overrides={"a": Override(exempt=True)}), members), members)

    assert result.total == Decimal(0)
    assert result.min_per_inhabitant is None
    assert result.max_min_ratio is None
    assert result.largest_members_share is None


# --- Reading models ---------------------------------------------------------------------------------------------

VALID_MODEL = {
    "name": "DigiVestland 2021-2024",
    "mode": "formula",
    "base_year": 2021,
    "year": 2022,
    "deflators": {"2022": "0.035"},
    "cap_indexed": False,
    "rules": {
        "municipality": {"fixed": "100000", "per_inhabitant": "20", "cap": "500000"},
        "county_municipality": {"fixed": "0", "per_inhabitant": "5"},
    },
    "overrides": {"4601": {"exempt": True}, "46": {"fixed_amount": "150000"}},
}


def with_change(path: str, value, data=VALID_MODEL) -> dict:
    """A deep copy of the model with the value at a dotted path replaced (or removed, for value ...)."""
    copy = json.loads(json.dumps(data))
    *parents, last = path.split(".")
    target = copy
    for key in parents:
        target = target[key]
    if value is ...:
        del target[last]
    else:
        target[last] = value
    return copy


def test_parse_model_reads_the_readme_example():
    model = parse_model(VALID_MODEL)

    assert model.deflators == {2022: Decimal("0.035")}
    assert model.rules["municipality"] == Rule(Decimal(100000), Decimal(20), Decimal(500000))
    assert model.rules["county_municipality"].cap is None
    assert model.overrides["4601"] == Override(exempt=True)
    assert model.overrides["46"].fixed_amount == Decimal(150000)
    assert model.target_total is None
    assert model.equal_share == Decimal(0)


def test_numbers_may_be_json_numbers_and_no_binary_float_is_involved():
    text = '{"mode": "formula", "base_year": 2021, "year": 2022, "deflators": {"2022": 0.035},'
    text += ' "rules": {"municipality": {"fixed": 100000, "per_inhabitant": 20.1}}, "overrides": {}}'

    model = load_model(text)

    assert model.deflators[2022] == Decimal("0.035")
    assert model.rules["municipality"].per_inhabitant == Decimal("20.1")
    assert isinstance(model.rules["municipality"].per_inhabitant, Decimal)
    # Python floats, too, are read through their shortest text.
    assert parse_model(with_change("deflators", {"2022": 0.035})).deflators[2022] == Decimal("0.035")


def test_model_to_dict_round_trips_and_is_json():
    for model in [
        parse_model(VALID_MODEL),
        share_model(1000000, "0.3", overrides={"46": Override(fixed_amount=Decimal(1), description="avtale")}),
    ]:
        data = model_to_dict(model)
        assert parse_model(json.loads(json.dumps(data))) == model
    assert model_to_dict(parse_model(VALID_MODEL))["rules"]["municipality"] == {
        "fixed": "100000",
        "per_inhabitant": "20",
        "cap": "500000",
    }


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (with_change("rules.municipality.cap", "abc"), "model.json: rules.municipality.cap: 'abc' is not a number"),
        (with_change("targettotal", "1"), "model.json: targettotal: unknown key"),
        (with_change("rules.municipality.caps", "1"), "model.json: rules.municipality.caps: unknown key"),
        (with_change("overrides.4601.exemt", True), "model.json: overrides.4601.exemt: unknown key"),
        (with_change("rules.fylke", {"fixed": "0", "per_inhabitant": "1"}), "model.json: rules.fylke: 'fylke' is not"),
        (with_change("rules.municipality.fixed", ...), "model.json: rules.municipality.fixed: missing"),
        (with_change("rules.municipality.per_inhabitant", "-1"), "rules.municipality.per_inhabitant: '-1' is less"),
        (with_change("rules.municipality.fixed", True), "rules.municipality.fixed: True is not a number"),
        (with_change("rules.municipality.fixed", "NaN"), "rules.municipality.fixed: 'NaN' is not a number"),
        (with_change("rules", ...), "model.json: rules: missing"),
        (with_change("rules", []), "model.json: rules: the value must be a JSON object, not a list"),
        (with_change("overrides.4601.exempt", "yes"), "model.json: overrides.4601.exempt: 'yes' is not true or false"),
        (with_change("overrides.46.fixed_amount", "1 000"), "overrides.46.fixed_amount: '1 000' is not a number"),
        (with_change("cap_indexed", "true"), "model.json: cap_indexed: 'true' is not true or false"),
        (with_change("mode", "formel"), "model.json: mode: 'formel' is not one of formula, share"),
        (with_change("year", 2020), "model.json: year: 2020 is before base_year 2021"),
        (with_change("base_year", ...), "model.json: base_year: missing"),
        (with_change("year", "neste"), "model.json: year: 'neste' is not a year"),
        (with_change("deflators.22", "0.1"), "model.json: deflators.22: '22' is not a year"),
        (with_change("deflators.2022", "-1"), "model.json: deflators.2022: '-1' must be more than -1"),
        (with_change("mode", "share"), "model.json: target_total: missing"),
        (with_change("target_total", "1000.5"), "model.json: target_total: '1000.5' is not a whole number"),
        (with_change("equal_share", "1.5"), "model.json: equal_share: '1.5' is more than 1"),
        (with_change("overrides. 4601", {"exempt": True}), "model.json: overrides. 4601: ' 4601' is not a member id"),
        ([], "model.json: the top level must be a JSON object, not a list"),
    ],
)
def test_bad_model_names_the_file_and_the_key(data, message):
    with pytest.raises(ModelError) as raised:
        parse_model(data)

    assert message in str(raised.value)


def test_fractional_fixed_amount_is_refused_in_share_mode():
    data = with_change(
        "overrides.46.fixed_amount", "0.5", with_change("target_total", "100", with_change("mode", "share"))
    )

    with pytest.raises(ModelError, match=r"model.json: overrides.46.fixed_amount: '0.5' is not whole kroner"):
        parse_model(data)


def test_malformed_json_names_the_file_line_and_column():
    with pytest.raises(ModelError) as raised:
        load_model('{\n  "name": "x",\n  "mode" "formula"\n}', source="vestland.json")

    assert str(raised.value) == "vestland.json, line 3, column 10: malformed JSON: Expecting ':' delimiter"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"name": "a", "name": "b"}', "model.json: name: the key appears twice"),
        ('{"base_year": NaN}', "model.json: NaN is not a number"),
        ("", "model.json, line 1, column 1: malformed JSON"),
    ],
)
def test_json_that_would_hide_a_mistake_is_refused(text, message):
    with pytest.raises(ModelError, match=message):
        load_model(text)


# --- Reading members --------------------------------------------------------------------------------------------


def test_parse_members_with_and_without_months():
    assert parse_members_csv("id,kind,population\n4634,municipality,1691\n30,county_municipality,1252384\n") == [
        Member("4634", "municipality", 1691),
        Member("30", "county_municipality", 1252384),
    ]
    assert parse_members_csv("\ufeffid,kind,population,months\n4634,municipality,1691,6\n4601,municipality,0,\n") == [
        Member("4634", "municipality", 1691, 6),
        Member("4601", "municipality", 0, 12),
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("id,kind,population\n1,municipality,10\n2,fylke,10\n", "members.csv, line 3, kind: 'fylke' is not one of"),
        ("id,kind,population\n1,municipality,-5\n", "members.csv, line 2, population: '-5' is negative"),
        ("id,kind,population\n1,municipality,\n", "members.csv, line 2, population: missing"),
        ("id,kind,population\n1,municipality\n", "members.csv, line 2, population: missing"),
        (
            "id,kind,population\n1,municipality,1 691\n",
            "members.csv, line 2, population: '1 691' is not a whole number",
        ),
        ("id,kind,population\n1,municipality,12.5\n", "members.csv, line 2, population: '12.5' is not a whole number"),
        (
            "id,kind,population,months\n1,municipality,1,13\n",
            "members.csv, line 2, months: '13' is not between 1 and 12",
        ),
        ("id,kind,population,months\n1,municipality,1,0\n", "members.csv, line 2, months: '0' is not between 1 and 12"),
        ("id,kind,population,months\n1,municipality,1,x\n", "members.csv, line 2, months: 'x' is not a whole number"),
        ("id,kind,population\n1,municipality,1\n\n1,municipality,2\n", "members.csv, line 4, id: '1' repeats line 2"),
        ("id,kind,population\n,municipality,1\n", "members.csv, line 2, id: missing"),
        ("id,kind,population\n1,municipality,1,12\n", "members.csv, line 2: 4 columns, but the header has 3"),
        ("id,type,population\n1,municipality,1\n", "members.csv, line 1: the header must be id,kind,population"),
        ("", "members.csv, line 1: the file is empty"),
    ],
)
def test_bad_members_name_the_file_line_and_column(text, message):
    with pytest.raises(MembersError) as raised:
        parse_members_csv(text)

    assert message in str(raised.value)


def test_every_bad_cell_is_reported_at_once():
    with pytest.raises(MembersError) as raised:
        parse_members_csv("id,kind,population\n1,fylke,-1\n2,municipality,3\n3,municipality,x\n", source="m.csv")

    assert raised.value.errors == [
        "m.csv, line 2, kind: 'fylke' is not one of municipality, county_municipality",
        "m.csv, line 2, population: '-1' is negative",
        "m.csv, line 4, population: 'x' is not a whole number",
    ]


@pytest.mark.parametrize("member", [municipality("a", -1), municipality("a", 1, months=13), municipality("a", 1, 0)])
def test_compute_refuses_impossible_members(member):
    with pytest.raises(MembersError, match="member a"):
        compute(formula_model(), [member])


def test_kinds_are_organisation_kinds():
    assert set(KINDS) <= set(OrganisationKind.values)
    assert KINDS == ("municipality", "county_municipality")
