"""The broker is not a fence: a program that reaches RabbitMQ and calls the
services directly, as an intruder would, is refused every time — without a
caller context, with a forged one, an expired one, or a family's context
naming another household — and nothing it asked is written. Each part has
its own broker user, which cannot read another part's queues nor publish
events in another service's name."""
import time
import uuid

import pytest
import requests
from amqp import Message
from amqp.exceptions import AccessRefused
from kombu import Connection
from nameko.exceptions import MethodNotFound
from nameko.standalone.events import event_dispatcher
from nameko.standalone.rpc import ClusterRpcProxy
from sqlalchemy import create_engine, text

from kit import errors
from kit.caller import Caller, CallerKey
from kit.outbox import sealed_dispatcher

INTRUDER = "intrus@example.org"
STRONG = "une phrase de passe solide"
FORGED = CallerKey("a key the portal never gave anyone, long enough to sign")


@pytest.fixture(scope="module")
def intruder(portal):
    """A plain AMQP client on the portal's broker, sending whatever headers it likes."""
    proxy = ClusterRpcProxy({"AMQP_URI": portal.stack.env["AMQP_URI"], "serializer": "json"}, timeout=10)
    cluster = proxy.start()
    yield Intruder(cluster, proxy._worker_ctx.data, CallerKey(portal.stack.env["CALLER_CONTEXT_KEY"]))
    proxy.stop()


class Intruder:
    def __init__(self, cluster, headers, real_key):
        self.cluster, self.headers, self.real_key = cluster, headers, real_key

    def call(self, context, service, method, *args):
        self.headers.clear()
        if context is not None:
            self.headers["caller"] = context
        return getattr(getattr(self.cluster, service), method)(*args)

    def contexts(self, caller):
        """The ways an intruder may dress a call for `caller`."""
        return {"none": None, "garbage": "pas-un-contexte", "forged": FORGED.sign(caller),
                "expired": self.real_key.sign(caller, now=time.time() - 3600)}


def rows(portal, service, table):
    url = portal.stack.env[f"{service.upper()}_DATABASE_URL"]
    engine = create_engine(url)
    with engine.connect() as connection:
        count = connection.execute(text(f"SELECT count(*) FROM {table}")).scalar()
    engine.dispose()
    return count


def admin(account_id=None):
    return Caller(part="gateway", account_id=account_id or uuid.uuid4(), role="admin", session_id="s")


def test_nobody_makes_themselves_an_admin_through_the_broker(portal, intruder):
    before = rows(portal, "identity", "accounts")
    with pytest.raises(MethodNotFound):  # the bootstrap is no RPC any more
        intruder.call(None, "identity", "ensure_agent", INTRUDER, STRONG, "admin")
    for way, context in intruder.contexts(admin()).items():
        with pytest.raises(errors.Unauthenticated):
            intruder.call(context, "identity", "create_agent", INTRUDER, STRONG, "admin")
    # a context the real gateway could sign, but for a family: still not an admin
    family = Caller(part="gateway", account_id=uuid.uuid4(), role="family", household_id=uuid.uuid4())
    with pytest.raises(errors.Forbidden):
        intruder.call(intruder.real_key.sign(family), "identity", "create_agent", INTRUDER, STRONG, "admin")
    assert rows(portal, "identity", "accounts") == before
    answer = requests.post(portal.url("/api/v1/session"), json={"email": INTRUDER, "password": STRONG}, timeout=30)
    assert answer.status_code == 401


def test_nobody_deactivates_or_detaches_an_account_through_the_broker(portal, intruder, new_family):
    family = new_family()
    account_id = family.session.get(portal.url("/api/v1/me"), timeout=30).json()["id"]
    for context in intruder.contexts(admin()).values():
        with pytest.raises(errors.Unauthenticated):
            intruder.call(context, "identity", "set_account_active", account_id, False)
        with pytest.raises(errors.Unauthenticated):
            intruder.call(context, "identity", "detach_account", account_id)
    assert family.session.get(portal.url("/api/v1/household"), timeout=30).status_code == 200


def test_a_household_is_out_of_reach_without_a_context_of_its_own(portal, intruder, new_family):
    mine, theirs = new_family(), new_family()
    mine_caller = Caller(part="gateway", account_id=uuid.uuid4(), role="family",
                         household_id=uuid.UUID(mine.household["id"]))
    for context in intruder.contexts(mine_caller).values():
        with pytest.raises(errors.Unauthenticated):
            intruder.call(context, "family", "get_household")
        with pytest.raises(errors.Unauthenticated):
            intruder.call(context, "vault", "list_documents")
        with pytest.raises(errors.Unauthenticated):
            intruder.call(context, "billing", "list_invoices")
    # properly signed for one family, naming another household: as if it did not exist
    signed = intruder.real_key.sign(mine_caller)
    with pytest.raises(errors.NotFound):
        intruder.call(signed, "family", "get_household", theirs.household["id"])
    with pytest.raises(errors.NotFound):
        intruder.call(intruder.real_key.sign(mine_caller), "billing", "list_invoices", theirs.household["id"])


def test_nothing_is_created_or_billed_through_the_broker(portal, intruder):
    households, invoices = rows(portal, "family", "households"), rows(portal, "billing", "invoices")
    agent = Caller(part="gateway", account_id=uuid.uuid4(), role="agent", session_id="s")
    data = {"guardians": [{"first_name": "Ann", "last_name": "Intrus", "email": "ann@example.org"}],
            "children": [{"first_name": "Lou", "last_name": "Intrus", "birth_date": "2018-01-01", "school": "X"}],
            "quotient_familial": 100}
    for context in intruder.contexts(agent).values():
        with pytest.raises(errors.Unauthenticated):
            intruder.call(context, "family", "create_household", data)
        with pytest.raises(errors.Unauthenticated):
            intruder.call(context, "billing", "run_period", "2026-01")
    # a service's own entrypoint, called by someone who is not that service
    with pytest.raises(errors.Forbidden):
        intruder.call(intruder.real_key.sign(Caller(part="notify")), "family", "billable_items", "2026-01")
    assert (rows(portal, "family", "households"), rows(portal, "billing", "invoices")) == (households, invoices)


def reset_requested(email, **more):
    return {"event_id": str(uuid.uuid4()), "occurred_at": "2026-12-01T10:00:00+00:00",
            "account_id": str(uuid.uuid4()), "email": email, "token": "Zx9_-aB3cD4eF5gH6iJ7kL8mN9oP0qR1sT2uV3wX4y",
            **more}


def test_an_event_the_portal_did_not_send_is_never_mailed(portal):
    config = {"AMQP_URI": portal.stack.env["AMQP_URI"], "serializer": "json"}
    victim = f"victime-{uuid.uuid4().hex[:6]}@example.org"
    event_dispatcher(config)("identity", "password_reset_requested", reset_requested(victim))
    sealed_dispatcher(config, FORGED)("identity", "password_reset_requested", reset_requested(victim))
    time.sleep(3)
    assert [m for m in portal.mail.messages() if m["To"] == victim] == []


def test_no_link_carried_by_an_event_ever_reaches_a_mailbox(portal):
    config = {"AMQP_URI": portal.stack.env["AMQP_URI"], "serializer": "json"}
    dispatch = sealed_dispatcher(config, CallerKey(portal.stack.env["CALLER_CONTEXT_KEY"]))
    victim = f"victime-{uuid.uuid4().hex[:6]}@example.org"
    dispatch("identity", "password_reset_requested",
             reset_requested(victim, reset_url="https://evil.example/nouveau-mot-de-passe?jeton=piege"))
    [mail] = portal.mail.wait_for(lambda m: m["To"] == victim)
    body = portal.mail.text(mail)
    assert "evil.example" not in body and "evil.example" not in mail.get_body(("html",)).get_content()
    assert f"{portal.base_url}/nouveau-mot-de-passe?jeton=" in body


@pytest.mark.parametrize("part, queue", [
    ("family", "rpc-identity"),                                    # another service's requests
    ("gateway", "rpc-family"),                                     # the gateway serves nothing
    ("family", "evt-billing-invoice_ready--notify.on_invoice_ready"),  # another service's events
])
def test_a_part_s_broker_user_cannot_read_another_part_s_queue(portal, part, queue):
    with Connection(portal.stack.broker_uris[part]) as connection:
        with pytest.raises(AccessRefused):
            connection.channel().basic_consume(queue, callback=lambda message: None)


def test_a_service_s_broker_user_cannot_publish_events_in_another_service_s_name(portal):
    # publisher confirms: the broker's refusal comes back before publish returns
    with Connection(portal.stack.broker_uris["family"], transport_options={"confirm_publish": True}) as connection:
        channel = connection.channel()
        with pytest.raises(AccessRefused):
            channel.basic_publish(Message('{"household_id": "x"}'), exchange="billing.events",
                                  routing_key="invoice_ready")
