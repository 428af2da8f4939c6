"""What family learns from the vault about its requests: a document the
family shared with a request (from its safe, or uploaded to answer an ask of
the Caisse) joins the request, and a request waiting for the family goes back
to the Caisse. Idempotent by content: a document the request already holds
changes nothing. Mixed into FamilyService."""
import logging

from kit.consumers import Unprocessable, event_handler
from kit.errors import NotFound
from kit.events import utcnow
from marshmallow import EXCLUDE, Schema, fields

from family import events, request_store, requests
from family.requests import Action, Status

log = logging.getLogger(__name__)


class DocumentShared(Schema):
    """vault's `document_shared`, as far as family reads it."""

    class Meta:
        unknown = EXCLUDE

    event_id = fields.String(required=True)
    document_id = fields.UUID(required=True)
    household_id = fields.UUID(required=True)
    request_id = fields.UUID(required=True)


class RequestConsumers:
    @event_handler("vault", "document_shared")
    def on_document_shared(self, payload):
        problems = DocumentShared().validate(payload)
        if problems:
            raise Unprocessable(f"malformed document_shared {payload.get('event_id')}: {sorted(problems)}")
        shared = DocumentShared().load(payload)
        document_id = str(shared["document_id"])
        with self.db.transaction() as tx:
            try:
                request = request_store.request_of(tx.session, shared["request_id"], shared["household_id"], lock=True)
            except NotFound:
                log.warning("document_shared %s names no request of its household", shared["event_id"])
                return
            if document_id in request.document_ids or not requests.is_open(request.status):
                return
            now = utcnow()
            request.document_ids = [*request.document_ids, document_id]
            previous = request.status
            if request.status == Status.WAITING:
                request.status, request.expected = requests.move(request.status, Status.IN_REVIEW), None
            entry = request_store.add_entry(tx.session, request, None, "family", Action.DOCUMENT_SHARED, now,
                                            document_ids=[document_id])
            tx.record_events([events.request_status_changed(request, previous) if previous != request.status
                              else events.request_message_posted(request, entry)])

