"""The family's safe over RPC: its documents, what it holds against its
quota, what is missing or expired, its journal, and deleting a document for
good. Metadata only: the bytes go through the vault's HTTP streams."""
import logging

from nameko.rpc import rpc

from kit.caller import FAMILY, PARTS, allow
from kit.events import utcnow
from vault import categories, documents, journal, schemas, sharing, store
from vault.outages import answering, found

log = logging.getLogger(__name__)

class SafeEntrypoints:
    @rpc
    @allow(parts=PARTS)
    def categories(self, caller):
        """The categories a document may be filed under, in the order families see them, with their validity."""
        return schemas.categories_view()

    @rpc
    @allow(FAMILY)
    @answering
    def list_documents(self, caller):
        """The household's documents, newest first, each with its validity and its shares."""
        now = utcnow()
        with self.db.reading() as session:
            found_documents = store.household_documents(session, caller.household_id)
            shares = store.shares_of_documents(session, [d.id for d in found_documents])
            requests = store.requests_by_id(session, [s.request_id for s in shares])
        by_document = {}
        for share in shares:
            by_document.setdefault(share.document_id, []).append(share)
        return [self._document_view(d, now, by_document.get(d.id, ()), requests) for d in found_documents]

    @rpc
    @allow(FAMILY)
    @answering
    def overview(self, caller):
        """What the dashboard shows: usage against the quota, documents the
        Caisse asked for, and documents expired or about to."""
        now = utcnow()
        today = categories.paris_day(now)
        with self.db.reading() as session:
            count, used = store.usage(session, caller.household_id)
            asks = store.pending_asks(session, caller.household_id)
            requests = store.requests_by_id(session, [a.request_id for a in asks])
            held = store.household_documents(session, caller.household_id)
        views = [self._document_view(d, now) for d in held]
        return {
            "usage": documents.usage_view(count, used, self.settings.limits),
            "asked": [schemas.ask_view(ask, requests[ask.request_id]) for ask in asks],
            "expired": [v for v in views if v["validity"] == categories.EXPIRED],
            "expiring": [v for v in views if v["validity"] == categories.EXPIRING],
            "today": today.isoformat(),
        }

    @rpc
    @allow(FAMILY)
    @answering
    def safe_journal(self, caller):
        """Everything that happened to the household's documents, newest first, in French."""
        with self.db.reading() as session:
            entries = store.journal(session, caller.household_id)
        return schemas.journal_view(entries, caller.account_id, self.settings.retention.expired_document_months)

    @rpc
    @allow(FAMILY)
    @answering
    def access_journal(self, caller, document_id):
        """One document's journal, newest first."""
        document_id = schemas.lenient_id(document_id)
        with self.db.reading() as session:
            document = found(store.household_document(session, caller.household_id, document_id))
            entries = store.journal(session, caller.household_id, document.id)
        return schemas.journal_view(entries, caller.account_id, self.settings.retention.expired_document_months)

    @rpc
    @allow(FAMILY)
    @answering
    def delete_document(self, caller, document_id):
        """Deletes a document for good: its data key is destroyed, so that
        no copy of its object can be read again. Refused while a request in
        progress holds it."""
        document_id = schemas.lenient_id(document_id)
        with self.db.transaction() as tx:
            now = utcnow()
            document = found(store.household_document(tx.session, caller.household_id, document_id, lock=True))
            shares = store.shares_of_documents(tx.session, [document.id])
            requests = store.requests_by_id(tx.session, [s.request_id for s in shares])
            sharing.refuse_deletion_if_held(sharing.holding_requests(shares, requests))
            self._shred(tx.session, document, shares, caller, journal.DELETE, now)
            key = document.storage_key
        self._remove_object(key)
        return {"id": str(document_id), "deleted_at": now.isoformat()}

    def _shred(self, session, document, shares, caller, action, now):
        """In the caller's transaction: the document's shares end, its key is
        destroyed, its place in the quota is given back, and it is journaled."""
        for share in shares:
            if share.status == sharing.ACTIVE:
                sharing.SHARES.move(share, sharing.WITHDRAWN)
        store.release(session, document.household_id, document.size)
        store.record(session, document.household_id, caller, action, now, document=document)
        store.shred(document, now)

    def _remove_object(self, key):
        """The object goes too; if the store is away it stays unreadable, and
        the housekeeping sweep removes it later."""
        try:
            self.storage.remove(key)
        except Exception:
            log.warning("object %s of a deleted document stays until the next sweep", key, exc_info=True)

    def _document_view(self, document, now, shares=(), requests=None):
        return schemas.document_view(document, categories.paris_day(now), self.settings.expiry_notice_days,
                                     shares, requests, now)
