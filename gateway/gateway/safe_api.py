"""The safe's JSON API (/api/v1): the family's documents, their validity,
the quota, the journal, sharing with a request and revoking, deleting for
good, downloading it all; the agents' asks and their view of what a family
shared with a request. The bytes stream to and from the vault's own HTTP
entrypoint (vault_streams), everything else is RPC."""
from gateway import safe_schemas as schemas
from gateway import vault_streams
from gateway.api import api
from gateway.auth import AGENTS, FAMILY, require, services
from gateway.schemas import Error


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
@api.alt_response(413, schema=Error)
@api.alt_response(422, schema=Error)
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
@api.alt_response(404, schema=Error)
@api.alt_response(503, schema=Error)
def document_content(document_id, account):
    """Download a document of the caller's safe, byte for byte."""
    return vault_streams.download(vault_streams.document_path(document_id))


@api.route("/documents/<document_id>", methods=["DELETE"])
@require(FAMILY)
@api.response(200, schemas.Deleted)
@api.alt_response(404, schema=Error)
@api.alt_response(409, schema=Error, description="joint à une demande en cours")
def delete_document(document_id, account):
    """Delete a document for good: its key is destroyed, nobody can read it again."""
    return services().vault.delete_document(document_id)


@api.route("/documents/<document_id>/shares", methods=["POST"])
@require(FAMILY)
@api.arguments(schemas.ShareIn)
@api.response(201, schemas.ShareOut)
@api.alt_response(404, schema=Error)
@api.alt_response(409, schema=Error, description="démarche close")
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
@api.alt_response(404, schema=Error)
@api.alt_response(409, schema=Error, description="déjà terminé")
def revoke_share(share_id, account):
    """Withdraw the Caisse's access to a shared document."""
    return services().vault.revoke_share(share_id)


@api.route("/agent/requests/<request_id>/document-asks", methods=["POST"])
@require(AGENTS)
@api.arguments(schemas.AskIn)
@api.response(201, schemas.Ask)
@api.alt_response(404, schema=Error)
@api.alt_response(422, schema=Error)
def ask_for_document(ask, request_id, account):
    """Ask a household for a document of a category for one of its requests (agents)."""
    return services().vault.ask_for_document(ask["household_id"], request_id, ask["reference"], ask["category"],
                                             ask["note"])


@api.route("/agent/requests/<request_id>/documents")
@require(AGENTS)
@api.response(200, schemas.RequestDocuments)
@api.alt_response(404, schema=Error)
def request_documents(request_id, account):
    """What was asked for and shared with a request, and what can still be opened (agents)."""
    return services().vault.request_documents(request_id)


@api.route("/agent/shares/<share_id>/content")
@require(AGENTS)
@api.response(200, content_type="application/octet-stream", description="the shared document's bytes")
@api.alt_response(403, schema=Error, description="partage terminé")
@api.alt_response(404, schema=Error)
def shared_content(share_id, account):
    """Open the document a family shared with a request, while the share lasts (agents)."""
    return vault_streams.download(vault_streams.shared_document_path(share_id))

