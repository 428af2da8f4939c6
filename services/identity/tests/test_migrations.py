"""The Alembic history builds exactly the models' schema, on SQLite (`make run`) and PostgreSQL."""
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.orm import Session as DbSession

from identity.models import Account, Base, Bootstrap, Session
from kit.migrations import alembic_config, upgrade


def differences(url):
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}),
                                    Base.metadata)
    finally:
        engine.dispose()


@pytest.fixture
def sqlite_url(tmp_path):
    url = f"sqlite:///{tmp_path / 'identity.sqlite'}"
    upgrade("identity", url)
    return url


def test_the_migrations_build_the_models_schema_on_sqlite(sqlite_url):
    assert differences(sqlite_url) == []


def test_the_migrations_build_the_models_schema_on_postgresql(database_url):
    assert differences(database_url) == []


def test_the_migrations_can_be_undone(sqlite_url):
    command.downgrade(alembic_config("identity", sqlite_url), "base")
    engine = create_engine(sqlite_url)
    assert inspect(engine).get_table_names() == ["alembic_version"]
    engine.dispose()


def test_times_come_back_as_utc_even_from_sqlite(sqlite_url):
    paris = timezone(timedelta(hours=2))
    opened = datetime(2026, 10, 5, 10, 30, tzinfo=paris)
    engine = create_engine(sqlite_url)
    with DbSession(engine) as session, session.begin():
        account = Account(email="parent@exemple.fr", password_hash="x", role="family")
        session.add(account)
        session.flush()
        session.add(Session(token_sha256="0" * 64, account_id=account.id, created_at=opened,
                            expires_at=opened + timedelta(hours=12)))
    with DbSession(engine) as session:
        kept = session.query(Session).one()
        assert kept.created_at == opened
        assert kept.created_at.tzinfo == timezone.utc
        assert kept.account.created_at.tzinfo == timezone.utc
    engine.dispose()


def test_a_portal_already_running_keeps_its_first_admin_as_made(tmp_path):
    url = f"sqlite:///{tmp_path / 'identity.sqlite'}"
    command.upgrade(alembic_config("identity", url), "861365f63e2c")
    engine = create_engine(url)
    with engine.begin() as connection:
        for email, role, at in (("regie@caisse.example", "admin", "2026-01-02 00:00:00.000000"),
                                ("agent@caisse.example", "agent", "2026-01-01 00:00:00.000000")):
            connection.execute(text("INSERT INTO accounts (id, email, role, active, created_at, email_verified) "
                                    "VALUES (:id, :email, :role, true, :at, true)"),
                               {"id": uuid.uuid4().hex, "email": email, "role": role, "at": at})
    upgrade("identity", url)
    with DbSession(engine) as session:
        [done] = session.query(Bootstrap).all()
        assert (done.step, session.get(Account, done.account_id).email) == ("first_admin", "regie@caisse.example")
    engine.dispose()
