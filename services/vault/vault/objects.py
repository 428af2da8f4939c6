"""The bytes of a document between the network and the store: an upload is
spooled to a private temporary file (counted, fingerprinted, cut off past
the size limit) so that its type can be checked, then sealed into the store
under a fresh data key; a stored document is opened segment by segment,
authenticated, and its SHA-256 checked once the last byte is read.

Memory stays bounded by a segment or a read buffer, whatever the size."""
import contextlib
import hashlib
import logging
import os
import tempfile
from dataclasses import dataclass

from prometheus_client import Counter, Gauge

from vault import crypto, documents

log = logging.getLogger(__name__)
READ_SIZE = 256 * 1024

UNAVAILABLE = Counter("vault_documents_unavailable_total",
                      "Documents that could not be handed back, by reason", ["reason"])
MISSING_OBJECTS = Gauge("vault_objects_missing", "Live documents whose object the last sweep did not find")
ORPHANS_REMOVED = Counter("vault_orphan_objects_removed_total", "Stored objects no row recorded, removed")


@dataclass(frozen=True)
class Spooled:
    path: str
    size: int
    sha256: str


@contextlib.contextmanager
def spooled(stream, limits, directory=None):
    """The upload read from `stream` into a private temporary file, removed
    afterwards; Invalid as soon as it passes the size limit."""
    descriptor, path = tempfile.mkstemp(prefix="vault-upload-", dir=directory)
    try:
        digest, size = hashlib.sha256(), 0
        with os.fdopen(descriptor, "wb") as file:
            while chunk := stream.read(READ_SIZE):
                size += len(chunk)
                if size > limits.max_file_bytes:
                    raise documents.too_large(limits)
                digest.update(chunk)
                file.write(chunk)
        if size == 0:
            raise documents.empty_file()
        yield Spooled(path, size, digest.hexdigest())
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)


def file_chunks(path):
    with open(path, "rb") as file:
        while chunk := file.read(READ_SIZE):
            yield chunk


def seal(storage, keys, document_id, storage_key, spool):
    """Encrypts the spooled upload into the store; (wrapped data key, master key id)."""
    data_key, wrapped, key_id = keys.new_data_key(document_id)
    storage.put(storage_key, crypto.encrypt_chunks(data_key, file_chunks(spool.path)),
                crypto.ciphertext_size(spool.size))
    return wrapped, key_id


class Opened:
    """The clear bytes of a stored document, as an iterable: the first segment
    is already read and authenticated when it is made, so that a missing or
    unreadable object is refused before any byte is sent; the SHA-256 taken
    at upload is checked at the end."""

    def __init__(self, stored, plaintext, document):
        self.stored = stored
        self.plaintext = plaintext
        self.document = document
        self.digest = hashlib.sha256()
        self.first = self._next()

    def _next(self):
        try:
            chunk = next(self.plaintext, None)
        except crypto.Undecryptable as error:
            self.close()
            raise corrupted(self.document, str(error)) from None
        if chunk is not None:
            self.digest.update(chunk)
        return chunk

    def __iter__(self):
        try:
            chunk = self.first
            while chunk is not None:
                yield chunk
                chunk = self._next()
            if self.digest.hexdigest() != self.document.sha256:
                raise corrupted(self.document, "SHA-256 of the clear text differs from the upload's")
        finally:
            self.close()

    def close(self):
        self.stored.close()


def open_document(storage, keys, document):
    """The Opened clear bytes of `document`, or Unavailable (reported)
    when its object is gone or altered. StorageUnavailable when the store is away."""
    stored = storage.open(document.storage_key)
    if stored is None:
        UNAVAILABLE.labels("missing").inc()
        log.error("document %s: its object %s is missing from the store", document.id, document.storage_key)
        raise documents.unavailable(missing=True)
    try:
        data_key = keys.unwrap(document.wrapped_key, document.key_id, document.id)
    except (crypto.Undecryptable, crypto.UnknownMasterKey) as error:
        stored.close()
        raise corrupted(document, str(error)) from None
    return Opened(stored, crypto.decrypt_chunks(data_key, iter(stored)), document)


def corrupted(document, reason):
    UNAVAILABLE.labels("corrupted").inc()
    log.error("document %s: its object %s cannot be handed back: %s", document.id, document.storage_key, reason)
    return documents.unavailable(missing=False)
