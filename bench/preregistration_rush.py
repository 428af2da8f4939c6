"""The opening rush of a holiday pre-registration: 1,000 families for 200 places.

    .venv/bin/python bench/preregistration_rush.py [--families 1000] [--places 200] [--clients 50]
                                                   [--replicas 1] [--json-only]

Starts the family service as every deployment does (`python -m kit.serve
family`), `--replicas` processes of it sharing the work, against a fresh
database of the machine's PostgreSQL and a vhost of its RabbitMQ of its own. Creates the households (one child each) and a
session of `--places` places, then, once it opens, every family
pre-registers its child at once from `--clients` concurrent clients (each its
own broker connection, as the gateway's pool has), each call signed as that
family, as the gateway signs it.

Prints the requests sent, the places allotted, the waiting list, the errors,
the latency (p50, p99, max) and the wall time, and checks in the database
that no place was given twice and no request was lost (one row per family,
orders of arrival 1..N without a gap), as a table and as JSON.
"""
import argparse
import json
import os
import secrets
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import requests
from nameko.standalone.rpc import ClusterRpcProxy
from sqlalchemy import create_engine, text

REPOSITORY = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPOSITORY / "services" / "kit")]

from kit.caller import Caller, CallerKey  # noqa: E402

RABBIT_API = "http://127.0.0.1:15672/api"
BROKER_AUTH = ("guest", "guest")
POSTGRES = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432")
AGENT = Caller(part="gateway", account_id=uuid.uuid4(), role="agent", session_id="bench")


class Family:
    """The family service in a process of its own, on a vhost and a database of its own."""

    def __init__(self, folder, replicas):
        suffix = uuid.uuid4().hex[:8]
        self.vhost, self.database = f"bench-{suffix}", f"bench_family_{suffix}"
        requests.put(f"{RABBIT_API}/vhosts/{self.vhost}", auth=BROKER_AUTH, timeout=10).raise_for_status()
        requests.put(f"{RABBIT_API}/permissions/{self.vhost}/guest", auth=BROKER_AUTH, timeout=10,
                     json={"configure": ".*", "write": ".*", "read": ".*"}).raise_for_status()
        self.admin = create_engine(f"{POSTGRES}/postgres", isolation_level="AUTOCOMMIT")
        with self.admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{self.database}"'))
        self.url = f"{POSTGRES}/{self.database}"
        self.amqp = f"amqp://guest:guest@127.0.0.1:5672/{self.vhost}"
        caller_key = secrets.token_hex(32)
        self.key = CallerKey(caller_key)
        env = {**os.environ, "AMQP_URI": self.amqp, "CALLER_CONTEXT_KEY": caller_key,
               "FAMILY_DATABASE_URL": self.url, "LOG_LEVEL": "WARNING"}
        self.log = open(Path(folder) / "family.log", "wb")
        self.replicas, self.env, self.processes = replicas, env, []
        self.start_one()

    def start_one(self):
        self.processes.append(subprocess.Popen([sys.executable, "-m", "kit.serve", "family"], cwd=REPOSITORY,
                                               env=self.env, stdout=self.log, stderr=subprocess.STDOUT))

    def client(self):
        return Client(self.amqp, self.key)

    def wait(self, seconds=120):
        """The first replica migrates the database and answers; then the others start."""
        deadline = time.monotonic() + seconds
        with self.client() as client:
            while True:
                try:
                    client.call(AGENT, "catalogue", None)
                    break
                except Exception:  # not answering yet: the broker queues the call, nobody takes it
                    if self.processes[0].poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError(f"the family service did not start; see {self.log.name}") from None
        for _ in range(self.replicas - 1):
            self.start_one()
        time.sleep(10 if self.replicas > 1 else 0)  # the others' consumers join the queue

    def stop(self):
        for process in self.processes:
            process.terminate()
            process.wait(15)
        self.log.close()
        requests.delete(f"{RABBIT_API}/vhosts/{self.vhost}", auth=BROKER_AUTH, timeout=10)
        with self.admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)'))
        self.admin.dispose()


class Client:
    """One broker connection, calls signed as the caller given."""

    def __init__(self, amqp, key):
        self.proxy = ClusterRpcProxy({"AMQP_URI": amqp, "serializer": "json"}, timeout=60)
        self.key = key

    def __enter__(self):
        self.cluster = self.proxy.start()
        return self

    def __exit__(self, *exc):
        self.proxy.stop()

    def call(self, caller, method, *args):
        self.proxy._worker_ctx.data["caller"] = self.key.sign(caller)
        return getattr(self.cluster.family, method)(*args)


def households(family, count, clients):
    """`count` households of one child each: (household_id, child_id)."""
    def make(chunk):
        made = []
        with family.client() as client:
            for n in chunk:
                household = client.call(AGENT, "create_household", {
                    "guardians": [{"first_name": "Parent", "last_name": f"Famille{n}", "email": f"p{n}@example.org"}],
                    "children": [{"first_name": f"Enfant{n}", "last_name": f"Famille{n}", "birth_date": "2018-05-04",
                                  "school": "École Jean Macé"}],
                    "quotient_familial": 500})
                made.append((household["id"], household["children"][0]["id"]))
        return made

    with ThreadPoolExecutor(clients) as pool:
        return [pair for chunk in pool.map(make, [range(i, count, clients) for i in range(clients)]) for pair in chunk]


def rush(family, session_id, families, clients, opens_at):
    """Every family pre-registers at once from `clients` connections: (status, seconds) per request."""
    outcomes, lock = [], threading.Lock()
    ready = threading.Barrier(clients)

    def run(share):
        with family.client() as client:
            ready.wait()
            time.sleep(max(0.0, opens_at - time.time()))
            for household_id, child_id in share:
                caller = Caller(part="gateway", account_id=uuid.uuid4(), role="family",
                                household_id=uuid.UUID(household_id), session_id="bench")
                started = time.perf_counter()
                try:
                    status = client.call(caller, "preregister", {"session_id": session_id, "child_id": child_id})[
                        "status"]
                except Exception as error:  # every failure is counted and shown, never hidden
                    status = f"error: {type(error).__name__}: {error}"
                with lock:
                    outcomes.append((status, time.perf_counter() - started))

    shares = [families[i::clients] for i in range(clients)]
    started = time.time()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(run, shares))
    return outcomes, time.time() - max(started, opens_at)


def check_database(url, session_id, places):
    engine = create_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(text(
            "SELECT status, position FROM preregistrations WHERE session_id = :session"), {"session": session_id}).all()
    engine.dispose()
    positions = sorted(position for _, position in rows)
    held = sum(1 for status, _ in rows if status in ("preregistered", "confirmed", "offered"))
    return {"rows": len(rows), "held": held, "overbooked": held > places,
            "positions_without_gap": positions == list(range(1, len(rows) + 1))}


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--families", type=int, default=1000)
    parser.add_argument("--places", type=int, default=200)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--replicas", type=int, default=1)
    parser.add_argument("--json-only", action="store_true")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        family = Family(folder, options.replicas)
        try:
            family.wait()
            made = households(family, options.families, min(options.clients, 20))
            opens_at = time.time() + 5
            first_day = date.today() + timedelta(days=60)
            with family.client() as client:
                session = client.call(AGENT, "create_session", {
                    "activity": "centre_vacances", "label": "Séjour de la ruée", "first_day": first_day.isoformat(),
                    "last_day": (first_day + timedelta(days=6)).isoformat(), "places": options.places,
                    "min_age": 3, "max_age": 17, "price_basis": "stay",
                    "opens_at": datetime.fromtimestamp(opens_at, timezone.utc).isoformat()})
            outcomes, wall = rush(family, session["id"], made, options.clients, opens_at)
            database = check_database(family.url, session["id"], options.places)
        finally:
            family.stop()
    latencies = [seconds * 1000 for _, seconds in outcomes]
    errors = [status for status, _ in outcomes if status.startswith("error")]
    figures = {
        "families": options.families, "places": options.places, "clients": options.clients,
        "replicas": options.replicas,
        "requests": len(outcomes), "allotted": sum(1 for s, _ in outcomes if s == "preregistered"),
        "waiting": sum(1 for s, _ in outcomes if s == "waiting"), "errors": len(errors),
        "p50_ms": round(percentile(latencies, 0.5), 1), "p99_ms": round(percentile(latencies, 0.99), 1),
        "max_ms": round(max(latencies), 1), "wall_seconds": round(wall, 2),
        "requests_per_second": round(len(outcomes) / wall, 1), "database": database,
    }
    if not options.json_only:
        for name in ("families", "places", "clients", "replicas", "requests", "allotted", "waiting", "errors", "p50_ms",
                     "p99_ms", "max_ms", "wall_seconds", "requests_per_second"):
            print(f"{name:>20}  {figures[name]}")
        print(f"{'database':>20}  {database}")
        for error in sorted(set(errors))[:5]:
            print("  ", error)
    print(json.dumps(figures))
    healthy = (not errors and figures["allotted"] == min(options.places, options.families)
               and figures["requests"] == options.families and not database["overbooked"]
               and database["positions_without_gap"] and database["rows"] == options.families)
    sys.exit(0 if healthy else 1)


if __name__ == "__main__":
    main()
