"""Pre-registration: places first come, first served; the waiting list in
order; a freed place offered to the first waiting, with a deadline."""
import datetime as dt
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kit.errors import Conflict, Invalid

from family import preregistration as rules
from family.preregistration import Status

UTC = dt.timezone.utc
NOW = dt.datetime(2027, 1, 10, 9, tzinfo=UTC)
DELAY = dt.timedelta(hours=48)


def arrive(entries, places):
    entry = SimpleNamespace(status=rules.arrival_status(places, rules.held(entries)), position=len(entries),
                            offer_expires_at=None)
    entries.append(entry)
    return entry


def test_the_first_arrivals_hold_the_places_and_the_next_wait_in_order():
    entries = []
    for _ in range(5):
        arrive(entries, places=3)
    assert [e.status for e in entries] == [Status.PREREGISTERED] * 3 + [Status.WAITING] * 2
    assert [rules.status_label(e, rules.ranks(entries)[e.position]) for e in entries[3:]] == [
        "en liste d'attente (1re)", "en liste d'attente (2e)"]
    assert rules.status_label(entries[0]) == "pré-inscrit"


def test_a_freed_place_is_offered_to_the_first_waiting_and_passes_on_when_unanswered():
    entries = []
    for _ in range(4):
        arrive(entries, places=2)
    rules.move(entries[0], Status.REFUSED)
    assert rules.promote(2, entries, NOW, DELAY) == [entries[2]]
    assert entries[2].status == Status.OFFERED and entries[2].offer_expires_at == NOW + DELAY
    assert rules.promote(2, entries, NOW + DELAY - dt.timedelta(seconds=1), DELAY) == []
    changed = rules.promote(2, entries, NOW + DELAY, DELAY)
    assert changed == [entries[2], entries[3]]
    assert (entries[2].status, entries[3].status) == (Status.EXPIRED, Status.OFFERED)


def test_an_accepted_offer_is_confirmed_and_a_refused_entry_stays_refused():
    entry = SimpleNamespace(status=Status.OFFERED, position=0, offer_expires_at=NOW)
    rules.move(entry, Status.CONFIRMED)
    assert entry.offer_expires_at is None
    rules.move(entry, Status.REFUSED)
    with pytest.raises(Conflict):
        rules.move(entry, Status.CONFIRMED)


def test_a_session_opens_at_its_hour_and_takes_children_of_its_ages():
    session = SimpleNamespace(opens_at=NOW, first_day=dt.date(2027, 2, 8), min_age=6, max_age=11)
    with pytest.raises(Invalid) as refused:
        rules.check_open(session, NOW - dt.timedelta(seconds=1))
    assert refused.value.code == "preregistration_not_open"
    rules.check_open(session, NOW)
    rules.check_age(session, dt.date(2018, 3, 2))
    with pytest.raises(Invalid) as refused:
        rules.check_age(session, dt.date(2022, 3, 2))
    assert refused.value.code == "not_allowed"


moves = st.lists(st.tuples(st.sampled_from(["arrive", "refuse", "withdraw", "promote", "later", "accept"]),
                           st.integers(0, 30)), max_size=60)


@given(st.integers(0, 6), moves)
def test_places_are_never_exceeded_and_the_list_keeps_the_order_of_arrival(places, steps):
    entries, now = [], NOW
    for action, which in steps:
        if action == "arrive":
            arrive(entries, places)
        elif action == "later":
            now += dt.timedelta(hours=which * 4)
        elif action == "promote":
            rules.promote(places, entries, now, DELAY)
        elif entries:
            entry = entries[which % len(entries)]
            target = {"refuse": Status.REFUSED, "withdraw": Status.WITHDRAWN, "accept": Status.CONFIRMED}[action]
            if target in rules.MOVES[entry.status] and (action != "accept" or entry.status == Status.OFFERED):
                rules.move(entry, target)
        assert rules.held(entries) <= places
    rules.promote(places, entries, now, DELAY)
    waiting = rules.waiting_in_order(entries)
    assert [e.position for e in waiting] == sorted(e.position for e in waiting)
    if waiting:  # nobody waits while a place is free
        assert rules.held(entries) == places
