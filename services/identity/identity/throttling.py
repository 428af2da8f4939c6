"""Throttling: repeated login failures slow down, then lock, whoever is tried;
requests that send an e-mail or probe a clé enfance are limited per hour.

Failures are counted per normalised e-mail address, whether or not an account
has it (so a lock says nothing about which addresses exist), and per client
address. An address is locked from its 5th consecutive failure for a delay
that grows with each further one, which keeps an account far under 100 tries
an hour; a client address that fails 30 times in 15 minutes, on any mix of
addresses, is locked for 15 minutes.

Requests that e-mail someone (a password reset, an address to confirm) or
try a clé enfance are counted against a `Limit`: so many per window, then
refused until the window ends. A reset is counted per address whether or not
an account has it, so a refusal says nothing either.

Pure rules: every function takes `now` and returns a new `Counter`.
"""
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

FREE_FAILURES = 4
# The lock after the 5th, 6th, ... consecutive failure on an e-mail address; the last repeats.
EMAIL_LOCKS = tuple(timedelta(minutes=m) for m in (1, 2, 5, 15, 30, 60))
# A failure this old is forgotten: the next one starts a new run.
EMAIL_MEMORY = timedelta(hours=24)

CLIENT_FAILURES = 30
CLIENT_WINDOW = timedelta(minutes=15)
CLIENT_LOCK = timedelta(minutes=15)


@dataclass(frozen=True)
class Counter:
    """Failures against a login key; for a `Limit`, the requests let through."""

    failures: int = 0
    started_at: datetime | None = None  # first failure of the current run
    last_failure_at: datetime | None = None
    locked_until: datetime | None = None


@dataclass(frozen=True)
class Limit:
    """At most `times` requests per `window` for one subject (an address, an account)."""

    name: str  # short: the counter's key is `name:subject`
    times: int
    window: timedelta

    def key(self, subject):
        return f"{self.name}:{subject}"


RESET_PER_EMAIL = Limit("reset", 3, timedelta(hours=1))
RESET_PER_CLIENT = Limit("reset-ip", 20, timedelta(hours=1))
EMAIL_CHANGE_PER_ACCOUNT = Limit("new-email", 3, timedelta(hours=1))
VERIFICATION_PER_ACCOUNT = Limit("verify", 3, timedelta(hours=1))
# The clé enfance is the only secret a registration needs: guessing it must be slow,
# from one client address, or with one FranceConnect identity.
CHILD_KEY_FAILURES_PER_CLIENT = Limit("key-ip", 10, timedelta(hours=1))
CHILD_KEY_FAILURES_PER_IDENTITY = Limit("key-fc", 10, timedelta(hours=1))


def email_key(email):
    return f"email:{email}"


def client_key(client_ip):
    return f"ip:{client_ip}"


def is_email_key(key):
    return key.startswith("email:")


def wait(counters, now):
    """How long the caller must still wait before trying again: the longest
    lock among `counters`, or None when none holds."""
    locks = [c.locked_until - now for c in counters if c.locked_until is not None and c.locked_until > now]
    return max(locks, default=None)


def minutes(delay):
    """A wait as people are told it: whole minutes, rounded up, at least one."""
    return max(1, math.ceil(delay.total_seconds() / 60))


def email_lock(failures):
    """The lock that the `failures`-th consecutive failure on an address brings, or None."""
    if failures <= FREE_FAILURES:
        return None
    return EMAIL_LOCKS[min(failures - FREE_FAILURES, len(EMAIL_LOCKS)) - 1]


def after_email_failure(counter, now):
    recent = counter.last_failure_at is not None and now - counter.last_failure_at < EMAIL_MEMORY
    failures = counter.failures + 1 if recent else 1
    lock = email_lock(failures)
    return Counter(failures=failures, started_at=counter.started_at if recent else now, last_failure_at=now,
                   locked_until=now + lock if lock else None)


def after_client_failure(counter, now):
    in_window = counter.started_at is not None and now - counter.started_at < CLIENT_WINDOW
    failures = counter.failures + 1 if in_window else 1
    started_at = counter.started_at if in_window else now
    if failures >= CLIENT_FAILURES:
        return Counter(failures=0, started_at=None, last_failure_at=now, locked_until=now + CLIENT_LOCK)
    return Counter(failures=failures, started_at=started_at, last_failure_at=now)


def after_use(limit, counter, now):
    """The counter once one more request was let through: the last one the
    window allows locks the subject until the window ends."""
    in_window = counter.started_at is not None and now - counter.started_at < limit.window
    uses = counter.failures + 1 if in_window else 1
    started_at = counter.started_at if in_window else now
    return Counter(failures=uses, started_at=started_at, last_failure_at=now,
                   locked_until=started_at + limit.window if uses >= limit.times else None)


def after_failure(key, counter, now):
    return (after_email_failure if is_email_key(key) else after_client_failure)(counter, now)


def newly_locked(before, after, now):
    """True when a failure has just started a lock."""
    return wait([after], now) is not None and wait([before], now) is None
