"""Inputs checked at the edge: RPC arguments, and the payloads of the events
notify listens to."""
from marshmallow import EXCLUDE, Schema, ValidationError, fields, pre_load, validate

from kit.errors import Invalid

LIST_LIMIT = 200


class MessageId(Schema):
    message_id = fields.UUID(required=True, metadata={
        "code": "invalid_message_id", "message": "Identifiant de message invalide."})


class MessageQuery(Schema):
    recipient = fields.Email(load_default=None, allow_none=True, metadata={
        "code": "invalid_recipient", "message": "Adresse e-mail invalide."})
    limit = fields.Integer(strict=True, load_default=50, validate=validate.Range(1, LIST_LIMIT), metadata={
        "code": "invalid_limit", "message": f"Le nombre de messages doit être compris entre 1 et {LIST_LIMIT}."})

    @pre_load
    def normalise_recipient(self, data, **_kwargs):
        if isinstance(data.get("recipient"), str):
            data = dict(data, recipient=data["recipient"].strip().lower())
        return data


def load(schema, data):
    """The loaded input, or Invalid with a French message for each bad field;
    its code is the first bad field's, in the schema's order."""
    try:
        return schema.load(data)
    except ValidationError as error:
        bad = [name for name in schema.fields if name in error.messages]
        raise Invalid(
            "Certaines valeurs sont invalides.", code=schema.fields[bad[0]].metadata["code"],
            fields={name: schema.fields[name].metadata["message"] for name in bad}) from error


class Event(Schema):
    class Meta:
        unknown = EXCLUDE  # producers may add to their payloads

    event_id = fields.UUID(required=True)


class InvoiceReady(Event):
    """billing's `invoice_ready`."""

    invoice_id = fields.UUID(required=True)
    invoice_number = fields.String(required=True, validate=validate.Length(min=1, max=40))
    household_id = fields.UUID(required=True)
    period = fields.String(required=True, validate=validate.Regexp(r"^\d{4}-(0[1-9]|1[0-2])$"))
    total_cents = fields.Integer(required=True, strict=True, validate=validate.Range(min=0))
    due_date = fields.Date(required=True)


class AccountCreated(Event):
    """identity's `account_created`."""

    account_id = fields.UUID(required=True)
