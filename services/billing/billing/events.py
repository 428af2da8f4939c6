"""Events billing emits, and what they carry."""
from kit.events import new_event

INVOICE_READY = "invoice_ready"


def invoice_ready(invoice):
    """A new invoice a family can read and pay (notify e-mails it)."""
    return new_event(
        INVOICE_READY,
        invoice_id=str(invoice.id), invoice_number=invoice.number, household_id=str(invoice.household_id),
        period=invoice.period, total_cents=invoice.total_cents, due_date=invoice.due_date.isoformat())
