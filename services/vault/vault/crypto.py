"""Encryption at rest, by the portal: envelope encryption.

Each document is encrypted under its own random 256-bit data key; the data
key is stored only wrapped (AES-256-GCM) by a master key that lives in the
deployment's settings, never in the database nor in the store. The wrapped
key and the master key's id are kept on the document's row: rotating the
master key re-wraps the data keys and leaves the objects untouched, and
destroying a wrapped key makes its object unreadable for good
(crypto-shredding), whatever copies of the object remain.

An object is written and read as a stream, in segments of 64 KiB, each
sealed with AES-256-GCM (the STREAM construction of Hoang, Reyhanitabar,
Rogaway and Vizár, as in Tink's streaming AEAD and age): a segment is
authenticated before a byte of it is handed out, and a reordered, dropped or
truncated segment is detected, so memory stays bounded whatever the size of
the document.

    object = MAGIC (4) | nonce prefix (7) | segment 0 | segment 1 | ... | last segment
    segment i = AES-256-GCM(data key, nonce = prefix | i (4, big endian) | last (1), plaintext_i, aad = header)
"""
import hmac
import os
import struct

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from kit.keys import check_key

MAGIC = b"PFV\x01"
PREFIX_SIZE = 7
HEADER_SIZE = len(MAGIC) + PREFIX_SIZE
SEGMENT_SIZE = 64 * 1024
TAG_SIZE = 16
SEALED_SEGMENT_SIZE = SEGMENT_SIZE + TAG_SIZE
DATA_KEY_SIZE = 32
WRAP_NONCE_SIZE = 12
MAX_SEGMENTS = 2 ** 32


class Undecryptable(Exception):
    """The object cannot be read with this key: altered, truncated, or not ours."""


class UnknownMasterKey(Exception):
    """A data key was wrapped by a master key this deployment no longer has."""


def ciphertext_size(plaintext_size):
    """The exact size of the object holding `plaintext_size` bytes."""
    segments = max(1, -(-plaintext_size // SEGMENT_SIZE))
    return HEADER_SIZE + plaintext_size + segments * TAG_SIZE


class MasterKey:
    """A key-encryption key drawn from a secret setting; its id is a
    fingerprint of the secret, so that an id can never name the wrong key."""

    def __init__(self, secret, name="VAULT_MASTER_KEY"):
        raw = check_key(name, secret)
        raw = raw.encode() if isinstance(raw, str) else raw
        self.key = AESGCM(_derive(raw, b"portail vault master key v1"))
        self.id = "mk-" + _derive(raw, b"portail vault master key id v1")[:6].hex()

    def wrap(self, data_key, document_id):
        nonce = os.urandom(WRAP_NONCE_SIZE)
        return nonce + self.key.encrypt(nonce, data_key, _wrap_aad(document_id))

    def unwrap(self, wrapped, document_id):
        try:
            return self.key.decrypt(wrapped[:WRAP_NONCE_SIZE], wrapped[WRAP_NONCE_SIZE:], _wrap_aad(document_id))
        except InvalidTag:
            raise Undecryptable(f"the data key of {document_id} does not open with {self.id}") from None


def _derive(secret, info):
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(secret)


def _wrap_aad(document_id):
    # A wrapped key opens only on its own document's row.
    return b"portail-vault-data-key|" + str(document_id).encode()


class MasterKeys:
    """The current master key, which wraps every new data key, and the
    previous ones, kept only to unwrap until a rotation has re-wrapped them."""

    def __init__(self, current, previous=()):
        self.current = current
        self.by_id = {key.id: key for key in (*previous, current)}

    @classmethod
    def from_settings(cls, current_secret, previous_secrets=""):
        previous = [MasterKey(secret.strip(), "VAULT_PREVIOUS_MASTER_KEYS")
                    for secret in (previous_secrets or "").split(",") if secret.strip()]
        return cls(MasterKey(current_secret), previous)

    def new_data_key(self, document_id):
        """(data key, wrapped data key, master key id) for a new document."""
        data_key = AESGCM.generate_key(bit_length=256)
        return data_key, self.current.wrap(data_key, document_id), self.current.id

    def unwrap(self, wrapped, key_id, document_id):
        key = self.by_id.get(key_id)
        if key is None:
            raise UnknownMasterKey(f"master key {key_id} is not configured")
        return key.unwrap(wrapped, document_id)

    def rewrap(self, wrapped, key_id, document_id):
        """(wrapped, key id) under the current master key."""
        return self.current.wrap(self.unwrap(wrapped, key_id, document_id), document_id), self.current.id


class SegmentEncryptor:
    """Seals a plaintext given piece by piece; holds at most one segment."""

    def __init__(self, data_key):
        self.aead = AESGCM(data_key)
        self.prefix = os.urandom(PREFIX_SIZE)
        self.header = MAGIC + self.prefix
        self.index = 0
        self.pending = bytearray()

    def start(self):
        return self.header

    def update(self, data):
        """The sealed segments completed by `data`. A full segment is kept
        back until more comes, since only the last one is marked last."""
        self.pending += data
        sealed = []
        while len(self.pending) > SEGMENT_SIZE:
            sealed.append(self._seal(bytes(self.pending[:SEGMENT_SIZE]), last=False))
            del self.pending[:SEGMENT_SIZE]
        return b"".join(sealed)

    def finish(self):
        return self._seal(bytes(self.pending), last=True)

    def _seal(self, plaintext, last):
        if self.index >= MAX_SEGMENTS:
            raise ValueError("document too large for one stream")
        nonce = _nonce(self.prefix, self.index, last)
        self.index += 1
        return self.aead.encrypt(nonce, plaintext, self.header)


def _nonce(prefix, index, last):
    return prefix + struct.pack(">I", index) + (b"\x01" if last else b"\x00")


def encrypt_chunks(data_key, chunks):
    """The object for a plaintext given as an iterable of byte strings."""
    encryptor = SegmentEncryptor(data_key)
    yield encryptor.start()
    for chunk in chunks:
        sealed = encryptor.update(chunk)
        if sealed:
            yield sealed
    yield encryptor.finish()


class _Exact:
    """Reads exact-sized blocks from an iterable of byte strings of any sizes."""

    def __init__(self, chunks):
        self.chunks = iter(chunks)
        self.buffer = bytearray()

    def read(self, size):
        while len(self.buffer) < size:
            chunk = next(self.chunks, None)
            if chunk is None:
                break
            self.buffer += chunk
        block = bytes(self.buffer[:size])
        del self.buffer[:size]
        return block


def decrypt_chunks(data_key, chunks):
    """The plaintext of an object given as an iterable of byte strings, one
    authenticated segment at a time; Undecryptable as soon as something is wrong."""
    reader = _Exact(chunks)
    header = reader.read(HEADER_SIZE)
    if len(header) != HEADER_SIZE or not hmac.compare_digest(header[:len(MAGIC)], MAGIC):
        raise Undecryptable("not an object of the vault")
    aead, prefix = AESGCM(data_key), header[len(MAGIC):]
    index = 0
    segment = reader.read(SEALED_SEGMENT_SIZE)
    while True:
        following = reader.read(SEALED_SEGMENT_SIZE)
        last = not following
        try:
            yield aead.decrypt(_nonce(prefix, index, last), segment, header)
        except InvalidTag:
            raise Undecryptable(f"segment {index} does not authenticate") from None
        if last:
            return
        segment, index = following, index + 1
