"""What is left to refund on an invoice and what a refund takes of it (billing.refunds); a household's months
with refunds among them are played at random in test_carry."""
from dataclasses import dataclass
from datetime import date

import pytest
from hypothesis import given, strategies as st

from kit.errors import Conflict, Invalid

from billing.money import euros
from billing.refunds import CASH, TRANSFER, TREASURY_CHEQUE, Refundable, Share, account, check_day, refundable, take


@dataclass
class Invoice:
    """An invoice as the store keeps it."""

    total_cents: int
    overpaid_cents: int = 0
    carried_cents: int = 0
    refunded_cents: int = 0
    credit_refunded_cents: int = 0
    status: str = "paid"


def test_an_overpaid_invoice_has_its_overpayment_to_refund():
    assert refundable(Invoice(1740, overpaid_cents=260)) == Refundable(260, 0)
    assert refundable(Invoice(1740, overpaid_cents=260, refunded_cents=100)).cents == 160
    assert refundable(Invoice(1740)).cents == 0


def test_an_avoir_has_to_refund_what_was_not_carried_yet():
    assert refundable(Invoice(-1700)) == Refundable(0, 1700)
    assert refundable(Invoice(-1700, carried_cents=500)) == Refundable(0, 1200)
    assert refundable(Invoice(-1700, carried_cents=500, refunded_cents=1200, credit_refunded_cents=1200)).cents == 0
    assert refundable(Invoice(-1700, status="cancelled")).cents == 0


def test_a_cancelled_invoice_still_has_what_was_paid_after_its_cancellation_to_refund():
    assert refundable(Invoice(1740, overpaid_cents=500, status="cancelled")) == Refundable(500, 0)


def test_an_overpayment_taken_back_by_the_bank_after_its_refund_leaves_nothing_to_refund():
    assert refundable(Invoice(1740, overpaid_cents=0, refunded_cents=260)).cents == 0


def test_a_refund_takes_the_overpayment_first_then_the_avoir():
    left = refundable(Invoice(-1700, overpaid_cents=300))
    assert take(200, left) == Share(200, 0)
    assert take(1000, left) == Share(300, 700)
    assert take(2000, left) == Share(300, 1700)


def test_a_refund_beyond_what_is_left_is_refused_with_the_most_it_may_be():
    with pytest.raises(Invalid) as refused:
        take(261, Refundable(260, 0))
    assert refused.value.code == "refund_exceeds_refundable"
    assert refused.value.message == ("Le remboursement dépasse ce qui reste à rembourser sur cette facture : "
                                     f"{euros(260)} au plus.")
    assert set(refused.value.fields) == {"amount_cents"}


def test_nothing_left_to_refund_is_a_conflict_named_on_the_invoice():
    with pytest.raises(Conflict) as refused:
        take(100, Refundable(0, 0))
    assert (refused.value.code, set(refused.value.fields)) == ("nothing_to_refund", {"number"})
    with pytest.raises(Invalid) as refused:
        take(0, Refundable(100, 0))
    assert refused.value.code == "invalid_amount"


@given(st.integers(0, 50_000), st.integers(-50_000, 50_000), st.integers(0, 50_000), st.integers(1, 120_000))
def test_a_refund_never_exceeds_what_is_left_and_never_takes_an_avoir_twice(overpaid, total, carried, amount):
    carried = min(carried, max(-total, 0))
    invoice = Invoice(total, overpaid_cents=overpaid, carried_cents=carried)
    before = refundable(invoice)
    try:
        share = take(amount, before)
    except (Conflict, Invalid):
        assert amount > before.cents
        return
    assert share.overpaid_cents + share.credit_cents == amount <= before.cents
    assert 0 <= share.overpaid_cents <= before.overpaid_cents and 0 <= share.credit_cents <= before.credit_cents
    invoice.refunded_cents += amount
    invoice.credit_refunded_cents += share.credit_cents
    after = refundable(invoice)
    assert after.cents == before.cents - amount
    assert invoice.carried_cents + invoice.credit_refunded_cents <= max(-total, 0)
    if after.cents:  # the rest, once: then nothing is left, whatever was carried
        rest = take(after.cents, after)
        invoice.refunded_cents += after.cents
        invoice.credit_refunded_cents += rest.credit_cents
    assert invoice.refunded_cents == before.cents
    with pytest.raises(Conflict):
        take(1, refundable(invoice))


def test_a_refund_is_recorded_once_made_never_for_a_day_to_come():
    check_day(date(2026, 12, 4), date(2026, 12, 4))
    with pytest.raises(Invalid) as refused:
        check_day(date(2026, 12, 5), date(2026, 12, 4))
    assert (refused.value.code, set(refused.value.fields)) == ("refund_in_future", {"refunded_on"})


MANDATE_IBAN = "FR7630006000011234567890189"


def test_a_transfer_goes_to_the_iban_typed_or_else_the_mandates_shown_by_its_ends():
    assert account(TRANSFER, "fr76 3000 4000 0312 3456 7890 143", MANDATE_IBAN) == "FR76 **** **** 0143"
    assert account(TRANSFER, None, MANDATE_IBAN) == "FR76 **** **** 0189"
    with pytest.raises(Invalid) as refused:
        account(TRANSFER, None, None)
    assert (refused.value.code, set(refused.value.fields)) == ("iban_required", {"iban"})
    with pytest.raises(Invalid) as refused:
        account(TRANSFER, "FR7630006000011234567890180", None)
    assert refused.value.code == "invalid_iban"


@pytest.mark.parametrize("means", [TREASURY_CHEQUE, CASH])
def test_a_cheque_or_cash_takes_no_iban(means):
    assert account(means, None, MANDATE_IBAN) is None
    with pytest.raises(Invalid) as refused:
        account(means, MANDATE_IBAN, None)
    assert refused.value.code == "iban_not_expected"
