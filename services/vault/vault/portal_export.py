"""The export of all a household's data (right of access and portability),
assembled by the vault.

Why here: the archive holds the documents in clear, which only the vault can
open, and must wait somewhere safe until the family takes it; the vault
already stores objects encrypted under their own data key, in S3 or the
local folder, and runs on a timer. The other services are only asked over
RPC for what they hold (`export_household`, `export_messages`): no service
reads another's tables.

    request_export()        (family)  the archive is asked for; prepared within seconds
    latest_export()         (family)  where the household's last one stands
    GET /exports/<id>       (family, the account that asked)  the zip, once, before it expires

Preparing: a timer on every replica claims one asked export at a time
(a conditional UPDATE: one replica only), asks identity, family, billing and
notify for their part, zips them with the safe's own (coffre-fort.json and
every document in clear) into a private temporary file, and stores it
encrypted like a document. `export_ready` tells notify to e-mail the
account that asked. A service that does not answer leaves the export asked;
it is tried again on the next ticks, and marked failed after a few tries.

The archive can be downloaded once: the download destroys its data key
(crypto-shredding) before the first byte leaves; the housekeeping removes
the object, and every archive not taken once it has expired.
"""
import hashlib
import logging
import os
import tempfile
from datetime import timedelta
from urllib.parse import quote

from nameko.rpc import rpc
from nameko.timer import timer
from werkzeug.wrappers import Response

from kit.caller import FAMILY, Caller, allow
from kit.errors import Conflict, NotFound
from kit.events import new_event, utcnow
from kit.rpc import ServiceRpc
from vault import documents, objects, schemas, store
from vault.http import caller_http
from vault.outages import answering
from vault.streams import grouped, zipped

log = logging.getLogger(__name__)

ASKED, READY, TAKEN, FAILED, EXPIRED = "asked", "ready", "taken", "failed", "expired"
TICK = 2  # seconds between two looks for an export to prepare
MAX_ATTEMPTS = 5
STALLED = timedelta(minutes=15)  # far longer than preparing any archive takes
VAULT = Caller(part="vault")
ARCHIVE_TYPE = "application/zip"


def export_view(export, now):
    status = EXPIRED if export.status == READY and export.expires_at <= now else export.status
    return {
        "id": str(export.id),
        "status": status,
        "requested_at": export.requested_at.isoformat(),
        "ready_at": export.ready_at.isoformat() if export.ready_at else None,
        "expires_at": export.expires_at.isoformat() if export.expires_at else None,
        "taken_at": export.taken_at.isoformat() if export.taken_at else None,
        "size": export.size,
    }


def export_ready(export):
    return new_event("export_ready", export_id=str(export.id), household_id=str(export.household_id),
                     account_id=str(export.account_id), expires_at=export.expires_at.isoformat())


class PortalExport:
    """Over the service's `db`, `storage` and `settings`."""

    identity = ServiceRpc("identity")
    family = ServiceRpc("family")
    billing = ServiceRpc("billing")
    notify = ServiceRpc("notify")

    @rpc
    @allow(FAMILY)
    def request_export(self, caller):
        """An export of all the household's data is asked; one at a time per household."""
        now = utcnow()
        with self.db.transaction() as tx:
            export = store.export_being_prepared(tx.session, caller.household_id)
            if export is None:
                export = store.add_export(tx.session, caller.household_id, caller.account_id, ASKED, now)
        return export_view(export, now)

    @rpc
    @allow(FAMILY)
    def latest_export(self, caller):
        now = utcnow()
        with self.db.reading() as session:
            export = store.latest_export(session, caller.household_id)
            return export_view(export, now) if export else None

    @timer(interval=TICK)
    def prepare_exports(self):
        now = utcnow()
        with self.db.transaction() as tx:
            export = store.claim_export(tx.session, ASKED)
        if export is None:
            return
        try:
            self._prepare(export, now)
        except Exception:  # a service away: tried again on a later tick, then given up
            log.warning("export %s could not be prepared (try %d)", export.id, export.attempts, exc_info=True)
            with self.db.transaction() as tx:
                store.settle_export(tx.session, export.id, status=FAILED if export.attempts >= MAX_ATTEMPTS else ASKED)

    def _prepare(self, export, now):
        household_id = str(export.household_id)
        accounts = self.identity.export_household(household_id)
        parts = {
            "identite.json": accounts,
            "famille.json": self.family.export_household(household_id),
            "facturation.json": self.billing.export_household(household_id),
            "courriels.json": self.notify.export_messages([a["email"] for a in accounts["comptes"]]),
        }
        summary, held = self._safe_summary(export.household_id, VAULT, now)
        key = documents.new_storage_key()
        with _spooled(zipped(summary, self._opened(held), parts), self.settings.spool_dir) as spool:
            wrapped, key_id = objects.seal(self.storage, self.settings.keys, export.id, key, spool)
        try:
            with self.db.transaction() as tx:
                ready = store.settle_export(
                    tx.session, export.id, status=READY, ready_at=utcnow(), storage_key=key, wrapped_key=wrapped,
                    key_id=key_id, size=spool.size, sha256=spool.sha256,
                    expires_at=utcnow() + timedelta(hours=self.settings.export_hours))
                tx.record_events([export_ready(ready)])
        except BaseException:
            self._remove_object(key)
            raise

    @caller_http("GET", "/exports/<export_id>")
    @allow(FAMILY)
    @answering
    def download_export(self, caller, request, export_id):
        """The archive, to the account that asked for it, once: its data key is
        destroyed as it is opened, so no second download can read it."""
        now = utcnow()
        with self.db.reading() as session:
            export = store.export_of(session, caller.household_id, caller.account_id, schemas.lenient_id(export_id))
        if export is None:
            raise NotFound("Cet export est introuvable.", code="export_not_found")
        if export.status != READY or export.expires_at <= now:
            raise Conflict("Cet export a déjà été téléchargé ou n'est plus disponible : demandez-en un nouveau.",
                           code="export_gone")
        opened = objects.open_document(self.storage, self.settings.keys, export)
        with self.db.transaction() as tx:
            if not store.take_export(tx.session, export.id, now):
                opened.stored.close()
                raise Conflict("Cet export a déjà été téléchargé : demandez-en un nouveau.", code="export_gone")
        response = Response(grouped(opened), mimetype=ARCHIVE_TYPE, direct_passthrough=True)
        response.headers["Content-Length"] = str(export.size)
        response.headers["X-Document-Filename"] = quote(f"portail-famille-{export.ready_at:%Y-%m-%d}.zip")
        return response

    def forget_exports(self, now):
        """The objects of archives taken, failed or expired are removed; their
        rows go after a month. An export whose replica stopped while preparing
        it is asked again."""
        with self.db.transaction() as tx:
            store.ask_stalled_exports_again(tx.session, now - STALLED)
            keys = store.shred_spent_exports(tx.session, now, READY)
            store.forget_exports_before(tx.session, now - timedelta(days=30))
        for key in keys:
            self._remove_object(key)


class _spooled:
    """The zip written to a private temporary file, counted and fingerprinted
    (objects.Spooled), removed afterwards."""

    def __init__(self, pieces, directory):
        self.pieces, self.directory = pieces, directory

    def __enter__(self):
        descriptor, self.path = tempfile.mkstemp(prefix="vault-export-", dir=self.directory)
        digest, size = hashlib.sha256(), 0
        with os.fdopen(descriptor, "wb") as file:
            for piece in self.pieces:
                digest.update(piece)
                size += len(piece)
                file.write(piece)
        return objects.Spooled(self.path, size, digest.hexdigest())

    def __exit__(self, *exc):
        os.unlink(self.path)
