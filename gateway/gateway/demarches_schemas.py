"""What the API of requests (démarches) and Ma famille accepts and returns.
Types and size caps only: family decides what a request may say."""
from marshmallow import Schema, fields, validate

from gateway.schemas import Household

SHORT = validate.Length(max=64)
LONG = validate.Length(max=20_000)  # family refuses beyond its own, smaller, limits, in French
DOCUMENTS = fields.List(fields.String(validate=SHORT), load_default=list, validate=validate.Length(max=50))


class RequestIn(Schema):
    kind = fields.String(required=True, validate=SHORT)
    data = fields.Dict(required=True)
    document_ids = DOCUMENTS


class MessageIn(Schema):
    body = fields.String(required=True, validate=LONG)
    document_ids = DOCUMENTS


class QuestionIn(Schema):
    question = fields.String(required=True, validate=LONG)


class DocumentAskIn(Schema):
    category = fields.String(required=True, validate=SHORT)
    note = fields.String(load_default=None, allow_none=True, validate=LONG)


class AcceptIn(Schema):
    quotient_familial = fields.Integer(load_default=None, allow_none=True, strict=True,
                                       metadata={"description": "le QF lu sur l'attestation, s'il diffère"})


class RefuseIn(Schema):
    reason = fields.String(required=True, validate=LONG)


class InboxQuery(Schema):
    kind = fields.String(load_default=None, validate=SHORT)
    status = fields.String(load_default=None, validate=SHORT)
    older_than_days = fields.Integer(load_default=None, validate=validate.Range(min=0, max=3650))
    assignee = fields.String(load_default=None, validate=SHORT, metadata={"description": "me ou none"})


class SearchQuery(Schema):
    q = fields.String(required=True, validate=validate.Length(max=200))


class Entry(Schema):
    id = fields.String()
    action = fields.String()
    action_label = fields.String()
    author = fields.String(metadata={"description": "family ou agent"})
    body = fields.String(allow_none=True)
    document_ids = fields.List(fields.String())
    status = fields.String()
    occurred_at = fields.String()


class RequestSummary(Schema):
    id = fields.String()
    reference = fields.String(metadata={"example": "D-2026-000123"})
    kind = fields.String()
    kind_label = fields.String()
    title = fields.String()
    status = fields.String()
    status_label = fields.String()
    created_at = fields.String()
    updated_at = fields.String()
    decided_at = fields.String(allow_none=True)
    expected = fields.String(allow_none=True, metadata={"description": "ce que la Caisse attend de la famille"})
    decision_reason = fields.String(allow_none=True)
    last_message = fields.Nested(Entry, allow_none=True)
    household_id = fields.String(metadata={"description": "agents seulement"})
    assignee_id = fields.String(allow_none=True, metadata={"description": "agents seulement"})


class RequestDetail(RequestSummary):
    data = fields.Dict()
    document_ids = fields.List(fields.String())
    timeline = fields.List(fields.Nested(Entry))


class Period(Schema):
    value = fields.Integer()
    valid_from = fields.String()
    valid_until = fields.String(allow_none=True)
    source = fields.String()
    justified = fields.Boolean()


class Address(Schema):
    line1 = fields.String()
    line2 = fields.String(allow_none=True)
    postal_code = fields.String()
    city = fields.String()
    valid_from = fields.String()


class JournalEntry(Schema):
    action = fields.String()
    actor_id = fields.String(allow_none=True)
    details = fields.Dict()
    occurred_at = fields.String()


class FamilyOverview(Household):
    address = fields.Nested(Address, allow_none=True)
    quotient_familial_current = fields.Nested(Period)
    quotient_familial_history = fields.List(fields.Nested(Period))
    requests = fields.List(fields.Nested(RequestSummary))
    journal = fields.List(fields.Nested(JournalEntry), metadata={"description": "agents seulement"})


class Choice(Schema):
    code = fields.String()
    label = fields.String()


class Catalogue(Schema):
    kinds = fields.List(fields.Nested(Choice))
    changes = fields.List(fields.Nested(Choice))
    subjects = fields.List(fields.Nested(Choice))
    mandate_text = fields.String()
    creditor = fields.String()
