"""Encryption at rest: what is stored cannot be read without the document's
data key, any change to it is caught before a byte is handed out, and a
master key can be rotated or a data key destroyed."""
import os
import uuid

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kit.keys import WeakSecret
from vault import crypto
from vault.crypto import HEADER_SIZE, SEALED_SEGMENT_SIZE, SEGMENT_SIZE, MasterKey, MasterKeys, Undecryptable

SECRET, OTHER_SECRET = os.urandom(32).hex(), os.urandom(32).hex()
DOCUMENT = uuid.uuid4()


def sealed(data_key, plaintext, piece=1000):
    pieces = [plaintext[i:i + piece] for i in range(0, len(plaintext), piece)] or [b""]
    return b"".join(crypto.encrypt_chunks(data_key, pieces))


def opened(data_key, ciphertext, piece=7777):
    return b"".join(crypto.decrypt_chunks(data_key, [ciphertext[i:i + piece] for i in range(0, len(ciphertext), piece)]))


SIZES = st.sampled_from([1, 100, SEGMENT_SIZE - 1, SEGMENT_SIZE, SEGMENT_SIZE + 1, 2 * SEGMENT_SIZE, 3 * SEGMENT_SIZE + 5])


@settings(max_examples=30, deadline=None)
@given(SIZES, st.integers(1, 200_000), st.integers(1, 200_000))
def test_what_is_sealed_opens_to_the_same_bytes_whatever_the_pieces(size, write_piece, read_piece):
    data_key, plaintext = os.urandom(32), os.urandom(size)
    ciphertext = sealed(data_key, plaintext, write_piece)
    assert len(ciphertext) == crypto.ciphertext_size(size)
    assert opened(data_key, ciphertext, read_piece) == plaintext


def test_the_stored_object_does_not_contain_the_clear_text():
    data_key = os.urandom(32)
    plaintext = b"Avis d'imposition 2025 - revenu fiscal de reference 31 250 euros " * 2000
    ciphertext = sealed(data_key, plaintext)
    assert b"revenu fiscal" not in ciphertext and b"Avis" not in ciphertext


def test_the_same_document_sealed_twice_looks_different():
    data_key, plaintext = os.urandom(32), os.urandom(5000)
    assert sealed(data_key, plaintext) != sealed(data_key, plaintext)


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_any_altered_byte_is_refused(data):
    data_key, plaintext = os.urandom(32), os.urandom(2 * SEGMENT_SIZE + 10)
    ciphertext = bytearray(sealed(data_key, plaintext))
    position = data.draw(st.integers(0, len(ciphertext) - 1))
    ciphertext[position] ^= data.draw(st.integers(1, 255))
    with pytest.raises(Undecryptable):
        opened(data_key, bytes(ciphertext))


@pytest.mark.parametrize("cut", ["last_segment", "at_segment_boundary", "mid_segment", "header_only", "empty"])
def test_a_truncated_object_is_refused(cut):
    data_key, plaintext = os.urandom(32), os.urandom(3 * SEGMENT_SIZE + 10)
    ciphertext = sealed(data_key, plaintext)
    length = {"last_segment": len(ciphertext) - (10 + 16), "at_segment_boundary": HEADER_SIZE + SEALED_SEGMENT_SIZE,
              "mid_segment": HEADER_SIZE + 1000, "header_only": HEADER_SIZE, "empty": 0}[cut]
    with pytest.raises(Undecryptable):
        opened(data_key, ciphertext[:length])


def test_reordered_segments_are_refused():
    data_key, plaintext = os.urandom(32), os.urandom(3 * SEGMENT_SIZE)
    ciphertext = sealed(data_key, plaintext)
    first = ciphertext[HEADER_SIZE:HEADER_SIZE + SEALED_SEGMENT_SIZE]
    second = ciphertext[HEADER_SIZE + SEALED_SEGMENT_SIZE:HEADER_SIZE + 2 * SEALED_SEGMENT_SIZE]
    swapped = ciphertext[:HEADER_SIZE] + second + first + ciphertext[HEADER_SIZE + 2 * SEALED_SEGMENT_SIZE:]
    with pytest.raises(Undecryptable):
        opened(data_key, swapped)


def test_a_segment_is_checked_before_it_is_handed_out():
    data_key, plaintext = os.urandom(32), os.urandom(3 * SEGMENT_SIZE)
    ciphertext = bytearray(sealed(data_key, plaintext))
    ciphertext[HEADER_SIZE + SEALED_SEGMENT_SIZE + 5] ^= 1  # in the second segment
    handed = []
    with pytest.raises(Undecryptable):
        for piece in crypto.decrypt_chunks(data_key, [bytes(ciphertext)]):
            handed.append(piece)
    assert b"".join(handed) == plaintext[:SEGMENT_SIZE]


def test_another_key_opens_nothing():
    ciphertext = sealed(os.urandom(32), b"certificat medical")
    with pytest.raises(Undecryptable):
        opened(os.urandom(32), ciphertext)


def test_a_data_key_is_wrapped_for_its_own_document_only():
    keys = MasterKeys(MasterKey(SECRET))
    data_key, wrapped, key_id = keys.new_data_key(DOCUMENT)
    assert key_id == keys.current.id
    assert data_key not in wrapped
    assert keys.unwrap(wrapped, key_id, DOCUMENT) == data_key
    with pytest.raises(Undecryptable):
        keys.unwrap(wrapped, key_id, uuid.uuid4())


def test_a_master_key_id_is_a_fingerprint_of_the_key():
    assert MasterKey(SECRET).id == MasterKey(SECRET).id
    assert MasterKey(SECRET).id != MasterKey(OTHER_SECRET).id
    assert SECRET[:6] not in MasterKey(SECRET).id


def test_rotation_rewraps_a_data_key_under_the_new_master_key():
    old = MasterKeys(MasterKey(SECRET))
    data_key, wrapped, old_id = old.new_data_key(DOCUMENT)
    rotated = MasterKeys.from_settings(OTHER_SECRET, SECRET)
    rewrapped, new_id = rotated.rewrap(wrapped, old_id, DOCUMENT)
    assert new_id == MasterKey(OTHER_SECRET).id != old_id
    assert MasterKeys(MasterKey(OTHER_SECRET)).unwrap(rewrapped, new_id, DOCUMENT) == data_key


def test_a_data_key_under_a_master_key_no_longer_configured_cannot_be_opened():
    data_key, wrapped, key_id = MasterKeys(MasterKey(SECRET)).new_data_key(DOCUMENT)
    with pytest.raises(crypto.UnknownMasterKey):
        MasterKeys(MasterKey(OTHER_SECRET)).unwrap(wrapped, key_id, DOCUMENT)


@pytest.mark.parametrize("secret", [None, "", "change-me-vault-master-key-0123456789abcdef", "a" * 64, "court"])
def test_a_missing_or_weak_master_key_is_refused(secret):
    with pytest.raises(WeakSecret) as refused:
        MasterKeys.from_settings(secret)
    assert "VAULT_MASTER_KEY" in str(refused.value)
    if secret:
        assert secret not in str(refused.value)


def test_a_weak_previous_master_key_is_refused_too():
    with pytest.raises(WeakSecret) as refused:
        MasterKeys.from_settings(SECRET, "trop-court")
    assert "VAULT_PREVIOUS_MASTER_KEYS" in str(refused.value)
