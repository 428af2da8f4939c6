"""The monthly billing run at city scale, and the invoice e-mails after it.

    .venv/bin/python bench/billing_run.py [--households 2000 10000] [--wait 300] [--json-only]

On the portal started as `make run` does (bench/portal.py), with aiosmtpd on
loopback as the mail relay:

1. fixtures (bench/fixtures.py): N households with 1 to 3 children, a
   month's catering, evening care and study booked (each N in a past month
   of its own), one verified parent account each, written in bulk into
   family's and identity's tables;
2. portal: billing's RPC `run_period(period)` called as an agent would
   (through a ClusterRpcProxy, the caller context signed as the gateway
   signs it; only the RPC, so that the bench follows billing's own changes):
   the run's duration and invoices/s; then the outbox's publishing rate
   (its `invoice_ready` events, from their `published_at`), and the time
   until the SMTP server has received every invoice e-mail;
3. baseline: the same invoices, their lines and their events written by one
   set-based SQL statement in family's database, where the bookings are: the
   floor of what PostgreSQL can do.
"""
import argparse
import mailbox
import time
import uuid
from datetime import date, datetime, timedelta, timezone

import psycopg2
from nameko.standalone.rpc import ClusterRpcProxy

import fixtures
from portal import BenchPortal, Report

from kit.caller import CONTEXT_KEY, Caller, CallerKey

FLOOR = """
WITH booked AS (
    SELECT b.household_id, b.child_id, b.activity, count(*) AS days, h.quotient_familial
    FROM bookings b JOIN households h ON h.id = b.household_id
    WHERE b.date >= %(first)s AND b.date < %(next)s AND b.status = 'booked'
    GROUP BY b.household_id, b.child_id, b.activity, h.quotient_familial
), lines AS (
    INSERT INTO floor_invoice_lines (household_id, child_id, activity, days, amount_cents)
    SELECT household_id, child_id, activity, days,
           days * (CASE activity WHEN 'restauration_scolaire' THEN 420 WHEN 'accueil_du_soir' THEN 250 ELSE 180 END)
                * (CASE WHEN quotient_familial < 600 THEN 5 WHEN quotient_familial < 1200 THEN 8 ELSE 10 END) / 10
    FROM booked
    RETURNING household_id, amount_cents
), invoices AS (
    INSERT INTO floor_invoices (id, number, household_id, period, total_cents)
    SELECT gen_random_uuid(), %(period)s || '-' || lpad((row_number() OVER (ORDER BY household_id))::text, 6, '0'),
           household_id, %(period)s, sum(amount_cents)
    FROM lines GROUP BY household_id
    RETURNING id, number, household_id, total_cents
)
INSERT INTO floor_events (event_id, event_type, payload)
SELECT gen_random_uuid(), 'invoice_ready',
       json_build_object('invoice_id', id, 'invoice_number', number, 'household_id', household_id,
                         'period', %(period)s, 'total_cents', total_cents)
FROM invoices
"""
FLOOR_TABLES = """
CREATE TABLE IF NOT EXISTS floor_invoice_lines (household_id uuid, child_id uuid, activity varchar(40), days int, amount_cents int);
CREATE TABLE IF NOT EXISTS floor_invoices (id uuid PRIMARY KEY, number varchar(20) UNIQUE, household_id uuid, period varchar(7),
                             total_cents int, UNIQUE (household_id, period));
CREATE TABLE IF NOT EXISTS floor_events (id serial PRIMARY KEY, event_id uuid UNIQUE, event_type varchar(80), payload json,
                           published_at timestamptz);
"""


def floor(portal, first, following, period):
    """Seconds for the one statement, and how many invoices it wrote."""
    connection = psycopg2.connect(portal.database_url("family", "postgresql"))
    with connection, connection.cursor() as cursor:
        cursor.execute(FLOOR_TABLES)
    with connection, connection.cursor() as cursor:
        started = time.perf_counter()
        cursor.execute(FLOOR, {"first": first, "next": following, "period": period})
        elapsed = time.perf_counter() - started
        cursor.execute("SELECT count(*) FROM floor_invoices WHERE period = %s", (period,))
        written = cursor.fetchone()[0]
    connection.close()
    return elapsed, written


def run_period(portal, period):
    key = CallerKey(portal.caller_context_key, lifetime=60)
    agent = Caller(part="gateway", account_id=uuid.uuid4(), role="agent", session_id="bench")
    config = {"AMQP_URI": portal.amqp_uri, "serializer": "json"}
    with ClusterRpcProxy(config, timeout=900, context_data={CONTEXT_KEY: key.sign(agent)}) as cluster:
        started = time.perf_counter()
        answer = cluster.billing.run_period(period)
        return answer, time.perf_counter() - started


def outbox_published(portal, period, count, seconds):
    """When the last of `count` invoice_ready events of `period` was published (UTC), waiting at most `seconds`."""
    connection = psycopg2.connect(portal.database_url("billing", "postgresql"))
    connection.autocommit = True
    deadline = time.monotonic() + seconds
    try:
        while True:
            with connection.cursor() as cursor:
                cursor.execute("SELECT count(published_at), max(published_at) FROM outbox_events "
                               "WHERE event_type = 'invoice_ready' AND payload->>'period' = %s", (period,))
                published, last = cursor.fetchone()
            if published >= count or time.monotonic() > deadline:
                return published, last
            time.sleep(0.25)
    finally:
        connection.close()


def mails_received(portal, count, seconds):
    """(how many e-mails the SMTP server holds, seconds waited) once it holds `count` or time is up."""
    started = time.perf_counter()
    box = mailbox.Maildir(portal.mail.folder, factory=None, create=False)
    while True:
        received = len(box)
        if received >= count or time.perf_counter() - started > seconds:
            return received, time.perf_counter() - started
        time.sleep(0.25)


def months_back(count):
    """The `count` months before this one, the latest first: (first day, first day of the next)."""
    months, first = [], date.today().replace(day=1)
    for _ in range(count):
        following, first = first, (first - timedelta(days=1)).replace(day=1)
        months.append((first, following))
    return months


def one_scale(portal, report, households, first, following, wait):
    """Fixtures for `households` in the month starting `first`, the run, its events and e-mails, the floor."""
    period = first.strftime("%Y-%m")
    started = time.perf_counter()
    city = fixtures.city(portal, households, first, suffix=f"-{period}-{portal.suffix}")
    seeded_in = time.perf_counter() - started
    mails_before = len(mailbox.Maildir(portal.mail.folder, factory=None, create=False))
    floor_seconds, floor_invoices = floor(portal, first, following, period)
    label = f"{city.households} households / {city.bookings} booked days"
    details = {"period": period, "households": city.households, "children": city.children,
               "booked_days": city.bookings, "accounts": city.accounts, "seeded_in_s": seeded_in,
               "floor": {"seconds": floor_seconds, "invoices": floor_invoices}}
    started = time.perf_counter()
    try:
        answer, run_seconds = run_period(portal, period)
    except Exception as error:  # noqa: BLE001 -- billing's refusal is a figure of the bench, not its end
        failed_after = time.perf_counter() - started
        report.add(f"billing run, {label}: FAILED ({type(error).__name__})", failed_after, floor_seconds,
                   "s", "one set-based SQL statement", "≤ 15 s", higher_is_better=False)
        details["run_error"] = f"{type(error).__name__}: {error}"
        return details
    answered_at, answered = datetime.now(timezone.utc), time.perf_counter()
    invoices = answer.get("invoices_created", city.households) if isinstance(answer, dict) else city.households
    published, last_published = outbox_published(portal, period, invoices, wait)
    received, _ = mails_received(portal, mails_before + invoices, wait)
    mails_seconds = time.perf_counter() - answered
    publishing_seconds = max((last_published - answered_at).total_seconds(), 1e-3) if last_published else None
    report.add(f"billing run, {label}", run_seconds, floor_seconds, "s", "one set-based SQL statement",
               "≤ 15 s" if households >= 10_000 else "", higher_is_better=False)
    report.add(f"invoices/s, {city.households} households", invoices / run_seconds, floor_invoices / floor_seconds,
               "/s", "one set-based SQL statement")
    if publishing_seconds:
        report.add(f"outbox: invoice_ready published/s after the run, {city.households} households",
                   published / publishing_seconds, None, "/s", "", "≥ 2,000/s")
    report.add(f"invoice e-mails at the SMTP server, {received - mails_before}/{invoices}"
               f"{'' if received - mails_before >= invoices else f' (gave up after {wait:.0f} s)'}",
               mails_seconds, None, "s after the run", "", "10,000 in ≤ 60 s", higher_is_better=False)
    details.update(run_answer=answer, events_published=published, publishing_s_after_run=publishing_seconds,
                   mails_received=received - mails_before)
    return details


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--households", type=int, nargs="+", default=[2_000, 10_000],
                        help="one run per number, each in a month of its own, the smallest first")
    parser.add_argument("--wait", type=float, default=300, help="seconds to wait for the events and the e-mails")
    parser.add_argument("--json-only", action="store_true")
    options = parser.parse_args()

    report = Report("Billing run")
    with BenchPortal() as portal:
        scales = sorted(options.households)
        report.details = {"scales": [one_scale(portal, report, households, first, following, options.wait)
                                     for households, (first, following) in zip(scales, months_back(len(scales)))]}
    report.print(options.json_only)


if __name__ == "__main__":
    main()
