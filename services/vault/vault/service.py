"""The families' document safe: documents encrypted at rest, their bytes
streamed over the vault's own HTTP entrypoint (never over the broker), the
family's safe and sharing on request over RPC, and the housekeeping.

    safe_rpc.py       list, overview, journal, delete (family)
    sharing_rpc.py    asks (agents), shares and revocations (family), requests followed from family's events
    streams.py        upload, download, open a shared document, export (HTTP)
    housekeeping.py   expiry notices, retention, the store's sweep, closing an account
    portal_export.py  the export of all a household's data, from every service
"""
from kit.caller import Callers
from kit.db import Database
from kit.metrics import Metrics
# the modules, not their classes: `nameko run vault.service` must find one service class here
from vault import housekeeping, portal_export, safe_rpc, sharing_rpc, streams
from vault.models import Base
from vault.settings import Settings
from vault.storage import DocumentStorage


class VaultService(safe_rpc.SafeEntrypoints, sharing_rpc.SharingEntrypoints, streams.StreamEntrypoints,
                   housekeeping.Housekeeping, portal_export.PortalExport):
    name = "vault"
    db = Database(Base)
    storage = DocumentStorage()
    settings = Settings()
    metrics = Metrics()
    callers = Callers()
