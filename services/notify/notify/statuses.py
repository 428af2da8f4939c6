"""The life of an e-mail, after GOV.UK Notify: every status a message can be
in, the moves allowed between them, and when a failed message is tried again.

    created ──► sending ──► delivered
                 ▲ │  ▲
                 └─┤  └──── temporary-failure   (tried again later)
                   └──────► permanent-failure   (refused for good, or tried too often)

A message is `sending` under a lease: if the process sending it dies, the
lease runs out and another worker takes it again (sending ──► sending).
"""
from datetime import timedelta
from types import MappingProxyType

CREATED = "created"
SENDING = "sending"
DELIVERED = "delivered"
TEMPORARY_FAILURE = "temporary-failure"
PERMANENT_FAILURE = "permanent-failure"

MOVES = MappingProxyType({
    CREATED: frozenset({SENDING}),
    SENDING: frozenset({SENDING, DELIVERED, TEMPORARY_FAILURE, PERMANENT_FAILURE}),
    TEMPORARY_FAILURE: frozenset({SENDING}),
    DELIVERED: frozenset(),
    PERMANENT_FAILURE: frozenset(),
})
STATUSES = frozenset(MOVES)
FINAL = frozenset(status for status, following in MOVES.items() if not following)

# With doubling delays, the last try comes about 31 base delays after the first
# (half an hour with the default minute): long enough to outlast a relay restart.
MAX_ATTEMPTS = 6


class ForbiddenMove(ValueError):
    pass


def move(current, new):
    """The new status, if a message in `current` may take it."""
    if new not in MOVES[current]:
        raise ForbiddenMove(f"a message cannot go from {current} to {new}")
    return new


def sources(new):
    """The statuses from which a message may move to `new`."""
    return frozenset(status for status, following in MOVES.items() if new in following)


def lease_end(claimed_at, lease_seconds):
    """Until when a worker may be sending a message it claimed; after that,
    the message is taken again."""
    return claimed_at + timedelta(seconds=lease_seconds)


def after_failure(attempts, permanent, failed_at, base_delay):
    """(status, next_attempt_at) of a message whose `attempts`-th try just failed."""
    if permanent or attempts >= MAX_ATTEMPTS:
        return PERMANENT_FAILURE, None
    return TEMPORARY_FAILURE, failed_at + timedelta(seconds=base_delay * 2 ** (attempts - 1))
