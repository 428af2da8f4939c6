"""Billing's e-mails beyond the invoice itself: the receipt of a payment,
the reminders of an unpaid invoice, the notice of a direct debit the bank
rejected, the notice of a refund. The NotifyService inherits
these handlers; the rendering is pure (payload in, French e-mail out)."""
from datetime import date
from urllib.parse import quote

from babel.dates import format_date
from marshmallow import fields, validate
from kit.consumers import event_handler

from notify import rendering, schemas

MEANS = {
    "carte": "carte bancaire (au guichet)", "cheque": "chèque", "especes": "espèces",
    "pass_solidaire": "Pass solidaire", "cheques_vacances": "chèques vacances", "bons_caf": "bons CAF",
    "carte_en_ligne": "carte bancaire en ligne", "prelevement": "prélèvement SEPA",
}


class PaymentReceived(schemas.Event):
    """billing's `payment_received`."""

    household_id = fields.UUID(required=True)
    payment_reference = fields.String(required=True, validate=validate.Length(min=1, max=40))
    invoice_number = fields.String(required=True, validate=validate.Length(min=1, max=40))
    amount_cents = fields.Integer(required=True, strict=True)
    means = fields.String(required=True, validate=validate.OneOf(list(MEANS)))
    received_on = fields.Date(required=True)
    due_cents = fields.Integer(required=True, strict=True, validate=validate.Range(min=0))
    excess_cents = fields.Integer(required=True, strict=True)


REFUND_MEANS = {"virement": "virement bancaire", "cheque_tresor": "chèque du Trésor public",
                "especes": "espèces au guichet"}


class RefundRecorded(schemas.Event):
    """billing's `refund_recorded`."""

    household_id = fields.UUID(required=True)
    refund_reference = fields.String(required=True, validate=validate.Length(min=1, max=40))
    invoice_number = fields.String(required=True, validate=validate.Length(min=1, max=40))
    amount_cents = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    means = fields.String(required=True, validate=validate.OneOf(list(REFUND_MEANS)))
    refunded_on = fields.Date(required=True)
    refundable_cents = fields.Integer(required=True, strict=True, validate=validate.Range(min=0))


class DirectDebitRejected(schemas.Event):
    """billing's `direct_debit_rejected`."""

    household_id = fields.UUID(required=True)
    invoice_number = fields.String(required=True, validate=validate.Length(min=1, max=40))
    amount_cents = fields.Integer(required=True, strict=True)
    reason = fields.String(required=True, validate=validate.Length(min=1, max=80))
    mandate_suspended = fields.Boolean(required=True)
    due_cents = fields.Integer(required=True, strict=True, validate=validate.Range(min=0))


class InvoiceReminder(schemas.Event):
    """billing's `invoice_reminder`."""

    household_id = fields.UUID(required=True)
    invoice_number = fields.String(required=True, validate=validate.Length(min=1, max=40))
    period = fields.String(required=True, validate=validate.Regexp(r"^\d{4}-(0[1-9]|1[0-2])$"))
    due_date = fields.Date(required=True)
    due_cents = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    kind = fields.String(required=True, validate=validate.OneOf(["before_due", "overdue"]))


def _invoice_link(base_url, number):
    return f"{base_url}/factures/{quote(number, safe='')}"


def payment_received(payload, recipient, base_url):
    """The receipt: what was received, by which means, what is left to pay."""
    return rendering.render(
        "payment_received", recipient["email"], base_url, reference=payload["payment_reference"],
        number=payload["invoice_number"], amount=rendering.euros(payload["amount_cents"]),
        means=MEANS[payload["means"]], due=rendering.euros(payload["due_cents"]),
        excess=rendering.euros(payload["excess_cents"]) if payload["excess_cents"] > 0 else None,
        received_on=format_date(date.fromisoformat(payload["received_on"]), "d MMMM y", locale=rendering.LOCALE),
        link=_invoice_link(base_url, payload["invoice_number"]))


def refund_recorded(payload, recipient, base_url):
    """What the Caisse gave back, how, for which invoice, and what is left to refund on it."""
    return rendering.render(
        "refund_recorded", recipient["email"], base_url, reference=payload["refund_reference"],
        number=payload["invoice_number"], amount=rendering.euros(payload["amount_cents"]),
        means=REFUND_MEANS[payload["means"]],
        refunded_on=format_date(date.fromisoformat(payload["refunded_on"]), "d MMMM y", locale=rendering.LOCALE),
        left=rendering.euros(payload["refundable_cents"]) if payload["refundable_cents"] > 0 else None,
        link=_invoice_link(base_url, payload["invoice_number"]))


def direct_debit_rejected(payload, recipient, base_url):
    return rendering.render(
        "direct_debit_rejected", recipient["email"], base_url, number=payload["invoice_number"],
        amount=rendering.euros(payload["amount_cents"]), reason=payload["reason"],
        suspended=payload["mandate_suspended"], due=rendering.euros(payload["due_cents"]),
        link=_invoice_link(base_url, payload["invoice_number"]))


def invoice_reminder(payload, recipient, base_url):
    return rendering.render(
        "invoice_reminder", recipient["email"], base_url, number=payload["invoice_number"],
        of_month=rendering.of_month(payload["period"]),
        due=rendering.euros(payload["due_cents"]), overdue=payload["kind"] == "overdue",
        due_date=format_date(date.fromisoformat(payload["due_date"]), "d MMMM y", locale=rendering.LOCALE),
        link=_invoice_link(base_url, payload["invoice_number"]))


class BillingEmails:
    """Mixed into NotifyService: each guardian of the household is written to."""

    @event_handler("billing", "payment_received")
    def on_payment_received(self, payload):
        if payload.get("amount_cents", 0) <= 0:  # a rejected debit taken back: its own e-mail says so
            return
        self._check_readable(PaymentReceived(), payload)
        self._to_household(payload, payment_received)

    @event_handler("billing", "refund_recorded")
    def on_refund_recorded(self, payload):
        self._check_readable(RefundRecorded(), payload)
        self._to_household(payload, refund_recorded)

    @event_handler("billing", "direct_debit_rejected")
    def on_direct_debit_rejected(self, payload):
        self._check_readable(DirectDebitRejected(), payload)
        self._to_household(payload, direct_debit_rejected)

    @event_handler("billing", "invoice_reminder")
    def on_invoice_reminder(self, payload):
        self._check_readable(InvoiceReminder(), payload)
        self._to_household(payload, invoice_reminder)
