"""The states an invoice can be in and the moves allowed between them.

An invoice is issued; payments make it partly paid then paid; once its due
date passes unpaid it is overdue; an agent may cancel it as long as no money
was received for it. Paid and cancelled are final.
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
    InvoiceStatus.PARTLY_PAID: {InvoiceStatus.PAID, InvoiceStatus.OVERDUE},
    InvoiceStatus.OVERDUE: {InvoiceStatus.PARTLY_PAID, InvoiceStatus.PAID, InvoiceStatus.CANCELLED},
    InvoiceStatus.PAID: set(),
    InvoiceStatus.CANCELLED: set(),
}


def move(current, target):
    """The new status, or Conflict when an invoice cannot go from `current` to `target`."""
    current, target = InvoiceStatus(current), InvoiceStatus(target)
    if target not in ALLOWED_MOVES[current]:
        raise Conflict(
            f"Une facture « {LABELS[current].lower()} » ne peut pas devenir « {LABELS[target].lower()} ».",
            code="invalid_status_move")
    return target
