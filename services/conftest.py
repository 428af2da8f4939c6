"""Fixtures of the service tests: each service runs in-process in a nameko
container against the machine's RabbitMQ (a vhost per test) and PostgreSQL
(a database per service, migrated once, emptied before each test)."""
import eventlet

eventlet.monkey_patch()  # noqa: E402 -- before anything opens a socket

import os  # noqa: E402
import secrets  # noqa: E402
import uuid  # noqa: E402

import pytest  # noqa: E402
from hypothesis import HealthCheck, settings  # noqa: E402
from sqlalchemy import create_engine, inspect, text  # noqa: E402

from kit.caller import Caller, CallerKey  # noqa: E402

# A busy machine makes no rule slower to check, only the clock: no deadlines, no "too slow" health check.
settings.register_profile("portail", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("portail")

POSTGRES = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432")
CALLER_CONTEXT_KEY = secrets.token_urlsafe(32)  # shared by the services of this run and their callers
AGENT_ID, ADMIN_ID = uuid.uuid4(), uuid.uuid4()


@pytest.fixture(scope="session")
def databases():
    """Creates, once per run, a fresh migrated PostgreSQL database per service."""
    from kit.migrations import upgrade

    admin = create_engine(f"{POSTGRES}/postgres", isolation_level="AUTOCOMMIT")
    suffix = uuid.uuid4().hex[:8]
    created = {}

    def database(service_name, metadata=None):
        """Migrated with the service's Alembic history, or built from `metadata`."""
        if service_name not in created:
            name = f"test_{service_name}_{suffix}"
            with admin.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
            created[service_name] = f"{POSTGRES}/{name}"
            if metadata is None:
                upgrade(service_name, created[service_name])
            else:
                engine = create_engine(created[service_name])
                metadata.create_all(engine)
                engine.dispose()
        return created[service_name]

    yield database
    with admin.connect() as connection:
        for url in created.values():
            connection.execute(text(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def database_url(databases, service_name):
    url = databases(service_name)
    engine = create_engine(url)
    tables = [t for t in inspect(engine).get_table_names() if t != "alembic_version"]
    if tables:
        with engine.begin() as connection:
            connection.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))
    engine.dispose()
    return url


@pytest.fixture
def config(rabbit_config, service_name, database_url):
    return dict(rabbit_config, **{f"{service_name.upper()}_DATABASE_URL": database_url,
                                  "CALLER_CONTEXT_KEY": CALLER_CONTEXT_KEY})


class Calls:
    """Calls to one service over the real broker, each signed afresh as one caller
    (or carrying `token` as it is, or nothing at all)."""

    def __init__(self, runner, caller=None, token=None, extra=None):
        self.runner, self.caller, self.token, self.extra = runner, caller, token, extra or {}

    def with_context(self, **extra):
        """The same caller, with more context data (e.g. idempotency_key)."""
        return Calls(self.runner, self.caller, self.token, {**self.extra, **extra})

    def __getattr__(self, method):
        def call(*args, **kwargs):
            data = self.runner._worker_ctx.data
            data.clear()
            data.update(self.extra)
            token = CallerKey(CALLER_CONTEXT_KEY).sign(self.caller) if self.caller else self.token
            if token is not None:
                data["caller"] = token
            return getattr(self.runner._proxy, method)(*args, **kwargs)
        return call


class ServiceCalls:
    """The service under test, as each kind of caller reaches it:

        family.as_agent.create_household(data)
        family.as_family(household).book(child_id, activity, day)
        family.as_part("billing").billable_items("2026-10")
        family.unsigned.get_household()
    """

    agent_id, admin_id = AGENT_ID, ADMIN_ID

    def __init__(self, runner):
        self.runner = runner

    def as_caller(self, caller):
        return Calls(self.runner, caller)

    @property
    def as_agent(self):
        return self.as_caller(Caller(part="gateway", account_id=AGENT_ID, role="agent", session_id="agent-session"))

    @property
    def as_admin(self):
        return self.as_caller(Caller(part="gateway", account_id=ADMIN_ID, role="admin", session_id="admin-session"))

    def as_family(self, household, account_id=None):
        """`household`: its view (a dict with its id) or its id."""
        household_id = household["id"] if isinstance(household, dict) else household
        return self.as_caller(Caller(part="gateway", account_id=account_id or uuid.uuid4(), role="family",
                                     household_id=uuid.UUID(str(household_id)), session_id="family-session"))

    def as_part(self, name):
        return self.as_caller(Caller(part=name))

    @property
    def unsigned(self):
        return Calls(self.runner)

    def with_token(self, token):
        return Calls(self.runner, token=token)


@pytest.fixture
def rpc(config):
    """`rpc(service_name)`: a ServiceCalls over a standalone proxy of its own."""
    from nameko.standalone.rpc import ServiceRpcProxy

    runners = []

    def open_calls(service_name):
        runner = ServiceRpcProxy(service_name, config)
        runner.start()
        runners.append(runner)
        return ServiceCalls(runner)

    yield open_calls
    for runner in runners:
        runner.stop()


@pytest.fixture
def look(database_url):
    """A separate engine to look at the rows the service wrote."""
    from kit.db import make_engine

    engine = make_engine(database_url)
    yield engine
    engine.dispose()
