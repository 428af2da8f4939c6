"""Fixtures of the service tests: each service runs in-process in a nameko
container against the machine's RabbitMQ (a vhost per test) and PostgreSQL
(a database per service, migrated once, emptied before each test)."""
import eventlet

eventlet.monkey_patch()  # noqa: E402 -- before anything opens a socket

import os  # noqa: E402
import uuid  # noqa: E402

import pytest  # noqa: E402
from sqlalchemy import create_engine, inspect, text  # noqa: E402

POSTGRES = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432")


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
    return dict(rabbit_config, **{f"{service_name.upper()}_DATABASE_URL": database_url})


@pytest.fixture
def look(database_url):
    """A separate engine to look at the rows the service wrote."""
    from kit.db import make_engine

    engine = make_engine(database_url)
    yield engine
    engine.dispose()
