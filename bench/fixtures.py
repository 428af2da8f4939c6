"""Load fixtures: a city's households, their children, a month of bookings and
their parents' accounts, written in bulk (PostgreSQL COPY) into family's and
identity's own tables, as their stores would leave them: the same models
(family.models, identity.models), keys drawn by family.child_keys, one
verified family account per household with a real argon2id hash.

Not the way a household is made in the portal (an agent does, one at a time,
through the API): the way a load test gets 10,000 of them in seconds.

    city(portal, households=10_000, month=date(2026, 11, 1), seed=12)
"""
import csv
import io
import random
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

import psycopg2

from family import child_keys
from family.activities import ACTIVITIES
from identity import passwords

CATERING, EVENING_CARE, STUDY = "restauration_scolaire", "accueil_du_soir", "etude"
SCHOOLS = ("École Jules Ferry", "École Pasteur", "École Jean Jaurès", "École Louise Michel", "École Victor Hugo")


@dataclass
class City:
    households: int = 0
    children: int = 0
    bookings: int = 0
    accounts: int = 0
    emails: list = field(default_factory=list)


def school_days(month):
    following = (month + timedelta(days=32)).replace(day=1)
    return [month + timedelta(days=n) for n in range((following - month).days)
            if ACTIVITIES[CATERING].runs_on(month + timedelta(days=n))]


def city(portal, households, month, seed=12, suffix=""):
    """Writes the fixtures; returns what was written (counts, the parents' addresses)."""
    rng = random.Random(seed)
    now = datetime.now(timezone.utc)
    days = school_days(month)
    keys = set()
    rows = {"households": [], "guardians": [], "children": [], "bookings": [], "accounts": []}
    made = City()
    password_hash = passwords.hash_password("une phrase de passe des fixtures")
    while len(keys) < households:
        keys.add(child_keys.generate())
    for index, key in enumerate(sorted(keys, key=lambda _: rng.random())):
        household = uuid.uuid4()
        name = f"Famille{index}"
        address = f"parent{index}{suffix}@example.org"
        rows["households"].append((household, key, rng.randrange(200, 2500, 10), now))
        rows["guardians"].append((uuid.uuid4(), household, 0, "Camille", name, address, None))
        rows["accounts"].append((uuid.uuid4(), address, True, password_hash, "family", household, True, now))
        made.emails.append(address)
        for position in range(rng.choice((1, 1, 2, 2, 2, 3))):
            child = uuid.uuid4()
            rows["children"].append((child, household, position, f"Enfant{position}", name,
                                     date(2014 + rng.randrange(8), rng.randrange(1, 13), rng.randrange(1, 29)),
                                     rng.choice(SCHOOLS)))
            # catering nearly every school day; evening care and study on some
            evening, study = rng.random() < 0.5, rng.random() < 0.3
            for day in days:
                for activity, taken in ((CATERING, rng.random() < 0.9), (EVENING_CARE, evening and rng.random() < 0.7),
                                        (STUDY, study and rng.random() < 0.6)):
                    if taken:
                        rows["bookings"].append((uuid.uuid4(), household, child, activity, day, "booked", now, None))
    family = psycopg2.connect(portal.database_url("family", "postgresql"))
    with family, family.cursor() as cursor:
        _copy(cursor, "households", ("id", "child_key", "quotient_familial", "created_at"), rows["households"])
        _copy(cursor, "guardians", ("id", "household_id", "position", "first_name", "last_name", "email", "phone"),
              rows["guardians"])
        _copy(cursor, "children", ("id", "household_id", "position", "first_name", "last_name", "birth_date",
                                   "school"), rows["children"])
        _copy(cursor, "bookings", ("id", "household_id", "child_id", "activity", "date", "status", "created_at",
                                   "cancelled_at"), rows["bookings"])
        cursor.execute("ANALYZE")
    family.close()
    identity = psycopg2.connect(portal.database_url("identity", "postgresql"))
    with identity, identity.cursor() as cursor:
        _copy(cursor, "accounts", ("id", "email", "email_verified", "password_hash", "role", "household_id",
                                   "active", "created_at"), rows["accounts"])
        cursor.execute("ANALYZE")
    identity.close()
    made.households, made.children = len(rows["households"]), len(rows["children"])
    made.bookings, made.accounts = len(rows["bookings"]), len(rows["accounts"])
    return made


def _copy(cursor, table, columns, rows):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow(["" if value is None else value for value in row])
    buffer.seek(0)
    cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv, NULL '')", buffer)
