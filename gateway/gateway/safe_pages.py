"""The safe's pages: "Mon coffre-fort" for the family (documents with their
validity, the quota, what the Caisse asked for, sharing and revoking,
deleting, the journal, downloading it all) and, for agents, the documents
a family shared with a request. Same services, same checks as the API."""
from flask import Blueprint, redirect, render_template, request, url_for
from kit import errors

from gateway import vault_streams
from gateway.auth import AGENTS, FAMILY, require, services

safe = Blueprint("safe", __name__)
REFUSALS = (errors.Invalid, errors.Conflict, errors.NotFound, errors.Forbidden)
DONE = {"depose": "Document déposé.", "supprime": "Document supprimé : plus personne ne peut l'ouvrir.",
        "partage": "Document transmis à la Caisse des écoles.", "retire": "Partage retiré."}


@safe.get("/coffre-fort")
@require(FAMILY)
def safe_page(account):
    return render_safe()


def render_safe(error=None, form=None, status=200):
    vault = services().vault
    return render_template(
        "coffre_fort.html", documents=vault.list_documents(), overview=vault.overview(),
        journal=vault.safe_journal(), categories=vault.categories(), error=error, form=form or {},
        done=DONE.get(request.args.get("fait", ""))), status


@safe.post("/documents")
@require(FAMILY)
def upload(account):
    form = request.form
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return render_safe(errors.Invalid("Choisissez un fichier.", code="file_missing",
                                          fields={"file": "Choisissez un fichier."}), form, 422)
    try:
        vault_streams.upload(upload, form.get("category", ""), form.get("issued_on", ""),
                             form.get("valid_until", ""), form.get("answers", ""))
    except errors.Invalid as refused:
        return render_safe(refused, form, 422)
    return redirect(url_for("safe.safe_page", fait="depose") + "#documents")


@safe.get("/documents/<document_id>")
@require(FAMILY)
def download(document_id, account):
    return vault_streams.download(vault_streams.document_path(document_id))


@safe.get("/coffre-fort/export")
@require(FAMILY)
def export(account):
    return vault_streams.download(vault_streams.export_path(account["household_id"]))


@safe.post("/coffre-fort/documents/<document_id>/supprimer")
@require(FAMILY)
def delete(document_id, account):
    return _act(lambda: services().vault.delete_document(document_id), "supprime")


@safe.post("/coffre-fort/documents/<document_id>/partager")
@require(FAMILY)
def share(document_id, account):
    return _act(lambda: services().vault.share_with_request(document_id, request.form.get("request_id", "")),
                "partage")


@safe.post("/coffre-fort/partages/<share_id>/retirer")
@require(FAMILY)
def revoke(share_id, account):
    return _act(lambda: services().vault.revoke_share(share_id), "retire")


def _act(action, done):
    try:
        action()
    except REFUSALS as refused:
        return render_safe(refused, status=409 if isinstance(refused, errors.Conflict) else 422)
    return redirect(url_for("safe.safe_page", fait=done))


@safe.route("/agent/demarches/<request_id>/pieces", methods=["GET", "POST"])
@require(AGENTS)
def request_documents(request_id, account):
    """The agent's view of a request: ask a household for a document, open what it shared."""
    error, status, form = None, 200, request.form
    if request.method == "POST":
        try:
            services().vault.ask_for_document(form.get("household_id", ""), request_id, form.get("reference", ""),
                                              form.get("category", ""), form.get("note") or None)
            return redirect(url_for("safe.request_documents", request_id=request_id, demande=1))
        except REFUSALS as refused:
            error, status = refused, 422
    try:
        found = services().vault.request_documents(request_id)
    except errors.NotFound:
        found = None  # the vault learns a request from family or from a first ask
    return render_template("agent_pieces.html", request_id=request_id, found=found, error=error, form=form,
                           categories=services().vault.categories(), household_id=request.args.get("foyer", ""),
                           reference=request.args.get("reference", ""), asked=request.args.get("demande")), status


@safe.get("/agent/pieces/<share_id>")
@require(AGENTS)
def open_shared(share_id, account):
    return vault_streams.download(vault_streams.shared_document_path(share_id))
