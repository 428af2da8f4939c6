import itertools

import pytest

from kit.errors import Conflict

from billing.statuses import ALLOWED_MOVES, LABELS, InvoiceStatus, move

ISSUED, PARTLY_PAID, PAID, OVERDUE, CANCELLED = (
    "issued", "partly_paid", "paid", "overdue", "cancelled")

# Every move an invoice may make; any other pair is refused.
EXPECTED_MOVES = {
    (ISSUED, PARTLY_PAID), (ISSUED, PAID), (ISSUED, OVERDUE), (ISSUED, CANCELLED),
    (PARTLY_PAID, PAID), (PARTLY_PAID, OVERDUE),
    (OVERDUE, PARTLY_PAID), (OVERDUE, PAID), (OVERDUE, CANCELLED),
}
ALL = [ISSUED, PARTLY_PAID, PAID, OVERDUE, CANCELLED]


def test_an_invoice_has_exactly_the_five_statuses_of_the_contract():
    assert {status.value for status in InvoiceStatus} == set(ALL)
    assert set(ALLOWED_MOVES) == set(InvoiceStatus)


@pytest.mark.parametrize("current, target", sorted(EXPECTED_MOVES))
def test_an_allowed_move_gives_the_new_status(current, target):
    assert move(current, target) == target


@pytest.mark.parametrize("current, target", sorted(set(itertools.product(ALL, ALL)) - EXPECTED_MOVES))
def test_any_other_move_is_refused_with_a_french_message(current, target):
    with pytest.raises(Conflict) as refused:
        move(current, target)
    assert refused.value.code == "invalid_status_move"
    assert refused.value.message.startswith("Une facture « ")


@pytest.mark.parametrize("final", [PAID, CANCELLED])
def test_a_paid_or_cancelled_invoice_never_changes_again(final):
    assert not ALLOWED_MOVES[InvoiceStatus(final)]


def test_an_invoice_with_money_received_cannot_be_cancelled():
    with pytest.raises(Conflict):
        move(PARTLY_PAID, CANCELLED)


def test_every_status_has_a_french_label():
    assert LABELS == {
        InvoiceStatus.ISSUED: "Émise", InvoiceStatus.PARTLY_PAID: "Partiellement payée",
        InvoiceStatus.PAID: "Payée", InvoiceStatus.OVERDUE: "En retard de paiement",
        InvoiceStatus.CANCELLED: "Annulée"}


def test_an_unknown_status_is_a_programming_error():
    with pytest.raises(ValueError):
        move("draft", ISSUED)
