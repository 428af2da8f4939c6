from types import SimpleNamespace

import pytest
from hypothesis import given, strategies as st

from kit.errors import Invalid

from billing.allocation import COUNTER_MEANS, OpenInvoice, allocate, check_means


def test_a_payment_pays_the_oldest_invoices_first_and_keeps_what_is_left_as_an_overpayment():
    allocation = allocate(5000, [OpenInvoice("sept", 1200), OpenInvoice("oct", 3000), OpenInvoice("nov", 400)])
    assert allocation.parts == (("sept", 1200), ("oct", 3000), ("nov", 400))
    assert allocation.excess_cents == 400
    partial = allocate(2000, [OpenInvoice("sept", 1200), OpenInvoice("oct", 3000)])
    assert partial.parts == (("sept", 1200), ("oct", 800))
    assert partial.excess_cents == 0


def test_a_payment_on_a_paid_invoice_is_all_overpayment():
    allocation = allocate(1740, [OpenInvoice("oct", 0)])
    assert (allocation.parts, allocation.excess_cents) == ((), 1740)


@pytest.mark.parametrize("amount", [0, -5])
def test_a_payment_must_be_positive(amount):
    with pytest.raises(Invalid) as refused:
        allocate(amount, [OpenInvoice("oct", 100)])
    assert refused.value.code == "invalid_amount"


@given(st.integers(min_value=1, max_value=10**7), st.lists(st.integers(min_value=-500, max_value=10**6), max_size=8))
def test_payments_never_exceed_what_is_owed_without_a_flagged_overpayment(amount, dues):
    allocation = allocate(amount, [OpenInvoice(rank, due) for rank, due in enumerate(dues)])
    assert allocation.applied_cents + allocation.excess_cents == amount
    owed = dict(enumerate(dues))
    for key, cents in allocation.parts:
        assert 0 < cents <= owed[key]
    assert allocation.applied_cents <= sum(max(due, 0) for due in dues)
    if allocation.excess_cents:
        assert allocation.applied_cents == sum(max(due, 0) for due in dues)


def line(activity, amount):
    return SimpleNamespace(activity=activity, amount_cents=amount)


CATERING = [line("restauration_scolaire", 640)]
STAY = [line("restauration_scolaire", 640), line("centre_vacances", 30000), line("mini_sejour", 15000)]


def test_bons_caf_are_refused_on_an_invoice_without_a_holiday_stay():
    with pytest.raises(Invalid) as refused:
        check_means("bons_caf", 500, CATERING, 0)
    assert refused.value.code == "bons_caf_not_accepted"
    assert refused.value.message == ("Les bons CAF ne sont acceptés que pour les centres de vacances et les "
                                     "mini-séjours : cette facture n'en comporte pas.")


def test_bons_caf_pay_the_stays_of_an_invoice_and_nothing_more():
    check_means("bons_caf", 45000, STAY, 0)
    with pytest.raises(Invalid) as refused:
        check_means("bons_caf", 45001, STAY, 0)
    assert refused.value.code == "bons_caf_exceed_stays"
    assert "450 € au plus" in refused.value.message
    with pytest.raises(Invalid) as refused:
        check_means("bons_caf", 20000, STAY, 30000)
    assert "150 € au plus" in refused.value.message


@pytest.mark.parametrize("means", [m for m in COUNTER_MEANS if m != "bons_caf"])
def test_every_other_counter_means_pays_any_line(means):
    assert check_means(means, 640, CATERING, 0) is None


def test_an_unknown_means_is_refused():
    with pytest.raises(Invalid) as refused:
        check_means("bitcoin", 640, CATERING, 0)
    assert refused.value.code == "unknown_means"
