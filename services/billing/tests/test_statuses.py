import itertools
from datetime import date, timedelta

import pytest

from hypothesis import given, strategies as st

from kit.errors import Conflict

from billing.statuses import ALLOWED_MOVES, LABELS, InvoiceStatus, cancel, move, settle, standing

ISSUED, PARTLY_PAID, PAID, OVERDUE, CANCELLED = (
    "issued", "partly_paid", "paid", "overdue", "cancelled")

# Every move an invoice may make; any other pair is refused.
EXPECTED_MOVES = {
    (ISSUED, PARTLY_PAID), (ISSUED, PAID), (ISSUED, OVERDUE), (ISSUED, CANCELLED),
    (PARTLY_PAID, PAID), (PARTLY_PAID, OVERDUE), (PARTLY_PAID, ISSUED),
    (OVERDUE, PARTLY_PAID), (OVERDUE, PAID), (OVERDUE, CANCELLED),
    (PAID, ISSUED), (PAID, PARTLY_PAID), (PAID, OVERDUE),  # a payment that bounces reopens it
}
ALL = [ISSUED, PARTLY_PAID, PAID, OVERDUE, CANCELLED]


def test_an_invoice_has_exactly_the_five_statuses_of_the_contract():
    assert {status.value for status in InvoiceStatus} == set(ALL)
    assert set(ALLOWED_MOVES) == set(InvoiceStatus)


@pytest.mark.parametrize("current, target", sorted(EXPECTED_MOVES))
def test_an_allowed_move_gives_the_new_status(current, target):
    assert move(current, target) == target


@pytest.mark.parametrize("current, target", sorted({(a, b) for a, b in itertools.product(ALL, ALL) if a != b} - EXPECTED_MOVES))
def test_any_other_move_is_refused_with_a_french_message(current, target):
    with pytest.raises(Conflict) as refused:
        move(current, target)
    assert refused.value.code == "invalid_status_move"
    assert refused.value.message.startswith("Une facture « ")


def test_a_cancelled_invoice_never_changes_again():
    assert not ALLOWED_MOVES[InvoiceStatus.CANCELLED]
    assert settle(CANCELLED, 1000, 1000, date(2026, 11, 30), date(2026, 11, 1)) == CANCELLED


def test_an_invoice_with_money_received_cannot_be_cancelled():
    with pytest.raises(Conflict) as refused:
        cancel(PARTLY_PAID, 100)
    assert refused.value.code == "invoice_has_payments"
    assert cancel(ISSUED, 0) == CANCELLED
    assert cancel(OVERDUE, 0) == CANCELLED


DUE = date(2026, 11, 30)


@pytest.mark.parametrize("paid, today, expected", [
    (0, date(2026, 11, 30), ISSUED), (500, date(2026, 11, 1), PARTLY_PAID), (1740, date(2026, 11, 1), PAID),
    (2000, date(2026, 11, 1), PAID), (0, date(2026, 12, 1), OVERDUE), (500, date(2026, 12, 1), OVERDUE),
    (1740, date(2027, 1, 1), PAID),
])
def test_the_money_received_and_the_due_date_make_the_status(paid, today, expected):
    assert standing(1740, paid, DUE, today) == expected


@given(st.lists(st.tuples(st.integers(min_value=-2000, max_value=2000), st.integers(min_value=0, max_value=10)),
                max_size=10))
def test_any_sequence_of_payments_and_bounces_moves_only_through_allowed_statuses(events):
    status, paid, today = InvoiceStatus.ISSUED, 0, date(2026, 11, 20)
    for amount, days_later in events:
        paid, today = max(paid + amount, 0), today + timedelta(days=days_later)
        status = settle(status, 1740, paid, DUE, today)  # a move not allowed would raise Conflict
        assert status == standing(1740, paid, DUE, today)


def test_every_status_has_a_french_label():
    assert LABELS == {
        InvoiceStatus.ISSUED: "Émise", InvoiceStatus.PARTLY_PAID: "Partiellement payée",
        InvoiceStatus.PAID: "Payée", InvoiceStatus.OVERDUE: "En retard de paiement",
        InvoiceStatus.CANCELLED: "Annulée"}


def test_an_unknown_status_is_a_programming_error():
    with pytest.raises(ValueError):
        move("draft", ISSUED)
