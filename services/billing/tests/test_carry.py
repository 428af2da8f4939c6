"""A household's avoirs carried to its next invoices (billing.carry): the
rules alone, then a household's months played at random, with payments,
cancellations and refunds (billing.refunds)."""
from dataclasses import dataclass, field
from datetime import date

from hypothesis import given, settings, strategies as st

from kit.errors import Conflict, Invalid

from billing import statuses
from billing.allocation import OpenInvoice, allocate
from billing.carry import (CARRIED_CREDIT, CarriedLine, Credit, balance_cents, carried_onto, carry, credit_left,
                           given_back)
from billing.lines import CHARGE, CREDIT, Draft, Line
from billing.periods import Period
from billing.refunds import refundable, take

LEA = "00000000-0000-4000-8000-000000000001"


def avoir(cents, number="F-2026-10-0000001", period="2026-10"):
    return Credit(number, number, period, cents)


def test_an_avoir_is_carried_onto_the_next_invoice_as_its_own_line():
    [line] = carry(1740, [avoir(160)])
    assert (line.label, line.amount_cents, line.kind) == ("Report de l'avoir de la facture F-2026-10-0000001",
                                                          -160, CARRIED_CREDIT)
    assert (line.invoice_id, line.origin) == ("F-2026-10-0000001", "2026-10")


def test_an_avoir_larger_than_the_next_invoice_takes_it_to_zero_and_the_rest_waits():
    assert [line.amount_cents for line in carry(100, [avoir(160)])] == [-100]


def test_avoirs_are_carried_oldest_first_as_far_as_the_invoice_goes():
    credits = [avoir(300, "F-2026-09-0000004", "2026-09"), avoir(500), avoir(70, "F-2026-11-0000009", "2026-11")]
    assert [(line.number, line.amount_cents) for line in carry(600, credits)] == [
        ("F-2026-09-0000004", -300), ("F-2026-10-0000001", -300)]


def test_an_invoice_that_owes_nothing_takes_no_avoir():
    assert carry(0, [avoir(160)]) == ()
    assert carry(-60, [avoir(160)]) == ()
    assert carry(500, []) == ()


def test_what_is_left_of_an_avoir_and_an_invoice_cancelled_has_none():
    assert credit_left(-160, 0, 0, "paid") == 160
    assert credit_left(-160, 100, 0, "paid") == 60
    assert credit_left(-160, 160, 0, "paid") == 0
    assert credit_left(1740, 0, 0, "issued") == 0
    assert credit_left(-160, 0, 0, "cancelled") == 0


def test_what_was_refunded_of_an_avoir_is_consumed_as_if_carried():
    assert credit_left(-160, 0, 60, "paid") == 100
    assert credit_left(-160, 100, 60, "paid") == 0
    assert credit_left(-160, 0, 160, "paid") == 0


def test_a_cancelled_invoice_gives_back_what_it_carried_of_each_avoir():
    lines = [Saved(CHARGE, 500), Saved(CARRIED_CREDIT, -300, "a"), Saved(CARRIED_CREDIT, -200, "b"),
             Saved(CARRIED_CREDIT, -50, None)]  # the last one's avoir is past its retention: nothing to give back
    assert given_back(lines) == {"a": 300, "b": 200}


def test_the_balance_counts_an_avoir_until_it_is_carried_and_not_a_cancelled_invoice():
    october = Account(total_cents=-160, carried_cents=100, status="paid")
    november = Account(total_cents=400, paid_cents=300, status="partly_paid")  # took 100 of october's avoir
    overpaid = Account(total_cents=1000, paid_cents=1000, overpaid_cents=250, status="paid")
    cancelled = Account(total_cents=900, overpaid_cents=40, status="cancelled")  # a cheque that came after
    assert balance_cents([october, november, overpaid, cancelled]) == -60 + 100 - 250 - 40


def test_a_refund_brings_the_balance_back_up_by_what_went_back():
    overpaid = Account(total_cents=1000, paid_cents=1000, overpaid_cents=250, refunded_cents=250, status="paid")
    avoir = Account(total_cents=-160, carried_cents=100, refunded_cents=40, credit_refunded_cents=40, status="paid")
    assert balance_cents([overpaid, avoir]) == 0 + -20


# A household's months at random: what the run, the payments and the cancellations do, in memory

@dataclass
class Saved:
    """A line as the store keeps it."""

    kind: str
    amount_cents: int
    carried_from: object = None


@dataclass
class Account:
    """An invoice as the store keeps it."""

    total_cents: int
    paid_cents: int = 0
    overpaid_cents: int = 0
    carried_cents: int = 0
    refunded_cents: int = 0
    credit_refunded_cents: int = 0
    status: str = "issued"
    number: str = ""
    period: str = ""
    own_cents: int = 0  # its own lines, before any avoir carried
    lines: list = field(default_factory=list)


def own_lines(month, charges, credits):
    origin = month.key
    return tuple(Line(LEA, "Léa", "restauration_scolaire", CHARGE if cents > 0 else CREDIT, "booked", "day", origin,
                      cents, ((f"{origin}:{rank}", date(month.year, month.month, 1)),))
                 for rank, cents in enumerate([*charges, *(-cents for cents in credits)]))


def open_credits(invoices):
    """As store.open_credits: what is left of each avoir, oldest first."""
    return [Credit(rank, invoice.number, invoice.period, left(invoice))
            for rank, invoice in enumerate(invoices) if left(invoice) > 0]


def left(invoice):
    return credit_left(invoice.total_cents, invoice.carried_cents, invoice.credit_refunded_cents, invoice.status)


def issue(invoices, month, charges, credits):
    """As the run and store.save_invoices: the month's invoice with the avoirs it carries, or None."""
    lines = own_lines(month, charges, credits)
    if not lines:
        return None
    before = open_credits(invoices)
    draft = carried_onto(Draft("household", month, lines, ()), before)
    invoice = Account(draft.total_cents, status="paid" if draft.total_cents <= 0 else "issued",
                      number=f"F-{month.key}-{len(invoices) + 1:07d}", period=month.key,
                      own_cents=sum(line.amount_cents for line in lines),
                      lines=[Saved(line.kind, line.amount_cents) for line in lines]
                      + [Saved(line.kind, line.amount_cents, line.invoice_id) for line in draft.carried])
    for line in draft.carried:
        invoices[line.invoice_id].carried_cents -= line.amount_cents
    invoices.append(invoice)
    return before, draft


def pay(invoice, amount):
    """As payments.take_payment."""
    owed = 0 if invoice.status == "cancelled" else max(invoice.total_cents - invoice.paid_cents, 0)
    spread = allocate(amount, [OpenInvoice(0, owed)])
    invoice.paid_cents += spread.applied_cents
    invoice.overpaid_cents += spread.excess_cents
    invoice.status = statuses.settle(invoice.status, invoice.total_cents, invoice.paid_cents, date(2099, 1, 1),
                                     date(2026, 1, 1))


def cancel(invoices, invoice):
    """As cancel_invoice: nothing more when cancelled already, refused once money came, else the avoirs it
    carried are given back."""
    if invoice.status == "cancelled":
        return
    try:
        invoice.status = statuses.cancel(invoice.status, invoice.paid_cents)
    except Conflict:
        return
    for avoir, cents in given_back(invoice.lines).items():
        invoices[avoir].carried_cents -= cents


def refund(invoice, amount):
    """As record_refund: what is left to refund, the amount taken from it or refused with nothing changed;
    the cents refunded."""
    try:
        share = take(amount, refundable(invoice))
    except (Conflict, Invalid) as refused:
        assert refused.code in ("nothing_to_refund", "refund_exceeds_refundable")
        return 0
    invoice.refunded_cents += amount
    invoice.credit_refunded_cents += share.credit_cents
    return amount


MONTH = st.tuples(st.just("month"), st.lists(st.integers(1, 20_000), max_size=3),
                  st.lists(st.integers(1, 30_000), max_size=3))
PAYMENT = st.tuples(st.just("pay"), st.integers(0, 30), st.integers(1, 40_000))
CANCELLATION = st.tuples(st.just("cancel"), st.integers(0, 30), st.just(None))
REFUND = st.tuples(st.just("refund"), st.integers(0, 30), st.integers(1, 40_000))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(MONTH, MONTH, PAYMENT, CANCELLATION, REFUND), min_size=1, max_size=25))
def test_over_the_months_a_household_owes_its_charges_less_its_credits_and_payments_plus_its_refunds(steps):
    invoices, paid, refunded, month = [], 0, 0, Period(2026, 9)
    for step, first, second in steps:
        if step == "month":
            month = month.following()
            issued = issue(invoices, month, first, second)
            if issued:
                before, draft = issued
                # an avoir waits only when the invoice it could lower owes nothing any more
                assert draft.total_cents <= 0 or sum(c.left_cents for c in open_credits(invoices[:-1])) == 0
                assert len({line.invoice_id for line in draft.carried}) == len(draft.carried)
                assert sum(line.amount_cents for line in draft.carried) >= -sum(c.left_cents for c in before)
        elif step == "pay" and invoices:
            pay(invoices[first % len(invoices)], second)
            paid += second
        elif step == "cancel" and invoices:
            cancel(invoices, invoices[first % len(invoices)])
        elif step == "refund" and invoices:
            refunded += refund(invoices[first % len(invoices)], second)
    live = [invoice for invoice in invoices if invoice.status != "cancelled"]
    assert balance_cents(invoices) == sum(invoice.own_cents for invoice in live) - paid + refunded
    for rank, invoice in enumerate(invoices):
        # never carried nor refunded beyond the avoir (the table's checks), nor the overpayment refunded beyond it
        assert 0 <= invoice.carried_cents + invoice.credit_refunded_cents <= max(-invoice.total_cents, 0)
        assert 0 <= invoice.refunded_cents - invoice.credit_refunded_cents <= invoice.overpaid_cents
        # carried as much as the live lines that carry it say
        assert invoice.carried_cents == -sum(line.amount_cents for other in live for line in other.lines
                                             if line.carried_from == rank)
        if any(line.kind == CARRIED_CREDIT for line in invoice.lines):  # an avoir never takes one below zero
            assert invoice.total_cents >= 0 and invoice.own_cents > 0


def test_the_draft_keeps_its_own_lines_and_adds_the_carried_ones_after():
    lines = own_lines(Period(2026, 11), [500], [])
    draft = carried_onto(Draft("household", Period(2026, 11), lines, ()), [avoir(160)])
    assert draft.lines == lines
    assert draft.carried == (CarriedLine("F-2026-10-0000001", "F-2026-10-0000001", "2026-10", -160),)
    assert draft.total_cents == 340
