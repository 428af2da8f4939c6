"""What the service accepts, and the French words it answers bad input with."""
import datetime as dt
import json
import uuid

import pytest

from kit.errors import Invalid

from family import schemas
from family.models import Booking, Child, Guardian, Household

TODAY = dt.date(2026, 10, 1)
GUARDIAN = {"first_name": "Anne", "last_name": "Martin", "email": "anne.martin@example.fr", "phone": "06 12 34 56 78"}
CHILD = {"first_name": "Léa", "last_name": "Martin", "birth_date": "2018-03-02", "school": "École Jean Macé"}
HOUSEHOLD = {"guardians": [GUARDIAN], "children": [CHILD], "quotient_familial": 640}


def with_guardian(**changes):
    return {**HOUSEHOLD, "guardians": [{**GUARDIAN, **changes}]}


def with_child(**changes):
    return {**HOUSEHOLD, "children": [{**CHILD, **changes}]}


def test_a_household_is_read_as_typed_without_stray_spaces():
    typed = {"first_name": " Anne ", "last_name": "Martin ", "email": " Anne.Martin@Example.FR"}
    request = schemas.new_household({**HOUSEHOLD, "guardians": [typed]}, TODAY)
    assert request["guardians"] == [
        {"first_name": "Anne", "last_name": "Martin", "email": "anne.martin@example.fr", "phone": None}]
    assert request["children"][0]["birth_date"] == dt.date(2018, 3, 2)
    assert request["quotient_familial"] == 640


def test_two_guardians_and_several_children_make_a_household():
    request = schemas.new_household(
        {**HOUSEHOLD, "guardians": [GUARDIAN, {**GUARDIAN, "first_name": "Paul"}], "children": [CHILD] * 4}, TODAY)
    assert len(request["guardians"]) == 2 and len(request["children"]) == 4


def test_a_child_born_today_is_accepted():
    schemas.new_household(with_child(birth_date=TODAY.isoformat()), TODAY)


@pytest.mark.parametrize("data, field, words", [
    (None, "data", "objet"),
    ([], "data", "objet"),
    ({}, "guardians", "obligatoire"),
    ({**HOUSEHOLD, "guardians": []}, "guardians", "un ou deux"),
    ({**HOUSEHOLD, "guardians": [GUARDIAN] * 3}, "guardians", "un ou deux"),
    ({**HOUSEHOLD, "guardians": "Anne"}, "guardians", "liste"),
    ({**HOUSEHOLD, "guardians": ["Anne"]}, "guardians.0", "objet"),
    ({**HOUSEHOLD, "children": []}, "children", "au moins un enfant"),
    ({**HOUSEHOLD, "quotient_familial": -1}, "quotient_familial", "entre 0 et 100 000"),
    ({**HOUSEHOLD, "quotient_familial": 100_001}, "quotient_familial", "entre 0 et 100 000"),
    ({**HOUSEHOLD, "quotient_familial": "640"}, "quotient_familial", "entier"),
    ({**HOUSEHOLD, "quotient_familial": 640.5}, "quotient_familial", "entier"),
    ({**HOUSEHOLD, "quotient_familial": True}, "quotient_familial", "entier"),
    ({**HOUSEHOLD, "quotient_familial": None}, "quotient_familial", "obligatoire"),
    ({**HOUSEHOLD, "iban": "FR76"}, "iban", "pas attendu"),
    (with_guardian(email="anne.martin"), "guardians.0.email", "e-mail"),
    (with_guardian(email="a" * 250 + "@example.fr"), "guardians.0.email", "trop longue"),
    (with_guardian(first_name="   "), "guardians.0.first_name", "entre 1 et 100"),
    (with_guardian(last_name="M" * 101), "guardians.0.last_name", "entre 1 et 100"),
    (with_guardian(phone="appelez-moi"), "guardians.0.phone", "téléphone"),
    (with_guardian(first_name=42), "guardians.0.first_name", "texte"),
    (with_child(birth_date="02/03/2018"), "children.0.birth_date", "AAAA-MM-JJ"),
    (with_child(birth_date="2026-10-02"), "children.0.birth_date", "futur"),
    (with_child(school=""), "children.0.school", "entre 1 et 200"),
    ({**HOUSEHOLD, "children": [CHILD, {k: v for k, v in CHILD.items() if k != "school"}]},
     "children.1.school", "obligatoire"),
])
def test_bad_household_data_is_refused_field_by_field_in_french(data, field, words):
    with pytest.raises(Invalid) as refused:
        schemas.new_household(data, TODAY)
    assert refused.value.code == "invalid_household"
    assert words in refused.value.fields[field]
    assert refused.value.message.startswith("Les informations du foyer")


def test_a_booking_request_names_the_activity_and_the_day():
    request = schemas.booking_request("etude", "2026-10-05")
    assert (request["activity"].code, request["date"]) == ("etude", dt.date(2026, 10, 5))


@pytest.mark.parametrize("activity, date, code, fields", [
    ("piscine", "2026-10-05", "unknown_activity", {"activity"}),
    ("Etude", "2026-10-05", "unknown_activity", {"activity"}),
    (["etude"], "2026-10-05", "unknown_activity", {"activity"}),
    ("etude", "05/10/2026", "invalid_date", {"date"}),
    ("etude", "2026-02-30", "invalid_date", {"date"}),
    ("etude", "20261005", "invalid_date", {"date"}),
    ("etude", None, "invalid_date", {"date"}),
    ("etude", 20261005, "invalid_date", {"date"}),
    ("piscine", "demain", "unknown_activity", {"activity", "date"}),
])
def test_a_booking_request_of_an_unknown_activity_or_a_bad_date_is_refused(activity, date, code, fields):
    with pytest.raises(Invalid) as refused:
        schemas.booking_request(activity, date)
    assert refused.value.code == code
    assert set(refused.value.fields) == fields


def test_a_month_is_read_or_refused_under_the_name_the_caller_gave_it():
    assert schemas.month("2026-10").key == "2026-10"
    with pytest.raises(Invalid) as refused:
        schemas.month("octobre")
    assert (refused.value.code, set(refused.value.fields)) == ("invalid_month", {"month"})
    with pytest.raises(Invalid) as refused:
        schemas.month("2026-13", field="period", code="invalid_period")
    assert (refused.value.code, set(refused.value.fields)) == ("invalid_period", {"period"})


def test_a_household_is_answered_as_plain_json():
    child = Child(id=uuid.uuid4(), first_name="Léa", last_name="Martin", birth_date=dt.date(2018, 3, 2),
                  school="École Jean Macé")
    household = Household(
        id=uuid.uuid4(), child_key="12345-ABC123", quotient_familial=640,
        created_at=dt.datetime(2026, 10, 1, 8, tzinfo=dt.timezone.utc),
        guardians=[Guardian(id=uuid.uuid4(), first_name="Anne", last_name="Martin", email="a@example.fr",
                            phone=None)],
        children=[child])
    view = schemas.household_view(household)
    assert json.loads(json.dumps(view)) == view
    assert view["id"] == str(household.id)
    assert view["children"][0] == {"id": str(child.id), "first_name": "Léa", "last_name": "Martin",
                                   "birth_date": "2018-03-02", "school": "École Jean Macé"}
    assert view["created_at"] == "2026-10-01T08:00:00+00:00"


def test_a_booking_is_answered_with_the_child_first_name_and_the_french_activity_name():
    child = Child(id=uuid.uuid4(), first_name="Léa")
    booking = Booking(id=uuid.uuid4(), child_id=child.id, child=child, activity="alsh_mercredi",
                      date=dt.date(2026, 10, 7), status="booked",
                      created_at=dt.datetime(2026, 10, 1, 8, tzinfo=dt.timezone.utc))
    assert schemas.booking_view(booking) == {
        "id": str(booking.id), "child_id": str(child.id), "child_first_name": "Léa",
        "activity": "alsh_mercredi", "activity_label": "Accueil de loisirs du mercredi",
        "date": "2026-10-07", "status": "booked", "created_at": "2026-10-01T08:00:00+00:00"}
