import uuid
from datetime import date

import pytest

from kit.errors import Invalid

from billing import schemas
from billing.lines import BillableHousehold, Item, QuotientPeriod

HOUSEHOLD, CHILD = str(uuid.uuid4()), str(uuid.uuid4())


def item(**changes):
    return {"item_id": "booking-1:2026-10-01", "child_id": CHILD, "child_first_name": "Léa", "activity": "etude",
            "price_basis": "day", "date": "2026-10-01", "end_date": None, "status": "booked", "billable": True,
            "reason": "", **changes}


QF = {"value": 650, "valid_from": "2026-09-01", "valid_until": None, "justified": True}


def entry(*items, **changes):
    return {"household_id": HOUSEHOLD, "resident": True, "quotient_familial": [QF], "items": list(items), **changes}


def test_billable_items_of_the_contract_shape_are_read_as_typed_values():
    households = schemas.billable_households([entry(item(), item(item_id="b", date="2026-10-02", extra="ignored"))])
    assert households == [BillableHousehold(uuid.UUID(HOUSEHOLD), True, (
        QuotientPeriod(650, date(2026, 9, 1), None, True),), (
        Item("booking-1:2026-10-01", uuid.UUID(CHILD), "Léa", "etude", "day", date(2026, 10, 1), None, "booked", True),
        Item("b", uuid.UUID(CHILD), "Léa", "etude", "day", date(2026, 10, 2), None, "booked", True)))]


def test_months_read_apart_are_merged_per_household():
    september = schemas.billable_households([entry(item(item_id="s", date="2026-09-30"))])
    october = schemas.billable_households([entry(item(), resident=False, quotient_familial=[
        QF, {"value": 900, "valid_from": "2026-10-15", "valid_until": None, "justified": False}])])
    [merged] = schemas.merge_months([september, october])
    assert [i.item_id for i in merged.items] == ["s", "booking-1:2026-10-01"]
    assert merged.resident is False
    assert [q.value for q in merged.quotient_familial] == [650, 900]


@pytest.mark.parametrize("answer, where", [
    ([entry(item(date="demain"))], "0.items.0.date"),
    ([entry(item(child_id="12"))], "0.items.0.child_id"),
    ([entry(item(child_first_name=""))], "0.items.0.child_first_name"),
    ([entry(item(), household_id="nope")], "0.household_id"),
    ([entry(item(), quotient_familial="650")], "0.quotient_familial"),
    ([entry(item(status="present"))], "0.items.0.status"),
    ([entry(item(price_basis="week"))], "0.items.0.price_basis"),
    ([entry(item(billable="oui"))], "0.items.0.billable"),
    ([entry(item(item_id=""))], "0.items.0.item_id"),
    ([entry(item(), items=None)], "0.items"),
    ([{"household_id": HOUSEHOLD, "items": []}], "0.quotient_familial"),
    (None, "_schema"),
])
def test_malformed_billable_items_are_refused_with_where_and_why_in_french(answer, where):
    with pytest.raises(Invalid) as refused:
        schemas.billable_households(answer)
    assert refused.value.code == "invalid_billable_items"
    assert "rien n'a été facturé" in refused.value.message
    assert where in refused.value.fields
    assert all(message.endswith(".") for message in refused.value.fields.values())


def test_a_household_listed_twice_is_refused():
    with pytest.raises(Invalid) as refused:
        schemas.billable_households([entry(item()), entry(item(date="2026-10-02"))])
    assert refused.value.code == "invalid_billable_items"


OTHER = "6f0c1a8e-3f7b-4f4e-9a57-2d2b8f0e5c11"


def test_a_month_is_read_page_by_page_until_the_page_without_next():
    pages = {None: {"households": [entry(item())], "next": HOUSEHOLD},
             HOUSEHOLD: {"households": [entry(item(), household_id=OTHER)], "next": None}}
    asked = []
    households = schemas.billable_month(lambda after: asked.append(after) or pages[after])
    assert (asked, [str(h.household_id) for h in households]) == ([None, HOUSEHOLD], [HOUSEHOLD, OTHER])


@pytest.mark.parametrize("pages, where", [
    ({None: {"households": [entry(item())], "next": OTHER}}, "next"),
    ({None: {"households": [], "next": HOUSEHOLD}}, "next"),
    ({None: {"households": [entry(item())], "next": HOUSEHOLD},
      HOUSEHOLD: {"households": [entry(item())], "next": HOUSEHOLD}}, "household_id"),
    ({None: [entry(item())]}, "households"),
    ({None: {"next": None}}, "households"),
], ids=["next_not_the_last", "empty_page_with_next", "household_twice", "not_a_page", "no_households"])
def test_pages_that_would_not_end_or_are_not_pages_are_refused(pages, where):
    with pytest.raises(Invalid) as refused:
        schemas.billable_month(lambda after: pages[after])
    assert (refused.value.code, list(refused.value.fields)) == ("invalid_billable_items", [where])


@pytest.mark.parametrize("value", ["", "F-2026-10-1", "f-2026-10-0000001", "F-2026-10-0000001\n", None, 12])
def test_a_malformed_invoice_number_is_refused(value):
    with pytest.raises(Invalid) as refused:
        schemas.invoice_number(value)
    assert refused.value.code == "invalid_invoice_number"
    assert refused.value.fields == {"number": "Numéro de facture invalide (format F-AAAA-MM-NNNNNNN attendu)."}


def test_a_cheque_needs_its_number_and_bank():
    with pytest.raises(Invalid) as refused:
        schemas.counter_payment({"number": "F-2026-10-0000001", "amount_cents": 100, "means": "cheque"})
    assert refused.value.code == "cheque_details_required"
    assert set(refused.value.fields) == {"cheque_number", "bank"}
    paid = schemas.counter_payment({"number": "F-2026-10-0000001", "amount_cents": 100, "means": "cheque",
                                    "cheque_number": "1234567", "bank": "La Banque Postale"})
    assert paid["bank"] == "La Banque Postale"


@pytest.mark.parametrize("changes, code", [
    ({"amount_cents": 0}, "invalid_amount"), ({"amount_cents": "10"}, "invalid_amount"),
    ({"means": "bitcoin"}, "unknown_means"),
])
def test_a_malformed_counter_payment_is_refused(changes, code):
    with pytest.raises(Invalid) as refused:
        schemas.counter_payment({"number": "F-2026-10-0000001", "amount_cents": 100, "means": "especes", **changes})
    assert refused.value.code == code


@pytest.mark.parametrize("value", ["650", 650.5, None, -1, 100_001, 16257862206216499485474816])
def test_a_quotient_that_is_not_a_whole_number_of_euros_up_to_100_000_is_refused(value):
    with pytest.raises(Invalid) as refused:
        schemas.quotient_familial(value)
    assert refused.value.code == "invalid_quotient_familial"


def a_tariff(**changes):
    return {"activity": "etude", "effective_from": "2027-01-01", "price_basis": "day", "kind": "brackets",
            "brackets": [{"qf_min": 0, "qf_max": 700, "price_cents": 90},
                         {"qf_min": 701, "qf_max": None, "price_cents": 300}], **changes}


def test_a_typo_of_a_few_zeros_in_a_tariff_is_refused_before_it_reaches_a_column():
    assert schemas.tariff(a_tariff(non_resident_cents=10_000_000), 2).non_resident_cents == 10_000_000
    with pytest.raises(Invalid) as refused:
        schemas.tariff(a_tariff(non_resident_cents=10_000_001, effort_rate=45_000), 2)
    assert refused.value.fields == {
        "non_resident_cents": "Montant entier en centimes attendu, au plus 10 000 000 (100 000 €).",
        "effort_rate": "Taux d'effort attendu jusqu'à 100 %, en centièmes de pour cent (45 pour 0,45 %)."}
    with pytest.raises(Invalid) as refused:
        schemas.tariff(a_tariff(brackets=[{"qf_min": 0, "qf_max": 2_000_000, "price_cents": 90},
                                          {"qf_min": 2_000_001, "qf_max": None, "price_cents": "3,00"}]), 2)
    assert refused.value.fields == {
        "brackets.0.qf_max": "Quotient familial en euros entiers attendu, au plus 1 000 000 €.",
        "brackets.1.qf_min": "Quotient familial en euros entiers attendu, au plus 1 000 000 €.",
        "brackets.1.price_cents": "Montant entier en centimes attendu, au plus 10 000 000 (100 000 €)."}
