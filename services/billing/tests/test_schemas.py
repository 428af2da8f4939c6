import uuid
from datetime import date

import pytest

from kit.errors import Invalid

from billing import schemas
from billing.invoicing import BillableHousehold, BillableItem

HOUSEHOLD, CHILD = str(uuid.uuid4()), str(uuid.uuid4())


def item(**changes):
    return {"child_id": CHILD, "child_first_name": "Léa", "activity": "etude", "date": "2026-10-01", **changes}


def entry(*items, **changes):
    return {"household_id": HOUSEHOLD, "quotient_familial": 650, "items": list(items), **changes}


def test_billable_items_of_the_contract_shape_are_read_as_typed_values():
    households = schemas.billable_households([entry(item(), item(date="2026-10-02", extra="ignored"))])
    assert households == [BillableHousehold(uuid.UUID(HOUSEHOLD), 650, (
        BillableItem(uuid.UUID(CHILD), "Léa", "etude", date(2026, 10, 1)),
        BillableItem(uuid.UUID(CHILD), "Léa", "etude", date(2026, 10, 2))))]


@pytest.mark.parametrize("answer, where", [
    ([entry(item(date="demain"))], "0.items.0.date"),
    ([entry(item(child_id="12"))], "0.items.0.child_id"),
    ([entry(item(child_first_name=""))], "0.items.0.child_first_name"),
    ([entry(item(), household_id="nope")], "0.household_id"),
    ([entry(item(), quotient_familial="650")], "0.quotient_familial"),
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


@pytest.mark.parametrize("value", ["", "F-2026-10-1", "f-2026-10-0000001", "F-2026-10-0000001\n", None, 12])
def test_a_malformed_invoice_number_is_refused(value):
    with pytest.raises(Invalid) as refused:
        schemas.invoice_number(value)
    assert refused.value.code == "invalid_invoice_number"
    assert refused.value.fields == {"number": "Numéro de facture invalide (format F-AAAA-MM-NNNNNNN attendu)."}


@pytest.mark.parametrize("value", ["", "household", None, 42])
def test_a_malformed_household_id_is_refused(value):
    with pytest.raises(Invalid) as refused:
        schemas.household_id(value)
    assert refused.value.code == "invalid_household_id"
    assert set(refused.value.fields) == {"household_id"}


@pytest.mark.parametrize("value", ["650", 650.5, None])
def test_a_quotient_that_is_not_a_whole_number_is_refused(value):
    with pytest.raises(Invalid) as refused:
        schemas.quotient_familial(value)
    assert refused.value.code == "invalid_quotient_familial"
