"""The instant it is, read in one place so that tests can set it."""
from kit.events import utcnow


def now():
    return utcnow()
