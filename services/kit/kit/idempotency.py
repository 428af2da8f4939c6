"""Creates a client may retry: the same `Idempotency-Key` with the same
request answers what the first one made; with another request, a clear
refusal. The key is claimed in the transaction that creates, so two retries
racing each other make one thing, and a create that failed leaves the key free.

    with self.db.transaction() as tx:
        made_before = tx.made_before(caller, data)    # the id this key made, or None
        if made_before:
            return view(store.household(tx.session, made_before))
        household = store.add_household(...)
        tx.made(household.id)

The gateway passes the header's value in the call's context data
(`idempotency_key`); without it a call is simply not deduplicated.
"""
import hashlib
import json
from datetime import datetime

from sqlalchemy import String, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from kit.errors import Invalid
from kit.events import utcnow
from kit.types import UtcDateTime

CONTEXT_KEY = "idempotency_key"
MAX_KEY_LENGTH = 200


class IdempotentRequestColumns:
    """Mixed into a service's `IdempotentRequest` model (table `idempotent_requests`)."""

    scope: Mapped[str] = mapped_column(String(64), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    resource_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


def digest(*parts):
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def claim(session, table, key, who, operation, request):
    """The resource id `key` made before for this very request, or None once
    the key is claimed for this transaction; Invalid when the key came with
    another request."""
    if not isinstance(key, str) or not 0 < len(key) <= MAX_KEY_LENGTH:
        raise Invalid("La clé d'idempotence doit faire de 1 à 200 caractères.", code="invalid_idempotency_key",
                      fields={"Idempotency-Key": "Longueur invalide."})
    scope, fingerprint = digest(who, operation, key), digest(request)
    try:
        with session.begin_nested():
            session.execute(insert(table).values(scope=scope, fingerprint=fingerprint, created_at=utcnow()))
        return None
    except IntegrityError:  # used before (or by a retry that was racing us and has committed)
        row = session.execute(select(table).where(table.c.scope == scope)).one()
    if row.fingerprint != fingerprint:
        raise Invalid("Cette clé d'idempotence a déjà servi pour une autre demande.",
                      code="idempotency_key_reused", fields={"Idempotency-Key": "Choisissez une nouvelle clé."})
    return row.resource_id


def remember(session, table, key, who, operation, resource_id):
    session.execute(update(table).where(table.c.scope == digest(who, operation, key))
                    .values(resource_id=str(resource_id)))
