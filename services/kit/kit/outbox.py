"""The outbox: events are written in the producer's own database, in the
transaction that changes the state, and published after commit by a relay
that retries until the broker takes them. Consumers remember the ids of the
events they have handled, so a replayed event does nothing twice."""
import logging
import threading
from datetime import datetime

from nameko.amqp.publish import Publisher
from nameko.constants import AMQP_SSL_CONFIG_KEY, AMQP_URI_CONFIG_KEY
from nameko.standalone.events import get_event_exchange
from sqlalchemy import JSON, Integer, String, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

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
    for event_type, payload in events:
        session.execute(insert(table).values(
            event_id=payload["event_id"], event_type=event_type, payload=payload,
            created_at=utcnow()))


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
    the portal itself sent."""
    publisher = Publisher(config[AMQP_URI_CONFIG_KEY], serializer="json", ssl=config.get(AMQP_SSL_CONFIG_KEY),
                          retry=False, declare=list(declare))

    def dispatch(service_name, event_type, payload):
        publisher.publish(payload, exchange=get_event_exchange(service_name, config), routing_key=event_type,
                          extra_headers={SEAL_HEADER: key.seal_event(service_name, event_type, payload)})
    return dispatch


class OutboxRelay:
    """Publishes pending outbox rows, oldest first, and marks them published.

    Woken after each commit that recorded events, and every `interval`
    seconds anyway, so events recorded while the broker was down go out once
    it is back.
    """

    batch = 100

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
        """Publishes up to one batch; stops at the first event the broker does
        not take, keeping what was published so far marked as such."""
        published = 0
        with self.engine.begin() as connection:
            query = select(self.table).where(self.table.c.published_at.is_(None)).order_by(self.table.c.id)
            if connection.dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True)
            for row in connection.execute(query.limit(self.batch)).all():
                try:
                    self.dispatch(self.service_name, row.event_type, row.payload)
                except Exception:  # the broker is away: the rest waits for the next round
                    log.warning("outbox relay of %s could not publish yet", self.service_name, exc_info=True)
                    break
                marks = {"published_at": utcnow()}
                if SECRET_FIELDS & set(row.payload):
                    marks["payload"] = {k: v for k, v in row.payload.items() if k not in SECRET_FIELDS}
                connection.execute(update(self.table).where(self.table.c.id == row.id).values(**marks))
                EVENTS_PUBLISHED.labels(self.service_name, row.event_type).inc()
                published += 1
        return published

    def measure_backlog(self):
        with self.engine.connect() as connection:
            oldest = connection.execute(
                select(func.min(self.table.c.created_at)).where(self.table.c.published_at.is_(None))).scalar()
        waited = (utcnow() - oldest).total_seconds() if oldest else 0
        OUTBOX_OLDEST_PENDING.labels(self.service_name).set(waited)
