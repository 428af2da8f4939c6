"""notify's part of the families' data rights, against the real broker,
PostgreSQL and an SMTP server on loopback: what it keeps, for how long,
closing an account, the export and the e-mail saying an export is ready."""
import datetime as dt
import time
import uuid

import eventlet

import pytest
from nameko.testing.services import entrypoint_hook, entrypoint_waiter, replace_dependencies
from sqlalchemy import select, update

from kit.caller import CallerKey
from kit.errors import Forbidden, NotFound
from kit.events import new_event
from kit.outbox import sealed_dispatcher
from loopback import smtp_server
from notify.models import Message
from notify.service import NotifyService

PORTAL = "https://portail.example"
HOUSEHOLD = str(uuid.uuid4())
PARENT, OTHER = "parent@example.org", "autre.parent@example.org"
ACCOUNTS = {str(uuid.uuid4()): address for address in (PARENT, OTHER)}


class Identity:
    def household_recipients(self, household_id):
        return [{"account_id": i, "email": e} for i, e in ACCOUNTS.items()]

    def get_account(self, account_id):
        if account_id not in ACCOUNTS:
            raise NotFound("Compte introuvable.", code="account_not_found")
        return {"id": account_id, "email": ACCOUNTS[account_id], "role": "family", "household_id": HOUSEHOLD}


@pytest.fixture
def smtp(tmp_path):
    with smtp_server(tmp_path) as running:
        yield running


@pytest.fixture
def container(container_factory, config, smtp):
    settings, _ = smtp
    container = container_factory(NotifyService, dict(config, PORTAL_BASE_URL=PORTAL, **settings))
    replace_dependencies(container, identity=Identity())
    container.start()
    return container


def publish(container, config, source, event_type, handler, **fields):
    _, payload = new_event(event_type, **fields)
    with entrypoint_waiter(container, handler, timeout=15):
        sealed_dispatcher(config, CallerKey(config["CALLER_CONTEXT_KEY"]))(source, event_type, payload)


def invoice_ready(container, config):
    publish(container, config, "billing", "invoice_ready", "on_invoice_ready", invoice_id=str(uuid.uuid4()),
            invoice_number="F-2026-10-0000001", household_id=HOUSEHOLD, period="2026-10", total_cents=1280,
            due_date="2026-11-30")


def messages(look):
    with look.connect() as connection:
        return connection.execute(select(Message).order_by(Message.recipient)).all()


def test_closing_an_account_erases_every_message_to_its_address(container, config, look, smtp):
    invoice_ready(container, config)
    smtp[1].wait_for(lambda m: m["To"] == OTHER)
    publish(container, config, "identity", "account_closed", "on_account_closed", account_id=str(uuid.uuid4()),
            household_id=HOUSEHOLD, last_of_household=False, former_email=PARENT)
    assert [m.recipient for m in messages(look)] == [OTHER]


def test_the_family_is_told_by_email_when_its_export_is_ready(container, config, smtp):
    [account_id] = [i for i, e in ACCOUNTS.items() if e == PARENT]
    publish(container, config, "vault", "export_ready", "on_export_ready", export_id=str(uuid.uuid4()),
            household_id=HOUSEHOLD, account_id=account_id, expires_at="2026-12-04T10:00:00+00:00")
    [received] = smtp[1].wait_for(lambda m: m["Subject"] == "Votre export de données est prêt")
    assert received["To"] == PARENT  # only the one who asked
    text = received.get_payload(decode=True) if not received.is_multipart() else \
        received.get_payload(0).get_payload(decode=True)
    assert b"04/12/2026" in text and PORTAL.encode() + b"/donnees-personnelles" in text


def test_bodies_go_once_sent_and_messages_after_their_period(container, config, look, rpc, smtp):
    invoice_ready(container, config)
    deadline = time.monotonic() + 10
    while any(m.status != "delivered" for m in messages(look)) and time.monotonic() < deadline:
        eventlet.sleep(0.1)
    with entrypoint_hook(container, "notify_retention") as run:
        run()
    assert {(m.body_text, m.body_html) for m in messages(look)} == {("", "")}
    exported = rpc("notify").as_part("vault").export_messages([PARENT.upper()])
    assert [(m["recipient"], m["subject"], m["body_text"]) for m in exported] == [
        (PARENT, "Votre facture d'octobre 2026 est disponible", None)]
    with look.begin() as connection:
        connection.execute(update(Message).values(created_at=dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=400)))
    with entrypoint_hook(container, "notify_retention") as run:
        run()
    assert messages(look) == []
    with pytest.raises(Forbidden):
        rpc("notify").as_agent.export_messages([PARENT])
