"""Shapes of the input, and the dicts the vault answers with. What makes a
document acceptable (category, name, type, size, dates) is a rule of the
safe, checked in documents.py, categories.py and filetypes.py."""
import uuid

from marshmallow import Schema, fields, validate

from kit.validation import load
from vault import categories, journal, sharing

REQUIRED = "Champ obligatoire."
INVALID, INVALID_CODE = "Données invalides.", "invalid_input"
BAD_DATE = "Date invalide (format attendu AAAA-MM-JJ)."


def text(**kwargs):
    return fields.String(error_messages={"required": REQUIRED, "null": REQUIRED, "invalid": "Texte attendu."},
                         **kwargs)


def day(**kwargs):
    return fields.Date(allow_none=True, load_default=None,
                       error_messages={"invalid": BAD_DATE, "format": BAD_DATE}, **kwargs)


class LenientId(fields.Field):
    """A malformed id names nothing: it loads as None and is answered like an
    unknown one, so that ids cannot be probed by their shape."""

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            return uuid.UUID(str(value))
        except ValueError:
            return None


class Ids(Schema):
    value = LenientId(required=True, allow_none=True, error_messages={"required": REQUIRED})


def lenient_id(value):
    return load(Ids(), {"value": value}, INVALID, INVALID_CODE)["value"]


class UploadInput(Schema):
    category = text(required=True)
    filename = text(required=True)
    issued_on = day()
    valid_until = day()
    content_type = text(load_default="")
    answers = LenientId(load_default=None, allow_none=True)


def upload_input(values):
    return load(UploadInput(), values, INVALID, INVALID_CODE)


class AskInput(Schema):
    household_id = fields.UUID(required=True, error_messages={"required": REQUIRED, "invalid": "Identifiant invalide."})
    request_id = fields.UUID(required=True, error_messages={"required": REQUIRED, "invalid": "Identifiant invalide."})
    reference = text(required=True, validate=validate.Length(min=1, max=40, error="Référence invalide."))
    category = text(required=True)
    note = text(load_default=None, allow_none=True, validate=validate.Length(max=500, error="500 caractères au plus."))


def ask_input(values):
    return load(AskInput(), values, INVALID, INVALID_CODE)


class RequestEvent(Schema):
    """family's request_submitted / request_status_changed, as far as the vault reads them."""

    class Meta:
        unknown = "exclude"

    event_id = fields.String(required=True)
    occurred_at = fields.AwareDateTime(required=True, default_timezone=None)
    request_id = fields.UUID(required=True)
    reference = fields.String(required=True, validate=validate.Length(min=1, max=40))
    household_id = fields.UUID(required=True)
    status = fields.String(required=True, validate=validate.Length(max=40))


class AccountClosed(Schema):
    class Meta:
        unknown = "exclude"

    event_id = fields.String(required=True)
    account_id = fields.UUID(required=True)
    household_id = fields.UUID(required=True, allow_none=True)
    last_of_household = fields.Boolean(required=True)


def document_view(document, today, notice_days, shares=(), requests=None, now=None):
    kind = categories.BY_CODE[document.category]
    status = categories.validity_status(document.valid_until, today, notice_days)
    return {
        "id": str(document.id),
        "category": document.category,
        "category_label": kind.label,
        "filename": document.filename,
        "content_type": document.content_type,
        "size": document.size,
        "sha256": document.sha256,
        "uploaded_at": document.uploaded_at.isoformat(),
        "issued_on": document.issued_on.isoformat() if document.issued_on else None,
        "valid_until": document.valid_until.isoformat() if document.valid_until else None,
        "validity": status,
        "validity_label": categories.STATUS_LABELS[status],
        "shares": [share_view(share, requests[share.request_id], now) for share in shares],
    }


def share_view(share, request, now, document=None):
    state = sharing.share_state(share, now)
    view = {
        "id": str(share.id),
        "document_id": str(share.document_id),
        "request_id": str(share.request_id),
        "reference": request.reference,
        "state": state,
        "state_label": sharing.SHARE_STATE_LABELS[state],
        "shared_at": share.shared_at.isoformat(),
        "ends_at": share.ends_at.isoformat() if share.ends_at else None,
        "revoked_at": share.revoked_at.isoformat() if share.revoked_at else None,
    }
    if document is not None:
        view.update(category=document.category, category_label=categories.label(document.category),
                    filename=document.filename if state == sharing.ACTIVE else None,
                    content_type=document.content_type, size=document.size)
    return view


def ask_view(ask, request):
    return {
        "id": str(ask.id),
        "request_id": str(ask.request_id),
        "reference": request.reference,
        "category": ask.category,
        "category_label": categories.label(ask.category),
        "note": ask.note,
        "status": ask.status,
        "asked_at": ask.asked_at.isoformat(),
        "share_id": str(ask.share_id) if ask.share_id else None,
    }


def journal_view(entries, viewer_account_id, retention_months):
    return [{
        "at": entry.at.isoformat(),
        "action": entry.action,
        "actor": entry.actor,
        "document_id": str(entry.document_id) if entry.document_id else None,
        "reference": entry.request_reference,
        "sentence": journal.sentence(entry, viewer_account_id, retention_months),
    } for entry in entries]


def categories_view():
    return [{"code": kind.code, "label": kind.label, "validity": kind.validity, "needs_issue_date": kind.expires,
             "needs_valid_until": kind.given_until} for kind in categories.CATEGORIES]
