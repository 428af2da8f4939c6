"""Sharing on request: an agent asks a household for a document of a
category for one of its requests; the family answers by sharing a document
of its safe (or uploading one); agents open that document while the share
lasts; the family revokes when it wants. The vault alone decides and
journals. It learns the requests and their closing from family's events."""
import logging

from kit.consumers import Unprocessable, event_handler
from nameko.rpc import rpc

from kit.caller import AGENTS, FAMILY, allow
from kit.errors import Conflict, NotFound
from kit.events import utcnow
from vault import categories, events, journal, schemas, sharing, store
from vault.outages import answering, found, request_found, share_found

log = logging.getLogger(__name__)


class SharingEntrypoints:
    @rpc
    @allow(AGENTS)
    @answering
    def ask_for_document(self, caller, household_id, request_id, reference, category, note=None):
        """An agent asks the household for a document of `category` for its request `reference`."""
        given = schemas.ask_input({"household_id": household_id, "request_id": request_id, "reference": reference,
                                   "category": category, "note": note})
        kind = categories.category(given["category"])
        household_id = caller.household(given["household_id"])
        with self.db.transaction() as tx:
            now = utcnow()
            request = store.learn_request(tx.session, given["request_id"], household_id, given["reference"])
            if request.household_id != household_id:
                raise NotFound("Cette démarche est introuvable.", code="request_not_found")
            if request.closed_at is not None:
                raise Conflict("Cette démarche est close : on ne peut plus y demander de document.",
                               code="request_closed")
            ask = store.add_ask(tx.session, request, kind.code, given["note"], caller.account_id, now)
            store.record(tx.session, household_id, caller, journal.ASK, now, request=request, category=kind.code)
            tx.record_events([events.document_requested(ask, request)])
        return schemas.ask_view(ask, request)

    @rpc
    @allow(FAMILY)
    @answering
    def share_with_request(self, caller, document_id, request_id):
        """The family hands one of its documents to one of its requests."""
        document_id, request_id = schemas.lenient_id(document_id), schemas.lenient_id(request_id)
        with self.db.transaction() as tx:
            now = utcnow()
            document = found(store.household_document(tx.session, caller.household_id, document_id, lock=True))
            request = self._open_request_of(tx.session, caller.household_id, request_id)
            share = self._share(tx, document, request, caller, now)
        return schemas.share_view(share, request, now, document)

    def _open_request_of(self, session, household_id, request_id):
        request = store.known_request(session, request_id, lock=True)
        if request is None or request.household_id != household_id:
            raise NotFound("Cette démarche est introuvable.", code="request_not_found")
        if request.closed_at is not None:
            raise Conflict("Cette démarche est close : elle ne reçoit plus de document.", code="request_closed")
        return request

    def _share(self, tx, document, request, caller, now):
        """In `tx`: the share (the existing one when the document is already
        shared with the request), the asks it answers, the journal, the event."""
        existing = store.active_share(tx.session, document.id, request.request_id)
        if existing is not None:
            return existing
        share = store.add_share(tx.session, document, request, caller.account_id, now,
                                self.settings.share_days_after_close)
        for ask in store.pending_asks_of_request(tx.session, request.request_id, document.category):
            sharing.ASKS.move(ask, sharing.ANSWERED)
            ask.share_id = share.id
        store.record(tx.session, document.household_id, caller, journal.SHARE, now, document=document, request=request)
        tx.record_events([events.document_shared(share, document, request)])
        return share

    @rpc
    @allow(FAMILY)
    @answering
    def revoke_share(self, caller, share_id):
        """The family withdraws the Caisse's access to a document it shared."""
        share_id = schemas.lenient_id(share_id)
        with self.db.transaction() as tx:
            now = utcnow()
            share = share_found(store.household_share(tx.session, caller.household_id, share_id, lock=True))
            if not sharing.share_is_open(share, now):
                raise Conflict("Ce partage est déjà terminé.", code="share_not_active")
            sharing.SHARES.move(share, sharing.REVOKED)
            share.revoked_at = now
            document = store.document(tx.session, share.document_id)
            request = store.known_request(tx.session, share.request_id)
            store.record(tx.session, share.household_id, caller, journal.REVOKE, now, document=document,
                         request=request)
        return schemas.share_view(share, request, now, document)

    @rpc
    @allow(FAMILY)
    @answering
    def list_shares(self, caller):
        """The household's shares, newest first, with their state."""
        now = utcnow()
        with self.db.reading() as session:
            shares = store.household_shares(session, caller.household_id)
            requests = store.requests_by_id(session, [s.request_id for s in shares])
            return [schemas.share_view(s, requests[s.request_id], now, store.document(session, s.document_id))
                    for s in shares]

    @rpc
    @allow(AGENTS)
    @answering
    def request_documents(self, caller, request_id):
        """The agent's view of a request: the documents asked for and those shared, with what can still be opened."""
        request_id = schemas.lenient_id(request_id)
        now = utcnow()
        with self.db.reading() as session:
            request = request_found(store.known_request(session, request_id))
            asks = store.request_asks(session, request.request_id)
            shares = [schemas.share_view(s, request, now, store.document(session, s.document_id))
                      for s in store.request_shares(session, request.request_id)]
        return {"request_id": str(request.request_id), "reference": request.reference,
                "household_id": str(request.household_id), "status": request.status,
                "closed_at": request.closed_at.isoformat() if request.closed_at else None,
                "asks": [schemas.ask_view(ask, request) for ask in asks], "shares": shares}

    @event_handler("family", "request_submitted")
    def on_request_submitted(self, payload):
        self._follow_request(payload)

    @event_handler("family", "request_status_changed")
    def on_request_status_changed(self, payload):
        self._follow_request(payload)

    def _follow_request(self, payload):
        """The request's state as family last said it; its closing sets when
        its shares end, a reopening lifts that. Older news is ignored."""
        problems = schemas.RequestEvent().validate(payload)
        if problems:
            raise Unprocessable(f"malformed request event {payload.get('event_id')}: {sorted(problems)}")
        news = schemas.RequestEvent().load(payload)
        with self.db.transaction() as tx:
            if not tx.first_time(news["event_id"]):
                return
            request = store.learn_request(tx.session, news["request_id"], news["household_id"], news["reference"])
            if request.as_of is not None and news["occurred_at"] <= request.as_of:
                return
            request.as_of, request.status, request.reference = news["occurred_at"], news["status"], news["reference"]
            closed_at = news["occurred_at"] if sharing.is_closing(news["status"]) else None
            if (request.closed_at is None) != (closed_at is None):
                request.closed_at = closed_at
                store.set_request_shares_end(
                    tx.session, request.request_id,
                    sharing.share_ends_at(closed_at, self.settings.share_days_after_close))
                if closed_at is not None:
                    for ask in store.pending_asks_of_request(tx.session, request.request_id):
                        sharing.ASKS.move(ask, sharing.CANCELLED)
