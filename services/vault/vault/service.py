"""The families' document safe: upload, list, fetch, and the journal of who
put in or took out each document."""
import base64
import logging

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
    def categories(self):
        """The categories a document may be filed under, in the order families see them."""
        return schemas.categories_view(documents.CATEGORIES)

    @rpc
    def upload(self, household_id, account_id, category, filename, content_b64):
        given = schemas.upload_request(household_id, account_id, category, filename, content_b64)
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
        return schemas.document_view(document)

    @rpc
    def list_documents(self, household_id):
        household_id = schemas.household_id(household_id)
        with self.db.reading() as session:
            return [schemas.document_view(document) for document in store.household_documents(session, household_id)]

    @rpc
    def fetch(self, household_id, document_id, account_id):
        given = schemas.fetch_request(household_id, document_id, account_id)
        with self.db.reading() as session:
            document = found(store.household_document(session, given["household_id"], given["document_id"]))
        try:
            content = documents.verify(self.storage.get(document.storage_key), document.sha256)
        except documents.DocumentCorrupted:
            log.error("document %s: stored object %s is missing or altered", document.id, document.storage_key)
            raise
        with self.db.transaction() as tx:
            store.add_access(tx.session, document, given["account_id"], DOWNLOAD, utcnow())
        return {"document": schemas.document_view(document), "content_b64": base64.b64encode(content).decode("ascii")}

    @rpc
    def access_journal(self, household_id, document_id):
        given = schemas.document_request(household_id, document_id)
        with self.db.reading() as session:
            document = found(store.household_document(session, given["household_id"], given["document_id"]))
            return schemas.journal_view(store.access_entries(session, document.id))


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
