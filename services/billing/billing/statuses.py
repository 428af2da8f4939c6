"""The states an invoice can be in and the moves allowed between them.

An invoice is issued; payments make it partly paid then paid; once its due
date passes unpaid it is overdue; an agent may cancel it, with a credit
note, as long as no money was received for it. A payment that bounces (a
rejected direct debit) reopens a paid invoice. Cancelled is final.
"""
from enum import StrEnum

from kit.errors import Conflict


class InvoiceStatus(StrEnum):
    ISSUED = "issued"
    PARTLY_PAID = "partly_paid"
    PAID = "paid"
    OVERDUE = "overdue"
    CANCELLED = "cancelled"


LABELS = {
    InvoiceStatus.ISSUED: "Émise",
    InvoiceStatus.PARTLY_PAID: "Partiellement payée",
    InvoiceStatus.PAID: "Payée",
    InvoiceStatus.OVERDUE: "En retard de paiement",
    InvoiceStatus.CANCELLED: "Annulée",
}

ALLOWED_MOVES = {
    InvoiceStatus.ISSUED: {InvoiceStatus.PARTLY_PAID, InvoiceStatus.PAID, InvoiceStatus.OVERDUE,
                           InvoiceStatus.CANCELLED},
    InvoiceStatus.PARTLY_PAID: {InvoiceStatus.PAID, InvoiceStatus.OVERDUE, InvoiceStatus.ISSUED},
    InvoiceStatus.OVERDUE: {InvoiceStatus.PARTLY_PAID, InvoiceStatus.PAID, InvoiceStatus.CANCELLED},
    InvoiceStatus.PAID: {InvoiceStatus.ISSUED, InvoiceStatus.PARTLY_PAID, InvoiceStatus.OVERDUE},
    InvoiceStatus.CANCELLED: set(),
}


def move(current, target):
    """The new status, or Conflict when an invoice cannot go from `current` to `target`."""
    current, target = InvoiceStatus(current), InvoiceStatus(target)
    if current == target:
        return target
    if target not in ALLOWED_MOVES[current]:
        raise Conflict(
            f"Une facture « {LABELS[current].lower()} » ne peut pas devenir « {LABELS[target].lower()} ».",
            code="invalid_status_move")
    return target


def standing(total_cents, paid_cents, due_date, today):
    """Where the money leaves an invoice that is not cancelled."""
    if paid_cents >= total_cents:
        return InvoiceStatus.PAID
    if today > due_date:
        return InvoiceStatus.OVERDUE
    return InvoiceStatus.PARTLY_PAID if paid_cents > 0 else InvoiceStatus.ISSUED


def settle(current, total_cents, paid_cents, due_date, today):
    """The status after money came in or went back (or the days went by)."""
    if InvoiceStatus(current) == InvoiceStatus.CANCELLED:
        return InvoiceStatus.CANCELLED
    return move(current, standing(total_cents, paid_cents, due_date, today))


def cancel(current, paid_cents):
    if paid_cents > 0:
        raise Conflict("Une facture sur laquelle un paiement a été reçu ne peut pas être annulée.",
                       code="invoice_has_payments")
    return move(current, InvoiceStatus.CANCELLED)
