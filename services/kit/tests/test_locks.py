"""kit.locks on the machine's PostgreSQL: of several replicas whose timers fire together, only
one does the work; the lock goes free when its holder is done or its connection dies."""
import eventlet
import pytest
from sqlalchemy import MetaData, create_engine, func, select
from sqlalchemy.pool import NullPool

from kit import locks


@pytest.fixture
def replicas(databases):
    """Three engines on one database, as three replicas of a service have."""
    url = databases("kit_locks", metadata=MetaData())
    engines = [create_engine(url, poolclass=NullPool) for _ in range(3)]
    yield engines
    for engine in engines:
        engine.dispose()


def test_of_replicas_firing_together_only_one_runs(replicas):
    ran, skipped = [], []

    def timer(number, engine):
        with locks.exclusive(engine, "billing.monthly-run") as mine:
            if not mine:
                skipped.append(number)
                return
            ran.append(number)
            eventlet.sleep(0.3)  # the work, long enough for the others to fire meanwhile

    pool = eventlet.GreenPool()
    for number, engine in enumerate(replicas):
        pool.spawn(timer, number, engine)
    pool.waitall()
    assert len(ran) == 1
    assert sorted(ran + skipped) == [0, 1, 2]


def test_the_lock_is_free_again_once_its_holder_is_done(replicas):
    first, second = replicas[:2]
    with locks.exclusive(first, "notify.reminders") as mine:
        assert mine
        with locks.exclusive(second, "notify.reminders") as theirs:
            assert not theirs
        with locks.exclusive(second, "family.retention") as other_work:
            assert other_work  # another name, another lock
    with locks.exclusive(second, "notify.reminders") as theirs:
        assert theirs


def test_a_holder_that_dies_lets_the_lock_go(replicas):
    first, second = replicas[:2]
    dying = first.connect()
    dying.execute(select(func.pg_advisory_lock(locks.lock_key("billing.monthly-run"))))
    with locks.exclusive(second, "billing.monthly-run") as theirs:
        assert not theirs
    dying.invalidate()  # the holder's connection drops, as when its pod is killed mid-run
    with locks.exclusive(second, "billing.monthly-run") as theirs:
        assert theirs


def test_on_sqlite_the_one_process_always_holds_the_lock(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'run.db'}")
    with locks.exclusive(engine, "billing.monthly-run") as mine, \
            locks.exclusive(engine, "billing.monthly-run") as again:
        assert mine and again


def test_every_replica_computes_the_same_key():
    assert locks.lock_key("billing.monthly-run") == locks.lock_key("billing.monthly-run")
    assert locks.lock_key("billing.monthly-run") != locks.lock_key("notify.reminders")
    assert -2**63 <= locks.lock_key("billing.monthly-run") < 2**63


def test_a_waiting_holder_goes_on_once_the_first_is_done(replicas):
    first, second = replicas[:2]
    order = []

    def migrate(name, engine, work):
        with locks.waiting(engine, "family.migrations"):
            order.append(f"{name} starts")
            eventlet.sleep(work)
            order.append(f"{name} done")

    pool = eventlet.GreenPool()
    pool.spawn(migrate, "job", first, 0.4)
    eventlet.sleep(0.1)
    pool.spawn(migrate, "replica", second, 0)
    pool.waitall()
    assert order == ["job starts", "job done", "replica starts", "replica done"]


def test_concurrent_upgrades_of_one_history_all_succeed(databases):
    from kit.migrations import upgrade
    url = databases("kit_locks_family", metadata=MetaData())
    pool = eventlet.GreenPool()
    results = [pool.spawn(upgrade, "family", url) for _ in range(3)]
    assert [result.wait() for result in results] == [None, None, None]
    engine = create_engine(url, poolclass=NullPool)
    with engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT count(*) FROM alembic_version").scalar() == 1
    engine.dispose()
