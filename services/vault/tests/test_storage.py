"""One storage interface, two places: the same promises hold for an S3 bucket
(a real S3 server on loopback) and for a local folder."""
import os
from datetime import datetime, timezone

import pytest
from loopback import free_port

from vault.storage import CHUNK_SIZE, PART_SIZE, LocalStorage, S3Storage, StorageUnavailable, storage_from_config

CONTENT = b"%PDF-1.7\n" + os.urandom(50_000)


@pytest.fixture(params=["s3", "local"])
def storage(request, tmp_path):
    if request.param == "s3":
        settings = request.getfixturevalue("bucket_settings")
        place = storage_from_config(settings)
    else:
        place = LocalStorage(tmp_path / "documents")
    place.prepare()
    return place


def test_the_configuration_chooses_the_place(bucket_settings, tmp_path, monkeypatch):
    monkeypatch.delenv("S3_ENDPOINT", raising=False)
    s3 = storage_from_config(bucket_settings)
    assert isinstance(s3, S3Storage) and s3.bucket == bucket_settings["S3_BUCKET"]
    local = storage_from_config({"VAULT_LOCAL_DIR": str(tmp_path)})
    assert isinstance(local, LocalStorage) and local.folder == tmp_path.resolve()


def test_without_settings_documents_go_to_the_var_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("S3_ENDPOINT", raising=False)
    monkeypatch.delenv("VAULT_LOCAL_DIR", raising=False)
    monkeypatch.setenv("PORTAIL_VAR_DIR", str(tmp_path))
    assert storage_from_config({}).folder == (tmp_path / "documents").resolve()


def put(storage, key, content, piece=10_000):
    storage.put(key, (content[i:i + piece] for i in range(0, len(content), piece)), len(content))


def get(storage, key):
    stored = storage.open(key)
    if stored is None:
        return None
    try:
        return b"".join(stored)
    finally:
        stored.close()


def test_stored_bytes_come_back_unchanged(storage):
    put(storage, "k1", CONTENT)
    assert get(storage, "k1") == CONTENT


def test_an_object_bigger_than_one_part_streams_in_and_out(storage):
    big = os.urandom(PART_SIZE + 12_345)
    put(storage, "big", big, piece=CHUNK_SIZE)
    stored = storage.open("big")
    pieces = list(stored)
    stored.close()
    assert b"".join(pieces) == big and max(len(p) for p in pieces) <= CHUNK_SIZE


def test_nothing_comes_back_for_an_unknown_key(storage):
    assert storage.open("never-stored") is None


def test_a_removed_object_is_gone_and_removing_twice_is_harmless(storage):
    put(storage, "k1", CONTENT)
    storage.remove("k1")
    assert storage.open("k1") is None
    storage.remove("k1")


def test_preparing_again_keeps_what_is_stored(storage):
    put(storage, "k1", CONTENT)
    storage.prepare()
    assert get(storage, "k1") == CONTENT


def test_the_keys_stored_are_listed_with_when_they_were_written(storage):
    put(storage, "k1", CONTENT)
    put(storage, "k2", CONTENT)
    listed = dict(storage.keys())
    assert sorted(listed) == ["k1", "k2"]
    assert all(abs((datetime.now(timezone.utc) - moment).total_seconds()) < 120 for moment in listed.values())


def test_a_store_that_does_not_answer_says_so(tmp_path):
    away = S3Storage(f"127.0.0.1:{free_port()}", "a", "b", "documents")
    with pytest.raises(StorageUnavailable):
        away.open("k1")
    with pytest.raises(StorageUnavailable):
        put(away, "k1", CONTENT)


def test_the_bucket_is_created_when_missing(bucket, bucket_settings):
    assert not bucket.client.bucket_exists(bucket.name)
    storage_from_config(bucket_settings).prepare()
    assert bucket.client.bucket_exists(bucket.name)


def test_an_object_in_the_bucket_is_what_was_put(bucket, bucket_settings):
    storage = storage_from_config(bucket_settings)
    storage.prepare()
    put(storage, "k1", CONTENT)
    assert bucket.read("k1") == CONTENT


@pytest.mark.parametrize("key", ["../outside", "/etc/passwd", "sub/../../outside", "sub/inside", "", ".", ".."])
def test_a_key_never_reaches_outside_the_local_folder(tmp_path, key):
    storage = LocalStorage(tmp_path / "documents")
    storage.prepare()
    for act in (lambda: put(storage, key, CONTENT), lambda: storage.open(key), lambda: storage.remove(key)):
        with pytest.raises(ValueError):
            act()
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")) == ["documents"]


def test_a_link_in_the_local_folder_does_not_lead_out_of_it(tmp_path):
    storage = LocalStorage(tmp_path / "documents")
    storage.prepare()
    (tmp_path / "secret").write_bytes(b"hors du coffre")
    (tmp_path / "documents" / "k1").symlink_to(tmp_path / "secret")
    with pytest.raises(ValueError):
        storage.open("k1")


def test_a_local_write_leaves_only_the_finished_file(tmp_path):
    storage = LocalStorage(tmp_path)
    put(storage, "k1", CONTENT)
    put(storage, "k1", CONTENT[:10])
    assert os.listdir(tmp_path) == ["k1"]
    assert (tmp_path / "k1").read_bytes() == CONTENT[:10]


def test_an_interrupted_local_write_leaves_the_previous_file_whole(tmp_path, monkeypatch):
    storage = LocalStorage(tmp_path)
    put(storage, "k1", CONTENT)

    def crash(*args):
        raise OSError("disque plein")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError):
        put(storage, "k1", b"%PDF-autre")
    assert os.listdir(tmp_path) == ["k1"]
    assert get(storage, "k1") == CONTENT
