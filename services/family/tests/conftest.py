import time

import eventlet
import pytest
from sqlalchemy import select

from family.models import Base, OutboxEvent
from family.service import FamilyService


@pytest.fixture
def service_name():
    return "family"


@pytest.fixture
def container(container_factory, config):
    """The family service, started."""
    started = container_factory(FamilyService, config)
    started.start()
    return started


@pytest.fixture
def family(container, rpc):
    return rpc("family")


@pytest.fixture
def snapshot(look):
    """`snapshot()`: every row of every table, to show that a refused call wrote
    nothing; taken once the outbox relay has marked what was pending as
    published, a mark that is not the call's doing and may otherwise land
    between two snapshots."""
    def rows():
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with look.connect() as connection:
                if not connection.execute(select(OutboxEvent.id).where(OutboxEvent.published_at.is_(None))).first():
                    break
            eventlet.sleep(0.05)
        with look.connect() as connection:
            return {table.name: sorted(map(repr, connection.execute(select(table)).all()))
                    for table in Base.metadata.sorted_tables}
    return rows
