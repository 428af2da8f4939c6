"""What the safe's API accepts and returns. Types and size caps only: the
vault decides what a document, a date or a share may be."""
from flask_smorest.fields import Upload
from marshmallow import Schema, fields, validate

SHORT = validate.Length(max=64)


class DocumentForm(Schema):
    category = fields.String(required=True, validate=SHORT)
    issued_on = fields.String(load_default="", validate=SHORT, metadata={"description": "AAAA-MM-JJ, la date du document"})
    valid_until = fields.String(load_default="", validate=SHORT,
                                metadata={"description": "AAAA-MM-JJ, fin de validité (attestation CAF)"})
    answers = fields.String(load_default="", validate=SHORT,
                            metadata={"description": "la demande de document de la Caisse à laquelle il répond"})


class DocumentFile(Schema):
    file = Upload(required=True)


class ShareOut(Schema):
    id = fields.String()
    document_id = fields.String()
    request_id = fields.String()
    reference = fields.String()
    state = fields.String()
    state_label = fields.String()
    shared_at = fields.String()
    ends_at = fields.String(allow_none=True)
    revoked_at = fields.String(allow_none=True)
    category = fields.String()
    category_label = fields.String()
    filename = fields.String(allow_none=True)
    content_type = fields.String()
    size = fields.Integer()


class Document(Schema):
    id = fields.String()
    category = fields.String()
    category_label = fields.String()
    filename = fields.String()
    content_type = fields.String()
    size = fields.Integer()
    sha256 = fields.String()
    uploaded_at = fields.String()
    issued_on = fields.String(allow_none=True)
    valid_until = fields.String(allow_none=True)
    validity = fields.String()
    validity_label = fields.String()
    shares = fields.List(fields.Nested(ShareOut))


class Ask(Schema):
    id = fields.String()
    request_id = fields.String()
    reference = fields.String()
    category = fields.String()
    category_label = fields.String()
    note = fields.String(allow_none=True)
    status = fields.String()
    asked_at = fields.String()
    share_id = fields.String(allow_none=True)


class Usage(Schema):
    documents = fields.Integer()
    max_documents = fields.Integer()
    bytes = fields.Integer()
    max_bytes = fields.Integer()
    max_file_bytes = fields.Integer()
    summary = fields.String()


class Overview(Schema):
    usage = fields.Nested(Usage)
    asked = fields.List(fields.Nested(Ask))
    expired = fields.List(fields.Nested(Document))
    expiring = fields.List(fields.Nested(Document))
    today = fields.String()


class JournalLine(Schema):
    at = fields.String()
    action = fields.String()
    actor = fields.String()
    document_id = fields.String(allow_none=True)
    reference = fields.String(allow_none=True)
    sentence = fields.String()


class Deleted(Schema):
    id = fields.String()
    deleted_at = fields.String()


class ShareIn(Schema):
    request_id = fields.String(required=True, validate=SHORT)


class AskIn(Schema):
    household_id = fields.String(required=True, validate=SHORT)
    reference = fields.String(required=True, validate=SHORT)
    category = fields.String(required=True, validate=SHORT)
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))


class RequestDocuments(Schema):
    request_id = fields.String()
    reference = fields.String()
    household_id = fields.String()
    status = fields.String(allow_none=True)
    closed_at = fields.String(allow_none=True)
    asks = fields.List(fields.Nested(Ask))
    shares = fields.List(fields.Nested(ShareOut))


class Category(Schema):
    code = fields.String()
    label = fields.String()
    validity = fields.String()
    needs_issue_date = fields.Boolean()
    needs_valid_until = fields.Boolean()
