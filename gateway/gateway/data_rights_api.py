"""The families' data rights in the JSON API (/api/v1): asking for the
export of all the household's data, following it, downloading it once, and
closing one's account. The archive streams from the vault's own HTTP
entrypoint (vault_streams); the rest is RPC."""
from marshmallow import Schema, fields

from gateway import vault_streams
from gateway.api import api, refusals
from gateway.auth import FAMILY, require, services
from gateway.errors import ApiError


class Export(Schema):
    id = fields.String(metadata={"format": "uuid"})
    status = fields.String(metadata={"description": "asked, preparing, ready, taken, expired or failed"})
    requested_at = fields.String(metadata={"format": "date-time"})
    ready_at = fields.String(allow_none=True, metadata={"format": "date-time"})
    expires_at = fields.String(allow_none=True, metadata={"format": "date-time",
                                                          "description": "the archive can be taken until then"})
    taken_at = fields.String(allow_none=True, metadata={"format": "date-time"})
    size = fields.Integer(allow_none=True)


class ClosedAccount(Schema):
    account_id = fields.String(metadata={"format": "uuid"})
    last_of_household = fields.Boolean(metadata={"description": "no other account of the household is left"})


@api.route("/me/exports", methods=["POST"])
@require(FAMILY)
@api.response(202, Export)
def request_export(account):
    """Ask for an archive of all the household's data (account, household, bookings, invoices, e-mails,
    the safe and its documents in clear); an e-mail says when it is ready."""
    return services().vault.request_export()


@api.route("/me/exports/latest")
@require(FAMILY)
@api.response(200, Export)
@refusals(404)
def latest_export(account):
    """Where the household's last export stands."""
    export = services().vault.latest_export()
    if export is None:
        raise ApiError(404, "export_not_found", "Aucun export n'a été demandé.")
    return export


@api.route("/me/exports/<export_id>/archive")
@require(FAMILY)
@api.response(200, content_type="application/zip", description="the archive; it can be downloaded once")
@refusals(409, 404)
def download_export(export_id, account):
    """The archive, once, by the account that asked for it, before it expires."""
    return vault_streams.download(vault_streams.export_archive_path(export_id))


@api.route("/me", methods=["DELETE"])
@require(FAMILY)
@api.response(200, ClosedAccount)
def close_account(account):
    """Close my account: its sessions end, its personal data is erased in every service (invoices are kept
    as accounting law requires); the household's other accounts keep their access."""
    return services().identity.close_account()
