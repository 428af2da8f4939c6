"""The family's API under load: the dashboard's reads and a booking write.

    .venv/bin/python bench/api_load.py [--seconds 12] [--clients 16 64] [--json-only]

Starts the portal (bench/portal.py: `make run`'s processes on PostgreSQL and
a fresh vhost), makes 16 families through the agent API, then drives, for
each number of clients, the same mix of calls three ways in the same run:

- portal: through the gateway over HTTP, once with the session cookie (and
  the CSRF token on writes), once with the mobile access token;
- rpc (baseline): the same calls as a direct `ClusterRpcProxy` to family and
  billing, one proxy per client thread, a signed caller context per call as
  the gateway does;
- postgresql (baseline): the same data read straight from the services'
  databases with psycopg2, and the write as one INSERT or UPDATE.

The mix, repeated by each client: household, invoices, bookings of next month,
household, invoices, bookings, household, then a write that books a slot of
its own (child, activity, day), or cancels it again when it holds it.

The client: one thread per simulated client, each with its own keep-alive
connection (http.client), recording the latency of each call. It is shown
not to be the bottleneck by the "client ceiling" row: the same client, same
threads, against a trivial HTTP server in another process on loopback; and
by its own CPU time, reported beside each figure.
"""
import argparse
import collections
import http.client
import json
import multiprocessing
import queue
import resource
import socket
import threading
import time
import uuid
from datetime import date, datetime, timezone

import psycopg2
from nameko.standalone.rpc import ClusterRpcProxy

from portal import BenchPortal, Report, next_month_school_days, percentile

from kit.caller import CONTEXT_KEY, Caller, CallerKey

ACTIVITIES = ("restauration_scolaire", "accueil_du_soir", "etude")
MIX = ("household", "invoices", "bookings", "household", "invoices", "bookings", "household", "write")


class Slot:
    """The (child, activity, day) a client books and cancels in turn."""

    def __init__(self, family, child_id, activity, day):
        self.family, self.child_id, self.activity, self.day = family, child_id, activity, day
        self.booking_id = None


def slots_for(families, clients):
    """Client n works for family n mod F, on a slot no other client touches."""
    _, days = next_month_school_days()
    slots = []
    for n in range(clients):
        family = families[n % len(families)]
        rank = n // len(families)
        children = family.household["children"]
        child = children[rank % len(children)]
        slots.append(Slot(family, child["id"], ACTIVITIES[rank % len(ACTIVITIES)], days[rank % len(days)]))
    return slots


# The three ways of making the calls. Each `client(slot)` returns an object
# whose `call(kind)` makes one call and returns True when it succeeded.

class HttpClient:
    def __init__(self, base_url, month, auth):
        self.host, self.port = base_url.split("//")[1].split(":")
        self.month, self.auth = month, auth

    def __call__(self, slot):
        return _HttpCaller(self, slot)


class _HttpCaller:
    def __init__(self, client, slot):
        self.client, self.slot = client, slot
        self.connection = http.client.HTTPConnection(client.host, int(client.port), timeout=30)
        family = slot.family
        if client.auth == "cookie":
            cookie = "; ".join(f"{c.name}={c.value}" for c in family.cookie.cookies)
            self.headers = {"Cookie": cookie}
            self.write_headers = {"Cookie": cookie, "X-CSRF-Token": family.csrf_token}
        else:
            self.headers = self.write_headers = {"Authorization": f"Bearer {family.access_token}"}

    def request(self, method, path, body=None):
        headers = self.write_headers if method != "GET" else self.headers
        if body is not None:
            body = json.dumps(body)
            headers = {**headers, "Content-Type": "application/json"}
        try:
            self.connection.request(method, path, body=body, headers=headers)
            answer = self.connection.getresponse()
            content = answer.read()
        except (OSError, http.client.HTTPException) as error:
            self.connection.close()
            self.last_error = type(error).__name__
            return False, None
        if answer.status >= 400:
            self.last_error = f"{method} {answer.status} {content[:80].decode(errors='replace')}"
        return answer.status < 400, content

    def call(self, kind):
        slot = self.slot
        if kind == "household":
            return self.request("GET", "/api/v1/household")[0]
        if kind == "invoices":
            return self.request("GET", "/api/v1/invoices")[0]
        if kind == "bookings":
            return self.request("GET", f"/api/v1/bookings?month={self.client.month}")[0]
        if slot.booking_id:
            ok, _ = self.request("DELETE", f"/api/v1/bookings/{slot.booking_id}")
            slot.booking_id = None if ok else slot.booking_id
            return ok
        ok, content = self.request("POST", "/api/v1/bookings", {
            "child_id": slot.child_id, "activity": slot.activity, "date": slot.day.isoformat()})
        if ok:
            slot.booking_id = json.loads(content)["id"]
        return ok

    def close(self):
        self.connection.close()


class RpcClient:
    def __init__(self, amqp_uri, caller_key, month):
        self.config = {"AMQP_URI": amqp_uri, "serializer": "json"}
        self.key = CallerKey(caller_key)
        self.month = month

    def __call__(self, slot):
        return _RpcCaller(self, slot)


class _RpcCaller:
    def __init__(self, client, slot):
        self.client, self.slot = client, slot
        self.runner = ClusterRpcProxy(client.config, timeout=30)
        self.cluster = self.runner.start()
        family = slot.family
        self.caller = dict(part="gateway", account_id=uuid.UUID(family.account_id), role="family",
                           household_id=uuid.UUID(family.household_id), session_id="bench")

    def call(self, kind):
        self.runner._worker_ctx.data[CONTEXT_KEY] = self.client.key.sign(Caller(**self.caller))
        slot, cluster = self.slot, self.cluster
        try:
            if kind == "household":
                cluster.family.get_household()
            elif kind == "invoices":
                cluster.billing.list_invoices()
            elif kind == "bookings":
                cluster.family.list_bookings(self.client.month)
            elif slot.booking_id:
                cluster.family.cancel_booking(slot.booking_id)
                slot.booking_id = None
            else:
                slot.booking_id = cluster.family.book(slot.child_id, slot.activity, slot.day.isoformat())["id"]
        except Exception as error:  # noqa: BLE001 -- any remote error counts as one, as an HTTP 4xx/5xx does
            self.last_error = f"{kind} {type(error).__name__}"
            return False
        return True

    def close(self):
        self.runner.stop()


class PostgresClient:
    """The floor: what the database answers for the same data, no service between.
    The client threads share `connections` connections per database (PostgreSQL's
    max_connections is shared with the services and the machine's other users),
    as the services share their pools."""

    def __init__(self, portal, month_first, month_next, connections=8):
        self.family_dsn = portal.database_url("family", "postgresql")
        self.billing_dsn = portal.database_url("billing", "postgresql")
        self.first, self.next = month_first, month_next
        self.size = connections
        self.family = self.billing = None

    def __call__(self, slot):
        if self.family is None:
            self.family, self.billing = self._pool(self.family_dsn), self._pool(self.billing_dsn)
        return _PostgresCaller(self, slot)

    def _pool(self, dsn):
        """As many connections as asked, or as PostgreSQL still grants (at least one)."""
        pool = queue.Queue()
        for _ in range(self.size):
            try:
                connection = psycopg2.connect(dsn)
            except psycopg2.OperationalError:
                if pool.empty():
                    raise
                break
            connection.autocommit = True
            pool.put(connection)
        self.granted = pool.qsize()
        return pool

    def close(self):
        for pool in (self.family, self.billing):
            while pool is not None and not pool.empty():
                pool.get().close()
        self.family = self.billing = None


class _PostgresCaller:
    def __init__(self, client, slot):
        self.client, self.slot = client, slot

    def call(self, kind):
        if kind == "invoices":
            return self._with(self.client.billing, self._invoices)
        return self._with(self.client.family, lambda cursor: self._family(cursor, kind))

    @staticmethod
    def _with(pool, work):
        connection = pool.get()
        try:
            with connection.cursor() as cursor:
                work(cursor)
        finally:
            pool.put(connection)
        return True

    def _invoices(self, cursor):
        cursor.execute("SELECT * FROM invoices WHERE household_id = %s ORDER BY period DESC",
                       (self.slot.family.household_id,))
        cursor.fetchall()

    def _family(self, cursor, kind):
        slot = self.slot
        household = slot.family.household_id
        if kind == "household":
            cursor.execute("SELECT * FROM households WHERE id = %s", (household,))
            cursor.fetchall()
            cursor.execute("SELECT * FROM guardians WHERE household_id = %s ORDER BY position", (household,))
            cursor.fetchall()
            cursor.execute("SELECT * FROM children WHERE household_id = %s ORDER BY position", (household,))
            cursor.fetchall()
        elif kind == "bookings":
            cursor.execute(
                "SELECT b.*, c.first_name FROM bookings b JOIN children c ON c.id = b.child_id "
                "WHERE b.household_id = %s AND b.date >= %s AND b.date < %s ORDER BY b.date, c.first_name",
                (household, self.client.first, self.client.next))
            cursor.fetchall()
        elif slot.booking_id:
            cursor.execute("UPDATE bookings SET status = 'cancelled', cancelled_at = now() WHERE id = %s",
                           (slot.booking_id,))
            slot.booking_id = None
        else:
            slot.booking_id = str(uuid.uuid4())
            cursor.execute(
                "INSERT INTO bookings (id, household_id, child_id, activity, date, status, created_at) "
                "VALUES (%s, %s, %s, %s, %s, 'booked', %s)",
                (slot.booking_id, household, slot.child_id, slot.activity, slot.day, datetime.now(timezone.utc)))

    def close(self):
        pass


def drive(make_client, slots, seconds, warmup=2.0, mix=MIX):
    """Every client thread runs `mix` over and over until the time is up; the figures of the measured part."""
    callers = [make_client(slot) for slot in slots]
    latencies, errors, kinds = [], [0], collections.Counter()
    lock = threading.Lock()
    start_gate = threading.Barrier(len(callers) + 1)
    measuring = threading.Event()
    stop = threading.Event()

    def loop(caller):
        mine, my_errors, my_kinds = [], 0, collections.Counter()
        start_gate.wait()
        step = 0
        while not stop.is_set():
            kind = mix[step % len(mix)]
            step += 1
            started = time.perf_counter()
            try:
                ok = caller.call(kind)
            except Exception as error:  # noqa: BLE001 -- an answer the client could not read counts as an error
                ok, caller.last_error = False, f"{kind} {type(error).__name__}"
            if measuring.is_set():
                mine.append(time.perf_counter() - started)
                if not ok:
                    my_errors += 1
                    my_kinds[getattr(caller, "last_error", kind)] += 1
        with lock:
            latencies.extend(mine)
            errors[0] += my_errors
            kinds.update(my_kinds)

    threads = [threading.Thread(target=loop, args=(caller,), daemon=True) for caller in callers]
    for thread in threads:
        thread.start()
    start_gate.wait()
    time.sleep(warmup)
    cpu_before = _cpu()
    measuring.set()
    began = time.perf_counter()
    time.sleep(seconds)
    measuring.clear()
    elapsed = time.perf_counter() - began
    cpu = _cpu() - cpu_before
    stop.set()
    for thread in threads:
        thread.join(60)
    for caller in callers:
        caller.close()
    return {"requests": len(latencies), "rate": len(latencies) / elapsed,
            "p50_ms": percentile(latencies, 0.50) * 1000, "p99_ms": percentile(latencies, 0.99) * 1000,
            "errors": errors[0], "error_kinds": dict(kinds.most_common(5)), "client_cpu_share": cpu / elapsed}


def _cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# The client's ceiling: a trivial keep-alive HTTP server in its own process

def _trivial_server(listener):
    body = b'{"id": "00000000-0000-0000-0000-000000000000"}'
    answer = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)

    def serve(connection):
        buffer = b""
        with connection:
            while True:
                data = connection.recv(65536)
                if not data:
                    return
                buffer += data
                while b"\r\n\r\n" in buffer:
                    head, buffer = buffer.split(b"\r\n\r\n", 1)
                    length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n")
                                   if line.lower().startswith(b"content-length:")), 0)
                    buffer = buffer[length:]
                    connection.sendall(answer)

    while True:
        connection, _ = listener.accept()
        threading.Thread(target=serve, args=(connection,), daemon=True).start()


def client_ceiling(slots, seconds, month):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(256)
    server = multiprocessing.Process(target=_trivial_server, args=(listener,), daemon=True)
    server.start()
    try:
        for slot in slots:
            slot.booking_id = None
        client = HttpClient(f"http://127.0.0.1:{listener.getsockname()[1]}", month, "token")
        return drive(client, slots, seconds, warmup=0.5)
    finally:
        server.terminate()
        listener.close()
        for slot in slots:  # what the trivial server "booked" names nothing in the portal
            slot.booking_id = None


def seed(portal, families, month):
    """A few bookings per child next month, and the month billed, so that every read has rows."""
    _, days = next_month_school_days()
    for family in families:
        for child in family.household["children"]:
            for day in days[-4:]:
                family.cookie.post(portal.url("/api/v1/bookings"), timeout=60, headers={
                    "X-CSRF-Token": family.csrf_token}, json={
                    "child_id": child["id"], "activity": "etude", "date": day.isoformat()}).raise_for_status()
    portal.agent().post(portal.url("/api/v1/agent/billing-runs"), json={"period": month}, timeout=300)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=12)
    parser.add_argument("--clients", type=int, nargs="+", default=[16, 64])
    parser.add_argument("--families", type=int, default=16)
    parser.add_argument("--ways", nargs="+", default=["cookie", "token", "rpc", "postgresql"],
                        help="which of the ways to measure (the tuning runs take fewer)")
    parser.add_argument("--env", nargs="*", default=[], help="settings of the portal, NAME=value")
    parser.add_argument("--json-only", action="store_true")
    options = parser.parse_args()

    month, days = next_month_school_days()
    first = days[0].replace(day=1)
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    report = Report("API under load")
    settings = dict(setting.split("=", 1) for setting in options.env)
    with BenchPortal(env=settings) as portal:
        families = portal.families(options.families)
        seed(portal, families, month)
        ways = {name: way for key, name, way in (
            ("cookie", "portal, session cookie", HttpClient(portal.base_url, month, "cookie")),
            ("token", "portal, mobile token", HttpClient(portal.base_url, month, "token")),
            ("rpc", "direct ClusterRpcProxy", RpcClient(portal.amqp_uri, portal.caller_context_key, month)),
            ("postgresql", "PostgreSQL straight", PostgresClient(portal, first, following)),
        ) if key in options.ways}
        results = {}
        for clients in options.clients:
            slots = slots_for(families, clients)
            results[f"client ceiling, {clients} clients"] = client_ceiling(slots, min(options.seconds, 5), month)
            for way, client in ways.items():
                if way.endswith("mobile token"):
                    portal.refresh_access_tokens(families)  # they live 5 minutes
                results[f"{way}, {clients} clients"] = drive(client, slots, options.seconds)
                if isinstance(client, PostgresClient):
                    client.close()
                _cancel_left_over(portal, slots)
    for clients in options.clients:
        rpc = results.get(f"direct ClusterRpcProxy, {clients} clients", {})
        pg = results.get(f"PostgreSQL straight, {clients} clients", {})
        for auth in ("session cookie", "mobile token"):
            figures = results.get(f"portal, {auth}, {clients} clients")
            if figures is None or not rpc:
                continue
            report.add(f"{clients} clients, {auth}: req/s", figures["rate"], rpc["rate"], "req/s",
                       "direct RPC", "≥ 300 and ≤ 1.3× RPC" if clients == 16 else "")
            report.add(f"{clients} clients, {auth}: p50", figures["p50_ms"], rpc["p50_ms"], "ms", "direct RPC",
                       higher_is_better=False)
            report.add(f"{clients} clients, {auth}: p99", figures["p99_ms"], rpc["p99_ms"], "ms", "direct RPC",
                       "≤ 100 ms" if clients == 16 else "", higher_is_better=False)
            report.add(f"{clients} clients, {auth}: errors", figures["errors"], rpc["errors"], "calls", "direct RPC",
                       "0", higher_is_better=False)
        if rpc and pg:
            report.add(f"{clients} clients, direct RPC: calls/s", rpc["rate"], pg["rate"], "calls/s",
                       "PostgreSQL straight", "≥ 600" if clients == 16 else "")
            report.add(f"{clients} clients, direct RPC: p99", rpc["p99_ms"], pg["p99_ms"], "ms",
                       "PostgreSQL straight", higher_is_better=False)
        report.add(f"{clients} clients, client ceiling", results[f"client ceiling, {clients} clients"]["rate"],
                   None, "req/s", "", "far above every other row")
    report.details = {"mix": MIX, "seconds": options.seconds, "families": options.families, "settings": settings,
                      "runs": results}
    report.print(options.json_only)


def _cancel_left_over(portal, slots):
    """What a way left booked when time was up is cancelled, so the next way books the same slots anew."""
    connection = psycopg2.connect(portal.database_url("family", "postgresql"))
    with connection, connection.cursor() as cursor:
        cursor.execute("UPDATE bookings SET status = 'cancelled' WHERE status = 'booked' AND activity != 'etude'")
    connection.close()
    for slot in slots:
        slot.booking_id = None


if __name__ == "__main__":
    main()
