"""The shapes of billing's JSON API: sizes and types only, the rules are billing's."""
from flask_smorest.fields import Upload
from marshmallow import Schema, fields, validate

from gateway.schemas import (CARRIED_CENTS, CREDIT_LEFT_CENTS, CREDIT_REFUNDED_CENTS, REFUNDABLE_CENTS,
                             REFUNDED_CENTS)

SHORT = validate.Length(max=64)


class Payment(Schema):
    id = fields.String()
    reference = fields.String()
    invoice_number = fields.String()
    amount_cents = fields.Integer()
    applied_cents = fields.Integer()
    excess_cents = fields.Integer()
    means = fields.String()
    means_label = fields.String()
    details = fields.Dict()
    received_on = fields.String()
    created_at = fields.String()


class InvoiceSummary(Schema):
    id = fields.String()
    number = fields.String()
    household_id = fields.String()
    period = fields.String()
    issued_at = fields.String()
    due_date = fields.String()
    total_cents = fields.Integer()
    paid_cents = fields.Integer()
    due_cents = fields.Integer()
    overpaid_cents = fields.Integer()
    carried_cents = fields.Integer(metadata=CARRIED_CENTS)
    credit_left_cents = fields.Integer(metadata=CREDIT_LEFT_CENTS)
    refunded_cents = fields.Integer(metadata=REFUNDED_CENTS)
    credit_refunded_cents = fields.Integer(metadata=CREDIT_REFUNDED_CENTS)
    refundable_cents = fields.Integer(metadata=REFUNDABLE_CENTS)
    status = fields.String()
    status_label = fields.String()
    online = fields.Boolean()
    credit_note_number = fields.String(allow_none=True)


class Pdf(Schema):
    filename = fields.String()
    pdf = fields.String(metadata={"description": "the PDF, base64"})


class ActivityPaid(Schema):
    activity = fields.String()
    cents = fields.Integer()


class ChildPaid(Schema):
    child_id = fields.String()
    first_name = fields.String()
    total_cents = fields.Integer()
    by_activity = fields.List(fields.Nested(ActivityPaid))


class ChildcareYear(Schema):
    year = fields.Integer()
    total_cents = fields.Integer()
    children = fields.List(fields.Nested(ChildPaid))


class Certificates(Schema):
    childcare = fields.List(fields.Nested(ChildcareYear))
    next_year = fields.Integer(metadata={"description": "its attestation is made from the 1st of January after it"})
    today = fields.String(metadata={"format": "date"})


class CertificateSpan(Schema):
    start = fields.String(required=True, validate=validate.Length(max=10), metadata={"format": "date"})
    end = fields.String(required=True, validate=validate.Length(max=10), metadata={"format": "date"})


class OnlineInvoice(Schema):
    opted_in = fields.Boolean(required=True)


class OnlineInvoiceView(Schema):
    opted_in = fields.Boolean()
    journal = fields.List(fields.Dict())


class OnlinePayment(Schema):
    transaction_id = fields.String()
    amount_cents = fields.Integer()
    url = fields.String(metadata={"description": "where to send the family: PayFiP's payment page"})


class InvoiceQuery(Schema):
    period = fields.String(load_default=None, validate=SHORT)
    status = fields.String(load_default=None, validate=SHORT)
    household_id = fields.String(load_default=None, validate=SHORT)


class CounterPaymentIn(Schema):
    number = fields.String(required=True, validate=SHORT)
    amount_cents = fields.Integer(required=True, strict=True)
    means = fields.String(required=True, validate=SHORT)
    cheque_number = fields.String(load_default=None, validate=SHORT)
    bank = fields.String(load_default=None, validate=validate.Length(max=80))
    received_on = fields.String(load_default=None, validate=SHORT)


class Receipt(Payment):
    invoice = fields.Nested(InvoiceSummary)


class RefundIn(Schema):
    number = fields.String(required=True, validate=SHORT)
    amount_cents = fields.Integer(required=True, strict=True)
    means = fields.String(required=True, validate=SHORT, metadata={
        "description": "virement (bancaire), cheque_tresor (chèque du Trésor public) or especes (au guichet)"})
    refunded_on = fields.String(load_default=None, validate=SHORT, metadata={"description": "today by default"})
    iban = fields.String(load_default=None, validate=SHORT, metadata={
        "description": "a transfer's account, when not the household's SEPA mandate's; kept masked"})
    note = fields.String(load_default=None, validate=validate.Length(max=300))


class Refund(Schema):
    id = fields.String()
    reference = fields.String(metadata={"description": "R-AAAAMMJJ-XXXXXXXX"})
    invoice_number = fields.String()
    amount_cents = fields.Integer()
    credit_cents = fields.Integer(metadata={"description": "of it, taken from the invoice's avoir"})
    means = fields.String()
    means_label = fields.String()
    iban_masked = fields.String(allow_none=True)
    note = fields.String(allow_none=True)
    refunded_on = fields.String()
    created_at = fields.String()


class RefundMade(Refund):
    invoice = fields.Nested(InvoiceSummary)


class CarriedCredit(Schema):
    label = fields.String()
    amount_cents = fields.Integer()
    avoir_number = fields.String(allow_none=True, metadata={"description": "the invoice whose avoir is carried"})
    number = fields.String(metadata={"description": "the invoice that carries it"})
    period = fields.String()


class HouseholdAccount(Schema):
    household_id = fields.String()
    invoices = fields.List(fields.Nested(InvoiceSummary))
    payments = fields.List(fields.Nested(Payment))
    balance_cents = fields.Integer()
    credit_left_cents = fields.Integer(metadata={"description": "avoirs not carried yet: to the next invoice, or "
                                                               "to refund"})
    carried_credits = fields.List(fields.Nested(CarriedCredit))
    refunds = fields.List(fields.Nested(Refund))
    refundable_cents = fields.Integer(metadata={"description": "overpayments and avoirs left, less refunds"})
    online_invoice = fields.Boolean()


class Run(Schema):
    period = fields.String()
    started_by = fields.String(allow_none=True)
    started_at = fields.String()
    automatic = fields.Boolean()
    invoices_created = fields.Integer()
    total_cents = fields.Integer()
    duration_ms = fields.Integer()


class TariffIn(Schema):
    activity = fields.String(required=True, validate=SHORT)
    effective_from = fields.String(required=True, validate=SHORT)
    price_basis = fields.String(required=True, validate=SHORT)
    kind = fields.String(required=True, validate=SHORT)
    brackets = fields.List(fields.Dict(), load_default=list, validate=validate.Length(max=30))
    effort_rate = fields.Integer(load_default=None, allow_none=True)
    floor_cents = fields.Integer(load_default=None, allow_none=True)
    ceiling_cents = fields.Integer(load_default=None, allow_none=True)
    non_resident_cents = fields.Integer(load_default=None, allow_none=True)


class Tariffs(Schema):
    on = fields.String()
    in_force = fields.List(fields.Dict())
    versions = fields.List(fields.Dict())


class CancelIn(Schema):
    reason = fields.String(required=True, validate=validate.Length(max=300))


class DebitBatchIn(Schema):
    due_date = fields.String(required=True, validate=SHORT)


class DebitBatch(Schema):
    id = fields.String()
    message_id = fields.String()
    due_date = fields.String()
    status = fields.String()
    count = fields.Integer()
    total_cents = fields.Integer()
    created_at = fields.String()
    sent_at = fields.String(allow_none=True)


class RejectionIn(Schema):
    end_to_end_id = fields.String(required=True, validate=SHORT)
    reason = fields.String(required=True, validate=SHORT)


class ReturnFileIn(Schema):
    file = Upload(required=True, metadata={"description": "le fichier XML de la banque : pain.002.001.03 ou camt.054"})


class ReturnFile(Schema):
    id = fields.String()
    filename = fields.String()
    kind = fields.String(metadata={"description": "pain.002 ou camt.054"})
    message_id = fields.String()
    original_message_id = fields.String(allow_none=True, metadata={"description": "le MsgId du lot pain.008"})
    imported_at = fields.String()
    imported_by = fields.String(allow_none=True)
    rejections = fields.Integer(metadata={"description": "les rejets du fichier, la somme des quatre suivants"})
    applied = fields.Integer(metadata={"description": "appliqués par ce fichier (à l'un de ses imports)"})
    already_recorded = fields.Integer(metadata={"description": "déjà enregistrés avant lui"})
    unknown = fields.Integer(metadata={"description": "prélèvements que le portail ne connaît pas"})
    not_sent = fields.Integer(metadata={"description": "d'un lot pas encore marqué envoyé : importer le fichier de "
                                                       "nouveau une fois le lot marqué"})


class ReturnedRejection(Schema):
    end_to_end_id = fields.String()
    reason = fields.String(metadata={"description": "le code de la banque (AM04, MD06...)"})
    reason_label = fields.String()
    invoice_number = fields.String(allow_none=True)
    household_id = fields.String(allow_none=True)
    amount_cents = fields.Integer(allow_none=True)
    mandate_status = fields.String(allow_none=True)


class ReturnReport(Schema):
    file = fields.Nested(ReturnFile)
    already_imported = fields.Boolean(metadata={"description": "le même fichier avait déjà été importé"})
    applied = fields.List(fields.Nested(ReturnedRejection), metadata={
        "description": "rejets appliqués par cet import : facture de nouveau due, famille prévenue"})
    already_recorded = fields.List(fields.Nested(ReturnedRejection))
    unknown = fields.List(fields.Nested(ReturnedRejection))
    not_sent = fields.List(fields.Nested(ReturnedRejection))
