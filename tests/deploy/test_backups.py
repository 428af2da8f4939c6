"""The backups can be restored: a service's database dumped by deploy/backup/postgres.sh, restored
into a fresh database by the same script, and the service started on it, as the README's restore
procedure says. Against the machine's PostgreSQL and RabbitMQ (a vhost of its own)."""
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import requests
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from kit.migrations import upgrade

ROOT = Path(__file__).resolve().parents[2]
POSTGRES = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432")
RABBITMQ_API = "http://guest:guest@localhost:15672/api"


def sql(database, statement):
    engine = create_engine(f"{POSTGRES}/{database}", isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        with engine.connect() as connection:
            result = connection.execute(text(statement))
            return result.all() if result.returns_rows else None
    finally:
        engine.dispose()


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def databases():
    suffix = uuid.uuid4().hex[:8]
    names = {"dumped": f"backup_family_{suffix}", "restored": f"restored_family_{suffix}"}
    sql("postgres", f'CREATE DATABASE "{names["dumped"]}"')
    yield names
    for name in names.values():
        sql("postgres", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def vhost():
    name = f"restore-{uuid.uuid4().hex[:8]}"
    requests.put(f"{RABBITMQ_API}/vhosts/{name}", timeout=10).raise_for_status()
    requests.put(f"{RABBITMQ_API}/permissions/{name}/guest", json={"configure": ".*", "write": ".*", "read": ".*"},
                 timeout=10).raise_for_status()
    yield name
    requests.delete(f"{RABBITMQ_API}/vhosts/{name}", timeout=10)


def consumers_of(vhost, queue, wait=30):
    """Consumers of a queue, as the management API reports them once its statistics are in."""
    deadline = time.monotonic() + wait
    while True:
        found = requests.get(f"{RABBITMQ_API}/queues/{vhost}/{queue}", timeout=10).json().get("consumers")
        if found or time.monotonic() > deadline:
            return found or 0
        time.sleep(1)


def backup(*arguments, folder, only=""):
    url = POSTGRES.split("://", 1)[1]
    user, host = url.split("@")
    env = {**os.environ, "PGHOST": host.split(":")[0], "PGPORT": host.split(":")[1], "PGUSER": user.split(":")[0],
           "BACKUP_DIR": str(folder), "BACKUP_DATABASES": only}
    return subprocess.run(["bash", str(ROOT / "deploy" / "backup" / "postgres.sh"), *arguments],
                          capture_output=True, text=True, timeout=300, env=env)


def test_a_dump_restores_into_a_fresh_database_and_the_service_starts_on_it(databases, vhost, tmp_path):
    dumped, restored = databases["dumped"], databases["restored"]
    upgrade("family", f"{POSTGRES}/{dumped}")
    event_id = str(uuid.uuid4())
    sql(dumped, "INSERT INTO outbox_events (event_id, event_type, payload, created_at) "
                f"VALUES ('{event_id}', 'household_created', '{{}}', now())")

    made = backup("once", folder=tmp_path, only=dumped)
    assert made.returncode == 0, made.stderr
    [dump] = (tmp_path / "postgres").glob("*.dump")  # the database named in BACKUP_DATABASES only
    report = (tmp_path / "metrics" / "portail_backup_postgres.prom").read_text()
    assert 'portail_backup_last_success_timestamp_seconds{what="postgres"}' in report

    restoring = backup("restore", str(dump), restored, "postgres", folder=tmp_path)
    assert restoring.returncode == 0, restoring.stderr
    assert sql(restored, f"SELECT event_type FROM outbox_events WHERE event_id = '{event_id}'") == [("household_created",)]

    port = free_port()
    env = {**os.environ, "FAMILY_DATABASE_URL": f"{POSTGRES}/{restored}", "METRICS_PORT": str(port),
           "CALLER_CONTEXT_KEY": secrets.token_urlsafe(32), "AMQP_URI": f"amqp://guest:guest@localhost:5672/{vhost}",
           "PORTAIL_VAR_DIR": str(tmp_path / "var")}
    service = subprocess.Popen([sys.executable, "-m", "kit.serve", "family"], env=env, cwd=ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and service.poll() is None:
            try:
                if requests.get(f"http://127.0.0.1:{port}/metrics", timeout=2).status_code == 200:
                    break
            except requests.ConnectionError:
                time.sleep(1)
        assert service.poll() is None, service.stdout.read().decode()
        assert requests.get(f"http://127.0.0.1:{port}/metrics", timeout=5).status_code == 200
        assert consumers_of(vhost, "rpc-family") >= 1  # the service serves its RPCs from the restored database
    finally:
        os.killpg(service.pid, signal.SIGTERM)
        service.wait(timeout=30)
    assert sql(restored, "SELECT count(*) FROM alembic_version") == [(1,)]
