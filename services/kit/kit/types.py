"""Column types every service stores the same way."""
from datetime import timezone

from sqlalchemy import DateTime, TypeDecorator


class UtcDateTime(TypeDecorator):
    """An aware UTC datetime on every database: SQLite keeps no time zone, so
    what comes back from it naive was stored as UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return value.astimezone(timezone.utc) if value is not None else None

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)
