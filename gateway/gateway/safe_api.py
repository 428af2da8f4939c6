"""The safe's JSON API (/api/v1): the family's documents, their validity,
the quota, the journal, sharing with a request and revoking, deleting for
good, downloading it all; the agents' asks and their view of what a family
shared with a request. The bytes stream to and from the vault's own HTTP
entrypoint (vault_streams), everything else is RPC."""
from gateway import safe_schemas as schemas
from gateway import vault_streams
from gateway.api import api, refusals
from gateway.auth import AGENTS, FAMILY, require, services


@api.route("/documents/categories")
@api.response(200, schemas.Category(many=True))
def document_categories():
    """The categories of documents, with how long each stays valid."""
    return services().vault.categories()


@api.route("/documents", methods=["POST"])
@require(FAMILY)
@api.arguments(schemas.DocumentForm, location="form")
@api.arguments(schemas.DocumentFile, location="files")
@api.response(201, schemas.Document)
@refusals(422, 413)
def upload_document(form, files, account):
    """Put a supporting document (PDF, JPEG, PNG) in the household's safe, with its date."""
    return vault_streams.upload(files["file"], form["category"], form["issued_on"], form["valid_until"],
                                form["answers"])


@api.route("/documents")
@require(FAMILY)
@api.response(200, schemas.Document(many=True))
def documents(account):
    """The documents in the caller's safe, newest first, with their validity and shares."""
    return services().vault.list_documents()


@api.route("/documents/overview")
@require(FAMILY)
@api.response(200, schemas.Overview)
def documents_overview(account):
    """The safe at a glance: usage and quota, documents the Caisse asked for, expired or expiring ones."""
    return services().vault.overview()


@api.route("/documents/journal")
@require(FAMILY)
@api.response(200, schemas.JournalLine(many=True))
def documents_journal(account):
    """Who did what with the household's documents, newest first, in French."""
    return services().vault.safe_journal()


@api.route("/documents/export")
@require(FAMILY)
@api.response(200, content_type="application/zip", description="the safe as a zip")
def documents_export(account):
    """Every document of the safe in clear, with a JSON summary and the journal, as one zip."""
    return vault_streams.download(vault_streams.export_path(account["household_id"]))


@api.route("/documents/<document_id>/content")
@require(FAMILY)
@api.response(200, content_type="application/octet-stream", description="the document's bytes")
@refusals(503, 404)
def document_content(document_id, account):
    """Download a document of the caller's safe, byte for byte."""
    return vault_streams.download(vault_streams.document_path(document_id))


@api.route("/documents/<document_id>", methods=["DELETE"])
@require(FAMILY)
@api.response(200, schemas.Deleted)
@refusals((409, "joint à une demande en cours"), 404)
def delete_document(document_id, account):
    """Delete a document for good: its key is destroyed, nobody can read it again."""
    return services().vault.delete_document(document_id)


@api.route("/documents/<document_id>/shares", methods=["POST"])
@require(FAMILY)
@api.arguments(schemas.ShareIn)
@api.response(201, schemas.ShareOut)
@refusals((409, "démarche close"), 404)
def share_document(share, document_id, account):
    """Hand a document to one of the household's requests: the Caisse may open it while the share lasts."""
    return services().vault.share_with_request(document_id, share["request_id"])


@api.route("/shares")
@require(FAMILY)
@api.response(200, schemas.ShareOut(many=True))
def shares(account):
    """The household's shares, newest first."""
    return services().vault.list_shares()


@api.route("/shares/<share_id>", methods=["DELETE"])
@require(FAMILY)
@api.response(200, schemas.ShareOut)
@refusals((409, "déjà terminé"), 404)
def revoke_share(share_id, account):
    """Withdraw the Caisse's access to a shared document."""
    return services().vault.revoke_share(share_id)


@api.route("/agent/requests/<request_id>/document-asks", methods=["POST"])
@require(AGENTS)
@api.arguments(schemas.AskIn)
@api.response(201, schemas.Ask)
@refusals(422, 404)
def ask_for_document(ask, request_id, account):
    """Ask a household for a document of a category for one of its requests (agents)."""
    return services().vault.ask_for_document(ask["household_id"], request_id, ask["reference"], ask["category"],
                                             ask["note"])


@api.route("/agent/requests/<request_id>/documents")
@require(AGENTS)
@api.response(200, schemas.RequestDocuments)
@refusals(404)
def request_documents(request_id, account):
    """What was asked for and shared with a request, and what can still be opened (agents)."""
    return services().vault.request_documents(request_id)


@api.route("/agent/shares/<share_id>/content")
@require(AGENTS)
@api.response(200, content_type="application/octet-stream", description="the shared document's bytes")
@refusals(404, (403, "partage terminé"))
def shared_content(share_id, account):
    """Open the document a family shared with a request, while the share lasts (agents)."""
    return vault_streams.download(vault_streams.shared_document_path(share_id))

