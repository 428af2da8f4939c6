"""The vault in a nameko container, against the machine's PostgreSQL and
RabbitMQ; every test runs twice, its documents in a real S3 server on
loopback and in a local folder."""
import hashlib
import io
import json
import uuid
import zipfile
from datetime import date, datetime, timedelta, timezone

import pytest
from nameko.events import event_handler
from nameko.testing.services import entrypoint_hook, entrypoint_waiter
from sqlalchemy import func, select, text, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

import samples
from kit.caller import Caller, CallerKey
from kit.errors import Conflict, Forbidden, NotFound, Unauthenticated, Unavailable
from kit.outbox import sealed_dispatcher
from vault import crypto, objects, store
from vault import keys as rotation
from vault.documents import MEBIBYTE
from vault.models import AccessEntry, Document, DocumentAsk, HouseholdUsage, OutboxEvent, Share
from vault.storage import StorageUnavailable


def sealed(config):
    """Sends events as the portal's outbox relays do, sealed with the key the parts share."""
    return sealed_dispatcher(config, CallerKey(config["CALLER_CONTEXT_KEY"]))

HOUSEHOLD, OTHER_HOUSEHOLD = uuid.uuid4(), uuid.uuid4()
GUARDIAN, SECOND_GUARDIAN, OTHER_GUARDIAN = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
REQUEST, REFERENCE = uuid.uuid4(), "D-2026-000123"
TODAY = date.today()


@pytest.fixture
def vault(start_vault):
    return start_vault()


@pytest.fixture
def streams(vault):
    return vault[1]


@pytest.fixture
def safe(rpc):
    """The vault's RPC, as each caller reaches it (the test starts the vault it needs)."""
    return rpc("vault")


@pytest.fixture
def me(as_family):
    return as_family(HOUSEHOLD, GUARDIAN)


def refusal(answer, status):
    """The kit error the vault answered over HTTP: (class name, code, message, fields)."""
    assert answer.status_code == status, answer.text
    error = answer.json()["error"]
    message, code, fields = error["exc_args"]
    return error["exc_type"], code, message, fields


def uploaded(streams, caller, content=None, **kwargs):
    answer = streams.upload(caller, content if content is not None else samples.pdf(50_000), **kwargs)
    assert answer.status_code == 201, answer.text
    return answer.json()


def count(look, model):
    with look.connect() as connection:
        return connection.execute(select(func.count()).select_from(model)).scalar_one()


def row(look, document_id):
    with look.connect() as connection:
        return connection.execute(select(Document).where(Document.id == uuid.UUID(document_id))).one()


def sentences(safe, household=HOUSEHOLD, account=GUARDIAN):
    return [line["sentence"] for line in safe.as_family(household, account).safe_journal()]


# --- keeping a document -------------------------------------------------------

def test_an_uploaded_document_comes_back_byte_for_byte(streams, me, safe):
    content = samples.pdf(300_000)
    document = uploaded(streams, me, content, category="avis_imposition", filename="C:\\Mes documents\\avis 2026.pdf",
                        issued_on="2026-08-20")
    assert {k: document[k] for k in ("category", "category_label", "filename", "content_type", "size", "sha256",
                                     "issued_on", "valid_until")} == {
        "category": "avis_imposition", "category_label": "Avis d'imposition", "filename": "avis 2026.pdf",
        "content_type": "application/pdf", "size": len(content), "sha256": hashlib.sha256(content).hexdigest(),
        "issued_on": "2026-08-20", "valid_until": "2027-12-31"}

    answer = streams.get(me, f"/documents/{document['id']}")
    assert answer.status_code == 200
    assert answer.content == content
    assert answer.headers["Content-Type"] == "application/pdf"
    assert answer.headers["X-Document-Filename"] == "avis%202026.pdf"
    assert safe.as_family(HOUSEHOLD, GUARDIAN).list_documents()[0]["id"] == document["id"]


def test_a_retried_upload_with_the_same_key_keeps_one_document(streams, me, safe, stored, look):
    content = samples.pdf(60_000)
    first = uploaded(streams, me, content, idempotency_key="upload-1")
    again = uploaded(streams, me, content, idempotency_key="upload-1")
    assert again == first
    assert [d["id"] for d in safe.as_family(HOUSEHOLD, GUARDIAN).list_documents()] == [first["id"]]
    assert stored.keys() == [row(look, first["id"]).storage_key]


@pytest.mark.parametrize("other_bytes, other", [(True, {}), (False, {"filename": "autre.pdf"})])
def test_the_same_key_with_other_bytes_or_parameters_is_refused_and_keeps_nothing(
        streams, me, stored, look, other_bytes, other):
    content = samples.pdf(60_000)
    first = uploaded(streams, me, content, idempotency_key="upload-2")
    answer = streams.upload(me, samples.pdf(60_000) if other_bytes else content, idempotency_key="upload-2", **other)
    assert refusal(answer, 400)[1] == "idempotency_key_reused"
    assert count(look, Document) == 1
    assert stored.keys() == [row(look, first["id"]).storage_key]


def test_the_stored_object_is_encrypted_and_named_by_a_random_key(streams, me, stored, look):
    marker = b"REVENU FISCAL DE REFERENCE 31250"
    content = samples.pdf(text=marker.decode())
    image = samples.png()
    document = uploaded(streams, me, content, filename="avis-dupont.pdf")
    photo = uploaded(streams, me, image, filename="photo.png", content_type="image/png", category="autre",
                     issued_on=None)
    keys = stored.keys()
    assert sorted([row(look, document["id"]).storage_key, row(look, photo["id"]).storage_key]) == keys
    for key in keys:
        raw = stored.read(key)
        assert raw.startswith(crypto.MAGIC)
        assert marker not in raw and b"%PDF" not in raw and b"IHDR" not in raw and image[100:200] not in raw
        assert "dupont" not in key and document["id"].replace("-", "") not in key


def test_the_database_keeps_the_data_key_only_wrapped(streams, me, look, master_key):
    document = uploaded(streams, me)
    kept = row(look, document["id"])
    assert kept.key_id == crypto.MasterKey(master_key).id
    assert len(kept.wrapped_key) == crypto.WRAP_NONCE_SIZE + crypto.DATA_KEY_SIZE + crypto.TAG_SIZE


def test_the_family_sees_its_documents_newest_first_with_their_validity(streams, me, safe):
    first = uploaded(streams, me, issued_on=(TODAY - timedelta(days=100)).isoformat())
    second = uploaded(streams, me, samples.png(), category="attestation_caf", filename="caf.png",
                      content_type="image/png", issued_on="2026-01-05", valid_until="2099-12-31")
    third = uploaded(streams, me, samples.jpeg(), category="livret_famille", filename="livret.jpg",
                     content_type="image/jpeg", issued_on=None)
    listed = safe.as_family(HOUSEHOLD, GUARDIAN).list_documents()
    assert [d["id"] for d in listed] == [third["id"], second["id"], first["id"]]
    assert [(d["validity"], d["validity_label"]) for d in listed] == [
        ("permanent", "Sans date de fin"), ("valid", "Valide"), ("expired", "Expiré")]
    overview = safe.as_family(HOUSEHOLD, GUARDIAN).overview()
    assert [d["id"] for d in overview["expired"]] == [first["id"]]
    assert overview["usage"]["documents"] == 3
    assert overview["usage"]["bytes"] == sum(d["size"] for d in listed)


def test_another_family_cannot_list_open_delete_or_share_my_documents(streams, me, safe, as_family):
    mine = uploaded(streams, me)
    theirs = as_family(OTHER_HOUSEHOLD, OTHER_GUARDIAN)
    assert safe.as_family(OTHER_HOUSEHOLD).list_documents() == []
    assert refusal(streams.get(theirs, f"/documents/{mine['id']}"), 400)[1] == "document_not_found"
    for call, args in (("delete_document", (mine["id"],)), ("access_journal", (mine["id"],)),
                       ("share_with_request", (mine["id"], str(REQUEST)))):
        with pytest.raises(NotFound) as raised:
            getattr(safe.as_family(OTHER_HOUSEHOLD, OTHER_GUARDIAN), call)(*args)
        assert raised.value.message == "Document introuvable."
    assert [line["action"] for line in safe.as_family(HOUSEHOLD, GUARDIAN).safe_journal()] == ["upload"]


# --- bad input: a clear French error, nothing stored ---------------------------

@pytest.mark.parametrize("content, content_type, filename, code, said", [
    (samples.pdf_with_javascript(), "application/pdf", "avis.pdf", "active_pdf", "JavaScript"),
    (samples.EXE, "application/pdf", "avis.pdf", "unsupported_type", "PDF, JPEG ou PNG"),
    (samples.truncated_png(), "image/png", "photo.png", "damaged_image", "endommagée"),
    (samples.encrypted_pdf(), "application/pdf", "avis.pdf", "encrypted_pdf", "mot de passe"),
    (samples.png(), "application/pdf", "photo.pdf", "type_mismatch", "son contenu est une image PNG"),
    (b"", "application/pdf", "vide.pdf", "empty_file", "vide"),
])
def test_a_bad_file_is_refused_and_nothing_is_stored(streams, me, stored, look, content, content_type, filename,
                                                       code, said):
    kind, error_code, message, fields = refusal(streams.upload(me, content, filename=filename,
                                                               content_type=content_type), 400)
    assert (kind, error_code) == ("Invalid", code)
    assert said in message and fields == {"file": message}
    assert stored.keys() == []
    assert count(look, Document) == count(look, AccessEntry) == count(look, OutboxEvent) == 0


@pytest.mark.parametrize("params, code, field", [
    ({"category": "passeport"}, "unknown_category", "category"),
    ({"filename": "../"}, "invalid_filename", "filename"),
    ({"issued_on": None}, "missing_issue_date", "issued_on"),
    ({"issued_on": "2026-13-45"}, "invalid_input", "issued_on"),
    ({"category": "attestation_caf"}, "missing_valid_until", "valid_until"),
])
def test_a_badly_described_document_is_refused_before_its_bytes_are_read(streams, me, stored, look, params, code,
                                                                         field):
    _kind, error_code, _message, fields = refusal(streams.upload(me, samples.pdf(), **params), 400)
    assert error_code == code and set(fields) == {field}
    assert stored.keys() == [] and count(look, Document) == 0


def test_a_file_over_the_limit_is_refused(start_vault, me, stored, look):
    _container, streams = start_vault(VAULT_MAX_FILE_BYTES=str(MEBIBYTE))
    _kind, code, message, _fields = refusal(streams.upload(me, samples.pdf(MEBIBYTE + 10)), 400)
    assert code == "file_too_large" and message == "Le fichier dépasse la taille maximale de 1 Mo."
    assert stored.keys() == [] and count(look, Document) == 0


def test_a_full_safe_refuses_one_more_document_by_count_or_by_bytes(start_vault, me, stored, look, safe):
    _container, streams = start_vault(VAULT_MAX_DOCUMENTS="2", VAULT_QUOTA_BYTES=str(300_000))
    uploaded(streams, me, samples.pdf(100_000))
    _kind, code, message, _fields = refusal(streams.upload(me, samples.pdf(250_000)), 400)
    assert code == "quota_full" and "Votre coffre-fort est plein : il reste" in message
    uploaded(streams, me, samples.pdf(10_000))
    _kind, code, message, _fields = refusal(streams.upload(me, samples.pdf(1000)), 400)
    assert code == "quota_full" and "il contient déjà 2 documents" in message
    assert len(stored.keys()) == 2 and count(look, Document) == 2
    usage = safe.as_family(HOUSEHOLD, GUARDIAN).overview()["usage"]
    assert (usage["documents"], usage["max_documents"], usage["max_bytes"]) == (2, 2, 300_000)


def test_deleting_a_document_gives_its_room_back(start_vault, me, safe, look):
    _container, streams = start_vault(VAULT_MAX_DOCUMENTS="1")
    first = uploaded(streams, me)
    safe.as_family(HOUSEHOLD, GUARDIAN).delete_document(first["id"])
    uploaded(streams, me)
    with look.connect() as connection:
        assert connection.execute(select(HouseholdUsage.documents)).scalar_one() == 1


# --- the journal ---------------------------------------------------------------

def test_the_journal_says_who_opened_what_and_when_in_french(streams, me, safe, as_family):
    document = uploaded(streams, me)
    streams.get(as_family(HOUSEHOLD, SECOND_GUARDIAN), f"/documents/{document['id']}")
    lines = sentences(safe)
    assert lines[0].startswith("Un autre responsable du foyer a ouvert votre attestation de domicile le ")
    assert lines[1].startswith("Vous avez déposé votre attestation de domicile le ")
    assert [line["action"] for line in safe.as_family(HOUSEHOLD, GUARDIAN).access_journal(document["id"])] == [
        "download", "upload"]


# --- unavailable, never a crash --------------------------------------------------

@pytest.mark.parametrize("damage, code", [("altered", "document_corrupted"), ("removed", "document_missing")])
def test_a_damaged_or_missing_object_is_a_clear_503_and_is_counted(streams, me, stored, look, safe, damage, code):
    document = uploaded(streams, me)
    key = row(look, document["id"]).storage_key
    if damage == "altered":
        raw = bytearray(stored.read(key))
        raw[-5] ^= 1
        stored.write(key, bytes(raw))
    else:
        stored.remove(key)
    reason = "corrupted" if damage == "altered" else "missing"
    before = objects.UNAVAILABLE.labels(reason)._value.get()
    kind, error_code, message, _fields = refusal(streams.get(me, f"/documents/{document['id']}"), 503)
    assert (kind, error_code) == ("Unavailable", code)
    assert "Caisse des écoles a été prévenue" in message
    assert objects.UNAVAILABLE.labels(reason)._value.get() == before + 1
    assert [line["action"] for line in safe.as_family(HOUSEHOLD, GUARDIAN).safe_journal()] == ["upload"]


def test_a_store_that_does_not_answer_is_a_503(vault, streams, me, monkeypatch):
    document = uploaded(streams, me)
    storage = next(d.storage for d in vault[0].dependencies if hasattr(d, "storage") and hasattr(d.storage, "put"))

    def away(*args, **kwargs):
        raise StorageUnavailable("connection refused")

    monkeypatch.setattr(storage, "open", away)
    monkeypatch.setattr(storage, "put", away)
    assert refusal(streams.get(me, f"/documents/{document['id']}"), 503)[1] == "service_unavailable"
    assert refusal(streams.upload(me, samples.pdf()), 503)[1] == "service_unavailable"


def test_a_database_that_does_not_answer_is_unavailable_not_a_crash(vault, safe, monkeypatch):
    def away(*args, **kwargs):
        raise OperationalError("SELECT", {}, ConnectionError("la base ne répond plus"))

    monkeypatch.setattr(store, "household_documents", away)
    with pytest.raises(Unavailable):
        safe.as_family(HOUSEHOLD, GUARDIAN).list_documents()


def test_an_upload_whose_record_fails_leaves_no_object_behind(streams, me, stored, look, monkeypatch):
    def away(*args, **kwargs):
        raise OperationalError("INSERT INTO documents", {}, ConnectionError("la base ne répond plus"))

    monkeypatch.setattr(store, "add_document", away)
    assert refusal(streams.upload(me, samples.pdf()), 503)[1] == "service_unavailable"
    assert stored.keys() == [] and count(look, Document) == 0


# --- who may call -------------------------------------------------------------

def test_only_the_family_opens_its_safe(streams, me, safe, as_agent):
    document = uploaded(streams, me)
    for calls in (safe.as_agent, safe.as_admin, safe.as_part("billing")):
        with pytest.raises(Forbidden):
            calls.list_documents()
    assert refusal(streams.get(as_agent, f"/documents/{document['id']}"), 400)[0] == "Forbidden"
    assert refusal(streams.get(None, f"/documents/{document['id']}"), 400)[0] == "Unauthenticated"
    assert refusal(streams.upload(as_agent, samples.pdf()), 400)[0] == "Forbidden"
    with pytest.raises(Unauthenticated):
        safe.unsigned.list_documents()


# --- sharing on request -------------------------------------------------------

def request_changed(config, status, occurred_at=None, request_id=REQUEST, household=HOUSEHOLD):
    dispatch = sealed(config)
    dispatch("family", "request_status_changed", {
        "event_id": str(uuid.uuid4()), "occurred_at": (occurred_at or datetime.now(timezone.utc)).isoformat(),
        "request_id": str(request_id), "reference": REFERENCE, "household_id": str(household),
        "kind": "changement_situation", "status": status})


def ask(safe, category="attestation_domicile", household=HOUSEHOLD):
    return safe.as_agent.ask_for_document(str(household), str(REQUEST), REFERENCE, category,
                                          "Merci de nous transmettre un justificatif récent.")


class Watcher:
    name = "watcher"

    @event_handler("vault", "document_requested")
    def requested(self, payload):
        return payload

    @event_handler("vault", "document_expiring")
    def expiring(self, payload):
        return payload


def test_an_agent_asks_the_family_shares_and_the_agent_opens_that_document_only(
        vault, streams, me, safe, as_agent, container_factory, vault_config):
    watcher = container_factory(Watcher, vault_config)
    watcher.start()
    with entrypoint_waiter(watcher, "requested", timeout=10) as announced:
        asked = ask(safe)
    assert announced.get()["reference"] == REFERENCE and announced.get()["category_label"] == "Attestation de domicile"
    overview = safe.as_family(HOUSEHOLD, GUARDIAN).overview()
    assert [(a["id"], a["category"], a["reference"]) for a in overview["asked"]] == [
        (asked["id"], "attestation_domicile", REFERENCE)]

    shared_doc = uploaded(streams, me, samples.pdf(20_000))
    private_doc = uploaded(streams, me, samples.pdf(20_000), category="certificat_medical")
    share = safe.as_family(HOUSEHOLD, GUARDIAN).share_with_request(shared_doc["id"], str(REQUEST))
    assert (share["state"], share["reference"]) == ("active", REFERENCE)
    assert safe.as_family(HOUSEHOLD, GUARDIAN).overview()["asked"] == []

    opened = streams.get(as_agent, f"/shares/{share['id']}/document")
    assert opened.status_code == 200 and hashlib.sha256(opened.content).hexdigest() == shared_doc["sha256"]
    # the agent reaches the family's documents through a share only, never the rest of the safe
    assert refusal(streams.get(as_agent, f"/documents/{private_doc['id']}"), 400)[0] == "Forbidden"
    assert refusal(streams.get(as_agent, f"/shares/{uuid.uuid4()}/document"), 400)[1] == "share_not_found"

    seen = safe.as_agent.request_documents(str(REQUEST))
    assert [(a["status"], a["share_id"]) for a in seen["asks"]] == [("answered", share["id"])]
    assert [(s["id"], s["state"], s["filename"]) for s in seen["shares"]] == [
        (share["id"], "active", shared_doc["filename"])]
    assert sentences(safe)[0].startswith(
        "La Caisse des écoles a consulté votre attestation de domicile le ")
    assert sentences(safe)[0].endswith(f"pour la demande {REFERENCE}.")


def test_the_agent_s_access_ends_after_the_request_closes(start_vault, me, safe, as_agent, vault_config):
    vault, streams = start_vault(VAULT_SHARE_DAYS_AFTER_CLOSE="0")
    ask(safe)
    document = uploaded(streams, me)
    share = safe.as_family(HOUSEHOLD, GUARDIAN).share_with_request(document["id"], str(REQUEST))
    assert streams.get(as_agent, f"/shares/{share['id']}/document").status_code == 200
    with entrypoint_waiter(vault, "on_request_status_changed", timeout=10):
        request_changed(vault_config, "accepted")
    kind, code, message, _ = refusal(streams.get(as_agent, f"/shares/{share['id']}/document"), 400)
    assert (kind, code) == ("Forbidden", "share_ended") and "la durée du partage est écoulée" in message
    assert safe.as_family(HOUSEHOLD, GUARDIAN).list_shares()[0]["state"] == "ended"
    with pytest.raises(Conflict):
        safe.as_family(HOUSEHOLD, GUARDIAN).share_with_request(document["id"], str(REQUEST))


def test_a_share_lasts_the_set_days_after_closing_and_an_older_event_changes_nothing(
        vault, streams, me, safe, as_agent, vault_config, look):
    ask(safe)
    document = uploaded(streams, me)
    share = safe.as_family(HOUSEHOLD, GUARDIAN).share_with_request(document["id"], str(REQUEST))
    closed_at = datetime.now(timezone.utc).replace(microsecond=0)
    with entrypoint_waiter(vault[0], "on_request_status_changed", timeout=10):
        request_changed(vault_config, "refused", closed_at)
    with entrypoint_waiter(vault[0], "on_request_status_changed", timeout=10):
        request_changed(vault_config, "in_review", closed_at - timedelta(hours=1))  # late news, ignored
    with look.connect() as connection:
        ends_at = connection.execute(select(Share.ends_at)).scalar_one()
    assert ends_at == closed_at + timedelta(days=30)
    assert streams.get(as_agent, f"/shares/{share['id']}/document").status_code == 200


def test_the_family_revokes_a_share_and_the_agent_can_no_longer_open_it(streams, me, safe, as_agent):
    ask(safe)
    document = uploaded(streams, me)
    share = safe.as_family(HOUSEHOLD, GUARDIAN).share_with_request(document["id"], str(REQUEST))
    revoked = safe.as_family(HOUSEHOLD, GUARDIAN).revoke_share(share["id"])
    assert revoked["state"] == "revoked"
    assert refusal(streams.get(as_agent, f"/shares/{share['id']}/document"), 400)[1] == "share_ended"
    assert sentences(safe)[0].startswith(
        f"Vous avez retiré à la Caisse des écoles l'accès à votre attestation de domicile pour la demande {REFERENCE}")
    with pytest.raises(Conflict):
        safe.as_family(HOUSEHOLD, GUARDIAN).revoke_share(share["id"])


def test_a_family_cannot_share_with_another_household_s_request_nor_share_another_s_document(
        streams, me, safe, as_family, look):
    ask(safe, household=OTHER_HOUSEHOLD)
    mine = uploaded(streams, me)
    with pytest.raises(NotFound) as raised:
        safe.as_family(HOUSEHOLD, GUARDIAN).share_with_request(mine["id"], str(REQUEST))
    assert raised.value.code == "request_not_found" and raised.value.message == "Cette démarche est introuvable."
    with pytest.raises(NotFound) as raised:
        safe.as_family(OTHER_HOUSEHOLD, OTHER_GUARDIAN).share_with_request(mine["id"], str(REQUEST))
    assert raised.value.code == "document_not_found"
    assert count(look, Share) == 0


def test_an_upload_can_answer_an_ask_directly(streams, me, safe, look):
    asked = ask(safe, category="attestation_caf")
    document = uploaded(streams, me, samples.png(), category="attestation_caf", filename="caf.png",
                        content_type="image/png", issued_on="2026-01-10", valid_until="2099-12-31",
                        answers=asked["id"])
    shares = safe.as_family(HOUSEHOLD, GUARDIAN).list_shares()
    assert [(s["document_id"], s["reference"]) for s in shares] == [(document["id"], REFERENCE)]
    with look.connect() as connection:
        assert connection.execute(select(DocumentAsk.status)).scalar_one() == "answered"


def test_a_retried_upload_answering_an_ask_answers_the_first_document(streams, me, safe, look):
    asked, content = ask(safe, category="attestation_caf"), samples.pdf(20_000)
    first, again = [uploaded(streams, me, content, category="attestation_caf", valid_until="2099-12-31",
                             answers=asked["id"], idempotency_key="upload-3") for _ in range(2)]
    assert again == first
    assert [s["document_id"] for s in safe.as_family(HOUSEHOLD, GUARDIAN).list_shares()] == [first["id"]]
    assert count(look, Document) == 1


# --- deleting for good ------------------------------------------------------------

def test_a_document_held_by_a_request_in_progress_cannot_be_deleted_until_it_closes(
        vault, streams, me, safe, vault_config):
    ask(safe)
    document = uploaded(streams, me)
    safe.as_family(HOUSEHOLD, GUARDIAN).share_with_request(document["id"], str(REQUEST))
    with pytest.raises(Conflict) as raised:
        safe.as_family(HOUSEHOLD, GUARDIAN).delete_document(document["id"])
    assert raised.value.code == "document_held_by_request"
    assert f"la demande {REFERENCE}, en cours de traitement" in raised.value.message
    with entrypoint_waiter(vault[0], "on_request_status_changed", timeout=10):
        request_changed(vault_config, "accepted")
    safe.as_family(HOUSEHOLD, GUARDIAN).delete_document(document["id"])
    assert safe.as_family(HOUSEHOLD, GUARDIAN).list_documents() == []


def test_a_deleted_document_is_unreadable_for_good_even_with_a_copy_of_its_object_and_of_the_database(
        streams, me, safe, stored, look, master_key, database_url, as_agent):
    content = samples.pdf(100_000)
    document = uploaded(streams, me, content)
    key = row(look, document["id"]).storage_key
    copy_of_object = stored.read(key)  # a backup taken before the deletion
    keys = crypto.MasterKeys.from_settings(master_key)
    assert b"".join(crypto.decrypt_chunks(keys.unwrap(row(look, document["id"]).wrapped_key,
                                                      row(look, document["id"]).key_id,
                                                      uuid.UUID(document["id"])), [copy_of_object])) == content

    deleted = safe.as_family(HOUSEHOLD, GUARDIAN).delete_document(document["id"])
    assert deleted["id"] == document["id"]
    assert stored.keys() == []
    assert refusal(streams.get(me, f"/documents/{document['id']}"), 400)[1] == "document_not_found"

    # Everything the database holds after the deletion, as a dump would have it:
    # no byte string in it opens the object, even with the master key.
    with look.connect() as connection:
        dumped = [value for table in ("documents", "access_entries", "shares", "outbox_events", "household_usage")
                  for record in connection.execute(text(f"SELECT * FROM {table}")) for value in record]
    candidates = [bytes(v) for v in dumped if isinstance(v, (bytes, memoryview))]
    assert row(look, document["id"]).wrapped_key is None and row(look, document["id"]).sha256 is None
    for candidate in candidates:
        with pytest.raises(crypto.Undecryptable):
            keys.unwrap(candidate, keys.current.id, uuid.UUID(document["id"]))
    assert sentences(safe)[0].endswith(": plus personne ne peut l'ouvrir.")


# --- key rotation ---------------------------------------------------------------------

def test_rotating_the_master_key_rewraps_data_keys_and_leaves_the_objects_untouched(
        start_vault, me, stored, look, database_url, master_key, vault_config):
    old, streams = start_vault()
    content = samples.pdf(70_000)
    document = uploaded(streams, me, content)
    before = {key: stored.read(key) for key in stored.keys()}
    new_key = uuid.uuid4().hex + uuid.uuid4().hex
    report = rotation.rotate(database_url, crypto.MasterKeys.from_settings(new_key, master_key))
    assert report == {"rewrapped": 1, "already_current": 0}
    assert row(look, document["id"]).key_id == crypto.MasterKey(new_key).id
    assert {key: stored.read(key) for key in stored.keys()} == before
    old.stop()
    _new, streams = start_vault(VAULT_MASTER_KEY=new_key)
    assert streams.get(me, f"/documents/{document['id']}").content == content
    assert rotation.rotate(database_url, crypto.MasterKeys.from_settings(new_key)) == {
        "rewrapped": 0, "already_current": 1}


# --- the export ---------------------------------------------------------------------

def test_the_family_downloads_its_whole_safe_as_a_zip(streams, me, safe):
    pdf_content, png_content = samples.pdf(30_000), samples.png()
    uploaded(streams, me, pdf_content, filename="domicile.pdf")
    uploaded(streams, me, png_content, filename="livret.png", content_type="image/png", category="livret_famille",
             issued_on=None)
    answer = streams.get(me, f"/households/{HOUSEHOLD}/export")
    assert answer.status_code == 200 and answer.headers["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(answer.content))
    summary = json.loads(archive.read("coffre-fort.json"))
    assert sorted(d["filename"] for d in summary["documents"]) == ["domicile.pdf", "livret.png"]
    contents = {d["filename"]: archive.read(d["path"]) for d in summary["documents"]}
    assert contents == {"domicile.pdf": pdf_content, "livret.png": png_content}
    assert [line["action"] for line in summary["journal"]] == ["export", "upload", "upload"]
    assert sentences(safe)[0].startswith("Vous avez téléchargé l'ensemble de votre coffre-fort le ")


def test_a_service_exports_a_household_s_safe_for_the_portal_s_export(streams, me, as_family):
    uploaded(streams, me)
    answer = streams.get(Caller(part="identity"), f"/households/{HOUSEHOLD}/export")
    assert answer.status_code == 200
    assert len(zipfile.ZipFile(io.BytesIO(answer.content)).namelist()) == 2
    assert refusal(streams.get(as_family(OTHER_HOUSEHOLD), f"/households/{HOUSEHOLD}/export"), 400)[1] == \
        "household_not_found"


# --- housekeeping ---------------------------------------------------------------------

def run_housekeeping(container):
    with entrypoint_hook(container, "housekeeping") as hook:
        hook()


def test_the_family_is_told_once_before_a_document_expires(vault, streams, me, container_factory, vault_config, look):
    watcher = container_factory(Watcher, vault_config)
    watcher.start()
    soon = uploaded(streams, me, issued_on=(TODAY - timedelta(days=80)).isoformat())
    uploaded(streams, me, issued_on=TODAY.isoformat())
    with entrypoint_waiter(watcher, "expiring", timeout=10) as told:
        run_housekeeping(vault[0])
    assert {k: told.get()[k] for k in ("document_id", "household_id", "category_label")} == {
        "document_id": soon["id"], "household_id": str(HOUSEHOLD), "category_label": "Attestation de domicile"}
    run_housekeeping(vault[0])
    with look.connect() as connection:
        told = connection.execute(select(OutboxEvent.event_type).where(
            OutboxEvent.event_type == "document_expiring")).scalars().all()
    assert told == ["document_expiring"]


def test_retention_deletes_documents_long_expired_old_journal_lines_and_published_events(
        vault, streams, me, safe, stored, look):
    old = uploaded(streams, me, issued_on="2024-01-10")  # valid until 2024-04-09
    kept = uploaded(streams, me, issued_on=TODAY.isoformat())
    with look.begin() as connection:
        connection.execute(update(AccessEntry).where(AccessEntry.document_id == uuid.UUID(kept["id"]))
                           .values(at=datetime.now(timezone.utc) - timedelta(days=800)))
        connection.execute(update(OutboxEvent).values(published_at=datetime.now(timezone.utc) - timedelta(days=40)))
    run_housekeeping(vault[0])
    assert [d["id"] for d in safe.as_family(HOUSEHOLD, GUARDIAN).list_documents()] == [kept["id"]]
    assert stored.keys() == [row(look, kept["id"]).storage_key]
    assert row(look, old["id"]).wrapped_key is None
    lines = safe.as_family(HOUSEHOLD, GUARDIAN).safe_journal()
    assert lines[0]["sentence"].startswith("Le coffre-fort a supprimé votre attestation de domicile le ")
    assert lines[0]["sentence"].endswith("sa validité avait pris fin depuis plus de 6 mois.")
    assert all(line["document_id"] != kept["id"] for line in lines)
    assert count(look, OutboxEvent) == 1  # the old ones forgotten; retention's own deletion journaled, no event


def test_the_sweep_removes_orphaned_objects_and_reports_missing_ones(start_vault, me, stored, look):
    vault, streams = start_vault(VAULT_ORPHAN_GRACE_HOURS="0")
    kept = uploaded(streams, me)
    lost = uploaded(streams, me)
    stored.write("0123456789abcdef0123456789abcdef", b"never recorded")
    stored.remove(row(look, lost["id"]).storage_key)
    run_housekeeping(vault)
    assert stored.keys() == [row(look, kept["id"]).storage_key]
    assert objects.MISSING_OBJECTS._value.get() == 1


def test_two_replicas_never_run_the_housekeeping_at_once(look):
    now = datetime.now(timezone.utc)
    with Session(look) as first, Session(look) as second:
        with first.begin():
            store.lock_job(first, "housekeeping", now - timedelta(hours=2), timedelta(hours=1))
        with first.begin(), second.begin():
            assert store.lock_job(first, "housekeeping", now, timedelta(hours=1)) is True
            assert store.lock_job(second, "housekeeping", now, timedelta(hours=1)) is False
        with second.begin():
            assert store.lock_job(second, "housekeeping", now + timedelta(minutes=5), timedelta(hours=1)) is False


# --- closing an account ------------------------------------------------------------------

def account_closed(config, account, household, last):
    sealed(config)("identity", "account_closed", {
        "event_id": str(uuid.uuid4()), "occurred_at": datetime.now(timezone.utc).isoformat(),
        "account_id": str(account), "household_id": str(household), "last_of_household": last})


def test_when_one_guardian_closes_the_other_keeps_the_safe_and_the_closed_account_leaves_no_id(
        vault, streams, me, safe, look, vault_config, as_family):
    document = uploaded(streams, me)
    streams.get(as_family(HOUSEHOLD, SECOND_GUARDIAN), f"/documents/{document['id']}")
    with entrypoint_waiter(vault[0], "on_account_closed", timeout=10):
        account_closed(vault_config, GUARDIAN, HOUSEHOLD, last=False)
    assert streams.get(as_family(HOUSEHOLD, SECOND_GUARDIAN), f"/documents/{document['id']}").status_code == 200
    with look.connect() as connection:
        for table, column in (("access_entries", "account_id"), ("documents", "uploaded_by"), ("shares", "shared_by")):
            assert connection.execute(text(f"SELECT count(*) FROM {table} WHERE {column} = :a"),
                                      {"a": GUARDIAN}).scalar_one() == 0
    assert sentences(safe, account=SECOND_GUARDIAN)[-1].startswith("Un ancien responsable du foyer a déposé")


def test_when_the_last_guardian_closes_the_household_leaves_nothing_in_the_vault(
        vault, streams, me, safe, stored, look, vault_config, as_family):
    ask(safe)
    document = uploaded(streams, me)
    safe.as_family(HOUSEHOLD, GUARDIAN).share_with_request(document["id"], str(REQUEST))
    other = uploaded(streams, as_family(OTHER_HOUSEHOLD, OTHER_GUARDIAN))
    with entrypoint_waiter(vault[0], "on_account_closed", timeout=10):
        account_closed(vault_config, GUARDIAN, HOUSEHOLD, last=True)
    with look.connect() as connection:
        for table in ("documents", "access_entries", "shares", "document_asks", "known_requests", "household_usage"):
            left = connection.execute(text(f"SELECT * FROM {table}")).mappings().all()
            assert all(str(HOUSEHOLD) not in {str(v) for v in r.values()} for r in left), table
    assert stored.keys() == [row(look, other["id"]).storage_key]
