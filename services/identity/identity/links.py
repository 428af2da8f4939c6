"""The single-use links identity e-mails: verify an address, choose a new
password, confirm a new address.

The link carries a random token (sessions.new_token); only its SHA-256 is
kept, with the address it was sent to and an expiry. A link is spent when
used, or when a newer link of the same purpose replaces it. identity hands
the token to notify in an event; notify builds the link itself (kit.links).
Pure rules: `now` is always given.
"""
from datetime import timedelta

from kit.links import EMAIL_CHANGE, EMAIL_VERIFICATION, PASSWORD_RESET

PURPOSES = (EMAIL_VERIFICATION, PASSWORD_RESET, EMAIL_CHANGE)

LIFETIMES = {
    EMAIL_VERIFICATION: timedelta(hours=48),
    # A reset link opens the account to whoever reads the mailbox: short-lived.
    PASSWORD_RESET: timedelta(hours=1),
    EMAIL_CHANGE: timedelta(hours=48),
}


def expiry(purpose, now):
    return now + LIFETIMES[purpose]


def is_usable(expires_at, spent_at, now):
    return spent_at is None and now < expires_at
