from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kit.errors import Invalid

from billing.pricing import ACTIVITY_LABELS, Bracket, Tariff, TariffGrid

# Each bound of the contract's brackets, and the QF just past it.
BOUNDARIES = [
    (0, "A"), (400, "A"), (401, "B"), (700, "B"), (701, "C"), (1000, "C"),
    (1001, "D"), (1400, "D"), (1401, "E"), (1900, "E"), (1901, "F"), (1_000_000, "F"),
]


@pytest.mark.parametrize("quotient_familial, bracket", BOUNDARIES)
def test_a_household_pays_the_bracket_its_quotient_falls_in(grid, quotient_familial, bracket):
    assert grid.bracket(quotient_familial).code == bracket
    for activity in ACTIVITY_LABELS:
        assert grid.price(activity, quotient_familial).bracket.code == bracket


@pytest.mark.parametrize("activity, quotient_familial, cents", [
    ("restauration_scolaire", 0, 80), ("restauration_scolaire", 650, 160), ("restauration_scolaire", 1901, 520),
    ("accueil_du_soir", 400, 60), ("accueil_du_soir", 1000, 190), ("accueil_du_soir", 1401, 310),
    ("etude", 401, 100), ("etude", 1400, 200), ("etude", 5000, 300),
    ("alsh_mercredi", 0, 200), ("alsh_mercredi", 701, 750), ("alsh_mercredi", 1900, 1300),
])
def test_the_unit_price_is_the_grids_for_the_activity_and_bracket(grid, activity, quotient_familial, cents):
    assert grid.price(activity, quotient_familial).unit_price_cents == cents


def test_a_quotient_of_zero_pays_the_lowest_prices(grid):
    assert [price.unit_price_cents for price in grid.prices(0)] == [80, 60, 50, 200]


@pytest.mark.parametrize("quotient_familial", [-1, -400, 12.5, "650", None, True])
def test_a_quotient_that_is_not_a_whole_number_of_euros_from_zero_is_refused(grid, quotient_familial):
    with pytest.raises(Invalid) as refused:
        grid.price("etude", quotient_familial)
    assert refused.value.code == "invalid_quotient_familial"
    assert set(refused.value.fields) == {"quotient_familial"}
    with pytest.raises(Invalid):
        grid.bracket(quotient_familial)


@pytest.mark.parametrize("activity", ["piscine", "", "Etude", None])
def test_an_activity_billing_has_no_price_for_is_refused(grid, activity):
    with pytest.raises(Invalid) as refused:
        grid.price(activity, 650)
    assert refused.value.code == "unknown_activity"
    assert set(refused.value.fields) == {"activity"}


def test_the_price_says_why_in_french(grid):
    assert grid.price("etude", 650).reason == "Quotient familial de 650 € : tranche B (de 401 € à 700 €)"
    assert grid.price("etude", 2500).reason == "Quotient familial de 2\u202f500 € : tranche F (au-delà de 1\u202f900 €)"


def test_prices_come_in_the_order_of_the_activities_with_their_french_labels(grid):
    assert [(price.activity, price.activity_label) for price in grid.prices(650)] == [
        ("restauration_scolaire", "Restauration scolaire"), ("accueil_du_soir", "Accueil du soir"),
        ("etude", "Étude surveillée"), ("alsh_mercredi", "Accueil de loisirs du mercredi")]


def test_new_prices_apply_from_their_first_day(contract_tariffs):
    new_meal_prices = [Tariff("restauration_scolaire", t.bracket, t.unit_price_cents + 10, date(2027, 1, 1))
                       for t in contract_tariffs if t.activity == "restauration_scolaire"]
    tariffs = contract_tariffs + new_meal_prices
    december = TariffGrid.in_force(tariffs, date(2026, 12, 31))
    january = TariffGrid.in_force(tariffs, date(2027, 1, 1))
    assert december.price("restauration_scolaire", 450).unit_price_cents == 160
    assert january.price("restauration_scolaire", 450).unit_price_cents == 170
    assert january.price("etude", 450).unit_price_cents == 100  # other activities keep their prices


def test_a_new_grid_replaces_the_old_brackets_as_a_whole(contract_tariffs):
    meals = [t for t in contract_tariffs if t.activity == "restauration_scolaire"]
    two_brackets = [Tariff("restauration_scolaire", Bracket("A", 0, 500), 90, date(2027, 1, 1)),
                    Tariff("restauration_scolaire", Bracket("B", 501, None), 300, date(2027, 1, 1))]
    january = TariffGrid.in_force(meals + two_brackets, date(2027, 1, 1))
    assert january.price("restauration_scolaire", 450).unit_price_cents == 90
    assert january.price("restauration_scolaire", 2500).bracket == Bracket("B", 501, None)


def test_prices_announced_for_later_are_not_in_force_yet(contract_tariffs):
    later = [Tariff(t.activity, t.bracket, 1, date(2027, 9, 1)) for t in contract_tariffs]
    assert TariffGrid.in_force(contract_tariffs + later, date(2027, 8, 31)).price("etude", 0).unit_price_cents == 50


def test_no_tariff_before_the_first_grid_is_a_clear_error(contract_tariffs):
    grid = TariffGrid.in_force(contract_tariffs, date(1999, 12, 31))
    with pytest.raises(Invalid) as refused:
        grid.price("etude", 650)
    assert refused.value.code == "no_tariff"
    assert "31/12/1999" in refused.value.message
    with pytest.raises(Invalid) as refused:
        grid.bracket(650)
    assert refused.value.code == "no_tariff"


def test_an_activity_without_a_grid_is_a_clear_error(contract_tariffs):
    grid = TariffGrid([t for t in contract_tariffs if t.activity != "etude"], date(2026, 10, 1))
    with pytest.raises(Invalid) as refused:
        grid.price("etude", 650)
    assert refused.value.code == "no_tariff"
    assert "Étude surveillée" in refused.value.message
    assert [price.activity for price in grid.prices(650)] == ["restauration_scolaire", "accueil_du_soir",
                                                               "alsh_mercredi"]


def grid_of(*brackets, activity="etude"):
    return TariffGrid([Tariff(activity, bracket, 100, date(2000, 1, 1)) for bracket in brackets], date(2026, 1, 1))


@pytest.mark.parametrize("brackets", [
    [Bracket("A", 1, 400), Bracket("B", 401, None)],        # QF 0 has no price
    [Bracket("A", 0, 400), Bracket("B", 402, None)],        # QF 401 has no price
    [Bracket("A", 0, 400), Bracket("B", 400, None)],        # QF 400 has two prices
    [Bracket("A", 0, 400), Bracket("B", 401, 700)],         # no price above 700
    [Bracket("A", 0, None), Bracket("B", 401, None)],       # two open tops
])
def test_a_grid_with_a_gap_or_an_overlap_is_rejected(brackets):
    with pytest.raises(ValueError):
        grid_of(*brackets)


def test_a_bracket_code_means_the_same_quotients_for_every_activity():
    tariffs = [Tariff("etude", Bracket("A", 0, None), 100, date(2000, 1, 1)),
               Tariff("accueil_du_soir", Bracket("A", 0, 400), 100, date(2000, 1, 1)),
               Tariff("accueil_du_soir", Bracket("B", 401, None), 100, date(2000, 1, 1))]
    with pytest.raises(ValueError):
        TariffGrid(tariffs, date(2026, 1, 1))


@given(st.integers(min_value=0, max_value=10**7))
def test_every_quotient_from_zero_falls_in_a_bracket_that_follows_the_one_below(grid, quotient_familial):
    bracket = grid.bracket(quotient_familial)
    assert bracket.covers(quotient_familial)
    if quotient_familial > 0:
        below = grid.bracket(quotient_familial - 1)
        assert below == bracket or (below.qf_max == quotient_familial - 1 and bracket.qf_min == quotient_familial)


@given(st.integers(min_value=0, max_value=10**5), st.integers(min_value=0, max_value=10**5),
       st.sampled_from(list(ACTIVITY_LABELS)))
def test_a_higher_quotient_never_pays_less(grid, low, high, activity):
    low, high = sorted((low, high))
    assert grid.price(activity, low).unit_price_cents <= grid.price(activity, high).unit_price_cents


@given(st.integers(max_value=-1))
def test_every_negative_quotient_is_refused(grid, quotient_familial):
    with pytest.raises(Invalid):
        grid.bracket(quotient_familial)
