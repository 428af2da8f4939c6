"""What the JSON API accepts and returns (and what its OpenAPI document says).

The gateway checks only types and size caps: what makes an input right is
the rule of the service that owns it, whose refusal (code, French message,
fields) comes through as is, so the API and the pages refuse alike."""
from marshmallow import Schema, fields, validate

MONTH = validate.Length(max=16)


class ErrorBody(Schema):
    code = fields.String(required=True, metadata={"description": "stable code for programs"})
    message = fields.String(required=True, metadata={"description": "message en français"})
    fields = fields.Dict(keys=fields.String(), values=fields.String())


class Error(Schema):
    error = fields.Nested(ErrorBody, required=True)


class Registration(Schema):
    email = fields.String(required=True, validate=validate.Length(max=254))
    password = fields.String(required=True, validate=validate.Length(max=1024))
    child_key = fields.String(required=True, validate=validate.Length(max=32))


class Credentials(Schema):
    email = fields.String(required=True, validate=validate.Length(max=254))
    password = fields.String(required=True, validate=validate.Length(max=1024))


class Account(Schema):
    id = fields.String()
    email = fields.String()
    role = fields.String()
    household_id = fields.String(allow_none=True)
    created_at = fields.String()
    email_verified = fields.Boolean()
    franceconnect_linked = fields.Boolean()
    has_password = fields.Boolean()
    active = fields.Boolean()


class Session(Schema):
    token = fields.String()
    expires_at = fields.String()
    account = fields.Nested(Account)


class TokenPair(Schema):
    access_token = fields.String()
    refresh_token = fields.String()
    expires_in = fields.Integer()
    token_type = fields.String(dump_default="Bearer")
    account = fields.Nested(Account)


class RefreshIn(Schema):
    refresh_token = fields.String(required=True, validate=validate.Length(max=256))


class TokenIn(Schema):
    token = fields.String(required=True, validate=validate.Length(max=256))


class EmailIn(Schema):
    email = fields.String(required=True, validate=validate.Length(max=254))


class PasswordResetIn(Schema):
    token = fields.String(required=True, validate=validate.Length(max=256))
    password = fields.String(required=True, validate=validate.Length(max=1024))


class PasswordChangeIn(Schema):
    current_password = fields.String(required=True, validate=validate.Length(max=1024))
    new_password = fields.String(required=True, validate=validate.Length(max=1024))


class Address(Schema):
    street = fields.String(required=True, validate=validate.Length(max=200))
    postal_code = fields.String(required=True, validate=validate.Length(max=10))
    city = fields.String(required=True, validate=validate.Length(max=100))


class Contact(Schema):
    email = fields.String()
    phone = fields.String(allow_none=True)
    phone_display = fields.String(allow_none=True)
    address = fields.Nested(Address, allow_none=True)


class ContactIn(Schema):
    phone = fields.String(validate=validate.Length(max=32))
    address = fields.Nested(Address)


class EmailChangeIn(Schema):
    new_email = fields.String(required=True, validate=validate.Length(max=254))
    password = fields.String(required=True, validate=validate.Length(max=1024))


class JournalEntry(Schema):
    at = fields.String()
    account_id = fields.String(allow_none=True)
    actor_id = fields.String(allow_none=True)
    action = fields.String()
    label = fields.String()
    client_ip = fields.String(allow_none=True)
    detail = fields.Dict()


class AgentIn(Schema):
    email = fields.String(required=True, validate=validate.Length(max=254))
    password = fields.String(required=True, validate=validate.Length(max=1024))
    role = fields.String(required=True, validate=validate.Length(max=16))


class GuardianIn(Schema):
    first_name = fields.String(required=True, validate=validate.Length(max=100))
    last_name = fields.String(required=True, validate=validate.Length(max=100))
    email = fields.String(required=True, validate=validate.Length(max=254))
    phone = fields.String(validate=validate.Length(max=32))


class ChildIn(Schema):
    first_name = fields.String(required=True, validate=validate.Length(max=100))
    last_name = fields.String(required=True, validate=validate.Length(max=100))
    birth_date = fields.String(required=True, validate=validate.Length(max=32))
    school = fields.String(required=True, validate=validate.Length(max=200))


class HouseholdIn(Schema):
    guardians = fields.List(fields.Nested(GuardianIn), required=True, validate=validate.Length(max=10))
    children = fields.List(fields.Nested(ChildIn), required=True, validate=validate.Length(max=30))
    quotient_familial = fields.Integer(required=True)


class Guardian(Schema):
    id = fields.String()
    first_name = fields.String()
    last_name = fields.String()
    email = fields.String()
    phone = fields.String(allow_none=True)


class Child(Schema):
    id = fields.String()
    first_name = fields.String()
    last_name = fields.String()
    birth_date = fields.String()
    school = fields.String()


class Household(Schema):
    id = fields.String()
    child_key = fields.String(metadata={"description": "clé enfance, shown to agents only"})
    quotient_familial = fields.Integer()
    guardians = fields.List(fields.Nested(Guardian))
    children = fields.List(fields.Nested(Child))
    created_at = fields.String()


class ChildKey(Schema):
    household_id = fields.String()
    child_key = fields.String()


class BookingIn(Schema):
    child_id = fields.String(required=True, validate=validate.Length(max=64))
    activity = fields.String(required=True, validate=validate.Length(max=64))
    date = fields.String(required=True, validate=validate.Length(max=32))


class Booking(Schema):
    id = fields.String()
    child_id = fields.String()
    child_first_name = fields.String()
    activity = fields.String()
    activity_label = fields.String()
    date = fields.String()
    status = fields.String()
    created_at = fields.String()
    billed = fields.Boolean()
    status_label = fields.String()


class MonthQuery(Schema):
    month = fields.String(required=True, validate=MONTH)


class InvoiceLine(Schema):
    # null on a line that carries an earlier invoice's avoir: it belongs to no child
    child_id = fields.String(allow_none=True)
    child_first_name = fields.String(allow_none=True)
    activity = fields.String(allow_none=True)
    activity_label = fields.String(allow_none=True)
    label = fields.String()
    dates = fields.List(fields.String())
    quantity = fields.Integer()
    unit_price_cents = fields.Integer()
    amount_cents = fields.Integer()
    kind = fields.String(metadata={"description": "charge, regularisation (an earlier month's item), credit, or "
                                                  "carried_credit (an earlier invoice's avoir)"})
    status = fields.String(allow_none=True)
    price_basis = fields.String(allow_none=True)
    origin = fields.String(metadata={"description": "the month of the days billed"})


# an invoice whose total is negative is an avoir, carried to the household's next invoices
CARRIED_CENTS = {"description": "of its avoir (a negative total), carried to later invoices"}
CREDIT_LEFT_CENTS = {"description": "of its avoir, still to carry to the next invoice (or to refund)"}
# what the Caisse gave back on an invoice: of its overpayment first, then of its avoir (never carried after)
REFUNDED_CENTS = {"description": "refunded in all: of its overpayment, then of its avoir"}
CREDIT_REFUNDED_CENTS = {"description": "of its avoir, refunded (never carried to a later invoice)"}
REFUNDABLE_CENTS = {"description": "still to refund: its overpayment and its avoir left, less what was refunded"}


class InvoiceRefund(Schema):
    reference = fields.String()
    amount_cents = fields.Integer()
    means = fields.String(metadata={"description": "virement, cheque_tresor or especes"})
    means_label = fields.String()
    refunded_on = fields.String()


class InvoicePayment(Schema):
    reference = fields.String()
    amount_cents = fields.Integer()
    means = fields.String()
    means_label = fields.String()
    received_on = fields.String()


class Invoice(Schema):
    id = fields.String()
    number = fields.String()
    period = fields.String()
    issued_at = fields.String()
    due_date = fields.String()
    total_cents = fields.Integer()
    status = fields.String()
    lines = fields.List(fields.Nested(InvoiceLine))
    paid_cents = fields.Integer()
    due_cents = fields.Integer()
    overpaid_cents = fields.Integer()
    carried_cents = fields.Integer(metadata=CARRIED_CENTS)
    credit_left_cents = fields.Integer(metadata=CREDIT_LEFT_CENTS)
    status_label = fields.String()
    online = fields.Boolean()
    credit_note_number = fields.String(allow_none=True)
    payments = fields.List(fields.Nested(InvoicePayment))
    refunded_cents = fields.Integer(metadata=REFUNDED_CENTS)
    credit_refunded_cents = fields.Integer(metadata=CREDIT_REFUNDED_CENTS)
    refundable_cents = fields.Integer(metadata=REFUNDABLE_CENTS)
    refunds = fields.List(fields.Nested(InvoiceRefund))


class TariffQuery(Schema):
    quotient_familial = fields.Integer(required=True)


class Tariff(Schema):
    activity = fields.String()
    activity_label = fields.String()
    unit_price_cents = fields.Integer()
    price_basis = fields.String()
    price_basis_label = fields.String()
    rule = fields.String()
    bracket = fields.String(allow_none=True)
    reason = fields.String()


class Simulation(Schema):
    quotient_familial = fields.Integer()
    bracket = fields.String()
    tariffs = fields.List(fields.Nested(Tariff))
    reason = fields.String(allow_none=True)
    on = fields.String()


class BillingRunIn(Schema):
    period = fields.String(required=True, validate=MONTH)


class BillingRun(Schema):
    period = fields.String()
    invoices_created = fields.Integer()
    already_invoiced = fields.Integer()
