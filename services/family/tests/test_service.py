"""The family service in a nameko container, against the machine's PostgreSQL
and RabbitMQ, called over RPC as the gateway and billing call it."""
import datetime as dt
import time
import uuid
from zoneinfo import ZoneInfo

import eventlet
import pytest
from nameko.events import event_handler
from nameko.testing.services import entrypoint_hook, entrypoint_waiter
from sqlalchemy import select

from kit import errors
from kit.caller import Caller, CallerKey

from family import child_keys, clock as family_clock
from family.models import ActivityDay, Booking, HouseholdJournalEntry, OutboxEvent
from family.service import FamilyService

TODAY = dt.date(2026, 9, 24)  # a Thursday: next week's catering is still open
FRIDAY, MONDAY, TUESDAY, WEDNESDAY = (dt.date(2026, 10, day) for day in (2, 5, 6, 7))
NOVEMBER_MONDAY = dt.date(2026, 11, 2)
PARIS = ZoneInfo("Europe/Paris")


def household_data(*children, quotient_familial=640, last_name="Martin"):
    return {
        "guardians": [{"first_name": "Anne", "last_name": last_name, "email": f"anne.{last_name.lower()}@example.fr",
                       "phone": "06 12 34 56 78"}],
        "children": [{"first_name": first_name, "last_name": last_name, "birth_date": "2018-03-02",
                      "school": "École Jean Macé"} for first_name in children or ("Léa",)],
        "quotient_familial": quotient_familial,
    }


class Clock:
    """The instant it is, as the service sees it: 08:00 in Paris on `today`, or `at`."""

    def __init__(self, today):
        self.today = today

    @property
    def today(self):
        return self.at.astimezone(PARIS).date()

    @today.setter
    def today(self, day):
        self.at = dt.datetime.combine(day, dt.time(8), tzinfo=PARIS)


@pytest.fixture
def clock(monkeypatch):
    now = Clock(TODAY)
    monkeypatch.setattr(family_clock, "now", lambda: now.at)
    return now


@pytest.fixture
def family(container_factory, config, clock, rpc):
    container = container_factory(FamilyService, config)
    container.start()
    calls = rpc("family")
    calls.container = container  # for the timers, run by hand
    return calls


@pytest.fixture
def martin(family):
    return family.as_agent.create_household(household_data("Léa", "Tom"))


@pytest.fixture
def durand(family):
    return family.as_agent.create_household(household_data("Zoé", last_name="Durand", quotient_familial=1500))


def child(household, first_name):
    return next(c["id"] for c in household["children"] if c["first_name"] == first_name)


def announced(look, event_type=None):
    with look.connect() as connection:
        query = select(OutboxEvent.event_type, OutboxEvent.payload).order_by(OutboxEvent.id)
        rows = connection.execute(query).all()
    return [payload for kind, payload in rows if event_type in (None, kind)]


def booking_statuses(look):
    with look.connect() as connection:
        return sorted((str(row.id), row.status) for row in connection.execute(select(Booking.id, Booking.status)))


def refused(error_class, call, *args):
    with pytest.raises(error_class) as raised:
        call(*args)
    return raised.value


# What can be booked

def test_the_nine_activities_are_listed_with_the_weekdays_they_run(family):
    listed = family.as_part("gateway").activities()
    assert [(a["code"], a["weekdays"], a["mode"]) for a in listed] == [
        ("restauration_scolaire", [0, 1, 3, 4], "day"), ("accueil_du_soir", [0, 1, 3, 4], "day"),
        ("etude", [0, 1, 3, 4], "day"), ("alsh_mercredi", [2], "day"), ("cis_mercredi", [2], "day"),
        ("alsh_vacances", [0, 1, 2, 3, 4], "preregistration"), ("cis_vacances", [0, 1, 2, 3, 4], "preregistration"),
        ("mini_sejour", [0, 1, 2, 3, 4], "preregistration"), ("centre_vacances", [0, 1, 2, 3, 4], "preregistration")]
    assert listed[0]["booking_deadline_text"] == "jusqu'au jeudi de la semaine précédente, 23h59"


def test_a_listed_activity_can_be_booked_on_a_weekday_it_lists(family, martin):
    for activity in [a for a in family.as_part("gateway").activities() if a["mode"] == "day"]:
        day = MONDAY + dt.timedelta(days=activity["weekdays"][-1])
        booking = family.as_family(martin).book(child(martin, "Léa"), activity["code"], day.isoformat())
        assert booking["status"] == "booked"


# Households and the clé enfance

def test_a_new_household_gets_a_cle_enfance_and_keeps_what_was_given(family):
    household = family.as_agent.create_household(household_data("Léa", "Tom"))
    assert child_keys.SHAPE.fullmatch(household["child_key"])
    uuid.UUID(household["id"])
    assert household["quotient_familial"] == 640
    assert [g["email"] for g in household["guardians"]] == ["anne.martin@example.fr"]
    assert [c["first_name"] for c in household["children"]] == ["Léa", "Tom"]
    assert household["children"][0]["birth_date"] == "2018-03-02"
    assert dt.datetime.fromisoformat(household["created_at"]).tzinfo is not None
    assert family.as_agent.get_household(household["id"]) == household


def test_a_new_household_is_announced_through_the_outbox(family, look):
    household = family.as_agent.create_household(household_data())
    assert [payload["household_id"] for payload in announced(look, "household_created")] == [household["id"]]


def test_every_household_gets_a_cle_enfance_of_its_own(family):
    keys = [family.as_agent.create_household(household_data())["child_key"] for _ in range(15)]
    assert len(set(keys)) == len(keys)


def test_a_cle_enfance_already_given_is_drawn_again(family, monkeypatch):
    first = family.as_agent.create_household(household_data())
    draws = iter([first["child_key"], first["child_key"], "12345-NEWKEY"])
    monkeypatch.setattr(child_keys, "generate", lambda: next(draws))
    second = family.as_agent.create_household(household_data(last_name="Durand"))
    assert second["child_key"] == "12345-NEWKEY"
    assert family.as_agent.get_household(first["id"])["child_key"] == first["child_key"]


@pytest.mark.parametrize("data, field", [
    ({**household_data(), "guardians": []}, "guardians"),
    ({**household_data(), "quotient_familial": -5}, "quotient_familial"),
    (household_data() | {"children": [{**household_data()["children"][0], "birth_date": "2026-10-02"}]},
     "children.0.birth_date"),
    (household_data() | {"guardians": [{**household_data()["guardians"][0], "email": "pas-une-adresse"}]},
     "guardians.0.email"),
    ("un foyer", "data"),
])
def test_bad_household_data_is_refused_and_nothing_is_written(family, snapshot, data, field):
    before = snapshot()
    error = refused(errors.Invalid, family.as_agent.create_household, data)
    assert error.code == "invalid_household"
    assert field in error.fields
    assert snapshot() == before


def test_a_family_is_found_from_its_cle_enfance_however_it_is_typed(family, martin):
    typed = "  " + martin["child_key"].lower() + "\n"
    assert family.as_part("identity").household_for_child_key(typed) == {"household_id": martin["id"]}


@pytest.mark.parametrize("typed", ["12345", "12345-ABCDE!", "", None])
def test_a_cle_enfance_of_the_wrong_shape_is_refused(family, typed):
    error = refused(errors.Invalid, family.as_part("identity").household_for_child_key, typed)
    assert error.code == "invalid_child_key"
    assert "child_key" in error.fields


def test_an_unknown_cle_enfance_is_not_found(family, martin):
    other = "00000-AAAAAA" if martin["child_key"] != "00000-AAAAAA" else "00000-BBBBBB"
    assert refused(errors.NotFound, family.as_part("identity").household_for_child_key, other).code == "unknown_child_key"


@pytest.mark.parametrize("household_id", [str(uuid.uuid4()), "pas-un-identifiant"])
def test_an_unknown_household_is_not_found(family, martin, household_id):
    assert refused(errors.NotFound, family.as_agent.get_household, household_id).code == "household_not_found"


# Who may call what

def test_a_family_sees_its_household_without_the_cle_enfance_and_an_agent_with_it(family, martin):
    own = family.as_family(martin).get_household()
    assert "child_key" not in own
    assert own == {key: value for key, value in martin.items() if key != "child_key"}
    assert family.as_agent.get_household(martin["id"])["child_key"] == martin["child_key"]


def test_a_family_naming_another_household_gets_nothing_of_it(family, martin, durand):
    error = refused(errors.NotFound, family.as_family(martin).get_household, durand["id"])
    assert error.code == "household_not_found"
    assert refused(errors.NotFound, family.as_family(martin).list_bookings, "2026-10", durand["id"]).code == \
        "household_not_found"


def test_billing_reads_whom_a_certificate_is_made_out_to_and_no_one_else_does(family, martin, durand):
    made_out = family.as_part("billing").household_for_certificates(martin["id"])
    assert made_out["guardians"] == ["Anne Martin"]
    assert made_out["address"] is None  # none given yet: the certificate says nothing of it
    assert [(child["first_name"], child["birth_date"]) for child in made_out["children"]] == \
        [("Léa", "2018-03-02"), ("Tom", "2018-03-02")]
    for caller in (family.as_family(martin), family.as_agent, family.as_part("gateway")):
        refused(errors.Forbidden, caller.household_for_certificates, durand["id"])


def test_an_agent_must_name_the_household(family):
    assert refused(errors.Invalid, family.as_agent.get_household).code == "household_required"


@pytest.mark.parametrize("who", ["unsigned", "forged", "expired", "family", "identity"])
def test_only_agents_create_households_and_refused_callers_write_nothing(family, martin, snapshot, config, who):
    agent = Caller(part="gateway", account_id=uuid.uuid4(), role="agent")
    calls = {
        "unsigned": lambda: family.unsigned,
        "forged": lambda: family.with_token(CallerKey("another key that nobody shares, long enough").sign(agent)),
        "expired": lambda: family.with_token(CallerKey(config["CALLER_CONTEXT_KEY"]).sign(agent, now=time.time() - 60)),
        "family": lambda: family.as_family(martin),
        "identity": lambda: family.as_part("identity"),
    }[who]()
    before = snapshot()
    error_class = errors.Forbidden if who in ("family", "identity") else errors.Unauthenticated
    refused(error_class, calls.create_household, household_data(last_name="Intrus"))
    refused(error_class, calls.reissue_child_key, martin["id"])
    assert snapshot() == before


def test_only_billing_reads_the_billable_items(family, martin):
    for calls in (family.as_agent, family.as_family(martin), family.as_part("notify"), family.unsigned):
        with pytest.raises((errors.Forbidden, errors.Unauthenticated)):
            calls.billable_items("2026-10")


def test_what_an_agent_does_to_a_household_is_journaled_with_the_agent(family, look):
    household = family.as_agent.create_household(household_data())
    family.as_agent.reissue_child_key(household["id"])
    with look.connect() as connection:
        rows = connection.execute(select(HouseholdJournalEntry.action, HouseholdJournalEntry.actor_id)
                                  .order_by(HouseholdJournalEntry.occurred_at)).all()
    assert rows == [("household_created", family.agent_id), ("child_key_reissued", family.agent_id)]


# A create the agent's client may retry

def test_a_retried_creation_with_the_same_key_makes_one_household(family, look):
    retrying = family.as_agent.with_context(idempotency_key="creation-1")
    first = retrying.create_household(household_data("Léa"))
    again = retrying.create_household(household_data("Léa"))
    assert again == first
    assert len(announced(look, "household_created")) == 1


def test_the_same_key_with_another_household_is_refused_and_writes_nothing(family, snapshot):
    retrying = family.as_agent.with_context(idempotency_key="creation-2")
    retrying.create_household(household_data("Léa"))
    before = snapshot()
    error = refused(errors.Invalid, retrying.create_household, household_data("Tom"))
    assert error.code == "idempotency_key_reused"
    assert snapshot() == before


def test_simultaneous_retries_with_one_key_make_one_household(family, rpc, look):
    def create():
        return rpc("family").as_agent.with_context(idempotency_key="creation-3").create_household(household_data())

    made = [thread.wait() for thread in [eventlet.spawn(create) for _ in range(4)]]
    assert len({household["id"] for household in made}) == 1
    assert len(announced(look, "household_created")) == 1


def test_a_key_is_kept_apart_for_each_agent(family):
    from kit.caller import Caller
    first = family.as_agent.with_context(idempotency_key="same").create_household(household_data())
    other_agent = family.as_caller(Caller(part="gateway", account_id=uuid.uuid4(), role="agent"))
    second = other_agent.with_context(idempotency_key="same").create_household(household_data())
    assert first["id"] != second["id"]


def test_a_retried_booking_with_the_same_key_books_the_day_once(family, martin, look):
    retrying = family.as_family(martin).with_context(idempotency_key="booking-1")
    first = retrying.book(child(martin, "Léa"), "restauration_scolaire", "2026-10-02")
    again = retrying.book(child(martin, "Léa"), "restauration_scolaire", "2026-10-02")
    assert again == first
    assert len(announced(look, "booking_made")) == 1


def test_the_same_key_with_another_booking_is_refused_and_writes_nothing(family, martin, snapshot):
    retrying = family.as_family(martin).with_context(idempotency_key="booking-2")
    retrying.book(child(martin, "Léa"), "restauration_scolaire", "2026-10-02")
    before = snapshot()
    error = refused(errors.Invalid, retrying.book, child(martin, "Léa"), "restauration_scolaire", "2026-10-05")
    assert error.code == "idempotency_key_reused"
    assert snapshot() == before


# An agent issues a new clé enfance

def test_a_reissued_cle_enfance_replaces_the_old_one(family, martin):
    reissued = family.as_agent.reissue_child_key(martin["id"])
    assert set(reissued) == {"household_id", "child_key"}
    assert reissued["household_id"] == martin["id"]
    assert child_keys.SHAPE.fullmatch(reissued["child_key"])
    assert reissued["child_key"] != martin["child_key"]
    assert family.as_part("identity").household_for_child_key(reissued["child_key"]) == {"household_id": martin["id"]}
    assert family.as_agent.get_household(martin["id"]) == martin | {"child_key": reissued["child_key"]}


def test_the_old_cle_enfance_stops_working_once_reissued(family, martin):
    family.as_agent.reissue_child_key(martin["id"])
    error = refused(errors.NotFound, family.as_part("identity").household_for_child_key, martin["child_key"])
    assert error.code == "unknown_child_key"


def test_reissuing_again_retires_every_earlier_key(family, martin):
    first = family.as_agent.reissue_child_key(martin["id"])["child_key"]
    second = family.as_agent.reissue_child_key(martin["id"])["child_key"]
    assert len({martin["child_key"], first, second}) == 3
    for retired in (martin["child_key"], first):
        assert refused(errors.NotFound, family.as_part("identity").household_for_child_key, retired).code == "unknown_child_key"
    assert family.as_part("identity").household_for_child_key(second) == {"household_id": martin["id"]}


def test_a_reissued_key_is_never_another_familys_nor_the_old_one(family, martin, durand, monkeypatch):
    draws = iter([durand["child_key"], martin["child_key"], "12345-NEWKEY"])
    monkeypatch.setattr(child_keys, "generate", lambda: next(draws))
    assert family.as_agent.reissue_child_key(martin["id"])["child_key"] == "12345-NEWKEY"
    assert family.as_part("identity").household_for_child_key(durand["child_key"]) == {"household_id": durand["id"]}
    assert family.as_agent.get_household(durand["id"]) == durand


def test_reissuing_a_key_touches_no_other_household(family, martin, durand):
    family.as_agent.reissue_child_key(martin["id"])
    assert family.as_agent.get_household(durand["id"]) == durand


def test_a_reissued_key_is_announced_without_the_key(family, martin, look):
    reissued = family.as_agent.reissue_child_key(martin["id"])
    [payload] = announced(look, "child_key_reissued")
    assert set(payload) == {"event_id", "occurred_at", "household_id"}
    assert payload["household_id"] == martin["id"]
    assert reissued["child_key"] not in repr(payload)


@pytest.mark.parametrize("household_id", [str(uuid.uuid4()), "pas-un-identifiant", None])
def test_reissuing_the_key_of_an_unknown_household_is_refused_and_changes_nothing(
        family, martin, snapshot, household_id):
    before = snapshot()
    assert refused(errors.NotFound, family.as_agent.reissue_child_key, household_id).code == "household_not_found"
    assert snapshot() == before
    assert family.as_part("identity").household_for_child_key(martin["child_key"]) == {"household_id": martin["id"]}


# Booking

def test_a_child_is_booked_for_a_day_the_activity_runs(family, martin, look):
    booking = family.as_family(martin).book(child(martin, "Léa"), "restauration_scolaire", "2026-10-02")
    assert booking == {
        "id": booking["id"], "child_id": child(martin, "Léa"), "child_first_name": "Léa",
        "activity": "restauration_scolaire", "activity_label": "Restauration scolaire", "date": "2026-10-02",
        "status": "booked", "created_at": booking["created_at"], "billed": True, "status_label": "réservé"}
    [made] = announced(look, "booking_made")
    assert made | {"event_id": None, "occurred_at": None} == {
        "event_id": None, "occurred_at": None, "booking_id": booking["id"], "household_id": martin["id"],
        "child_id": child(martin, "Léa"), "activity": "restauration_scolaire", "date": "2026-10-02"}


def test_a_wednesday_leisure_centre_is_booked(family, martin):
    booking = family.as_family(martin).book(child(martin, "Tom"), "alsh_mercredi", WEDNESDAY.isoformat())
    assert booking["activity_label"] == "Accueil de loisirs du mercredi"


@pytest.mark.parametrize("activity, date, error_class, code, field", [
    ("piscine", "2026-10-05", errors.Invalid, "unknown_activity", "activity"),
    ("etude", "05/10/2026", errors.Invalid, "invalid_date", "date"),
    ("etude", "2026-02-30", errors.Invalid, "invalid_date", "date"),
    ("etude", "2026-10-07", errors.Invalid, "no_activity", "date"),
    ("alsh_mercredi", "2026-10-05", errors.Invalid, "no_activity", "date"),
    ("restauration_scolaire", "2026-10-03", errors.Invalid, "no_activity", "date"),
    ("restauration_scolaire", "2026-10-19", errors.Invalid, "no_activity", "date"),
    ("restauration_scolaire", "2026-09-25", errors.Invalid, "past_deadline", "date"),
    ("restauration_scolaire", "2026-09-22", errors.Invalid, "past_deadline", "date"),
    ("alsh_vacances", "2026-10-19", errors.Invalid, "preregistration_only", "activity"),
])
def test_a_booking_that_breaks_a_rule_is_refused_and_nothing_is_written(
        family, martin, snapshot, activity, date, error_class, code, field):
    before = snapshot()
    error = refused(error_class, family.as_family(martin).book, child(martin, "Léa"), activity, date)
    assert (error.code, field in error.fields) == (code, True)
    assert snapshot() == before


def test_the_same_day_cannot_be_booked_twice_for_the_same_activity(family, martin, snapshot):
    family.as_family(martin).book(child(martin, "Léa"), "etude", "2026-10-05")
    before = snapshot()
    error = refused(errors.Conflict, family.as_family(martin).book, child(martin, "Léa"), "etude", "2026-10-05")
    assert error.code == "already_booked"
    assert snapshot() == before
    # another activity, or another child, on the same day is another booking
    family.as_family(martin).book(child(martin, "Léa"), "accueil_du_soir", "2026-10-05")
    family.as_family(martin).book(child(martin, "Tom"), "etude", "2026-10-05")


def test_two_simultaneous_bookings_of_the_same_day_make_one(family, martin, rpc, look):
    def book():
        try:
            return rpc("family").as_family(martin).book(child(martin, "Léa"), "restauration_scolaire", "2026-10-05")
        except errors.Conflict as conflict:
            return conflict.code

    outcomes = [thread.wait() for thread in [eventlet.spawn(book) for _ in range(4)]]
    assert sorted(o if isinstance(o, str) else "booked" for o in outcomes) == ["already_booked"] * 3 + ["booked"]
    assert len(booking_statuses(look)) == 1
    assert len(announced(look, "booking_made")) == 1


def test_a_cancelled_day_can_be_booked_again(family, martin):
    first = family.as_family(martin).book(child(martin, "Léa"), "etude", "2026-10-05")
    family.as_family(martin).cancel_booking(first["id"])
    again = family.as_family(martin).book(child(martin, "Léa"), "etude", "2026-10-05")
    assert again["id"] != first["id"] and again["status"] == "booked"


# Cancelling

def test_a_booking_is_cancelled_until_the_eve_of_the_day(family, martin, look):
    booking = family.as_family(martin).book(child(martin, "Léa"), "etude", "2026-10-02")
    cancelled = family.as_family(martin).cancel_booking(booking["id"])
    assert cancelled == booking | {"status": "cancelled", "billed": False, "status_label": "annulé"}
    assert [p["booking_id"] for p in announced(look, "booking_cancelled")] == [booking["id"]]


def test_cancelling_twice_changes_nothing_and_is_announced_once(family, martin, look, snapshot):
    booking = family.as_family(martin).book(child(martin, "Léa"), "etude", "2026-10-05")
    first = family.as_family(martin).cancel_booking(booking["id"])
    before = snapshot()
    assert family.as_family(martin).cancel_booking(booking["id"]) == first
    assert snapshot() == before
    assert len(announced(look, "booking_cancelled")) == 1


def test_a_booking_cannot_be_cancelled_on_the_day_itself(family, martin, snapshot, clock):
    booking = family.as_family(martin).book(child(martin, "Léa"), "etude", "2026-10-05")
    clock.today = MONDAY
    before = snapshot()
    assert refused(errors.Invalid, family.as_family(martin).cancel_booking, booking["id"]).code == "booking_closed"
    assert snapshot() == before


@pytest.mark.parametrize("booking_id", [str(uuid.uuid4()), "pas-un-identifiant", 12])
def test_an_unknown_booking_is_not_found(family, martin, booking_id):
    assert refused(errors.NotFound, family.as_family(martin).cancel_booking, booking_id).code == "booking_not_found"


# One family never touches another's

def test_a_family_cannot_book_for_a_child_of_another_family(family, martin, durand, snapshot):
    before = snapshot()
    error = refused(errors.NotFound, family.as_family(martin).book, child(durand, "Zoé"), "etude", "2026-10-05")
    assert error.code == "child_not_found"
    assert "Zoé" not in error.message
    assert snapshot() == before


@pytest.mark.parametrize("child_id", [str(uuid.uuid4()), "pas-un-identifiant"])
def test_booking_for_an_unknown_child_is_refused_the_same_way(family, martin, child_id):
    assert refused(errors.NotFound, family.as_family(martin).book, child_id, "etude", "2026-10-05").code == \
        "child_not_found"


def test_a_family_cannot_cancel_a_booking_of_another_family(family, martin, durand, snapshot):
    theirs = family.as_family(durand).book(child(durand, "Zoé"), "etude", "2026-10-05")
    before = snapshot()
    error = refused(errors.NotFound, family.as_family(martin).cancel_booking, theirs["id"])
    assert error.code == "booking_not_found"
    assert snapshot() == before
    assert family.as_family(durand).list_bookings("2026-10")[0]["status"] == "booked"


def test_a_family_sees_only_its_own_bookings(family, martin, durand):
    family.as_family(durand).book(child(durand, "Zoé"), "etude", "2026-10-05")
    mine = family.as_family(martin).book(child(martin, "Léa"), "etude", "2026-10-05")
    assert [b["id"] for b in family.as_family(martin).list_bookings("2026-10")] == [mine["id"]]


# Listing a month

def test_the_bookings_of_a_month_are_listed_by_date_then_child(family, martin):
    lea, tom = child(martin, "Léa"), child(martin, "Tom")
    family.as_family(martin).book(tom, "etude", "2026-10-05")
    family.as_family(martin).book(lea, "alsh_mercredi", "2026-10-07")
    family.as_family(martin).book(lea, "etude", "2026-10-05")
    family.as_family(martin).book(tom, "restauration_scolaire", "2026-10-02")
    family.as_family(martin).book(lea, "restauration_scolaire", NOVEMBER_MONDAY.isoformat())
    cancelled = family.as_family(martin).book(tom, "accueil_du_soir", "2026-10-06")
    family.as_family(martin).cancel_booking(cancelled["id"])
    listed = family.as_family(martin).list_bookings("2026-10")
    assert [(b["date"], b["child_first_name"], b["activity"], b["status"]) for b in listed] == [
        ("2026-10-02", "Tom", "restauration_scolaire", "booked"),
        ("2026-10-05", "Léa", "etude", "booked"),
        ("2026-10-05", "Tom", "etude", "booked"),
        ("2026-10-06", "Tom", "accueil_du_soir", "cancelled"),
        ("2026-10-07", "Léa", "alsh_mercredi", "booked"),
    ]
    assert [b["date"] for b in family.as_family(martin).list_bookings("2026-11")] == ["2026-11-02"]
    assert family.as_family(martin).list_bookings("2026-12") == []


def test_listing_a_month_that_does_not_exist_is_refused(family, martin):
    error = refused(errors.Invalid, family.as_family(martin).list_bookings, "2026-13")
    assert (error.code, list(error.fields)) == ("invalid_month", ["month"])


def test_listing_the_bookings_of_an_unknown_household_is_refused(family):
    assert refused(errors.NotFound, family.as_agent.list_bookings, "2026-10", str(uuid.uuid4())).code == \
        "household_not_found"


# What billing receives

def test_billable_items_are_the_booked_days_of_the_month_grouped_by_household(family, martin, durand):
    lea, tom, zoe = child(martin, "Léa"), child(martin, "Tom"), child(durand, "Zoé")
    family.as_family(martin).book(lea, "restauration_scolaire", "2026-10-05")
    family.as_family(martin).book(tom, "etude", "2026-10-02")
    dropped = family.as_family(martin).book(tom, "restauration_scolaire", "2026-10-06")
    family.as_family(martin).cancel_booking(dropped["id"])
    family.as_family(martin).book(lea, "restauration_scolaire", NOVEMBER_MONDAY.isoformat())
    family.as_family(durand).book(zoe, "alsh_mercredi", "2026-10-07")
    nobody = family.as_agent.create_household(household_data("Inès", last_name="Petit"))

    billable = family.as_part("billing").billable_items("2026-10")["households"]

    def item(child_id, first_name, activity, day, basis, status="booked", reason=""):
        booking_id = next(b["id"] for b in family.as_agent.list_bookings(day[:7], household_of[child_id])
                          if b["child_id"] == child_id and b["date"] == day and b["activity"] == activity)
        return {"item_id": f"booking:{booking_id}", "child_id": child_id, "child_first_name": first_name,
                "activity": activity, "price_basis": basis, "date": day, "end_date": None, "status": status,
                "billable": True, "reason": reason}

    household_of = {lea: martin["id"], tom: martin["id"], zoe: durand["id"]}
    qf = [{"value": 640, "valid_from": martin["created_at"][:10], "valid_until": None, "justified": True}]
    assert sorted(billable, key=lambda entry: entry["quotient_familial"][0]["value"]) == [
        {"household_id": martin["id"], "resident": True, "quotient_familial": qf, "items": [
            item(tom, "Tom", "etude", "2026-10-02", "half_day"),
            item(lea, "Léa", "restauration_scolaire", "2026-10-05", "day"),
        ]},
        {"household_id": durand["id"], "resident": True, "quotient_familial": [
            {"value": 1500, "valid_from": durand["created_at"][:10], "valid_until": None, "justified": True}],
         "items": [item(zoe, "Zoé", "alsh_mercredi", "2026-10-07", "day")]},
    ]
    assert nobody["id"] not in [entry["household_id"] for entry in billable]
    assert [entry["items"] for entry in family.as_part("billing").billable_items("2026-11")["households"]] == [
        [item(lea, "Léa", "restauration_scolaire", "2026-11-02", "day")]]
    assert family.as_part("billing").billable_items("2026-09") == {"households": [], "next": None}


def test_billable_items_come_in_pages_of_households_by_id_each_once(family):
    households = [family.as_agent.create_household(household_data("Léa", last_name=name))
                  for name in ("Martin", "Durand", "Petit", "Moreau", "Garcia")]
    for household in households:
        family.as_family(household).book(child(household, "Léa"), "restauration_scolaire", "2026-10-05")
    idle = family.as_agent.create_household(household_data("Inès", last_name="Roux"))
    pages, after = [], None
    while True:
        page = family.as_part("billing").billable_items("2026-10", after=after, limit=2)
        pages.append([entry["household_id"] for entry in page["households"]])
        if page["next"] is None:
            break
        assert page["next"] == pages[-1][-1]
        after = page["next"]

    ids = sorted(household["id"] for household in households)
    assert pages == [ids[:2], ids[2:4], ids[4:]]
    assert idle["id"] not in sum(pages, [])
    whole = family.as_part("billing").billable_items("2026-10", limit=5)
    assert (whole["next"], [entry["household_id"] for entry in whole["households"]]) == (None, ids)


@pytest.mark.parametrize(("after", "limit", "code"), [
    ("pas-un-foyer", 500, "invalid_after"), (42, 500, "invalid_after"),
    (None, 0, "invalid_limit"), (None, 2001, "invalid_limit"), (None, "500", "invalid_limit"),
    (None, True, "invalid_limit")])
def test_a_page_of_billable_items_that_cannot_be_is_refused(family, after, limit, code):
    error = refused(errors.Invalid, family.as_part("billing").billable_items, "2026-10", after, limit)
    assert (error.code, list(error.fields)) == (code, [code.removeprefix("invalid_")])


@pytest.mark.parametrize("period", ["2026-13", "octobre", "2026-10-01", None])
def test_billing_a_period_that_is_not_a_month_is_refused(family, period):
    error = refused(errors.Invalid, family.as_part("billing").billable_items, period)
    assert (error.code, list(error.fields)) == ("invalid_period", ["period"])


# Events reach the other services

class Listener:
    name = "family_listener"
    heard = []

    @event_handler("family", "household_created")
    def on_household_created(self, payload):
        self.heard.append(("household_created", payload))

    @event_handler("family", "child_key_reissued")
    def on_child_key_reissued(self, payload):
        self.heard.append(("child_key_reissued", payload))

    @event_handler("family", "booking_made")
    def on_booking_made(self, payload):
        self.heard.append(("booking_made", payload))

    @event_handler("family", "booking_cancelled")
    def on_booking_cancelled(self, payload):
        self.heard.append(("booking_cancelled", payload))


def test_the_events_leave_the_outbox_for_the_other_services(family, container_factory, config):
    Listener.heard = []
    listener = container_factory(Listener, config)
    listener.start()
    with entrypoint_waiter(listener, "on_household_created", timeout=10):
        household = family.as_agent.create_household(household_data())
    with entrypoint_waiter(listener, "on_child_key_reissued", timeout=10):
        family.as_agent.reissue_child_key(household["id"])
    with entrypoint_waiter(listener, "on_booking_made", timeout=10):
        booking = family.as_family(household).book(child(household, "Léa"), "etude", "2026-10-05")
    with entrypoint_waiter(listener, "on_booking_cancelled", timeout=10):
        family.as_family(household).cancel_booking(booking["id"])
    assert [(kind, payload.get("booking_id", payload["household_id"])) for kind, payload in Listener.heard] == [
        ("household_created", household["id"]), ("child_key_reissued", household["id"]),
        ("booking_made", booking["id"]), ("booking_cancelled", booking["id"])]
    assert all({"event_id", "occurred_at", "household_id"} <= set(payload) for _, payload in Listener.heard)


# Activities: periods, places, late cancellations, the catalogue, pre-registration, absences

def items_of(family, period, household):
    entry = next(e for e in family.as_part("billing").billable_items(period)["households"]
                 if e["household_id"] == household["id"])
    return [(i["child_first_name"], i["activity"], i["date"], i["status"], i["billable"]) for i in entry["items"]]


# Booking a period

def test_a_month_of_catering_is_booked_at_once_and_the_holiday_days_are_refused_with_why(family, martin):
    report = family.as_family(martin).book_period({
        "child_id": child(martin, "Léa"), "activity": "restauration_scolaire",
        "first_day": "2026-10-12", "last_day": "2026-11-06", "weekdays": [0, 1, 3, 4]})
    assert [b["date"] for b in report["booked"]] == [
        "2026-10-12", "2026-10-13", "2026-10-15", "2026-10-16",
        "2026-11-02", "2026-11-03", "2026-11-05", "2026-11-06"]
    assert {r["date"]: (r["code"], r["reason"]) for r in report["refused"]} == {
        day: ("no_activity", "Pas d'école : vacances de la toussaint.") for day in
        ("2026-10-19", "2026-10-20", "2026-10-22", "2026-10-23", "2026-10-26", "2026-10-27", "2026-10-29",
         "2026-10-30")}


def test_a_retried_period_answers_the_first_report_and_books_nothing_twice(family, martin, look, snapshot):
    retrying = family.as_family(martin).with_context(idempotency_key="period-1")
    period = {"child_id": child(martin, "Léa"), "activity": "restauration_scolaire",
              "first_day": "2026-10-12", "last_day": "2026-10-23", "weekdays": [0, 1]}
    first = retrying.book_period(period)
    again = retrying.book_period(period)
    assert again == first
    assert len(first["booked"]) == 2 and len(first["refused"]) == 2
    assert len(announced(look, "booking_made")) == 2
    before = snapshot()
    error = refused(errors.Invalid, retrying.book_period, period | {"weekdays": [0]})
    assert error.code == "idempotency_key_reused"
    assert snapshot() == before


def test_a_period_reports_days_already_booked_past_the_deadline_and_not_for_the_childs_level(family, clock):
    household = family.as_agent.create_household(household_data("Léa") | {"children": [
        {"first_name": "Léa", "last_name": "Martin", "birth_date": "2021-05-02", "school": "Maternelle Jean Macé"}]})
    lea = household["children"][0]["id"]
    refused_study = family.as_family(household).book_period({"child_id": lea, "activity": "etude",
                                                             "first_day": "2026-10-05", "last_day": "2026-10-06",
                                                             "weekdays": [0, 1]})
    assert [r["code"] for r in refused_study["refused"]] == ["not_allowed", "not_allowed"]
    assert refused_study["refused"][0]["reason"] == "Réservé aux élèves de élémentaire."
    family.as_family(household).book(lea, "restauration_scolaire", "2026-10-05")
    report = family.as_family(household).book_period({"child_id": lea, "activity": "restauration_scolaire",
                                                      "first_day": "2026-09-25", "last_day": "2026-10-06",
                                                      "weekdays": [0, 4]})
    assert [(r["date"], r["code"]) for r in report["refused"]] == [
        ("2026-09-25", "past_deadline"), ("2026-10-05", "already_booked")]
    assert [b["date"] for b in report["booked"]] == ["2026-09-28", "2026-10-02"]


# Places

def test_200_families_booking_the_last_20_places_at_once_make_exactly_20_bookings(family, rpc, look):
    many = family.as_agent.create_household(household_data(*[f"Enfant{n:03d}" for n in range(200)]))
    catalogue = family.as_agent.catalogue("2026-2027")
    family.as_agent.update_catalogue("2026-2027", {"activities": {"etude": {"capacity": 20}}}, catalogue["version"])
    clients = 40  # each its own connection to the broker, each sending its share of the 200 requests

    def book_share(first):
        calls, outcomes = rpc("family").as_family(many), []
        for n in range(first, 200, clients):
            try:
                calls.book(many["children"][n]["id"], "etude", "2026-10-05")
                outcomes.append("booked")
            except errors.Conflict as conflict:
                outcomes.append((conflict.code, conflict.message))
        return outcomes

    outcomes = [o for share in eventlet.GreenPool(clients).imap(book_share, range(clients)) for o in share]
    assert len(outcomes) == 200
    assert outcomes.count("booked") == 20
    assert set(outcomes) - {"booked"} == {("full", "Étude surveillée, le 05/10/2026 : complet.")}
    with look.connect() as connection:
        assert connection.execute(select(ActivityDay.booked, ActivityDay.capacity)).all() == [(20, 20)]
        assert len(connection.execute(select(Booking.id)).all()) == 20


def test_a_cancelled_place_can_be_taken_again_and_capacity_cannot_drop_below_the_bookings(family, martin):
    catalogue = family.as_agent.catalogue("2026-2027")
    family.as_agent.update_catalogue("2026-2027", {"activities": {"etude": {"capacity": 1}}}, catalogue["version"])
    lea, tom = child(martin, "Léa"), child(martin, "Tom")
    first = family.as_family(martin).book(lea, "etude", "2026-10-05")
    assert refused(errors.Conflict, family.as_family(martin).book, tom, "etude", "2026-10-05").code == "full"
    error = refused(errors.Conflict, family.as_agent.update_catalogue, "2026-2027",
                    {"activities": {"etude": {"capacity": 0}}}, 1)
    assert error.code == "capacity_below_bookings"
    family.as_family(martin).cancel_booking(first["id"])
    assert family.as_family(martin).book(tom, "etude", "2026-10-05")["status"] == "booked"


# Cancelling early and late; agents' overrides

def test_an_early_cancellation_is_free_and_a_late_one_stays_billed(family, martin, clock):
    lea = child(martin, "Léa")
    early = family.as_family(martin).book(lea, "accueil_du_soir", "2026-10-05")
    late = family.as_family(martin).book(lea, "accueil_du_soir", "2026-10-06")
    clock.at = dt.datetime(2026, 10, 5, 18, 30, tzinfo=PARIS)   # after Monday 18:00, the eve of Tuesday
    assert family.as_family(martin).cancel_booking(late["id"])["status"] == "late_cancellation"
    clock.at = dt.datetime(2026, 10, 4, 17, 59, tzinfo=PARIS)
    assert family.as_family(martin).cancel_booking(early["id"])["status"] == "cancelled"
    assert items_of(family, "2026-10", martin) == [("Léa", "accueil_du_soir", "2026-10-06", "late_cancellation", True)]


def test_an_agent_books_and_cancels_past_the_deadlines_for_a_family_journaled(family, martin, look):
    lea = child(martin, "Léa")
    booked = family.as_agent.book(lea, "restauration_scolaire", "2026-09-25", martin["id"])
    cancelled = family.as_agent.cancel_booking(booked["id"], martin["id"])
    assert cancelled["status"] == "cancelled"
    with look.connect() as connection:
        actions = connection.execute(select(HouseholdJournalEntry.action, HouseholdJournalEntry.actor_id)
                                     .where(HouseholdJournalEntry.action.like("booking%"))
                                     .order_by(HouseholdJournalEntry.occurred_at)).all()
    assert sorted(actions) == [("booking_cancelled_by_agent", family.agent_id),
                               ("booking_made_by_agent", family.agent_id)]


# The month calendar

def test_the_month_calendar_shows_what_is_booked_billed_and_why_a_day_is_closed(family, martin):
    lea = child(martin, "Léa")
    family.as_family(martin).book(lea, "restauration_scolaire", "2026-10-05")
    month = family.as_family(martin).month_calendar(lea, "2026-10")
    days = {day["date"]: day for day in month["days"]}
    monday = {a["code"]: a for a in days["2026-10-05"]["activities"]}
    assert monday["restauration_scolaire"]["booked_id"] and monday["restauration_scolaire"]["bookings"][0]["billed"]
    assert monday["etude"]["bookable"] is True
    assert days["2026-10-19"]["closed_reason"] == "pas d'école : vacances de la toussaint"
    assert {a["code"] for a in days["2026-10-07"]["activities"]} == {"alsh_mercredi", "cis_mercredi"}
    september = {day["date"]: day for day in family.as_family(martin).month_calendar(lea, "2026-09")["days"]}
    assert {a["code"]: a["reason"] for a in september["2026-09-25"]["activities"]}["restauration_scolaire"] == \
        "délai de réservation dépassé (jusqu'au jeudi de la semaine précédente, 23h59)"


# The catalogue

def test_agents_change_the_catalogue_in_versions_and_a_stale_change_is_refused(family, martin, snapshot):
    first = family.as_agent.catalogue("2026-2027")
    assert (first["version"], first["school_holidays"][0]["name"]) == (0, "Vacances de la Toussaint")
    changed = family.as_agent.update_catalogue("2026-2027", {
        "activities": {"accueil_du_soir": {"booking_deadline": {"rule": "eve", "time": "12:00:00"}}},
        "closures": [{"date": "2026-10-09", "reason": "Journée pédagogique"}]}, 0)
    assert changed["version"] == 1 and changed["closures"] == [{"date": "2026-10-09", "reason": "Journée pédagogique"}]
    assert refused(errors.Conflict, family.as_agent.update_catalogue, "2026-2027", {}, 0).code == "catalogue_changed"
    error = refused(errors.Invalid, family.as_family(martin).book, child(martin, "Léa"), "etude", "2026-10-09")
    assert (error.code, error.fields["date"]) == ("no_activity",
                                                  "Fermeture de la Caisse des écoles (Journée pédagogique).")
    before = snapshot()
    bad = refused(errors.Invalid, family.as_agent.update_catalogue, "2026-2027",
                  {"activities": {"etude": {"capacity": -1}}}, 1)
    assert (bad.code, list(bad.fields)) == ("invalid_catalogue", ["activities.etude.capacity"])
    assert snapshot() == before
    assert refused(errors.Forbidden, family.as_family(martin).update_catalogue, "2026-2027", {}, 1)


# Pre-registration

def session_data(**changes):
    return {"activity": "alsh_vacances", "label": "Vacances d'hiver, semaine 1", "first_day": "2027-02-08",
            "last_day": "2027-02-12", "places": 2, "min_age": 3, "max_age": 11,
            "opens_at": "2026-12-01T09:00:00+01:00", "price_basis": "day"} | changes


def test_places_go_in_order_of_arrival_then_the_list_and_a_freed_place_is_offered_then_confirmed(
        family, martin, clock, look):
    session = family.as_agent.create_session(session_data())
    other = family.as_agent.create_household(household_data("Zoé", last_name="Durand"))
    refused(errors.Invalid, family.as_family(martin).preregister, {"session_id": session["id"],
                                                                   "child_id": child(martin, "Léa")})
    clock.at = dt.datetime(2026, 12, 1, 9, tzinfo=PARIS)
    lea = family.as_family(martin).preregister({"session_id": session["id"], "child_id": child(martin, "Léa")})
    zoe = family.as_family(other).preregister({"session_id": session["id"], "child_id": child(other, "Zoé"),
                                               "wishes": ["2027-02-08", "2027-02-09"]})
    tom = family.as_family(martin).preregister({"session_id": session["id"], "child_id": child(martin, "Tom")})
    assert [(e["status_label"]) for e in (lea, zoe, tom)] == ["pré-inscrit", "pré-inscrit",
                                                               "en liste d'attente (1re)"]
    assert refused(errors.Conflict, family.as_family(martin).preregister,
                   {"session_id": session["id"], "child_id": child(martin, "Tom")}).code == "already_preregistered"

    assert family.as_agent.decide_preregistration(lea["id"], "confirm")["status_label"] == "confirmé"
    family.as_agent.decide_preregistration(zoe["id"], "refuse")
    offered = {e["child_first_name"]: e for e in family.as_family(martin).preregistrations()}["Tom"]
    assert offered["status"] == "offered" and offered["offer_expires_at"] == "2026-12-03T08:00:00+00:00"
    assert family.as_family(martin).answer_offer(tom["id"], True)["status_label"] == "confirmé"
    listed = family.as_agent.session_list(session["id"])
    assert [(e["child_first_name"], e["status"]) for e in listed["entries"]] == [
        ("Léa", "confirmed"), ("Zoé", "refused"), ("Tom", "confirmed")]
    assert listed["session"]["held"] == 2
    statuses = [(p["child_first_name"], p["status"]) for p in announced(look, "preregistration_status_changed")]
    assert statuses == [("Léa", "preregistered"), ("Zoé", "preregistered"), ("Tom", "waiting"), ("Léa", "confirmed"),
                        ("Zoé", "refused"), ("Tom", "offered"), ("Tom", "confirmed")]
    assert [i for i in items_of(family, "2027-02", martin)] == [
        (name, "alsh_vacances", day, "booked", True) for day in ("2027-02-08", "2027-02-09", "2027-02-10",
                                                                 "2027-02-11", "2027-02-12") for name in ("Léa", "Tom")]


def test_an_offer_left_unanswered_passes_to_the_next_on_the_list(family, martin, clock):
    session = family.as_agent.create_session(session_data(places=1, activity="mini_sejour", price_basis="stay"))
    third = family.as_agent.create_household(household_data("Zoé", last_name="Durand"))
    clock.at = dt.datetime(2026, 12, 1, 9, tzinfo=PARIS)
    first = family.as_family(martin).preregister({"session_id": session["id"], "child_id": child(martin, "Léa")})
    family.as_family(martin).preregister({"session_id": session["id"], "child_id": child(martin, "Tom")})
    family.as_family(third).preregister({"session_id": session["id"], "child_id": child(third, "Zoé")})
    family.as_family(martin).withdraw_preregistration(first["id"])
    clock.at += dt.timedelta(hours=49)
    with entrypoint_hook(family.container, "expire_offers") as expire:
        expire()
    listed = family.as_agent.session_list(session["id"])["entries"]
    assert [(e["child_first_name"], e["status"]) for e in listed] == [
        ("Léa", "withdrawn"), ("Tom", "expired"), ("Zoé", "offered")]


def test_a_session_takes_children_of_its_ages_only_and_families_cannot_manage_lists(family, martin, clock):
    session = family.as_agent.create_session(session_data(min_age=12, max_age=14))
    clock.at = dt.datetime(2026, 12, 1, 9, tzinfo=PARIS)
    assert refused(errors.Invalid, family.as_family(martin).preregister,
                   {"session_id": session["id"], "child_id": child(martin, "Léa")}).code == "not_allowed"
    refused(errors.Forbidden, family.as_family(martin).session_list, session["id"])
    refused(errors.Forbidden, family.as_family(martin).create_session, session_data())


# Absences

def test_a_justified_absence_is_not_billed_and_an_unjustified_one_bills_its_first_day(family, martin, clock):
    lea, tom = child(martin, "Léa"), child(martin, "Tom")
    for name in (lea, tom):
        family.as_family(martin).book_period({"child_id": name, "activity": "restauration_scolaire",
                                              "first_day": "2026-10-05", "last_day": "2026-10-06",
                                              "weekdays": [0, 1]})
    clock.at = dt.datetime(2026, 10, 5, 9, tzinfo=PARIS)
    certificate = str(uuid.uuid4())
    justified = family.as_family(martin).report_absence({"child_id": lea, "first_day": "2026-10-05",
                                                         "last_day": "2026-10-06", "reason": "Grippe",
                                                         "document_id": certificate})
    unjustified = family.as_family(martin).report_absence({"child_id": tom, "first_day": "2026-10-05",
                                                           "last_day": "2026-10-06", "reason": "Rendez-vous"})
    assert justified["certificate_label"] == "certificat en attente de validation"
    assert [a["id"] for a in family.as_agent.pending_certificates()] == [justified["id"]]
    assert family.as_agent.decide_certificate(justified["id"], True)["certificate_status"] == "validated"
    assert refused(errors.Invalid, family.as_family(martin).attach_certificate, unjustified["id"],
                   "pas-un-document").code == "invalid_document"
    assert items_of(family, "2026-10", martin) == [
        ("Léa", "restauration_scolaire", "2026-10-05", "absence_justified", False),
        ("Tom", "restauration_scolaire", "2026-10-05", "absence_unjustified", True),
        ("Léa", "restauration_scolaire", "2026-10-06", "absence_justified", False),
        ("Tom", "restauration_scolaire", "2026-10-06", "absence_unjustified", False),
    ]


def test_a_certificate_after_48_hours_is_refused_and_another_family_sees_no_absence(family, martin, clock):
    absence = family.as_family(martin).report_absence({"child_id": child(martin, "Léa"), "first_day": "2026-09-21",
                                                       "last_day": "2026-09-22", "reason": "Fièvre"})
    assert refused(errors.Invalid, family.as_family(martin).attach_certificate, absence["id"],
                   str(uuid.uuid4())).code == "certificate_too_late"
    other = family.as_agent.create_household(household_data("Zoé", last_name="Durand"))
    assert family.as_family(other).absences() == []
    assert refused(errors.NotFound, family.as_family(other).attach_certificate, absence["id"],
                   str(uuid.uuid4())).code == "absence_not_found"


# --- metrics (family.metrics): what the caisse's dashboard reads ---

def sample(name, **labels):
    from prometheus_client import REGISTRY
    return REGISTRY.get_sample_value(name, labels) or 0


def test_each_booking_made_is_counted_under_its_activity_and_a_refused_one_not_at_all(family, martin):
    before = sample("portail_bookings_total", activity="etude")
    family.as_family(martin).book(child(martin, "Léa"), "etude", "2026-10-05")
    refused(errors.Conflict, family.as_family(martin).book, child(martin, "Léa"), "etude", "2026-10-05")
    family.as_family(martin).book_period({"child_id": child(martin, "Tom"), "activity": "etude",
                                          "first_day": "2026-10-05", "last_day": "2026-10-06", "weekdays": [0, 1]})
    assert sample("portail_bookings_total", activity="etude") == before + 3


def test_each_preregistration_is_counted_and_a_refused_one_not_at_all(family, martin, clock):
    session = family.as_agent.create_session(session_data())
    before = sample("portail_preregistrations_total")
    refused(errors.Invalid, family.as_family(martin).preregister, {"session_id": session["id"],
                                                                   "child_id": child(martin, "Léa")})
    clock.at = dt.datetime(2026, 12, 1, 9, tzinfo=PARIS)
    family.as_family(martin).preregister({"session_id": session["id"], "child_id": child(martin, "Léa")})
    assert sample("portail_preregistrations_total") == before + 1
