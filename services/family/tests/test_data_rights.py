"""family's part of the families' data rights, in a nameko container against
the machine's PostgreSQL and RabbitMQ: closing an account, the export."""
import datetime as dt
import uuid

import pytest
from nameko.testing.services import entrypoint_hook, entrypoint_waiter
from sqlalchemy import select

from family import erasure
from family.request_kinds import SUBJECTS
from family.models import Base
from kit import errors
from kit.caller import CallerKey
from kit.events import new_event
from kit.outbox import sealed_dispatcher

HOUSEHOLD = {
    "guardians": [
        {"first_name": "Anne", "last_name": "Martin", "email": "anne.martin@example.fr", "phone": "06 12 34 56 78"},
        {"first_name": "Paul", "last_name": "Martin", "email": "paul.martin@example.fr", "phone": "06 98 76 54 32"},
    ],
    "children": [{"first_name": "Léa", "last_name": "Martin", "birth_date": "2018-03-02",
                  "school": "École Jean Macé"}],
    "quotient_familial": 640,
}
PERSONAL = ("Anne", "Paul", "Martin", "Léa", "martin@example.fr", "06 12 34 56 78", "06 98 76 54 32",
            "2018-03-02", "Jean Macé")


def account_closed(config, container, household_id, last, former_email):
    _, payload = new_event("account_closed", account_id=str(uuid.uuid4()), household_id=str(household_id),
                           last_of_household=last, former_email=former_email)
    with entrypoint_waiter(container, "on_account_closed", timeout=10):
        sealed_dispatcher(config, CallerKey(config["CALLER_CONTEXT_KEY"]))("identity", "account_closed", payload)
    return payload


def rows_naming_anyone(look):
    """Every row of every family table still holding a name, an address, a phone, a birth date or a school."""
    found = {}
    with look.connect() as connection:
        for table in Base.metadata.sorted_tables:
            rows = [row for row in connection.execute(select(table)).all()
                    if any(mark in repr(tuple(str(v) for v in row)) for mark in PERSONAL)]
            if rows:
                found[table.name] = rows
    return found


def test_when_one_guardian_closes_only_that_guardian_leaves_the_household(family, container, config):
    household = family.as_agent.create_household(HOUSEHOLD)
    account_closed(config, container, household["id"], last=False, former_email="Paul.Martin@example.fr")
    kept = family.as_agent.get_household(household["id"])
    assert [g["first_name"] for g in kept["guardians"]] == ["Anne"]
    assert kept["children"][0]["first_name"] == "Léa"
    assert kept["child_key"] == household["child_key"]


def test_when_the_last_guardian_closes_nothing_names_the_family_any_more(family, container, config, look):
    household = family.as_agent.create_household(HOUSEHOLD)
    family.as_family(household).book(household["children"][0]["id"], "restauration_scolaire",
                                     (dt.date.today() + dt.timedelta(days=14 - dt.date.today().weekday())).isoformat())
    family.as_family(household).submit_request("contact", {
        "subject": next(iter(SUBJECTS)), "message": "Bonjour, ici Anne Martin, au 06 12 34 56 78."})
    assert rows_naming_anyone(look)
    event = account_closed(config, container, household["id"], last=True, former_email="anne.martin@example.fr")

    assert rows_naming_anyone(look) == {}
    kept = family.as_agent.get_household(household["id"])
    assert kept["guardians"] == [] and kept["quotient_familial"] == 640
    assert kept["children"][0]["first_name"] == "Enfant 1" and kept["children"][0]["birth_date"] == "2018-01-01"
    assert kept["child_key"] != household["child_key"]
    # the booking stays for billing, under the child's new name
    assert family.as_part("vault").export_household(household["id"])["reservations"][0]["child_first_name"] == \
        "Enfant 1"
    with pytest.raises(errors.NotFound):
        family.as_part("identity").household_for_child_key(household["child_key"])
    # the same event again changes nothing
    with entrypoint_waiter(container, "on_account_closed", timeout=10):
        sealed_dispatcher(config, CallerKey(config["CALLER_CONTEXT_KEY"]))("identity", "account_closed", event)
    assert family.as_agent.get_household(household["id"])["child_key"] == kept["child_key"]


def test_the_export_holds_the_household_its_bookings_and_journal_for_the_vault_only(family):
    household = family.as_agent.create_household(HOUSEHOLD)
    exported = family.as_part("vault").export_household(household["id"])
    assert exported["foyer"]["guardians"][0]["email"] == "anne.martin@example.fr"
    assert "child_key" not in exported["foyer"]
    assert exported["reservations"] == []
    assert [e["action"] for e in exported["journal"]] == ["household_created"]
    for caller in (family.as_family(household), family.as_agent, family.as_part("billing")):
        with pytest.raises(errors.Forbidden):
            caller.export_household(household["id"])


def test_published_events_are_forgotten_after_the_retention_period(family, container, look):
    from family.models import OutboxEvent
    family.as_agent.create_household(HOUSEHOLD)
    with look.begin() as connection:
        connection.execute(OutboxEvent.__table__.update().values(
            published_at=dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=31)))
    with entrypoint_hook(container, "outbox_retention") as run:
        run()
    with look.connect() as connection:
        assert connection.execute(select(OutboxEvent)).all() == []


def test_only_the_closed_address_is_matched():
    guardians = [type("G", (), {"email": "a@x.fr"})(), type("G", (), {"email": "B@x.fr"})()]
    assert erasure.guardians_named(guardians, " b@X.fr ") == [guardians[1]]
    assert erasure.guardians_named(guardians, None) == []
