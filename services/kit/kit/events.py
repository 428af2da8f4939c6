"""Events are facts in the past tense; each carries its own id and time."""
import uuid
from datetime import datetime, timezone


def utcnow():
    return datetime.now(timezone.utc)


def new_event(event_type, **data):
    """An event ready for the outbox: `(type, payload)`."""
    payload = {"event_id": str(uuid.uuid4()), "occurred_at": utcnow().isoformat()}
    payload.update(data)
    return event_type, payload
