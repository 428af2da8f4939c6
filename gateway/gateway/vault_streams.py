"""The documents' bytes between the gateway and the vault, over the vault's
own HTTP entrypoint inside the cluster, never over the broker. Each call
carries the signed caller context of the request (the same as an RPC's, in
the `X-Portail-Caller` header); the vault's refusals come back as the same
kit.errors an RPC would raise, so the one error table applies.

Memory stays bounded: an upload is read from the form's spooled file in
pieces as it is sent; a download is passed on piece by piece.
"""
import uuid
from urllib.parse import quote, unquote

import requests
from flask import Response, current_app, stream_with_context
from kit import errors, idempotency
from kit.caller import CONTEXT_KEY, HTTP_HEADER, REQUEST_ID_KEY
from nameko.exceptions import deserialize

from gateway.auth import call_context
from gateway.rpc import ServiceUnavailable

PIECE = 256 * 1024


class _Body:
    """A spooled upload, sent in large pieces with its length known."""

    def __init__(self, stream):
        self.stream = stream
        stream.seek(0, 2)
        self.length = stream.tell()
        stream.seek(0)

    def __len__(self):
        return self.length

    def read(self, _size=-1):
        return self.stream.read(PIECE)


def _headers():
    context = call_context()
    headers = {HTTP_HEADER: context[CONTEXT_KEY], "X-Request-ID": context.get(REQUEST_ID_KEY) or ""}
    if idempotency.CONTEXT_KEY in context:  # an upload the client may retry
        headers["Idempotency-Key"] = context[idempotency.CONTEXT_KEY]
    return headers


def _call(method, path, **kwargs):
    settings = current_app.extensions["vault_streams"]
    try:
        answer = requests.request(method, settings["url"] + path, headers={**_headers(), **kwargs.pop("headers", {})},
                                  timeout=(5, settings["timeout"]), **kwargs)
    except requests.RequestException as error:
        raise ServiceUnavailable(f"the vault does not answer: {error}") from error
    if answer.status_code >= 400:
        try:
            error = answer.json()["error"]
        except (ValueError, KeyError):
            answer.close()
            raise ServiceUnavailable(f"the vault answered {answer.status_code}") from None
        answer.close()
        raise deserialize(error)
    return answer


def upload(upload, category, issued_on="", valid_until="", answers=""):
    """Puts a document in the caller's safe; the vault's view of it."""
    params = {"category": category, "filename": upload.filename or "", "issued_on": issued_on,
              "valid_until": valid_until, "answers": answers}
    return _call("POST", "/documents", params={k: v for k, v in params.items() if v}, data=_Body(upload.stream),
                 headers={"Content-Type": upload.mimetype or "application/octet-stream"}).json()


def download(path):
    """The bytes the vault streams at `path`, passed on as they come."""
    answer = _call("GET", path, stream=True)

    def pieces():
        try:
            yield from answer.iter_content(PIECE)
        finally:
            answer.close()

    response = Response(stream_with_context(pieces()), mimetype=answer.headers.get("Content-Type"),
                        direct_passthrough=True)
    if "Content-Length" in answer.headers:
        response.headers["Content-Length"] = answer.headers["Content-Length"]
    filename = unquote(answer.headers.get("X-Document-Filename", "document"))
    response.headers["Content-Disposition"] = attachment(filename)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


def document_path(document_id):
    return f"/documents/{_id(document_id, 'Document introuvable.', 'document_not_found')}"


def shared_document_path(share_id):
    return f"/shares/{_id(share_id, 'Ce partage est introuvable.', 'share_not_found')}/document"


def export_path(household_id):
    return f"/households/{_id(household_id, 'Ce foyer est introuvable.', 'household_not_found')}/export"


def export_archive_path(export_id):
    return f"/exports/{_id(export_id, 'Cet export est introuvable.', 'export_not_found')}"


def _id(value, message, code):
    """An id as one segment of the vault's path: a malformed one names nothing."""
    try:
        return str(uuid.UUID(value))
    except (TypeError, ValueError):
        raise errors.NotFound(message, code=code) from None


def attachment(filename):
    ascii_name = filename.encode("ascii", "replace").decode("ascii").replace('"', "")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"


def init_app(app, settings):
    app.extensions["vault_streams"] = {"url": settings.vault_url.rstrip("/"), "timeout": settings.rpc_timeout * 6}
