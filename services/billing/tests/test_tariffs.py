import dataclasses
from datetime import date

import pytest
from hypothesis import given, strategies as st

from kit.errors import Invalid

from billing.periods import Period
from billing.tariffs import (BRACKETS, IN_FORCE, SUPERSEDED, UPCOMING, Bracket, Tariff, TariffBook,
                             check_new_version, school_year)



def test_a_household_pays_the_price_of_its_quotient_bracket(domain):
    price = domain.grid().price(650)
    assert (price.unit_price_cents, price.rule, price.bracket) == (160, "bracket", "B")
    assert price.reason == "Quotient familial de 650 € : tranche B (de 401 € à 700 €)."
    assert domain.grid().price(0).bracket == "A"
    assert domain.grid().price(400).bracket == "A"
    assert domain.grid().price(401).bracket == "B"
    assert domain.grid().price(1901).reason == "Quotient familial de 1\u202f901 € : tranche F (à partir de 1\u202f901 €)."


def test_a_taux_d_effort_is_a_rate_of_the_quotient_between_a_floor_and_a_ceiling(domain):
    tariff = domain.effort(rate=120, floor=300, ceiling=2000)  # 1.20 % of the QF
    assert tariff.price(1000).unit_price_cents == 1200
    assert tariff.price(1000).reason == "Quotient familial de 1\u202f000 € × taux d'effort de 1,20 % = 12 €."
    low = tariff.price(100)
    assert low.unit_price_cents == 300
    assert low.reason.endswith("= 1,20 €, relevé au prix plancher de 3 €.")
    high = tariff.price(5000)
    assert high.unit_price_cents == 2000
    assert high.reason.endswith("ramené au prix plafond de 20 €.")


def test_the_taux_d_effort_rounds_half_a_cent_up(domain):
    assert domain.effort(rate=35, floor=0, ceiling=10_000).price(1001).unit_price_cents == 350  # 350.35
    assert domain.effort(rate=5, floor=0, ceiling=10_000).price(1001).unit_price_cents == 50  # 50.05
    assert domain.effort(rate=50, floor=0, ceiling=10_000).price(1001).unit_price_cents == 501  # 500.5


@given(st.integers(min_value=0, max_value=100_000), st.integers(min_value=1, max_value=1000),
       st.integers(min_value=0, max_value=5000), st.integers(min_value=0, max_value=5000))
def test_a_taux_d_effort_never_leaves_its_floor_and_ceiling(domain, quotient, rate, floor, extra):
    tariff = domain.effort(rate=rate, floor=floor, ceiling=floor + extra)
    assert floor <= tariff.price(quotient).unit_price_cents <= floor + extra


@given(st.integers(min_value=0, max_value=50_000), st.integers(min_value=0, max_value=50_000))
def test_a_higher_quotient_never_pays_less(domain, one, other):
    low, high = sorted((one, other))
    for tariff in (domain.grid(), domain.effort()):
        assert tariff.price(low).unit_price_cents <= tariff.price(high).unit_price_cents


def test_without_a_justified_quotient_the_highest_price_applies(domain):
    for tariff, highest in ((domain.grid(), 520), (domain.effort(ceiling=2000), 2000)):
        for price in (tariff.price(200, justified=False), tariff.price(None)):
            assert (price.unit_price_cents, price.rule) == (highest, "not_justified")
            assert price.reason == "Quotient familial non justifié : le tarif le plus élevé s'applique."


def test_a_household_outside_the_commune_pays_the_non_resident_price(domain):
    price = domain.grid(non_resident_cents=700).price(200, resident=False)
    assert (price.unit_price_cents, price.rule) == (700, "non_resident")
    assert domain.grid().price(200, resident=False).unit_price_cents == 520  # no such price: the highest


def test_each_activity_uses_the_version_in_force_on_the_day(domain):
    old, new = domain.grid(prices=(1, 2, 3, 4, 5, 6)), domain.grid(prices=(10, 20, 30, 40, 50, 60), effective_from=date(2027, 1, 1))
    tariffs = TariffBook([new, old])
    assert tariffs.in_force("restauration_scolaire", date(2026, 12, 31)) == old
    assert tariffs.in_force("restauration_scolaire", date(2027, 1, 1)) == new
    with pytest.raises(Invalid) as refused:
        tariffs.in_force("restauration_scolaire", date(2026, 8, 31))
    assert refused.value.code == "no_tariff"
    assert refused.value.message == "Aucun tarif de « Restauration scolaire » en vigueur le 31/08/2026."
    with pytest.raises(Invalid) as refused:
        tariffs.in_force("piscine", date(2026, 10, 1))
    assert refused.value.code == "unknown_activity"
    assert tariffs.tariffs_in_force(date(2027, 2, 1)) == [new]


def test_a_school_year_starts_on_the_first_of_september(domain):
    assert school_year(date(2026, 9, 1)) == "2026-2027"
    assert school_year(date(2026, 8, 31)) == "2025-2026"
    assert domain.grid().school_year == "2026-2027"


@pytest.mark.parametrize("brackets, message, field", [
    ((), "Au moins une tranche de quotient familial est attendue.", "brackets"),
    ((Bracket(1, None, 100),), "la tranche A devrait commencer à 0 €", "brackets.0.qf_min"),
    ((Bracket(0, 400, 100), Bracket(500, None, 200)), "la tranche B devrait commencer à 401 €", "brackets.1.qf_min"),
    ((Bracket(0, 400, 100), Bracket(300, None, 200)), "la tranche B devrait commencer à 401 €", "brackets.1.qf_min"),
    ((Bracket(0, 400, 100), Bracket(401, 900, 200)), "La dernière tranche doit rester ouverte", "brackets.1.qf_max"),
    ((Bracket(0, 400, -1), Bracket(401, None, 200)), "Le prix de la tranche A ne peut pas être négatif.",
     "brackets.0.price_cents"),
    ((Bracket(0, 400, 100), Bracket(401, 300, 200), Bracket(301, None, 300)), "La tranche B finit avant de commencer.",
     "brackets.1.qf_max"),
    ((Bracket(0, 400, 100), Bracket(401, None, 200), Bracket(401, None, 300)),
     "La tranche B n'a pas de plafond de quotient alors que la tranche C la suit.", "brackets.1.qf_max"),
])
def test_brackets_must_cover_every_quotient_once(domain, brackets, message, field):
    with pytest.raises(Invalid) as refused:
        Tariff("etude", domain.SEPTEMBER_1, "day", BRACKETS, brackets=brackets)
    assert refused.value.code == "invalid_tariff"
    assert message in refused.value.message
    assert refused.value.fields == {field: refused.value.message}  # the input at fault, as a form shows it


@pytest.mark.parametrize("changes, field", [
    ({"floor": 500, "ceiling": 400}, "floor_cents"),
    ({"floor": -1}, "floor_cents"),
    ({"rate": 0}, "effort_rate"),
    ({"price_basis": "week"}, "price_basis"),
])
def test_a_bad_taux_d_effort_is_refused(domain, changes, field):
    with pytest.raises(Invalid) as refused:
        domain.effort(**changes)
    assert list(refused.value.fields) == [field]


def test_an_unknown_activity_or_kind_is_refused(domain):
    with pytest.raises(Invalid) as refused:
        domain.grid(activity="piscine")
    assert refused.value.code == "unknown_activity"
    with pytest.raises(Invalid) as refused:
        Tariff("etude", domain.SEPTEMBER_1, "day", "forfait")
    assert list(refused.value.fields) == ["kind"]


def test_a_new_version_starts_after_the_last_billed_month(domain):
    november = Period(2026, 11)
    with pytest.raises(Invalid) as refused:
        check_new_version(domain.grid(effective_from=date(2026, 11, 30)), november)
    assert refused.value.code == "month_already_billed"
    assert refused.value.message == ("Le mois de novembre 2026 est déjà facturé : une nouvelle version s'applique au "
                                     "plus tôt le 01/12/2026.")
    assert list(refused.value.fields) == ["effective_from"]
    with pytest.raises(Invalid):
        check_new_version(domain.grid(effective_from=date(2026, 9, 1)), november)  # would re-price three months
    check_new_version(domain.grid(effective_from=date(2026, 12, 1)), november)
    check_new_version(domain.grid(effective_from=date(2020, 1, 1)), None)  # nothing billed yet: any day


def test_a_new_grid_never_charges_a_higher_quotient_less(domain):
    with pytest.raises(Invalid) as refused:
        check_new_version(domain.grid(prices=(80, 160, 26, 350, 430, 520)), None)  # 0,26 € typed for 2,60 €
    assert refused.value.code == "invalid_tariff"
    assert refused.value.message == ("Le prix de la tranche C (0,26 €) est plus bas que celui de la tranche B "
                                     "(1,60 €) : un quotient familial plus élevé ne paie jamais moins.")
    assert list(refused.value.fields) == ["brackets.2.price_cents"]
    check_new_version(domain.grid(prices=(80, 80, 80, 350, 430, 520)), None)  # equal prices are fine
    check_new_version(domain.effort(), None)


def test_each_version_is_in_force_upcoming_or_superseded_on_a_day(domain):
    first = domain.grid()
    second = dataclasses.replace(domain.grid(prices=(90, 170, 270, 360, 440, 530), effective_from=date(2027, 1, 1)),
                                 version=2)
    third = dataclasses.replace(domain.grid(prices=(95, 175, 275, 365, 445, 535), effective_from=date(2027, 9, 1)),
                                version=3)
    book = TariffBook([first, second, third])
    assert [book.standing(t, date(2027, 2, 1)) for t in (first, second, third)] == [SUPERSEDED, IN_FORCE, UPCOMING]
    assert [book.standing(t, date(2026, 8, 31)) for t in (first, second, third)] == [UPCOMING] * 3
    assert [book.standing(t, date(2027, 9, 1)) for t in (first, second, third)] == [SUPERSEDED, SUPERSEDED, IN_FORCE]
