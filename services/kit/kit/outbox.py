"""The outbox: events are written in the producer's own database, in the
transaction that changes the state, and published after commit by a relay
that retries until the broker takes them. Consumers remember the ids of the
events they have handled, so a replayed event does nothing twice."""
import logging
import threading
import time
from datetime import datetime

from kombu import Connection, Producer

from nameko.amqp.publish import Publisher
from nameko.constants import PERSISTENT as PERSISTENT_DELIVERY_MODE
from nameko.constants import AMQP_SSL_CONFIG_KEY, AMQP_URI_CONFIG_KEY
from nameko.standalone.events import get_event_exchange
from sqlalchemy import JSON, Integer, String, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from kit import logs
from kit.caller import SEAL_HEADER
from kit.events import utcnow
from kit.metrics import EVENTS_PUBLISHED, OUTBOX_OLDEST_PENDING
from kit.types import UtcDateTime

log = logging.getLogger(__name__)

# Payload fields that open something on their own (a single-use link's token)
# or name someone who has left (a closed account's address): the consumer
# needs them once; the outbox forgets them once they are published.
SECRET_FIELDS = frozenset({"token", "former_email"})


class OutboxEventColumns:
    """Mixed into each service's `OutboxEvent` model (table `outbox_events`)."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(String(36), unique=True)
    event_type: Mapped[str] = mapped_column(String(80))
    payload: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)


class ProcessedEventColumns:
    """Mixed into each consumer's `ProcessedEvent` model (table `processed_events`)."""

    event_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    processed_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


def record(session, table, events):
    """One statement for all the events of a transaction (a billing run records thousands)."""
    now = utcnow()
    rows = [{"event_id": payload["event_id"], "event_type": event_type, "payload": payload, "created_at": now}
            for event_type, payload in events]
    for row in rows:
        logs.events.remember(row["event_id"])  # the request that made it, for the relay's header
    if rows:
        session.execute(insert(table), rows)


def first_time(session, table, event_id):
    """True the first time an event id is seen; the mark commits with the work."""
    try:
        with session.begin_nested():
            session.execute(insert(table).values(event_id=event_id, processed_at=utcnow()))
    except IntegrityError:
        return False
    return True


def sealed_dispatcher(config, key, declare=()):
    """`dispatch(service_name, event_type, payload)`, each event sealed with
    the key the parts share (kit.caller), so that consumers take only events
    the portal itself sent; `dispatch.publish_batch(...)` sends many at once."""
    return SealedDispatcher(config, key, declare)


class SealedDispatcher:
    def __init__(self, config, key, declare=()):
        self.config = config
        self.key = key
        self.declare = list(declare)
        self.publisher = Publisher(config[AMQP_URI_CONFIG_KEY], serializer="json",
                                   ssl=config.get(AMQP_SSL_CONFIG_KEY), retry=False, declare=self.declare)
        self.connection = None

    def __call__(self, service_name, event_type, payload):
        self.publisher.publish(payload, exchange=get_event_exchange(service_name, self.config),
                               routing_key=event_type, extra_headers=self._seal(service_name, event_type, payload))

    def _seal(self, service_name, event_type, payload):
        return {SEAL_HEADER: self.key.seal_event(service_name, event_type, payload),
                **logs.events.headers(payload.get("event_id"))}

    def publish_batch(self, service_name, events, confirm_timeout=30):
        """Publishes `[(event_type, payload), ...]` on one channel in confirm
        mode without waiting after each, then waits once for the broker's
        confirms; returns how many events, from the first, it confirmed. On a
        broken connection, a nack or a timeout, the rest is left for the next
        round (consumers are idempotent on event_id)."""
        confirmed, refused = set(), set()

        def on_ack(tag, multiple):
            confirmed.update(range(1, tag + 1) if multiple else (tag,))

        def on_nack(tag, multiple):
            refused.update(range(1, tag + 1) if multiple else (tag,))

        channel = None
        try:
            channel = self._connection().channel()
            channel.events["basic_ack"].add(on_ack)
            channel.events["basic_nack"].add(on_nack)
            channel.confirm_select()  # delivery tags count from 1 on this channel
            producer = Producer(channel, exchange=get_event_exchange(service_name, self.config), serializer="json")
            for entity in self.declare:
                entity.bind(channel).declare()
            for event_type, payload in events:
                producer.publish(payload, routing_key=event_type, delivery_mode=PERSISTENT_DELIVERY_MODE,
                                 headers=self._seal(service_name, event_type, payload), retry=False)
            deadline = time.monotonic() + confirm_timeout
            while len(confirmed | refused) < len(events) and time.monotonic() < deadline:
                self.connection.drain_events(timeout=max(0.01, deadline - time.monotonic()))
        except Exception:  # the broker is away or dropped us: keep what it confirmed
            log.warning("outbox: the broker dropped a batch of %s events", len(events), exc_info=True)
            self._drop_connection()
        finally:
            if channel is not None and self.connection is not None:
                try:
                    channel.close()
                except Exception:  # the connection went with it
                    self._drop_connection()
        return _leading(confirmed - refused)

    def _connection(self):
        if self.connection is None:
            self.connection = Connection(self.config[AMQP_URI_CONFIG_KEY], ssl=self.config.get(AMQP_SSL_CONFIG_KEY))
            self.connection.connect()
        return self.connection

    def _drop_connection(self):
        if self.connection is not None:
            try:
                self.connection.close()
            except Exception:  # already broken
                pass
            self.connection = None


def _leading(tags):
    """How many delivery tags from 1 on are in `tags` without a gap."""
    count = 0
    while count + 1 in tags:
        count += 1
    return count


class OutboxRelay:
    """Publishes pending outbox rows, oldest first, and marks them published.

    Woken after each commit that recorded events, and every `interval`
    seconds anyway, so events recorded while the broker was down go out once
    it is back. A batch goes to the broker on one channel and is confirmed
    once, and its rows are marked in one statement.
    """

    batch = 500

    def __init__(self, engine, table, service_name, dispatch, interval=2.0):
        self.engine = engine
        self.table = table
        self.service_name = service_name
        self.dispatch = dispatch
        self.interval = interval
        self.wake = threading.Event()
        self.running = True

    def run(self):
        while self.running:
            try:
                while self.publish_pending() == self.batch:
                    pass
                self.measure_backlog()
            except Exception:  # the database is away: try again later
                log.warning("outbox relay of %s could not read its outbox", self.service_name, exc_info=True)
            self.wake.wait(self.interval)
            self.wake.clear()

    def stop(self):
        self.running = False
        self.wake.set()

    def publish_pending(self):
        """Publishes up to one batch; keeps marked as published what the
        broker confirmed, up to the first event it did not take."""
        with self.engine.begin() as connection:
            query = select(self.table).where(self.table.c.published_at.is_(None)).order_by(self.table.c.id)
            if connection.dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True)
            rows = connection.execute(query.limit(self.batch)).all()
            if not rows:
                return 0
            published = rows[:self._publish(rows)]
            if published:
                self._mark(connection, published)
        return len(published)

    def _publish(self, rows):
        """How many of `rows`, from the first, the broker took."""
        events = [(row.event_type, row.payload) for row in rows]
        publish_batch = getattr(self.dispatch, "publish_batch", None)
        if publish_batch is not None:
            taken = publish_batch(self.service_name, events)
        else:  # a plain `dispatch(service_name, event_type, payload)`, one event at a time
            taken = 0
            for event_type, payload in events:
                try:
                    self.dispatch(self.service_name, event_type, payload)
                except Exception:
                    break
                taken += 1
        if taken < len(rows):
            log.warning("outbox relay of %s could not publish yet (%s of %s taken)", self.service_name, taken,
                        len(rows))
        return taken

    def _mark(self, connection, rows):
        now = utcnow()
        connection.execute(update(self.table).where(self.table.c.id.in_([row.id for row in rows]))
                           .values(published_at=now))
        for row in rows:
            if SECRET_FIELDS & set(row.payload):
                connection.execute(update(self.table).where(self.table.c.id == row.id).values(
                    payload={k: v for k, v in row.payload.items() if k not in SECRET_FIELDS}))
            EVENTS_PUBLISHED.labels(self.service_name, row.event_type).inc()

    def measure_backlog(self):
        with self.engine.connect() as connection:
            oldest = connection.execute(
                select(func.min(self.table.c.created_at)).where(self.table.c.published_at.is_(None))).scalar()
        waited = (utcnow() - oldest).total_seconds() if oldest else 0
        OUTBOX_OLDEST_PENDING.labels(self.service_name).set(waited)
