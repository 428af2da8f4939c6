"""Shapes of the RPC input. What makes a document acceptable (category, name,
type, size) is a rule of the safe, checked in documents.py."""
import uuid

from marshmallow import Schema, ValidationError, fields

from kit.errors import Invalid

REQUIRED = "Champ obligatoire."


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


HOUSEHOLD, UPLOAD, DOCUMENT, FETCH = HouseholdInput(), UploadInput(), DocumentInput(), FetchInput()


def load(schema, **data):
    try:
        return schema.load(data)
    except ValidationError as error:
        raise Invalid("Données invalides.", code="invalid_input", fields={
            name: " ".join(map(str, messages)) for name, messages in error.messages.items()}) from None
