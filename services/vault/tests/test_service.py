"""The vault in a nameko container, against the machine's PostgreSQL and
RabbitMQ, its documents in a real S3 server on loopback."""
import base64
import hashlib
import os
import uuid
from datetime import datetime

import pytest
from nameko.events import event_handler
from nameko.exceptions import RemoteError
from nameko.standalone.rpc import ServiceRpcProxy
from nameko.testing.services import entrypoint_waiter
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from kit.errors import Invalid, NotFound
from vault import store
from vault.documents import MAX_SIZE, DocumentCorrupted
from vault.models import AccessEntry, Document, OutboxEvent
from vault.service import VaultService

HOUSEHOLD, OTHER_HOUSEHOLD = str(uuid.uuid4()), str(uuid.uuid4())
GUARDIAN, OTHER_GUARDIAN = str(uuid.uuid4()), str(uuid.uuid4())


def pdf(size=200_000):
    return b"%PDF-1.7\n" + os.urandom(size) + b"\n%%EOF\n"


def b64(content):
    return base64.b64encode(content).decode("ascii")


@pytest.fixture
def s3_config(config, bucket_settings):
    return dict(config, **bucket_settings)


@pytest.fixture
def vault(container_factory, s3_config):
    container = container_factory(VaultService, s3_config)
    container.start()
    return container


@pytest.fixture
def rpc(vault, s3_config):
    with ServiceRpcProxy("vault", s3_config) as proxy:
        yield proxy


def count(look, model):
    with look.connect() as connection:
        return connection.execute(select(func.count()).select_from(model)).scalar_one()


def storage_key(look, document_id):
    with look.connect() as connection:
        query = select(Document.storage_key).where(Document.id == uuid.UUID(document_id))
        return connection.execute(query).scalar_one()


def upload(rpc, content, category="attestation_domicile", filename="attestation.pdf", household=HOUSEHOLD,
           account=GUARDIAN):
    return rpc.upload(household, account, category, filename, b64(content))


def test_an_uploaded_document_comes_back_byte_for_byte(rpc, bucket, look):
    content = pdf()
    document = upload(rpc, content, category="avis_imposition", filename="C:\\Mes documents\\avis 2025.pdf")

    assert document == {
        "id": document["id"],
        "category": "avis_imposition",
        "category_label": "Avis d'imposition",
        "filename": "avis 2025.pdf",
        "content_type": "application/pdf",
        "size": len(content),
        "sha256": hashlib.sha256(content).hexdigest(),
        "uploaded_at": document["uploaded_at"],
    }
    uuid.UUID(document["id"])
    assert datetime.fromisoformat(document["uploaded_at"]).utcoffset().total_seconds() == 0

    fetched = rpc.fetch(HOUSEHOLD, document["id"], GUARDIAN)
    returned = base64.b64decode(fetched["content_b64"])
    assert returned == content
    assert hashlib.sha256(returned).hexdigest() == document["sha256"]
    assert fetched["document"] == document


def test_the_document_categories_are_listed_in_the_order_families_see_them(rpc):
    assert rpc.categories() == [
        {"code": "attestation_domicile", "label": "Attestation de domicile"},
        {"code": "livret_famille", "label": "Livret de famille"},
        {"code": "avis_imposition", "label": "Avis d'imposition"},
        {"code": "attestation_caf", "label": "Attestation CAF"},
        {"code": "certificat_medical", "label": "Certificat médical"},
        {"code": "autre", "label": "Autre document"},
    ]


def test_the_stored_object_is_named_by_a_random_key_not_by_the_file(rpc, bucket, look):
    document = upload(rpc, pdf(), filename="livret-famille-dupont.pdf", category="livret_famille")
    key = storage_key(look, document["id"])
    assert bucket.keys() == [key]
    assert "dupont" not in key and "livret" not in key and document["id"].replace("-", "") not in key


def test_the_documents_are_listed_newest_first(rpc):
    first = upload(rpc, pdf(1000), filename="premier.pdf")
    second = upload(rpc, b"\x89PNG\r\n\x1a\n" + os.urandom(1000), category="attestation_caf", filename="caf.png")
    third = upload(rpc, b"\xff\xd8\xff\xe0" + os.urandom(1000), category="autre", filename="photo.jpg")
    upload(rpc, pdf(1000), household=OTHER_HOUSEHOLD, account=OTHER_GUARDIAN)

    listed = rpc.list_documents(HOUSEHOLD)
    assert [d["id"] for d in listed] == [third["id"], second["id"], first["id"]]
    assert listed[0] == third
    assert [d["content_type"] for d in listed] == ["image/jpeg", "image/png", "application/pdf"]


def test_another_family_cannot_list_or_open_my_documents(rpc, look):
    mine = upload(rpc, pdf())

    assert rpc.list_documents(OTHER_HOUSEHOLD) == []
    with pytest.raises(NotFound) as other_family:
        rpc.fetch(OTHER_HOUSEHOLD, mine["id"], OTHER_GUARDIAN)
    with pytest.raises(NotFound) as nonexistent:
        rpc.fetch(HOUSEHOLD, str(uuid.uuid4()), GUARDIAN)
    with pytest.raises(NotFound) as malformed:
        rpc.fetch(HOUSEHOLD, "../" + mine["id"], GUARDIAN)
    with pytest.raises(NotFound) as journal:
        rpc.access_journal(OTHER_HOUSEHOLD, mine["id"])

    for raised in (other_family, nonexistent, malformed, journal):
        assert raised.value.code == "document_not_found"
        assert raised.value.message == "Document introuvable."
    # Their attempt left no trace of a download in my journal.
    assert [entry["action"] for entry in rpc.access_journal(HOUSEHOLD, mine["id"])] == ["upload"]


EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + os.urandom(2000)


@pytest.mark.parametrize("category, filename, content_b64, code, field", [
    ("passeport", "passeport.pdf", b64(pdf(1000)), "unknown_category", "category"),
    ("autre", "avis.pdf", b64(EXE), "unsupported_type", "content_b64"),
    ("autre", "vide.pdf", "", "empty_file", "content_b64"),
    ("autre", "gros.pdf", b64(pdf(MAX_SIZE - 15)), "file_too_large", "content_b64"),
    ("autre", "avis.pdf", "ceci n'est pas du base64", "invalid_content", "content_b64"),
    ("autre", "../", b64(pdf(1000)), "invalid_filename", "filename"),
])
def test_bad_input_gets_a_typed_error_and_stores_nothing(rpc, bucket, look, category, filename, content_b64,
                                                         code, field):
    with pytest.raises(Invalid) as raised:
        rpc.upload(HOUSEHOLD, GUARDIAN, category, filename, content_b64)
    assert raised.value.code == code
    assert set(raised.value.fields) == {field}
    assert raised.value.fields[field] == raised.value.message
    assert bucket.keys() == []
    assert count(look, Document) == count(look, AccessEntry) == count(look, OutboxEvent) == 0


@pytest.mark.parametrize("call, args", [
    ("upload", ("pas-un-identifiant", GUARDIAN, "autre", "a.pdf", b64(pdf(10)))),
    ("upload", (HOUSEHOLD, None, "autre", "a.pdf", b64(pdf(10)))),
    ("upload", (HOUSEHOLD, GUARDIAN, "autre", 42, b64(pdf(10)))),
    ("list_documents", ("pas-un-identifiant",)),
    ("fetch", (HOUSEHOLD, str(uuid.uuid4()), "")),
])
def test_malformed_identifiers_are_refused_with_french_field_messages(rpc, bucket, call, args):
    with pytest.raises(Invalid) as raised:
        getattr(rpc, call)(*args)
    assert raised.value.code == "invalid_input"
    assert raised.value.message == "Données invalides."
    assert set(raised.value.fields.values()) <= {"Identifiant invalide.", "Champ obligatoire.", "Texte attendu."}
    assert bucket.keys() == []


def test_the_journal_records_each_upload_and_download(rpc):
    document = upload(rpc, pdf(), account=GUARDIAN)
    rpc.fetch(HOUSEHOLD, document["id"], GUARDIAN)
    rpc.fetch(HOUSEHOLD, document["id"], OTHER_GUARDIAN)

    journal = rpc.access_journal(HOUSEHOLD, document["id"])
    assert [(entry["action"], entry["account_id"]) for entry in journal] == [
        ("upload", GUARDIAN), ("download", GUARDIAN), ("download", OTHER_GUARDIAN)]
    assert journal[0]["at"] == document["uploaded_at"]
    moments = [datetime.fromisoformat(entry["at"]) for entry in journal]
    assert moments == sorted(moments)


@pytest.mark.parametrize("damage", ["altered", "removed"])
def test_a_corrupted_document_is_refused_rather_than_handed_back(rpc, bucket, look, damage):
    content = pdf()
    document = upload(rpc, content)
    key = storage_key(look, document["id"])
    if damage == "altered":
        bucket.overwrite(key, content[:-1] + bytes([content[-1] ^ 1]))
    else:
        bucket.remove(key)

    with pytest.raises(DocumentCorrupted) as raised:
        rpc.fetch(HOUSEHOLD, document["id"], GUARDIAN)
    assert raised.value.code == "document_corrupted"
    assert "endommagé" in raised.value.message
    assert [entry["action"] for entry in rpc.access_journal(HOUSEHOLD, document["id"])] == ["upload"]


def test_an_upload_whose_record_fails_leaves_no_object_behind(rpc, bucket, look, monkeypatch):
    def database_away(*args, **kwargs):
        raise OperationalError("INSERT INTO documents", {}, ConnectionError("la base ne répond plus"))

    monkeypatch.setattr(store, "add_document", database_away)
    with pytest.raises(RemoteError) as raised:
        upload(rpc, pdf())
    assert raised.value.exc_type == "OperationalError"
    assert bucket.keys() == []
    assert count(look, Document) == count(look, OutboxEvent) == 0


class UploadWatcher:
    name = "upload_watcher"

    @event_handler("vault", "document_uploaded")
    def seen(self, payload):
        return payload


def test_an_upload_is_announced_by_a_document_uploaded_event(rpc, container_factory, s3_config):
    watcher = container_factory(UploadWatcher, s3_config)
    watcher.start()
    with entrypoint_waiter(watcher, "seen", timeout=10) as result:
        document = upload(rpc, pdf(), category="certificat_medical")
    payload = result.get()
    assert {key: payload[key] for key in ("document_id", "household_id", "category")} == {
        "document_id": document["id"], "household_id": HOUSEHOLD, "category": "certificat_medical"}
    uuid.UUID(payload["event_id"])
    datetime.fromisoformat(payload["occurred_at"])


def test_documents_can_be_kept_in_a_local_folder(container_factory, config, look, tmp_path, monkeypatch):
    monkeypatch.delenv("S3_ENDPOINT", raising=False)
    folder = tmp_path / "documents"
    local_config = dict(config, VAULT_LOCAL_DIR=str(folder))
    container_factory(VaultService, local_config).start()
    content = b"\x89PNG\r\n\x1a\n" + os.urandom(100_000)

    with ServiceRpcProxy("vault", local_config) as proxy:
        document = proxy.upload(HOUSEHOLD, GUARDIAN, "attestation_caf", "caf.png", b64(content))
        fetched = proxy.fetch(HOUSEHOLD, document["id"], GUARDIAN)

    assert base64.b64decode(fetched["content_b64"]) == content
    key = storage_key(look, document["id"])
    assert os.listdir(folder) == [key]
    assert (folder / key).read_bytes() == content
