"""Work that must run once across the replicas of a service: a PostgreSQL
advisory lock, held for as long as the work runs.

    @timer(interval=3600)
    def monthly_run(self):
        with locks.exclusive(self.db.provider.engine, "billing.monthly-run") as mine:
            if not mine:
                return          # another replica is on it
            ...                 # and the work itself checks it was not done already

Every replica's timer fires; the first to take the lock does the work, the
others skip this round. The lock only keeps two replicas from running at
the same time: a replica whose timer fires after the first one finished
takes the lock too, so the work must still know whether it is due (a
period already invoiced, a reminder already sent), as the timers do.
PostgreSQL lets the lock go by itself when the holder's connection dies, so
a replica killed mid-run does not block the next one.

On SQLite (`make run`, one process per service) there is no other replica:
the lock is always granted.
"""
import hashlib
from contextlib import contextmanager

from sqlalchemy import func, select


def lock_key(name):
    """The advisory lock's 64-bit key for a name (same on every replica and every run)."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


@contextmanager
def exclusive(engine, name):
    """Yields True to the one holder of `name` across every process on this database,
    False at once to the others (they do not wait)."""
    if engine.dialect.name != "postgresql":
        yield True
        return
    key = lock_key(name)
    with engine.connect() as connection:
        mine = connection.execute(select(func.pg_try_advisory_lock(key))).scalar()
        connection.commit()  # a session-level lock: it outlives this transaction, not the connection
        try:
            yield bool(mine)
        finally:
            if mine:
                connection.execute(select(func.pg_advisory_unlock(key)))
                connection.commit()


@contextmanager
def waiting(engine, name):
    """Holds the lock `name`, waiting for it as long as another process holds it: for work every
    replica must see done before going on (the migrations, which each replica and the migration
    Job run at start: the first migrates, the others wait, then find nothing left to do)."""
    if engine.dialect.name != "postgresql":
        yield
        return
    key = lock_key(name)
    with engine.connect() as connection:
        connection.execute(select(func.pg_advisory_lock(key)))
        connection.commit()
        try:
            yield
        finally:
            connection.execute(select(func.pg_advisory_unlock(key)))
            connection.commit()
