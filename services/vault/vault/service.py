"""The families' document safe: upload, list, fetch, and the journal of who
put in or took out each document."""
import base64
import logging
from datetime import timezone

from nameko.rpc import rpc

from kit.db import Database
from kit.errors import NotFound
from kit.events import utcnow
from kit.metrics import Metrics
from vault import documents, events, schemas, store
from vault.models import DOWNLOAD, UPLOAD, Base
from vault.storage import DocumentStorage

log = logging.getLogger(__name__)


class VaultService:
    name = "vault"
    db = Database(Base)
    storage = DocumentStorage()
    metrics = Metrics()

    @rpc
    def upload(self, household_id, account_id, category, filename, content_b64):
        given = schemas.load(schemas.UPLOAD, household_id=household_id, account_id=account_id,
                             category=category, filename=filename, content_b64=content_b64)
        upload = documents.check_upload(given["category"], given["filename"], given["content_b64"])
        # The bytes first, then the row that points at them: a row never names
        # an object that is not there.
        key = documents.new_storage_key()
        self.storage.put(key, upload.content, upload.content_type)
        try:
            with self.db.transaction() as tx:
                now = utcnow()
                document = store.add_document(
                    tx.session, upload, key, given["household_id"], given["account_id"], now)
                store.add_access(tx.session, document, given["account_id"], UPLOAD, now)
                tx.record_events([events.document_uploaded(document)])
        except Exception:
            remove_unrecorded(self.db, self.storage, key)
            raise
        return document_view(document)

    @rpc
    def list_documents(self, household_id):
        given = schemas.load(schemas.HOUSEHOLD, household_id=household_id)
        with self.db.reading() as session:
            return [document_view(document)
                    for document in store.household_documents(session, given["household_id"])]

    @rpc
    def fetch(self, household_id, document_id, account_id):
        given = schemas.load(schemas.FETCH, household_id=household_id, document_id=document_id,
                             account_id=account_id)
        with self.db.reading() as session:
            document = found(store.household_document(session, given["household_id"], given["document_id"]))
        try:
            content = documents.verify(self.storage.get(document.storage_key), document.sha256)
        except documents.DocumentCorrupted:
            log.error("document %s: stored object %s is missing or altered", document.id, document.storage_key)
            raise
        with self.db.transaction() as tx:
            store.add_access(tx.session, document, given["account_id"], DOWNLOAD, utcnow())
        return {"document": document_view(document), "content_b64": base64.b64encode(content).decode("ascii")}

    @rpc
    def access_journal(self, household_id, document_id):
        given = schemas.load(schemas.DOCUMENT, household_id=household_id, document_id=document_id)
        with self.db.reading() as session:
            document = found(store.household_document(session, given["household_id"], given["document_id"]))
            return [{"action": entry.action, "account_id": str(entry.account_id), "at": iso(entry.at)}
                    for entry in store.access_entries(session, document.id)]


def remove_unrecorded(db, storage, key):
    """After a failed write, removes the object unless its row made it after all
    (a commit can succeed and still report an error). When in doubt the object
    stays: an orphan costs some space, a removed document would be lost."""
    try:
        with db.reading() as session:
            if store.document_with_key(session, key) is None:
                storage.remove(key)
    except Exception:
        log.warning("could not tidy up stored object %s after a failed upload", key, exc_info=True)


def found(document):
    if document is None:
        raise NotFound("Document introuvable.", code="document_not_found")
    return document


def document_view(document):
    return {
        "id": str(document.id),
        "category": document.category,
        "category_label": documents.category_label(document.category),
        "filename": document.filename,
        "content_type": document.content_type,
        "size": document.size,
        "sha256": document.sha256,
        "uploaded_at": iso(document.uploaded_at),
    }


def iso(moment):
    # SQLite hands back naive datetimes; they were stored in UTC.
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).isoformat()
