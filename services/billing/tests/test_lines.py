from datetime import date

import pytest
from hypothesis import given, settings, strategies as st

from kit.errors import Invalid

from billing.lines import Billed, QuotientPeriod, draft_invoice
from billing.periods import Period

OCTOBER, NOVEMBER = Period(2026, 10), Period(2026, 11)


def lines_of(draft):
    return [(line.label, line.quantity, line.unit_price_cents, line.amount_cents) for line in draft.lines]


def test_one_line_per_child_activity_and_price_with_its_days(domain):
    draft = draft_invoice(domain.household(
        domain.item("2026-10-05"), domain.item("2026-10-01"), domain.item("2026-10-06", "etude"),
        domain.item("2026-10-07", "alsh_mercredi", child=domain.TOM), domain.item("2026-10-02"),
    ), OCTOBER, domain.book(domain.grid(), domain.grid("etude", (50, 100, 150, 200, 250, 300)),
                            domain.effort()), {})
    assert lines_of(draft) == [
        ("Restauration scolaire — Léa (3 jours)", 3, 160, 480),
        ("Étude surveillée — Léa (1 jour)", 1, 100, 100),
        ("Accueil de loisirs du mercredi — Tom (1 jour)", 1, 780, 780),  # 1.20 % of 650 €
    ]
    assert draft.lines[0].dates == (date(2026, 10, 1), date(2026, 10, 2), date(2026, 10, 5))
    assert draft.total_cents == 1360
    assert draft.due_date == date(2026, 11, 30)
    assert {billed.item_id for billed in draft.ledger} == {item_id for line in draft.lines for item_id, _ in line.items}


def test_a_quotient_that_changes_mid_month_prices_each_day_at_the_quotient_of_that_day(domain):
    history = (QuotientPeriod(300, date(2026, 1, 1), date(2026, 10, 14), True),
               QuotientPeriod(1500, date(2026, 10, 15), None, True))
    draft = draft_invoice(domain.household(domain.item("2026-10-13"), domain.item("2026-10-14"),
                                           domain.item("2026-10-15"), history=history),
                          OCTOBER, domain.book(), {})
    assert lines_of(draft) == [("Restauration scolaire — Léa (2 jours)", 2, 80, 160),
                               ("Restauration scolaire — Léa (1 jour)", 1, 430, 430)]


def test_days_without_a_known_or_justified_quotient_pay_the_highest_price(domain):
    history = (QuotientPeriod(300, date(2026, 10, 10), None, False),)
    draft = draft_invoice(domain.household(domain.item("2026-10-05"), domain.item("2026-10-12"), history=history),
                          OCTOBER, domain.book(), {})
    assert lines_of(draft) == [("Restauration scolaire — Léa (2 jours)", 2, 520, 1040)]


def test_a_justified_absence_is_not_billed_and_late_cancellations_and_unjustified_absences_are(domain):
    draft = draft_invoice(domain.household(
        domain.item("2026-10-01"),
        domain.item("2026-10-02", status="absence_justified", billable=False),
        domain.item("2026-10-05", status="late_cancellation"),
        domain.item("2026-10-06", status="absence_unjustified"),
    ), OCTOBER, domain.book(), {})
    assert lines_of(draft) == [
        ("Restauration scolaire — Léa (1 jour)", 1, 160, 160),
        ("Restauration scolaire — Léa, annulation tardive (1 jour)", 1, 160, 160),
        ("Restauration scolaire — Léa, absence non justifiée (1 jour)", 1, 160, 160),
    ]
    assert Billed("restauration_scolaire:" + str(domain.LEA) + ":2026-10-02", False, 0) in draft.ledger


def test_half_days_and_stays_are_priced_by_their_unit(domain):
    book = domain.book(domain.grid("alsh_vacances", (1000, 1001, 1002, 1003, 1004, 1005)),
                       domain.grid("centre_vacances", (30000,) * 6, price_basis="stay"),
                       domain.grid("mini_sejour", (5000,) * 6))
    draft = draft_invoice(domain.household(
        domain.item("2026-10-19", "alsh_vacances", basis="half_day"),
        domain.item("2026-10-20", "alsh_vacances", basis="half_day"),
        domain.item("2026-10-21", "alsh_vacances"),
        domain.item("2026-10-19", "centre_vacances", basis="stay", end="2026-10-23"),
        domain.item("2026-10-26", "mini_sejour", basis="stay", end="2026-10-28"),
    ), OCTOBER, book, {})
    assert lines_of(draft) == [
        ("Accueil de loisirs des vacances — Léa (1 jour)", 1, 1001, 1001),
        ("Accueil de loisirs des vacances — Léa (2 demi-journées)", 2, 501, 1002),  # half of 10,01 € rounded up
        ("Mini-séjour — Léa (1 séjour)", 1, 15000, 15000),  # three days at 50 €
        ("Centre de vacances — Léa (1 séjour)", 1, 30000, 30000),
    ]


def test_an_item_that_arrives_after_its_month_was_billed_goes_on_the_next_invoice_once(domain):
    late = domain.item("2026-10-30")
    october = draft_invoice(domain.household(domain.item("2026-10-29")), OCTOBER, domain.book(), {})
    billed = {entry.item_id: entry for entry in october.ledger}
    november = draft_invoice(domain.household(domain.item("2026-10-29"), late, domain.item("2026-11-02")),
                             NOVEMBER, domain.book(), billed)
    assert lines_of(november) == [
        ("Restauration scolaire — Léa (1 jour)", 1, 160, 160),
        ("Régularisation de octobre 2026 : Restauration scolaire — Léa (1 jour)", 1, 160, 160),
    ]
    billed.update({entry.item_id: entry for entry in november.ledger})
    december = draft_invoice(domain.household(domain.item("2026-10-29"), late, domain.item("2026-11-02")),
                             Period(2026, 12), domain.book(), billed)
    assert december is None


def test_an_absence_justified_after_the_month_was_billed_is_credited_on_the_next_invoice(domain):
    october = draft_invoice(domain.household(domain.item("2026-10-05"), domain.item("2026-10-06")),
                            OCTOBER, domain.book(), {})
    billed = {entry.item_id: entry for entry in october.ledger}
    justified = domain.item("2026-10-06", status="absence_justified", billable=False)
    november = draft_invoice(domain.household(domain.item("2026-10-05"), justified), NOVEMBER, domain.book(), billed)
    assert lines_of(november) == [
        ("Avoir sur octobre 2026 : Restauration scolaire — Léa, absence justifiée (1 jour à 1,60 €)", 1, -160, -160)]
    assert november.total_cents == -160
    billed.update({entry.item_id: entry for entry in november.ledger})
    assert billed[justified.item_id] == Billed(justified.item_id, False, 0)
    again = draft_invoice(domain.household(domain.item("2026-10-05"), justified), NOVEMBER, domain.book(), billed)
    assert again is None


def test_an_item_of_a_later_month_waits_for_its_own_month(domain):
    assert draft_invoice(domain.household(domain.item("2026-11-03")), OCTOBER, domain.book(), {}) is None


def test_an_activity_without_a_tariff_stops_the_invoice(domain):
    with pytest.raises(Invalid) as refused:
        draft_invoice(domain.household(domain.item("2026-10-05", "etude")), OCTOBER, domain.book(), {})
    assert refused.value.code == "no_tariff"


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.integers(min_value=1, max_value=28), st.booleans(), st.booleans(), st.booleans()),
                min_size=1, max_size=12, unique_by=lambda entry: entry[0]))
def test_whatever_arrives_late_or_changes_each_item_ends_up_billed_exactly_once(domain, facts):
    """October is billed with what family knew then (some items not there
    yet); November after items arrived or changed: per item, what was billed
    in all is its price when it ends up billable, nothing otherwise."""
    def item(day, billable):
        return domain.item(f"2026-10-{day:02d}", billable=billable)

    october = draft_invoice(domain.household(*[item(day, first) for day, present, first, _ in facts if present]),
                            OCTOBER, domain.book(), {})
    billed = {entry.item_id: entry for entry in october.ledger} if october else {}
    final = [item(day, last) for day, _, _, last in facts]
    november = draft_invoice(domain.household(*final), NOVEMBER, domain.book(), billed)
    totals = {}
    for draft in (october, november):
        for line in (draft.lines if draft else ()):
            for item_id, _ in line.items:
                totals[item_id] = totals.get(item_id, 0) + line.unit_price_cents
    for final_item in final:
        assert totals.get(final_item.item_id, 0) == (160 if final_item.billable else 0)
