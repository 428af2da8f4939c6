"""A household's avoirs, carried to its next invoices.

A month whose credits exceed its charges (days of an absence justified after
they were billed, a regularisation in the family's favour) gives an invoice
with a negative total: an avoir, what the Caisse owes the household. The
avoir is carried to the household's next invoices, oldest first, as a line
« Report de l'avoir de la facture F-… » that lowers an invoice at most to
zero; what does not fit waits for the invoice after. Until then it stays in
the household's balance, where agents see it and may refund it
(billing.refunds): what a refund took of an avoir is never carried.

An invoice keeps how much of its avoir was carried (`carried_cents`, never
more than the avoir: the database refuses it) and each carried line the
invoice it comes from, so an avoir is carried once in all. Runs take turns
(store.lock_runs), so two of them never carry the same avoir; an invoice
cancelled gives back what it carried.

An overpayment (`overpaid_cents`) is not carried: it is money the régie
received, kept and flagged for a refund (allocation), and it may still go
back (a rejected direct debit takes its excess back with it); deducting it
from a later invoice would count as paid what may never be.
"""
from dataclasses import dataclass, replace

from billing.statuses import InvoiceStatus

CARRIED_CREDIT = "carried_credit"


def credit_left(total_cents, carried_cents, credit_refunded_cents, status):
    """What is left of an invoice's avoir (its negative total) to carry or refund: what was carried
    and what was refunded of it (billing.refunds) are consumed alike."""
    if InvoiceStatus(status) == InvoiceStatus.CANCELLED:
        return 0
    return max(-total_cents - carried_cents - credit_refunded_cents, 0)


@dataclass(frozen=True)
class Credit:
    """An earlier invoice's avoir, or what is left of it."""

    invoice_id: object
    number: str
    period: str
    left_cents: int


@dataclass(frozen=True)
class CarriedLine:
    """A line that carries (part of) an earlier invoice's avoir; it belongs to no child."""

    invoice_id: object  # the invoice whose avoir it carries
    number: str
    origin: str  # that invoice's month
    amount_cents: int  # below zero

    kind = CARRIED_CREDIT

    @property
    def label(self):
        return f"Report de l'avoir de la facture {self.number}"


def carry(total_cents, credits):
    """The lines carrying `credits` (oldest first) onto an invoice of `total_cents`:
    each takes what it can of what is left to pay, never below zero."""
    left, lines = total_cents, []
    for credit in credits:
        cents = min(credit.left_cents, left)
        if cents > 0:
            lines.append(CarriedLine(credit.invoice_id, credit.number, credit.period, -cents))
            left -= cents
    return tuple(lines)


def carried_onto(draft, credits):
    """The draft with the household's avoirs carried onto it."""
    return replace(draft, carried=carry(draft.total_cents, credits))


def given_back(lines):
    """What an invoice cancelled gives back of the avoirs its lines carried, by
    the invoice of each avoir: they are to carry again."""
    back = {}
    for line in lines:
        if line.kind == CARRIED_CREDIT and line.carried_from is not None:
            back[line.carried_from] = back.get(line.carried_from, 0) - line.amount_cents
    return back


def balance_cents(invoices):
    """What a household owes in all (below zero: what the Caisse owes it). Each
    invoice not cancelled counts its total less what was paid on it; an avoir
    counts until it is carried, then in the total of the invoice that took it.
    What was overpaid is to refund, on a cancelled invoice too (money that came
    after the cancellation); what was refunded went back to the household:
    charges − credits − payments + refunds."""
    return sum(invoice.total_cents - invoice.paid_cents + invoice.carried_cents
               for invoice in invoices if InvoiceStatus(invoice.status) != InvoiceStatus.CANCELLED) - sum(
        invoice.overpaid_cents - invoice.refunded_cents for invoice in invoices)
