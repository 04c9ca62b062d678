"""Properties of the contribution calculation that must hold for any model and members (hypothesis)."""

from dataclasses import replace
from decimal import Decimal, localcontext

from hypothesis import given, settings
from hypothesis import strategies as st

from funding.calculation import ContributionModel, Member, Override, Rule, compute, compute_in_parts, index_factor

# Kroner with up to two decimals, rates with up to four, deflators from -5 % to +10 % with up to four decimals.
kroner = st.decimals(min_value=0, max_value=2_000_000, places=2, allow_nan=False, allow_infinity=False)
rates = st.decimals(min_value=0, max_value=500, places=4, allow_nan=False, allow_infinity=False)
deflator = st.decimals(min_value=Decimal("-0.05"), max_value=Decimal("0.10"), places=4)
populations = st.integers(min_value=0, max_value=1_500_000)
months = st.integers(min_value=1, max_value=12)
kinds = st.sampled_from(["municipality", "county_municipality"])

rules = st.builds(Rule, fixed=kroner, per_inhabitant=rates, cap=st.none() | kroner)


@st.composite
def members(draw, min_size: int = 0) -> list[Member]:
    """Up to 12 members with distinct ids."""
    count = draw(st.integers(min_value=min_size, max_value=12))
    return [
        Member(id=str(index), kind=draw(kinds), population=draw(populations), months=draw(months))
        for index in range(count)
    ]


@st.composite
def overrides(draw, member_list: list[Member], *, whole: bool = False) -> dict[str, Override]:
    """Exempt or fixed-amount overrides for some of the members (whole kroner for share mode)."""
    amount = st.integers(min_value=0, max_value=300_000).map(Decimal) if whole else kroner
    chosen = draw(st.lists(st.sampled_from([m.id for m in member_list]), unique=True)) if member_list else []
    return {
        member_id: draw(st.builds(Override, exempt=st.just(True)) | st.builds(Override, fixed_amount=amount))
        for member_id in chosen
    }


@st.composite
def formula_cases(draw) -> tuple[ContributionModel, list[Member]]:
    """A formula-mode model, with deflators around its years, and members."""
    member_list = draw(members())
    base_year = draw(st.integers(min_value=2015, max_value=2025))
    year = base_year + draw(st.integers(min_value=0, max_value=6))
    model = ContributionModel(
        name="egenskap",
        mode="formula",
        base_year=base_year,
        year=year,
        rules={"municipality": draw(rules), "county_municipality": draw(rules)},
        overrides=draw(overrides(member_list)),
        deflators=draw(st.dictionaries(st.integers(min_value=base_year - 1, max_value=year + 1), deflator)),
        cap_indexed=draw(st.booleans()),
    )
    return model, member_list


@st.composite
def share_cases(draw) -> tuple[ContributionModel, list[Member]]:
    """A share-mode model whose target covers its fixed amounts, and members."""
    member_list = draw(members(min_size=1))
    model_overrides = draw(overrides(member_list, whole=True))
    fixed_total = sum(
        (o.fixed_amount for o in model_overrides.values() if not o.exempt and o.fixed_amount is not None), Decimal(0)
    )
    sharers = [m for m in member_list if m.id not in model_overrides]
    equal_share = draw(st.decimals(min_value=0, max_value=1, places=3))
    if sharers and sum(m.population for m in sharers) == 0:
        equal_share = Decimal(1)  # nothing can be divided by population among members without inhabitants
    extra = draw(st.integers(min_value=0, max_value=20_000_000)) if sharers else 0
    model = ContributionModel(
        name="fordeling",
        mode="share",
        base_year=2024,
        year=2024,
        rules={},
        overrides=model_overrides,
        target_total=fixed_total + extra,
        equal_share=equal_share,
    )
    return model, member_list


@given(formula_cases())
def test_the_cap_is_never_exceeded(case):
    model, member_list = case
    factor = index_factor(model)
    for member, contribution in zip(member_list, compute(model, member_list), strict=True):
        rule = model.rules[member.kind]
        if contribution.basis in ("formula", "capped") and rule.cap is not None:
            with localcontext(prec=100):  # the default 28 digits would round the expected cap itself
                limit = rule.cap * factor if model.cap_indexed else rule.cap
            assert contribution.cap == limit
            # Rounding half up may add at most half a krone to an amount at the cap.
            assert contribution.exact <= limit
            assert contribution.amount <= limit + Decimal("0.5")


@given(formula_cases())
def test_exempt_members_pay_nothing_and_no_result_is_negative(case):
    model, member_list = case
    for member, contribution in zip(member_list, compute(model, member_list), strict=True):
        assert contribution.amount >= 0
        assert contribution.exact >= 0
        assert contribution.amount == contribution.amount.to_integral_value()
        override = model.overrides.get(member.id)
        if override is not None and override.exempt:
            assert contribution.amount == 0
            assert contribution.basis == "exempt"


@given(formula_cases(), st.integers(min_value=0, max_value=10), st.integers(min_value=1, max_value=500_000))
def test_amount_never_decreases_when_the_population_grows(case, which, growth):
    model, member_list = case
    if not member_list:
        return
    index = which % len(member_list)
    grown = [*member_list]
    grown[index] = replace(member_list[index], population=member_list[index].population + growth)

    before = compute(model, member_list)[index]
    after = compute(model, grown)[index]

    assert after.amount >= before.amount
    assert after.exact >= before.exact


@given(formula_cases())
def test_amount_is_the_exact_figure_rounded_half_up(case):
    model, member_list = case
    for contribution in compute(model, member_list):
        difference = contribution.exact - contribution.amount
        assert Decimal("-0.5") <= difference < Decimal("0.5")


@settings(max_examples=200)
@given(share_cases())
def test_share_mode_sums_exactly_to_the_target(case):
    model, member_list = case
    result = compute(model, member_list)

    assert sum(contribution.amount for contribution in result) == model.target_total
    for member, contribution in zip(member_list, result, strict=True):
        assert contribution.amount >= 0
        assert contribution.amount == contribution.amount.to_integral_value()
        # The largest remainder moves an amount less than one krone away from its exact share.
        assert abs(contribution.amount - contribution.exact) < 1
        override = model.overrides.get(member.id)
        if override is not None and override.exempt:
            assert contribution.amount == 0


@given(formula_cases() | share_cases(), st.integers(min_value=1, max_value=14))
def test_computing_in_parts_gives_what_computing_at_once_gives(case, parts):
    model, member_list = case
    given_parts = list(compute_in_parts(model, member_list, parts))

    assert [contribution for part in given_parts for contribution in part] == compute(model, member_list)
    assert len(given_parts) == min(parts, len(member_list))
    assert all(given_parts)  # no empty part
    assert max(map(len, given_parts), default=0) - min(map(len, given_parts), default=0) <= 1
