"""How long each service keeps what it keeps: the boundaries (pure, handed
`now`) and the one job every service with an outbox runs.

    class FamilyService(..., retention.OutboxRetention):
        config = Config()

Published outbox rows and the ids of events handled are forgotten after
`OUTBOX_RETENTION_DAYS` (an event is replayed, if ever, within days; a
consumer that still sees one after that was down far longer than any retry
lasts). The job runs on every replica: deleting what is already gone does
nothing, so no lock is needed.
"""
import logging
from datetime import timedelta

from nameko.timer import timer
from sqlalchemy import delete

from kit.config import setting
from kit.events import utcnow

log = logging.getLogger(__name__)

OUTBOX_DAYS = 30
TICK = 3600  # seconds between two runs of a retention job


def days_ago(now, days):
    return now - timedelta(days=float(days))


def months_ago(now, months):
    return now - timedelta(days=round(float(months) * 365.25 / 12))


def retention_setting(config, name, default):
    """A period in days or months, from the settings; a negative or odd one is refused loudly."""
    value = float(setting(config, name, default))
    if value < 0:
        raise ValueError(f"{name} must be a positive number, not {value}")
    return value


def forget_published_events(session, tables, before):
    """Published outbox rows and handled event ids older than `before`; how many of each went."""
    counts = []
    for name, column in (("outbox_events", "published_at"), ("processed_events", "processed_at")):
        table = tables.get(name)
        counts.append(session.execute(delete(table).where(table.c[column] < before)).rowcount
                      if table is not None else 0)
    return tuple(counts)


class OutboxRetention:
    """Over the service's `db` and `config`."""

    @timer(interval=TICK)
    def outbox_retention(self):
        before = days_ago(utcnow(), retention_setting(self.config, "OUTBOX_RETENTION_DAYS", OUTBOX_DAYS))
        with self.db.transaction() as tx:
            published, handled = forget_published_events(tx.session, tx.tables, before)
        log.info("%d published events and %d handled event ids forgotten", published, handled)
