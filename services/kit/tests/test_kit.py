"""The kit's promises, checked on a small service against the real broker and PostgreSQL."""
import time

import eventlet
import pytest
from nameko.events import event_handler
from nameko.rpc import rpc
from nameko.standalone.rpc import ServiceRpcProxy
from nameko.testing.services import entrypoint_waiter
from sqlalchemy import String, select, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from kit import errors
from kit.caller import CallerKey
from kit.consumers import Unprocessable, dead_queue, event_handler as reliable_handler, replay
from kit.db import Database, make_engine
from kit.events import new_event, utcnow
from kit.outbox import OutboxEventColumns, ProcessedEventColumns, sealed_dispatcher
from kit.rpc import ServiceRpc


class Base(DeclarativeBase):
    pass


class OutboxEvent(OutboxEventColumns, Base):
    __tablename__ = "outbox_events"


class ProcessedEvent(ProcessedEventColumns, Base):
    __tablename__ = "processed_events"


class Note(Base):
    __tablename__ = "notes"
    text: Mapped[str] = mapped_column(String(100), primary_key=True)


class KitService:
    name = "kitsample"
    db = Database(Base)

    @rpc
    def slow(self, seconds):
        with self.db.transaction() as tx:
            tx.session.execute(text("SELECT pg_sleep(:s)"), {"s": seconds})
        return "slow"

    @rpc
    def fast(self):
        with self.db.transaction() as tx:
            return tx.session.execute(text("SELECT 1")).scalar()

    @rpc
    def write(self, note):
        with self.db.transaction() as tx:
            tx.session.add(Note(text=note))
            tx.record_events([new_event("note_written", text=note)])

    @rpc
    def send_link(self, token):
        with self.db.transaction() as tx:
            tx.record_events([new_event("link_requested", token=token, account_id="a1")])

    @event_handler("kitsample", "link_requested")
    def on_link_requested(self, payload):
        with self.db.transaction() as tx:
            tx.session.add(Note(text="link " + payload["token"]))

    @reliable_handler("kitsample", "note_to_check")
    def on_note_to_check(self, payload):
        with self.db.transaction() as tx:
            tx.session.add(Note(text=f"try {payload['text']} {time.monotonic():.3f}"))
        if payload["text"] == "illisible":
            raise Unprocessable("no retry will make it readable")
        with self.db.reading() as session:
            tries = session.execute(text("SELECT count(*) FROM notes WHERE text LIKE :t"),
                                    {"t": f"try {payload['text']} %"}).scalar()
        if tries <= payload["failures"]:
            raise ConnectionError("identity is away")

    @rpc
    def refuse(self):
        raise errors.Invalid("Date invalide", fields={"date": "format attendu AAAA-MM-JJ"})

    @event_handler("kitsample", "note_written")
    def on_note_written(self, payload):
        with self.db.transaction() as tx:
            if tx.first_time(payload["event_id"]):
                tx.session.add(Note(text="seen " + payload["text"]))


class SampleCaller:
    """Calls kitsample's `slow` as a service does."""

    name = "kitcaller"
    kitsample = ServiceRpc("kitsample")

    @rpc
    def ask(self, seconds):
        return self.kitsample.slow(seconds)


@pytest.fixture
def service_name():
    return "kitsample"


@pytest.fixture
def database_url(databases):
    return databases("kitsample", Base.metadata)


@pytest.fixture
def config(config):
    return dict(config, EVENT_RETRY_DELAYS="1,1,1")


@pytest.fixture
def service(container_factory, config, database_url):
    look = make_engine(database_url)  # a separate engine to look at the rows
    with look.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())
    container = container_factory(KitService, config)
    container.start()
    yield container, look
    look.dispose()


def sealed(config):
    """Sends events as the portal's own outbox relays do, sealed with the shared key."""
    return sealed_dispatcher(config, CallerKey(config["CALLER_CONTEXT_KEY"]))


def broker_down(*args):
    raise ConnectionRefusedError("broker down")


def notes(look):
    with look.connect() as connection:
        return sorted(connection.execute(select(Note.text)).scalars())


def test_a_slow_query_does_not_stall_other_calls_to_the_same_service(service, config):
    with ServiceRpcProxy("kitsample", config) as slow_proxy, ServiceRpcProxy("kitsample", config) as fast_proxy:
        started = time.perf_counter()
        pending = eventlet.spawn(slow_proxy.slow, 2)
        eventlet.sleep(0.2)  # the slow query is running now
        assert fast_proxy.fast() == 1
        assert time.perf_counter() - started < 1.0  # answered while the slow query still ran
        assert pending.wait() == "slow"


def test_an_event_leaves_after_commit_and_is_handled_once(service, config):
    container, look = service
    with entrypoint_waiter(container, "on_note_written"):
        with ServiceRpcProxy("kitsample", config) as proxy:
            proxy.write("bonjour")
    assert notes(look) == ["bonjour", "seen bonjour"]
    with look.connect() as connection:
        payload = connection.execute(select(OutboxEvent.payload)).scalar_one()
    # a replay of the same event changes nothing
    with entrypoint_waiter(container, "on_note_written"):
        sealed(config)("kitsample", "note_written", payload)
    assert notes(look) == ["bonjour", "seen bonjour"]


def test_a_single_use_token_reaches_its_consumer_and_leaves_no_trace_in_the_outbox(service, config):
    container, look = service
    with entrypoint_waiter(container, "on_link_requested"):
        with ServiceRpcProxy("kitsample", config) as proxy:
            proxy.send_link("Zx9-secret-token")
    assert notes(look) == ["link Zx9-secret-token"]
    deadline = time.monotonic() + 5
    while True:
        with look.connect() as connection:
            row = connection.execute(select(OutboxEvent.payload, OutboxEvent.published_at)).one()
        if row.published_at is not None or time.monotonic() > deadline:
            break
        eventlet.sleep(0.05)
    assert row.published_at is not None
    assert "Zx9-secret-token" not in repr(row.payload)
    assert row.payload["account_id"] == "a1"


def test_events_recorded_while_the_broker_is_away_are_published_later(service, config):
    container, look = service
    relay = next(d for d in container.dependencies if isinstance(d, Database)).relay
    working_dispatch = relay.dispatch

    relay.dispatch = broker_down
    with ServiceRpcProxy("kitsample", config) as proxy:
        proxy.write("pendant la panne")
    eventlet.sleep(0.3)
    with look.connect() as connection:
        assert connection.execute(select(OutboxEvent.published_at)).scalar_one() is None
    with entrypoint_waiter(container, "on_note_written", timeout=10):
        relay.dispatch = working_dispatch
        relay.wake.set()
    assert notes(look) == ["pendant la panne", "seen pendant la panne"]


def test_errors_cross_the_rpc_boundary_with_their_code_and_fields(service, config):
    with ServiceRpcProxy("kitsample", config) as proxy:
        with pytest.raises(errors.Invalid) as raised:
            proxy.refuse()
    assert raised.value.code == "invalid"
    assert raised.value.fields == {"date": "format attendu AAAA-MM-JJ"}
    assert raised.value.message == "Date invalide"


def test_the_age_of_the_oldest_unpublished_event_is_measured(service, config):
    from kit.metrics import OUTBOX_OLDEST_PENDING

    container, look = service
    relay = next(d for d in container.dependencies if isinstance(d, Database)).relay
    working_dispatch = relay.dispatch
    relay.dispatch = broker_down
    with ServiceRpcProxy("kitsample", config) as proxy:
        proxy.write("en attente")
    eventlet.sleep(1.5)
    relay.measure_backlog()
    assert OUTBOX_OLDEST_PENDING.labels("kitsample")._value.get() >= 1
    with entrypoint_waiter(container, "on_note_written", timeout=10):
        relay.dispatch = working_dispatch
        relay.wake.set()
    relay.measure_backlog()
    assert OUTBOX_OLDEST_PENDING.labels("kitsample")._value.get() == 0


def tries_of(look, note):
    return [float(t.rsplit(" ", 1)[1]) for t in notes(look) if t.startswith(f"try {note} ")]


def wait_for_tries(look, note, count, seconds=20):
    deadline = time.monotonic() + seconds
    while len(tries_of(look, note)) < count and time.monotonic() < deadline:
        eventlet.sleep(0.1)
    return tries_of(look, note)


def parked(config, handler):
    from kombu import Connection
    with Connection(config["AMQP_URI"]) as connection:
        return dead_queue(f"evt-kitsample-note_to_check--kitsample.{handler}")(
            connection.default_channel).queue_declare(passive=True).message_count


def test_an_event_that_fails_for_a_while_is_tried_again_later_not_at_once(service, config):
    container, look = service
    sealed(config)("kitsample", "note_to_check", {"text": "passager", "failures": 2})
    tries = wait_for_tries(look, "passager", 3)
    assert len(tries) == 3  # failed, failed, then handled
    assert all(later - earlier >= 0.9 for earlier, later in zip(tries, tries[1:]))  # not requeued hot
    eventlet.sleep(1.5)
    assert len(tries_of(look, "passager")) == 3
    assert parked(config, "on_note_to_check") == 0


def test_an_event_that_always_fails_is_parked_after_its_last_try_and_can_be_replayed(service, config):
    container, look = service
    sealed(config)("kitsample", "note_to_check", {"text": "têtu", "failures": 99})
    assert len(wait_for_tries(look, "têtu", 4)) == 4  # the first try and three more
    deadline = time.monotonic() + 5
    while parked(config, "on_note_to_check") < 1 and time.monotonic() < deadline:
        eventlet.sleep(0.1)
    assert parked(config, "on_note_to_check") == 1
    eventlet.sleep(1.5)
    assert len(tries_of(look, "têtu")) == 4  # parked, not tried any more
    assert replay("evt-kitsample-note_to_check--kitsample.on_note_to_check", config["AMQP_URI"]) == 1
    assert len(wait_for_tries(look, "têtu", 5)) >= 5


def test_an_unreadable_event_is_parked_at_once(service, config):
    container, look = service
    sealed(config)("kitsample", "note_to_check", {"text": "illisible", "failures": 0})
    deadline = time.monotonic() + 10
    while parked(config, "on_note_to_check") < 1 and time.monotonic() < deadline:
        eventlet.sleep(0.1)
    assert parked(config, "on_note_to_check") == 1
    assert len(tries_of(look, "illisible")) == 1


def test_an_event_the_portal_did_not_seal_is_parked_unread(service, config):
    from nameko.standalone.events import event_dispatcher
    container, look = service
    event_dispatcher(config)("kitsample", "note_to_check", {"text": "forgé", "failures": 0})
    forged_seal = sealed_dispatcher(config, CallerKey("a key the portal never gave anyone, long enough"))
    forged_seal("kitsample", "note_to_check", {"text": "contrefait", "failures": 0})
    deadline = time.monotonic() + 10
    while parked(config, "on_note_to_check") < 2 and time.monotonic() < deadline:
        eventlet.sleep(0.1)
    assert parked(config, "on_note_to_check") == 2
    assert tries_of(look, "forgé") == tries_of(look, "contrefait") == []


def test_a_seal_covers_the_source_the_type_and_every_byte_of_the_payload():
    key = CallerKey("the key the parts of the portal share, long and random")
    seal = key.seal_event("billing", "invoice_ready", {"total_cents": 1280, "household_id": "h1"})
    assert key.check_seal(seal, "billing", "invoice_ready", {"household_id": "h1", "total_cents": 1280})
    assert not key.check_seal(seal, "billing", "invoice_ready", {"household_id": "h1", "total_cents": 1})
    assert not key.check_seal(seal, "family", "invoice_ready", {"household_id": "h1", "total_cents": 1280})
    assert not key.check_seal(seal, "billing", "payment_received", {"household_id": "h1", "total_cents": 1280})
    assert not key.check_seal(None, "billing", "invoice_ready", {})


def pending_notes(look, count, prefix):
    """`count` note_written events recorded straight in the outbox, as many commits would leave them."""
    with look.begin() as connection:
        connection.execute(OutboxEvent.__table__.insert(), [
            {"event_id": payload["event_id"], "event_type": event_type, "payload": payload, "created_at": utcnow()}
            for event_type, payload in (new_event("note_written", text=f"{prefix} {n}") for n in range(count))])


def wait_for_seen(look, count, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with look.connect() as connection:
            seen = connection.execute(text("SELECT count(*) FROM notes WHERE text LIKE 'seen %'")).scalar()
            waiting = connection.execute(select(OutboxEvent.id).where(OutboxEvent.published_at.is_(None))).all()
        if seen >= count and not waiting:
            return seen
        eventlet.sleep(0.2)
    return seen


def test_the_relay_publishes_in_confirmed_batches(service, monkeypatch):
    container, look = service
    relay = next(d for d in container.dependencies if isinstance(d, Database)).relay
    sizes = []
    publish_batch = relay.dispatch.publish_batch
    monkeypatch.setattr(relay.dispatch, "publish_batch", lambda *a: sizes.append(len(a[1])) or publish_batch(*a))
    pending_notes(look, 1200, "lot")
    relay.wake.set()
    assert wait_for_seen(look, 1200) == 1200
    assert sum(sizes) == 1200 and max(sizes) == relay.batch  # three round trips to the broker, not 1,200


def test_a_broker_that_drops_mid_batch_loses_nothing_and_nothing_is_handled_twice(service, monkeypatch):
    import socket

    from kit import outbox

    container, look = service
    relay = next(d for d in container.dependencies if isinstance(d, Database)).relay
    published = []

    class DroppedMidBatch(outbox.Producer):
        """The broker's connection breaks at the 150th message of the first batch."""
        def publish(self, body, **kwargs):
            published.append(body["event_id"])
            if len(published) == 150:
                self.channel.connection.transport.sock.shutdown(socket.SHUT_RDWR)
                raise ConnectionResetError("the broker went away")
            return super().publish(body, **kwargs)

    monkeypatch.setattr(outbox, "Producer", DroppedMidBatch)
    pending_notes(look, 400, "panne")
    relay.wake.set()
    assert wait_for_seen(look, 400) == 400  # everything arrived, in a later round for what was not confirmed
    assert len(published) > 400  # some went twice to the broker...
    with look.connect() as connection:  # ...yet each was handled once
        assert connection.execute(text("SELECT count(*) FROM processed_events")).scalar() == 400


def test_only_the_confirmed_head_of_a_batch_counts_as_published():
    from kit.outbox import _leading

    assert _leading({1, 2, 3, 5}) == 3
    assert _leading({2, 3}) == 0
    assert _leading(set()) == 0


def test_a_call_between_services_is_answered_within_rpc_timeout_or_refused_as_unavailable(
        service, container_factory, config):
    caller = container_factory(SampleCaller, dict(config, RPC_TIMEOUT="1"))
    caller.start()
    with ServiceRpcProxy("kitcaller", config) as proxy:
        assert proxy.ask(0.1) == "slow"
        with pytest.raises(errors.Unavailable):
            proxy.ask(2)
