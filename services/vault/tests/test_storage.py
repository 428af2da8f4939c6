"""One storage interface, two places: the same promises hold for an S3 bucket
(a real S3 server on loopback) and for a local folder."""
import os

import pytest

from vault.storage import LocalStorage, S3Storage, storage_from_config

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


def test_stored_bytes_come_back_unchanged(storage):
    storage.put("k1", CONTENT, "application/pdf")
    assert storage.get("k1") == CONTENT


def test_nothing_comes_back_for_an_unknown_key(storage):
    assert storage.get("never-stored") is None


def test_a_removed_object_is_gone_and_removing_twice_is_harmless(storage):
    storage.put("k1", CONTENT, "application/pdf")
    storage.remove("k1")
    assert storage.get("k1") is None
    storage.remove("k1")


def test_preparing_again_keeps_what_is_stored(storage):
    storage.put("k1", CONTENT, "application/pdf")
    storage.prepare()
    assert storage.get("k1") == CONTENT


def test_the_bucket_is_created_when_missing(bucket, bucket_settings):
    assert not bucket.client.bucket_exists(bucket.name)
    storage_from_config(bucket_settings).prepare()
    assert bucket.client.bucket_exists(bucket.name)


def test_an_object_keeps_its_content_type_in_the_bucket(bucket, bucket_settings):
    storage = storage_from_config(bucket_settings)
    storage.prepare()
    storage.put("k1", CONTENT, "application/pdf")
    assert bucket.client.stat_object(bucket.name, "k1").content_type == "application/pdf"
    assert bucket.read("k1") == CONTENT


@pytest.mark.parametrize("key", ["../outside", "/etc/passwd", "sub/../../outside", "sub/inside", "", ".", ".."])
def test_a_key_never_reaches_outside_the_local_folder(tmp_path, key):
    storage = LocalStorage(tmp_path / "documents")
    storage.prepare()
    for act in (lambda: storage.put(key, CONTENT, "application/pdf"), lambda: storage.get(key),
                lambda: storage.remove(key)):
        with pytest.raises(ValueError):
            act()
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")) == ["documents"]


def test_a_link_in_the_local_folder_does_not_lead_out_of_it(tmp_path):
    storage = LocalStorage(tmp_path / "documents")
    storage.prepare()
    (tmp_path / "secret").write_bytes(b"hors du coffre")
    (tmp_path / "documents" / "k1").symlink_to(tmp_path / "secret")
    with pytest.raises(ValueError):
        storage.get("k1")


def test_a_local_write_leaves_only_the_finished_file(tmp_path):
    storage = LocalStorage(tmp_path)
    storage.put("k1", CONTENT, "application/pdf")
    storage.put("k1", CONTENT[:10], "application/pdf")
    assert os.listdir(tmp_path) == ["k1"]
    assert (tmp_path / "k1").read_bytes() == CONTENT[:10]


def test_an_interrupted_local_write_leaves_the_previous_file_whole(tmp_path, monkeypatch):
    storage = LocalStorage(tmp_path)
    storage.put("k1", CONTENT, "application/pdf")

    def crash(*args):
        raise OSError("disque plein")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError):
        storage.put("k1", b"%PDF-autre", "application/pdf")
    assert os.listdir(tmp_path) == ["k1"]
    assert storage.get("k1") == CONTENT
