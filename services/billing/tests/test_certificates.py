from datetime import date

import pytest
from hypothesis import given, strategies as st

from kit.errors import Conflict, Invalid

from billing.activities import ACTIVITIES
from billing.certificates import (
    Line, PaidInvoice, Payment, birth_dates, check_span, check_year_ended, childcare_of_year, ended_years_paid,
    paid_per_child, shares)

LEA, TOM = "lea", "tom"
YEAR = (date(2025, 1, 1), date(2025, 12, 31))


def invoice(key, *lines):
    return PaidInvoice(key, tuple(Line(*line) for line in lines))


MAY = invoice("may", (LEA, "Léa", "restauration_scolaire", 3000), (LEA, "Léa", "accueil_du_soir", 1000),
              (TOM, "Tom", "accueil_du_soir", 1000))
JUNE = invoice("june", (LEA, "Léa", "alsh_mercredi", 2000), (LEA, "Léa", "alsh_mercredi", -500),
               (TOM, "Tom", "mini_sejour", 4500))


def paid(result):
    return {child.first_name: dict(child.by_activity) for child in result}


def test_a_payment_is_shared_among_the_children_and_activities_its_invoice_billed():
    result = paid_per_child([MAY], [Payment("may", 5000, date(2025, 6, 3), "cheque")], *YEAR, ACTIVITIES)
    assert paid(result) == {"Léa": {"restauration_scolaire": 3000, "accueil_du_soir": 1000},
                            "Tom": {"accueil_du_soir": 1000}}
    assert [child.total_cents for child in result] == [4000, 1000]


def test_a_partial_payment_is_shared_in_proportion_to_the_cent():
    result = paid_per_child([MAY], [Payment("may", 1001, date(2025, 6, 3), "carte")], *YEAR, ACTIVITIES)
    assert sum(child.total_cents for child in result) == 1001
    assert paid(result)["Léa"]["restauration_scolaire"] in (600, 601)


def test_credits_lessen_their_activity_and_aids_and_other_days_do_not_count():
    payments = [Payment("june", 3000, date(2025, 7, 1), "cheque"), Payment("june", 3000, date(2025, 7, 2), "bons_caf"),
                Payment("may", 5000, date(2024, 12, 31), "cheque"), Payment("may", 5000, date(2026, 1, 1), "carte")]
    result = paid_per_child([MAY, JUNE], payments, *YEAR, ACTIVITIES)
    assert paid(result) == {"Léa": {"alsh_mercredi": 750}, "Tom": {"mini_sejour": 2250}}


def test_a_debit_the_bank_took_back_takes_back_its_shares():
    payments = [Payment("may", 5000, date(2025, 6, 5), "prelevement"),
                Payment("may", -5000, date(2025, 6, 20), "prelevement")]
    assert paid_per_child([MAY], payments, *YEAR, ACTIVITIES) == []


def test_the_childcare_attestation_counts_care_of_children_under_six_on_the_first_of_january():
    payments = [Payment("may", 5000, date(2025, 6, 3), "cheque"), Payment("june", 6000, date(2025, 7, 1), "cheque")]
    born = birth_dates([{"id": LEA, "birth_date": "2019-12-31"}, {"id": TOM, "birth_date": "2018-06-01"}])
    counted = childcare_of_year([MAY, JUNE], payments, born, 2025, ACTIVITIES)
    # Léa, born in 2019, is counted for her evening care and Wednesdays, not her meals; Tom, born in 2018, is not
    assert paid(counted) == {"Léa": {"accueil_du_soir": 1000, "alsh_mercredi": 1500}}
    assert childcare_of_year([MAY, JUNE], payments, born, 2026, ACTIVITIES) == []


def test_a_child_with_only_meals_and_stays_is_not_on_the_attestation():
    born = birth_dates([{"id": TOM, "birth_date": "2021-02-02"}])
    counted = childcare_of_year([JUNE], [Payment("june", 6000, date(2025, 7, 1), "cheque")], born, 2025, ACTIVITIES)
    assert counted == []


def test_a_year_is_attested_once_it_has_ended():
    today = date(2026, 1, 2)
    check_year_ended(2025, today)
    with pytest.raises(Conflict) as refused:
        check_year_ended(2026, today)
    assert refused.value.code == "year_not_ended" and "1er janvier 2027" in refused.value.message
    for year in (1999, 2028, "2025", True):
        with pytest.raises(Invalid) as refused:
            check_year_ended(year, today)
        assert refused.value.code == "invalid_year"


@pytest.mark.parametrize("start, end, field", [
    (date(2026, 3, 1), date(2026, 2, 1), "end"), (date(2026, 3, 1), date(2026, 12, 2), "end"),
    (date(2022, 1, 1), date(2026, 3, 1), "start")])
def test_a_payment_certificate_covers_days_in_order_until_today_and_three_years_at_most(start, end, field):
    with pytest.raises(Invalid) as refused:
        check_span(start, end, date(2026, 12, 1))
    assert refused.value.code == "invalid_span" and field in refused.value.fields


def test_the_years_offered_are_the_ended_ones_the_family_paid_in_itself():
    payments = [Payment("a", 100, date(2024, 5, 1), "cheque"), Payment("b", 100, date(2023, 5, 1), "bons_caf"),
                Payment("c", 100, date(2025, 5, 1), "carte"), Payment("d", 100, date(2026, 5, 1), "carte")]
    assert ended_years_paid(payments, date(2026, 12, 1)) == [2025, 2024]


@given(st.integers(min_value=-10**6, max_value=10**6),
       st.dictionaries(st.text(min_size=1, max_size=3), st.integers(min_value=0, max_value=10**5), max_size=6))
def test_shares_add_up_to_the_amount_and_each_is_within_a_cent_of_its_proportion(amount, weights):
    split = shares(amount, weights)
    total = sum(weights.values())
    if total == 0:
        assert split == {}
        return
    assert sum(split.values()) == amount
    for key, cents in split.items():
        assert abs(cents - amount * weights[key] / total) < 1


@given(st.lists(st.tuples(st.sampled_from(["a", "b"]), st.integers(min_value=-10**5, max_value=10**5),
                          st.sampled_from(["cheque", "carte", "bons_caf"])), max_size=10))
def test_what_children_were_paid_adds_up_to_the_familys_own_payments(payments):
    invoices = [invoice("a", (LEA, "Léa", "etude", 1234), (TOM, "Tom", "etude", 99)),
                invoice("b", (TOM, "Tom", "alsh_vacances", 5000), (TOM, "Tom", "alsh_vacances", -100))]
    made = [Payment(key, cents, date(2025, 3, 1), means) for key, cents, means in payments]
    result = paid_per_child(invoices, made, *YEAR, ACTIVITIES)
    assert sum(child.total_cents for child in result) == sum(p.applied_cents for p in made if p.means != "bons_caf")
