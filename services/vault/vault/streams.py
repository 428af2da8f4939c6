"""The bytes of the documents, over HTTP inside the cluster, never over the
broker: the gateway streams an upload to the vault and a download back,
with the same signed caller context as an RPC (see http.py). Memory stays
bounded: an upload is spooled to a private temporary file for its checks,
then sealed into the store segment by segment; a download is opened and
decrypted segment by segment.

    POST /documents?category=&filename=&issued_on=&valid_until=&answers=   (family)  -> 201 the document
    GET  /documents/<document_id>                                          (family)  -> the clear bytes
    GET  /shares/<share_id>/document                                       (agents)  -> the clear bytes
    GET  /households/<household_id>/export                                 (family, services) -> a zip
"""
import dataclasses
import io
import json
import uuid
import zipfile
from datetime import datetime
from urllib.parse import quote

from eventlet import tpool
from werkzeug.wrappers import Response

from kit.caller import AGENTS, FAMILY, SERVICES, allow
from kit.errors import Forbidden
from kit.events import utcnow
from vault import categories, documents, events, filetypes, journal, objects, schemas, sharing, store
from vault.http import caller_http
from vault.outages import answering, found, share_found, stores_answering


class StreamEntrypoints:
    @caller_http("POST", "/documents")
    @allow(FAMILY)
    @answering
    def upload(self, caller, request):
        """A document into the safe: checked, encrypted, stored, recorded; or refused and nothing kept.
        Retried with its Idempotency-Key and the same parameters and bytes, the document the first made."""
        now = utcnow()
        parameters = {k: v for k, v in request.args.items() if v != ""}
        given = schemas.upload_input(parameters)
        described = documents.describe(given["category"], given["filename"], given["issued_on"],
                                       given["valid_until"], categories.paris_day(now))
        limits = self.settings.limits
        with self.db.reading() as session:
            count, used = store.usage(session, caller.household_id)
        documents.check_room(count, used, request.content_length or 0, limits)
        with objects.spooled(request.stream, limits, self.settings.spool_dir) as spool:
            file_type = tpool.execute(filetypes.identify, spool.path, given["content_type"], described.filename,
                                      self.settings.max_image_pixels)
            described = dataclasses.replace(described, filename=documents.filename_for(described.filename, file_type))
            document_id, key = uuid.uuid4(), documents.new_storage_key()
            sealed_key, key_id = objects.seal(self.storage, self.settings.keys, document_id, key, spool)
        try:
            document = self._record_upload(caller, [parameters, spool.sha256], document_id, described, file_type,
                                           spool, key, sealed_key, key_id, given["answers"], now)
        except BaseException:
            self._remove_unrecorded(key)
            raise
        if document.storage_key != key:  # a retry: the first upload's document, this copy unneeded
            self._remove_unrecorded(key)
        return 201, self._document_view(document, now)

    def _answered_ask(self, session, household_id, ask_id):
        """The ask an upload answers, when the family uploads in answer to one."""
        if ask_id is None:
            return None
        ask = next((a for a in store.pending_asks(session, household_id) if a.id == ask_id), None)
        return found(ask, "Cette demande de document n'est plus en attente.", "ask_not_pending")

    def _record_upload(self, caller, retried_as, document_id, described, file_type, spool, key, sealed_key, key_id,
                       ask_id, now):
        with self.db.transaction() as tx:
            made_before = tx.made_before(caller, retried_as)
            if made_before:  # a retry: the ask it answered is no longer pending
                return store.document(tx.session, uuid.UUID(made_before))
            answers = self._answered_ask(tx.session, caller.household_id, ask_id)
            if not store.reserve(tx.session, caller.household_id, spool.size, self.settings.limits):
                count, used = store.usage(tx.session, caller.household_id)
                documents.check_room(count, used, spool.size, self.settings.limits)
                raise documents.quota_full()  # another upload took the room meanwhile
            document = store.add_document(
                tx.session, document_id, described, file_type, spool.size, spool.sha256, key, sealed_key, key_id,
                caller.household_id, caller.account_id, now)
            store.record(tx.session, caller.household_id, caller, journal.UPLOAD, now, document=document)
            tx.record_events([events.document_uploaded(document)])
            if answers is not None:
                request = self._open_request_of(tx.session, caller.household_id, answers.request_id)
                self._share(tx, document, request, caller, now)
            tx.made(document.id)
        return document

    def _remove_unrecorded(self, key):
        """After a failed write, removes the object unless its row made it
        after all (a commit can succeed and still report an error). When in
        doubt the object stays: the housekeeping sweep removes orphans."""
        try:
            with self.db.reading() as session:
                if store.document_with_key(session, key) is None:
                    self.storage.remove(key)
        except Exception:
            objects.log.warning("could not tidy up stored object %s after a failed upload", key, exc_info=True)

    @caller_http("GET", "/documents/<document_id>")
    @allow(FAMILY)
    @answering
    def download(self, caller, request, document_id):
        """A document of the family's own safe, in clear, journaled."""
        document_id = schemas.lenient_id(document_id)
        with self.db.reading() as session:
            document = found(store.household_document(session, caller.household_id, document_id))
        opened = objects.open_document(self.storage, self.settings.keys, document)
        with self.db.transaction() as tx:
            store.record(tx.session, document.household_id, caller, journal.DOWNLOAD, utcnow(), document=document)
        return streamed(opened, document)

    @caller_http("GET", "/shares/<share_id>/document")
    @allow(AGENTS)
    @answering
    def open_shared(self, caller, request, share_id):
        """The document a family shared with a request, for an agent, while the share lasts; journaled."""
        share_id = schemas.lenient_id(share_id)
        now = utcnow()
        with self.db.reading() as session:
            share = share_found(store.share(session, share_id))
            document = store.document(session, share.document_id)
            known = store.known_request(session, share.request_id)
        if not sharing.share_is_open(share, now) or document.deleted_at is not None:
            raise Forbidden("Ce document n'est plus partagé avec la Caisse des écoles : la famille l'a retiré, "
                            "ou la durée du partage est écoulée.", code="share_ended")
        opened = objects.open_document(self.storage, self.settings.keys, document)
        with self.db.transaction() as tx:
            store.record(tx.session, document.household_id, caller, journal.VIEW, now, document=document,
                         request=known)
        return streamed(opened, document)

    @caller_http("GET", "/households/<household_id>/export")
    @allow(FAMILY, parts=SERVICES)
    @answering
    def export(self, caller, request, household_id):
        """Everything the safe holds of a household, as a zip: `coffre-fort.json`
        (documents, shares, asks, journal) and every document in clear. For
        the family's own download and for the portal's export of all its data."""
        household_id = caller.household(household_id)
        now = utcnow()
        summary, held = self._safe_summary(household_id, caller, now)
        response = Response(zipped(summary, self._opened(held)), mimetype="application/zip", direct_passthrough=True)
        response.headers["X-Document-Filename"] = quote(f"coffre-fort-{now:%Y-%m-%d}.zip")
        return response

    def _safe_summary(self, household_id, caller, now):
        """What the safe holds of a household (`coffre-fort.json`) and its live
        documents; the export is journaled as done by `caller`."""
        with self.db.transaction() as tx:
            held = store.household_documents(tx.session, household_id)
            shares = store.household_shares(tx.session, household_id)
            requests = store.requests_by_id(tx.session, [s.request_id for s in shares])
            asks = store.pending_asks(tx.session, household_id)
            requests.update(store.requests_by_id(tx.session, [a.request_id for a in asks]))
            store.record(tx.session, household_id, caller, journal.EXPORT, now)
        with self.db.reading() as session:
            entries = store.journal(session, household_id, limit=100_000)
        summary = {
            "exported_at": now.isoformat(),
            "household_id": str(household_id),
            "documents": [self._document_view(d, now) | {"path": archive_name(d)} for d in held],
            "shares": [schemas.share_view(s, requests[s.request_id], now) for s in shares],
            "asked": [schemas.ask_view(a, requests[a.request_id]) for a in asks],
            "journal": schemas.journal_view(entries, caller.account_id,
                                            self.settings.retention.expired_document_months),
        }
        return summary, held

    def _opened(self, held):
        """Each document's archive name and its clear bytes, opened one after the other."""
        storage, keys = self.storage, self.settings.keys
        for document in held:
            with stores_answering():
                yield archive_name(document), objects.open_document(storage, keys, document)


def grouped(pieces, size=1024 * 1024):
    """Pieces regrouped into writes of about `size` bytes: fewer, larger writes to the socket."""
    group, length = [], 0
    for piece in pieces:
        group.append(piece)
        length += len(piece)
        if length >= size:
            yield b"".join(group)
            group, length = [], 0
    if group:
        yield b"".join(group)


def streamed(opened, document):
    response = Response(grouped(opened), mimetype=document.content_type, direct_passthrough=True)
    response.headers["Content-Length"] = str(document.size)
    response.headers["X-Document-Filename"] = quote(document.filename)
    response.headers["X-Document-Id"] = str(document.id)
    return response


def archive_name(document):
    return f"documents/{document.uploaded_at:%Y-%m-%d}-{str(document.id)[:8]}-{document.filename}"


class _Sink(io.RawIOBase):
    """Where zipfile writes: what it wrote is taken out after each step."""

    def __init__(self):
        self.parts = []

    def writable(self):
        return True

    def write(self, data):
        self.parts.append(bytes(data))
        return len(data)

    def take(self):
        data = b"".join(self.parts)
        self.parts.clear()
        return data


def zipped(summary, opened_documents, parts=None):
    """A zip written as it is read: the summary (and the other services'
    `parts`, {file name: data}, for the portal's export), then each document,
    one segment at a time (the documents are stored as they are: already compressed)."""
    sink = _Sink()
    with zipfile.ZipFile(sink, "w") as archive:
        for name, data in {**(parts or {}), "coffre-fort.json": summary}.items():
            archive.writestr(zipfile.ZipInfo(name, date_time=_zip_time(summary["exported_at"])),
                             json.dumps(data, ensure_ascii=False, indent=2), compress_type=zipfile.ZIP_DEFLATED)
            yield sink.take()
        for name, opened in opened_documents:
            with archive.open(zipfile.ZipInfo(name, date_time=_zip_time(summary["exported_at"])), "w") as entry:
                for chunk in opened:
                    entry.write(chunk)
                    yield sink.take()
    yield sink.take()


def _zip_time(instant):
    return datetime.fromisoformat(instant).astimezone(categories.PARIS).timetuple()[:6]
