import uuid
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kit.errors import Invalid

from billing.invoicing import (
    BillableHousehold, BillableItem, draft_invoice, draft_invoices, invoice_number, number_new_invoices)
from billing.periods import Period
from billing.pricing import ACTIVITY_LABELS

OCTOBER = Period(2026, 10)
LEA, TOM = uuid.uuid4(), uuid.uuid4()


def household(*items, quotient_familial=650, household_id=None):
    return BillableHousehold(household_id or uuid.uuid4(), quotient_familial, tuple(items))


def lea(activity, day):
    return BillableItem(LEA, "Léa", activity, date(2026, 10, day))


def tom(activity, day):
    return BillableItem(TOM, "Tom", activity, date(2026, 10, day))


def test_one_line_per_child_and_activity_with_the_days_attended(grid):
    invoice = draft_invoice(household(
        lea("restauration_scolaire", 5), lea("restauration_scolaire", 1), lea("etude", 1),
        lea("restauration_scolaire", 2), lea("restauration_scolaire", 6), tom("alsh_mercredi", 7),
    ), grid, OCTOBER)
    assert [(line.child_id, line.activity, line.dates, line.quantity) for line in invoice.lines] == [
        (LEA, "restauration_scolaire", (date(2026, 10, 1), date(2026, 10, 2), date(2026, 10, 5), date(2026, 10, 6)), 4),
        (LEA, "etude", (date(2026, 10, 1),), 1),
        (TOM, "alsh_mercredi", (date(2026, 10, 7),), 1),
    ]


def test_a_line_reads_activity_child_and_number_of_days_in_french(grid):
    invoice = draft_invoice(household(*(lea("restauration_scolaire", day) for day in (1, 2, 5, 6)),
                                      tom("alsh_mercredi", 7)), grid, OCTOBER)
    assert [line.label for line in invoice.lines] == [
        "Restauration scolaire — Léa (4 jours)",
        "Accueil de loisirs du mercredi — Tom (1 jour)",
    ]
    assert invoice.lines[1].activity_label == "Accueil de loisirs du mercredi"


def test_each_line_is_priced_for_the_households_quotient(grid):
    items = (lea("restauration_scolaire", 1), lea("restauration_scolaire", 2), tom("alsh_mercredi", 7))
    modest = draft_invoice(household(*items, quotient_familial=650), grid, OCTOBER)
    wealthy = draft_invoice(household(*items, quotient_familial=1950), grid, OCTOBER)
    assert [(line.unit_price_cents, line.amount_cents) for line in modest.lines] == [(160, 320), (450, 450)]
    assert modest.total_cents == 770
    assert [(line.unit_price_cents, line.amount_cents) for line in wealthy.lines] == [(520, 1040), (1600, 1600)]
    assert wealthy.total_cents == 2640


def test_a_day_received_twice_is_billed_once(grid):
    invoice = draft_invoice(household(lea("etude", 1), lea("etude", 1)), grid, OCTOBER)
    assert invoice.lines[0].quantity == 1
    assert invoice.total_cents == 100


def test_children_come_in_order_of_first_name_then_activities_in_the_catalogue_order(grid):
    zoe = uuid.uuid4()
    invoice = draft_invoice(household(
        BillableItem(zoe, "Zoé", "etude", date(2026, 10, 1)), tom("etude", 1), tom("restauration_scolaire", 1),
        tom("alsh_mercredi", 7), tom("accueil_du_soir", 1), lea("alsh_mercredi", 7),
    ), grid, OCTOBER)
    assert [(line.child_first_name, line.activity) for line in invoice.lines] == [
        ("Léa", "alsh_mercredi"),
        ("Tom", "restauration_scolaire"), ("Tom", "accueil_du_soir"), ("Tom", "etude"), ("Tom", "alsh_mercredi"),
        ("Zoé", "etude"),
    ]


def test_the_invoice_is_due_at_the_end_of_the_next_month(grid):
    assert draft_invoice(household(lea("etude", 1)), grid, OCTOBER).due_date == date(2026, 11, 30)


def test_an_activity_without_a_price_stops_the_whole_run(grid):
    households = [household(lea("etude", 1)), household(tom("piscine", 2))]
    with pytest.raises(Invalid) as refused:
        draft_invoices(households, grid, OCTOBER)
    assert refused.value.code == "unknown_activity"
    assert "piscine" in refused.value.message


def test_a_day_outside_the_period_is_refused(grid):
    stray = BillableItem(LEA, "Léa", "etude", date(2026, 11, 2))
    with pytest.raises(Invalid) as refused:
        draft_invoice(household(lea("etude", 1), stray), grid, OCTOBER)
    assert refused.value.code == "item_outside_period"
    assert refused.value.message == "Le 02/11/2026 n'est pas dans la période facturée (octobre 2026)."


def test_a_household_with_nothing_to_bill_gets_no_invoice(grid):
    someone = household(lea("etude", 1))
    assert [draft.household_id for draft in draft_invoices([household(), someone], grid, OCTOBER)] == [
        someone.household_id]


@pytest.mark.parametrize("period, sequence, number", [
    (Period(2026, 10), 1, "F-2026-10-0000001"),
    (Period(2026, 10), 123, "F-2026-10-0000123"),
    (Period(2027, 1), 9_999_999, "F-2027-01-9999999"),
])
def test_an_invoice_number_tells_the_month_and_its_rank_in_it(period, sequence, number):
    assert invoice_number(period, sequence) == number


@pytest.mark.parametrize("sequence", [0, -1, 10_000_000])
def test_an_invoice_number_out_of_its_seven_digits_is_never_made(sequence):
    with pytest.raises(ValueError):
        invoice_number(OCTOBER, sequence)


def test_only_households_not_yet_invoiced_are_numbered_after_the_last_number(grid):
    first, second, third = (household(lea("etude", 1)) for _ in range(3))
    drafts = draft_invoices([first, second, third], grid, OCTOBER)
    numbered = number_new_invoices(drafts, {second.household_id}, last_sequence=7)
    assert [(number, draft.household_id) for number, draft in numbered] == [
        ("F-2026-10-0000008", first.household_id), ("F-2026-10-0000009", third.household_id)]


def test_nothing_is_numbered_when_everyone_is_already_invoiced(grid):
    drafts = draft_invoices([household(lea("etude", 1))], grid, OCTOBER)
    assert number_new_invoices(drafts, {drafts[0].household_id}, last_sequence=1) == []


children = st.lists(st.tuples(st.uuids(), st.sampled_from(["Léa", "Tom", "Zoé", "Noé"])), min_size=1, max_size=4)
items = st.builds(
    lambda child, activity, day: BillableItem(child[0], child[1], activity, day),
    st.shared(children, key="children").flatmap(st.sampled_from),
    st.sampled_from(list(ACTIVITY_LABELS)),
    st.dates(min_value=OCTOBER.first_day, max_value=OCTOBER.last_day),
)
households = st.builds(
    lambda items, quotient: household(*items, quotient_familial=quotient),
    st.lists(items, min_size=1, max_size=60), st.integers(min_value=0, max_value=5000))


@given(households)
def test_the_total_is_the_sum_of_the_lines(grid, billable):
    invoice = draft_invoice(billable, grid, OCTOBER)
    assert invoice.total_cents == sum(line.amount_cents for line in invoice.lines)


@given(households)
def test_every_amount_is_the_number_of_days_times_the_unit_price(grid, billable):
    for line in draft_invoice(billable, grid, OCTOBER).lines:
        assert line.amount_cents == line.quantity * line.unit_price_cents
        assert line.quantity == len(line.dates) == len(set(line.dates))
        assert line.unit_price_cents == grid.price(line.activity, billable.quotient_familial).unit_price_cents
        assert line.label.endswith(f"({line.quantity} jour{'s' if line.quantity > 1 else ''})")


@given(households)
def test_every_day_booked_is_billed_once_on_the_line_of_its_child_and_activity(grid, billable):
    invoice = draft_invoice(billable, grid, OCTOBER)
    billed = [(line.child_id, line.activity, day) for line in invoice.lines for day in line.dates]
    assert sorted(billed) == sorted({(item.child_id, item.activity, item.date) for item in billable.items})
    assert len({(line.child_id, line.activity) for line in invoice.lines}) == len(invoice.lines)


@given(st.integers(min_value=1, max_value=20), st.data(), st.integers(min_value=0, max_value=10_000))
def test_new_invoices_are_numbered_one_after_the_other_from_the_last_number(grid, how_many, data, last_sequence):
    drafts = draft_invoices([household(lea("etude", 1)) for _ in range(how_many)], grid, OCTOBER)
    invoiced = set(data.draw(st.lists(st.sampled_from([d.household_id for d in drafts]), unique=True)))
    numbered = number_new_invoices(drafts, invoiced, last_sequence)
    assert [number for number, _ in numbered] == [
        invoice_number(OCTOBER, last_sequence + rank) for rank in range(1, how_many - len(invoiced) + 1)]
    assert {draft.household_id for _, draft in numbered} == {d.household_id for d in drafts} - invoiced
