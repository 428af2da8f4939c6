"""How long the vault keeps what it keeps (settings in the README). Pure:
handed the day or the instant, answers the boundaries."""
from datetime import timedelta

from vault import categories, sharing


def expired_documents_before(today, periods):
    """A document whose validity ended before this day is deleted."""
    return categories.add_months(today, -periods.expired_document_months)


def journal_before(now, periods):
    return now - timedelta(days=round(periods.journal_months * 365.25 / 12))


def outbox_before(now, periods):
    """Published events (and the ids of events handled) older than this are forgotten."""
    return now - timedelta(days=periods.outbox_days)


def kept_for_request(shares, requests_by_id):
    """An expired document still shared with a request in progress waits for its closing."""
    return bool(sharing.holding_requests(shares, requests_by_id))


def is_orphan(row):
    """An object no live document names: never recorded, or its document deleted."""
    return row is None or row.deleted_at is not None
