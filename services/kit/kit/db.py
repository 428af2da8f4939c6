"""SQLAlchemy 2 sessions for nameko workers, with the outbox in the same
transaction.

    class BillingService:
        db = Database(models.Base)

        @rpc
        def run_period(self, period):
            with self.db.transaction() as tx:
                ...
                tx.record_events([events.invoice_ready(invoice)])

On PostgreSQL, psycopg2 is made green by eventlet's own `monkey_patch()`
(its `psycopg` patch, on by default, which `nameko run` and the tests'
conftest apply), so a slow query yields to the other workers of the service
instead of stalling the process.
"""
from contextlib import contextmanager

from nameko.extensions import DependencyProvider
from nameko.standalone.events import get_event_exchange
from sqlalchemy import create_engine, event
from sqlalchemy.orm import sessionmaker

from kit import idempotency, outbox
from kit.caller import CallerKey
from kit.config import database_url


def make_engine(url):
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_size=10, max_overflow=10, pool_pre_ping=True)


def _sqlite_pragmas(connection, _record):
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


class Transaction:
    def __init__(self, session, tables, worker_ctx=None):
        self.session = session
        self.tables = tables
        self.worker_ctx = worker_ctx

    def record_events(self, events):
        """Write `(type, payload)` events to the outbox; they leave after commit."""
        outbox.record(self.session, self.tables["outbox_events"], list(events))

    def first_time(self, event_id):
        """Idempotent consumers: False when this event was already handled."""
        return outbox.first_time(self.session, self.tables["processed_events"], event_id)

    def made_before(self, caller, request):
        """For a create a client may retry (kit.idempotency): the id its
        Idempotency-Key made before, or None (then call `made(id)`)."""
        key = self._idempotency_key()
        if key is None:
            return None
        self._who = str(caller.account_id or caller.part)
        return idempotency.claim(self.session, self.tables["idempotent_requests"], key, self._who,
                                 self.worker_ctx.entrypoint.method_name, request)

    def made(self, resource_id):
        key = self._idempotency_key()
        if key is not None:
            idempotency.remember(self.session, self.tables["idempotent_requests"], key,
                                 self._who, self.worker_ctx.entrypoint.method_name, resource_id)

    @property
    def retryable(self):
        """Whether this create came with an Idempotency-Key (`made` then keeps what it made)."""
        return self._idempotency_key() is not None

    def _idempotency_key(self):
        return self.worker_ctx.data.get(idempotency.CONTEXT_KEY) if self.worker_ctx is not None else None


class DatabaseAccess:
    def __init__(self, provider, worker_ctx=None):
        self.provider = provider
        self.worker_ctx = worker_ctx

    @contextmanager
    def transaction(self):
        session = self.provider.sessions()
        try:
            with session.begin():
                yield Transaction(session, self.provider.tables, self.worker_ctx)
        finally:
            session.close()
        if self.provider.relay:
            self.provider.relay.wake.set()

    @contextmanager
    def reading(self):
        with self.provider.sessions() as session:
            yield session


class Database(DependencyProvider):
    """One engine per service container; an outbox relay when the service
    has an `outbox_events` table."""

    def __init__(self, base):
        self.base = base
        self.relay = None

    def setup(self):
        config = self.container.config
        self.engine = make_engine(database_url(self.container.service_name, config))
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        self.tables = self.base.metadata.tables
        if "outbox_events" in self.tables:
            # declare the exchange: nameko's consumers do, but a producer may start first
            exchange = get_event_exchange(self.container.service_name, config)
            dispatch = outbox.sealed_dispatcher(config, CallerKey.from_config(config), declare=[exchange])
            self.relay = outbox.OutboxRelay(
                self.engine, self.tables["outbox_events"], self.container.service_name, dispatch)

    def start(self):
        if self.relay:
            self.container.spawn_managed_thread(self.relay.run)

    def stop(self):
        if self.relay:
            self.relay.stop()
        self.engine.dispose()

    def kill(self):
        self.stop()

    def get_dependency(self, worker_ctx):
        return DatabaseAccess(self, worker_ctx)
