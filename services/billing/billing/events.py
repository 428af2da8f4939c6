"""Events billing emits, and what they carry."""
from kit.events import new_event

INVOICE_READY = "invoice_ready"
PAYMENT_RECEIVED = "payment_received"
INVOICE_CANCELLED = "invoice_cancelled"


def invoice_ready(invoice):
    """A new invoice a family can read and pay (notify e-mails it); `invoice` is the row as saved."""
    return new_event(
        INVOICE_READY,
        invoice_id=str(invoice["id"]), invoice_number=invoice["number"], household_id=str(invoice["household_id"]),
        period=invoice["period"], total_cents=invoice["total_cents"], due_date=invoice["due_date"].isoformat())


def payment_received(payment, invoice):
    """Money came in for an invoice (notify sends the receipt)."""
    return new_event(
        PAYMENT_RECEIVED,
        payment_id=str(payment.id), payment_reference=payment.reference, invoice_number=invoice.number,
        household_id=str(invoice.household_id), amount_cents=payment.amount_cents, means=payment.means,
        received_on=payment.received_on.isoformat(), invoice_status=invoice.status,
        due_cents=max(invoice.total_cents - invoice.paid_cents, 0), excess_cents=payment.excess_cents)


def invoice_cancelled(invoice):
    return new_event(
        INVOICE_CANCELLED,
        invoice_id=str(invoice.id), invoice_number=invoice.number, household_id=str(invoice.household_id),
        credit_note_number=invoice.credit_note_number, total_cents=invoice.total_cents)


DIRECT_DEBIT_REJECTED = "direct_debit_rejected"


def direct_debit_rejected(invoice, collection, reason_label, mandate_status):
    """The bank rejected a debit: the invoice is owed again (notify tells the family)."""
    return new_event(
        DIRECT_DEBIT_REJECTED,
        invoice_number=invoice.number, household_id=str(invoice.household_id), amount_cents=collection.amount_cents,
        reason=reason_label, mandate_suspended=mandate_status == "suspended",
        due_cents=max(invoice.total_cents - invoice.paid_cents, 0))


INVOICE_REMINDER = "invoice_reminder"


def invoice_reminder(invoice, kind):
    """An unpaid invoice recalled to the family, before its due date or after it (notify e-mails it)."""
    return new_event(
        INVOICE_REMINDER,
        invoice_number=invoice.number, household_id=str(invoice.household_id), period=invoice.period,
        due_date=invoice.due_date.isoformat(), due_cents=max(invoice.total_cents - invoice.paid_cents, 0), kind=kind)


REFUND_RECORDED = "refund_recorded"


def refund_recorded(refund, invoice, refundable_cents):
    """Money went back to a household for an invoice (notify tells the family); `refundable_cents` is what is
    left to refund on that invoice."""
    return new_event(
        REFUND_RECORDED,
        refund_id=str(refund.id), refund_reference=refund.reference, invoice_number=invoice.number,
        household_id=str(invoice.household_id), amount_cents=refund.amount_cents, means=refund.means,
        refunded_on=refund.refunded_on.isoformat(), refundable_cents=refundable_cents)
