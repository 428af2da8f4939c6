"""The export of all a household's data, assembled by the vault from every
service's part (stand-ins here, keeping the contracts), stored encrypted,
downloaded once; in a real S3 server on loopback and a local folder."""
import io
import json
import time
import uuid
import zipfile

import eventlet
import pytest
from nameko.testing.services import entrypoint_hook
from sqlalchemy import select

import samples
from kit.caller import Caller
from kit.errors import Forbidden
from vault.models import OutboxEvent, PortalExport

HOUSEHOLD, GUARDIAN, OTHER_GUARDIAN = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
PARENT = "parent@exemple.fr"


class Identity:
    def export_household(self, household_id):
        return {"comptes": [{"id": str(GUARDIAN), "email": PARENT, "journal": [{"action": "login_succeeded"}]}]}


class Family:
    def export_household(self, household_id):
        return {"foyer": {"id": household_id, "children": [{"first_name": "Léa"}]}, "reservations": [], "journal": []}


class Billing:
    def export_household(self, household_id):
        return {"factures": [{"number": "F-2026-10-0000001", "total_cents": 1280}]}


class Notify:
    def __init__(self):
        self.asked = []

    def export_messages(self, recipients):
        self.asked.append(recipients)
        return [{"recipient": PARENT, "subject": "Votre facture d'octobre 2026 est disponible"}]


class Away:
    def export_household(self, household_id):
        raise TimeoutError("billing does not answer")


@pytest.fixture
def start(start_vault):
    def starting(billing=None):
        notify = Notify()
        container, streams = start_vault(stand_ins=dict(identity=Identity(), family=Family(),
                                                        billing=billing or Billing(), notify=notify))
        return container, streams, notify
    return starting


@pytest.fixture
def safe(rpc):
    return rpc("vault")


def me():
    return Caller(part="gateway", account_id=GUARDIAN, role="family", household_id=HOUSEHOLD, session_id="s")


def refused(answer):
    """The kit error the vault answered over HTTP (any refusal is a 400 there; the gateway maps it)."""
    assert answer.status_code == 400, answer.text
    return answer.json()["error"]["exc_type"], answer.json()["error"]["exc_args"][1]


def prepared(safe, caller, seconds=20):
    deadline = time.monotonic() + seconds
    while (export := safe.as_caller(caller).latest_export())["status"] in ("asked", "preparing") \
            and time.monotonic() < deadline:
        eventlet.sleep(0.2)
    return export


def test_the_archive_holds_every_services_part_and_the_documents_in_clear(start, safe, stored, look):
    container, streams, notify = start()
    document = samples.pdf(40_000)
    assert streams.upload(me(), document).status_code == 201

    asked = safe.as_caller(me()).request_export()
    assert asked["status"] == "asked"
    assert safe.as_caller(me()).request_export()["id"] == asked["id"]  # one at a time
    export = prepared(safe, me())
    assert export["status"] == "ready" and export["id"] == asked["id"]
    assert notify.asked == [[PARENT]]
    with look.connect() as connection:
        [event] = connection.execute(select(OutboxEvent.payload).where(
            OutboxEvent.event_type == "export_ready")).scalars().all()
    assert (event["export_id"], event["account_id"]) == (export["id"], str(GUARDIAN))
    for key in stored.keys():  # at rest, the archive is ciphertext like any document
        assert b"coffre-fort.json" not in stored.read(key) and b"F-2026-10-0000001" not in stored.read(key)

    answer = streams.get(me(), f"/exports/{export['id']}")
    assert answer.status_code == 200, answer.text
    archive = zipfile.ZipFile(io.BytesIO(answer.content))
    names = archive.namelist()
    assert {"identite.json", "famille.json", "facturation.json", "courriels.json", "coffre-fort.json"} <= set(names)
    assert json.loads(archive.read("facturation.json"))["factures"][0]["number"] == "F-2026-10-0000001"
    assert json.loads(archive.read("identite.json"))["comptes"][0]["email"] == PARENT
    [path] = [n for n in names if n.startswith("documents/")]
    assert archive.read(path) == document

    again = streams.get(me(), f"/exports/{export['id']}")
    assert refused(again) == ("Conflict", "export_gone")
    assert safe.as_caller(me()).latest_export()["status"] == "taken"
    with look.connect() as connection:
        assert connection.execute(select(PortalExport.wrapped_key)).scalar_one() is None
    keys_before = set(stored.keys())
    with entrypoint_hook(container, "housekeeping") as run:
        run()
    assert len(keys_before - set(stored.keys())) == 1  # the archive's object is gone, the document stays


def test_only_the_account_that_asked_downloads_it(start, safe):
    _, streams, _ = start()
    export = safe.as_caller(me()).request_export()
    assert prepared(safe, me())["status"] == "ready"
    other = Caller(part="gateway", account_id=OTHER_GUARDIAN, role="family", household_id=HOUSEHOLD, session_id="s")
    assert refused(streams.get(other, f"/exports/{export['id']}")) == ("NotFound", "export_not_found")
    stranger = Caller(part="gateway", account_id=uuid.uuid4(), role="family", household_id=uuid.uuid4(),
                      session_id="s")
    assert refused(streams.get(stranger, f"/exports/{export['id']}")) == ("NotFound", "export_not_found")
    assert refused(streams.get(me(), "/exports/pas-un-id")) == ("NotFound", "export_not_found")
    with pytest.raises(Forbidden):
        safe.as_agent.request_export()


def test_a_service_that_does_not_answer_fails_the_export_after_a_few_tries(start, safe):
    start(billing=Away())
    safe.as_caller(me()).request_export()
    assert prepared(safe, me(), seconds=40)["status"] == "failed"
