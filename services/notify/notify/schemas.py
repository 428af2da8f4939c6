"""Inputs checked at the edge: RPC arguments, and the payloads of the events
notify listens to; and the dicts notify answers with."""
from marshmallow import EXCLUDE, Schema, fields, pre_load, validate

from kit.validation import load

LIST_LIMIT = 200
INVALID = "Certaines valeurs sont invalides."


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


def message_id(value):
    return load(MessageId(), {"message_id": value}, INVALID)["message_id"]


def message_query(recipient, limit):
    return load(MessageQuery(), {"recipient": recipient, "limit": limit}, INVALID)


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


def link_token():
    """The single-use token of a link; notify builds the link itself from the
    portal's own address, so no URL from an event ever reaches a mailbox."""
    return fields.String(required=True, validate=validate.Regexp(r"^[A-Za-z0-9_-]{20,200}$"))


class EmailVerificationRequested(Event):
    """identity's `email_verification_requested`."""

    account_id = fields.UUID(required=True)
    email = fields.Email(required=True)
    token = link_token()


class PasswordResetRequested(Event):
    """identity's `password_reset_requested`."""

    account_id = fields.UUID(required=True)
    email = fields.Email(required=True)
    token = link_token()


class PasswordChanged(Event):
    """identity's `password_changed`."""

    occurred_at = fields.AwareDateTime(required=True)
    account_id = fields.UUID(required=True)
    email = fields.Email(required=True)


class EmailChangeRequested(Event):
    """identity's `email_change_requested`."""

    account_id = fields.UUID(required=True)
    new_email = fields.Email(required=True)
    token = link_token()


class EmailChanged(Event):
    """identity's `email_changed`."""

    occurred_at = fields.AwareDateTime(required=True)
    account_id = fields.UUID(required=True)
    old_email = fields.Email(required=True)
    new_email = fields.Email(required=True)


def message_summary(message):
    return {
        "id": str(message.id),
        "recipient": message.recipient,
        "subject": message.subject,
        "template": message.template,
        "status": message.status,
        "attempts": message.attempts,
        "created_at": message.created_at.isoformat(),
        "sent_at": message.sent_at.isoformat() if message.sent_at else None,
    }


def message_status(message):
    next_attempt_at = message.next_attempt_at.isoformat() if message.next_attempt_at else None
    return dict(message_summary(message), last_error=message.last_error, next_attempt_at=next_attempt_at)
