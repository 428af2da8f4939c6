"""Shapes of the RPC input, and the dicts the vault answers with. What makes a
document acceptable (category, name, type, size) is a rule of the safe,
checked in documents.py."""
import uuid

from marshmallow import Schema, fields

from kit.validation import load
from vault import documents

REQUIRED = "Champ obligatoire."
INVALID, INVALID_CODE = "Données invalides.", "invalid_input"


def identifier():
    return fields.UUID(required=True, error_messages={
        "required": REQUIRED, "null": REQUIRED, "invalid_uuid": "Identifiant invalide."})


def text():
    return fields.String(required=True, error_messages={
        "required": REQUIRED, "null": REQUIRED, "invalid": "Texte attendu."})


class DocumentId(fields.Field):
    """A malformed document id names no document: it loads as None and is
    answered like an unknown one, so that ids cannot be probed by their shape."""

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            return uuid.UUID(str(value))
        except ValueError:
            return None


class HouseholdInput(Schema):
    household_id = identifier()


class UploadInput(HouseholdInput):
    account_id = identifier()
    category = text()
    filename = text()
    content_b64 = text()


class DocumentInput(HouseholdInput):
    document_id = DocumentId(required=True, allow_none=True, error_messages={"required": REQUIRED})


class FetchInput(DocumentInput):
    account_id = identifier()


def household_id(value):
    return load(HouseholdInput(), {"household_id": value}, INVALID, INVALID_CODE)["household_id"]


def upload_request(household_id, account_id, category, filename, content_b64):
    return load(UploadInput(), {"household_id": household_id, "account_id": account_id, "category": category,
                                "filename": filename, "content_b64": content_b64}, INVALID, INVALID_CODE)


def document_request(household_id, document_id):
    return load(DocumentInput(), {"household_id": household_id, "document_id": document_id}, INVALID, INVALID_CODE)


def fetch_request(household_id, document_id, account_id):
    return load(FetchInput(), {"household_id": household_id, "document_id": document_id, "account_id": account_id},
                INVALID, INVALID_CODE)


def document_view(document):
    return {
        "id": str(document.id),
        "category": document.category,
        "category_label": documents.category_label(document.category),
        "filename": document.filename,
        "content_type": document.content_type,
        "size": document.size,
        "sha256": document.sha256,
        "uploaded_at": document.uploaded_at.isoformat(),
    }


def journal_view(entries):
    return [{"action": entry.action, "account_id": str(entry.account_id), "at": entry.at.isoformat()}
            for entry in entries]


def categories_view(labels):
    return [{"code": code, "label": label} for code, label in labels.items()]
