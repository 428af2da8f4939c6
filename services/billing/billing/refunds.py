"""What the Caisse owes a household on an invoice, and the refunds that settle it.

Two kinds of money are owed back on an invoice: its overpayment (received
beyond what it asked, billing.allocation) and, for an avoir (a negative
total), what of it was not carried yet to a later invoice (billing.carry).
An agent refunds them by bank transfer, by a cheque of the Trésor public or
in cash at the counter: a refund takes the overpayment first, then the
avoir, and never more than is left of both. What a refund took of an avoir
is consumed as if it had been carried: no run carries it afterwards, no
refund takes it again. The household's balance counts each refund as money
gone back to it (charges − credits − payments + refunds).
"""
from dataclasses import dataclass

from kit.errors import Conflict, Invalid

from billing import carry, sepa
from billing.money import euros

TRANSFER, TREASURY_CHEQUE, CASH = "virement", "cheque_tresor", "especes"
MEANS_LABELS = {
    TRANSFER: "Virement bancaire",
    TREASURY_CHEQUE: "Chèque du Trésor public",
    CASH: "Espèces au guichet",
}


@dataclass(frozen=True)
class Refundable:
    """What is left to refund on an invoice, of its overpayment and of its avoir."""

    overpaid_cents: int
    credit_cents: int

    @property
    def cents(self):
        return self.overpaid_cents + self.credit_cents


def refundable(invoice):
    """What is left to refund on an invoice as the store keeps it. What was refunded of the overpayment
    may pass what is overpaid now (a rejected direct debit took its excess back): nothing is left then."""
    refunded_overpaid = invoice.refunded_cents - invoice.credit_refunded_cents
    return Refundable(max(invoice.overpaid_cents - refunded_overpaid, 0),
                      carry.credit_left(invoice.total_cents, invoice.carried_cents, invoice.credit_refunded_cents,
                                        invoice.status))


@dataclass(frozen=True)
class Share:
    """What one refund takes of an invoice's overpayment and of its avoir."""

    overpaid_cents: int
    credit_cents: int


def take(amount_cents, left):
    """The share of `amount_cents` refunded out of `left` (a Refundable): the overpayment first, then the
    avoir; refused when nothing is left, or when the amount passes what is."""
    if left.cents <= 0:
        message = "Il ne reste rien à rembourser sur cette facture."
        raise Conflict(message, code="nothing_to_refund", fields={"number": message})
    if amount_cents <= 0:
        raise Invalid("Le montant d'un remboursement doit être positif.", code="invalid_amount",
                      fields={"amount_cents": "Montant positif en centimes attendu."})
    if amount_cents > left.cents:
        message = f"Le remboursement dépasse ce qui reste à rembourser sur cette facture : {euros(left.cents)} au plus."
        raise Invalid(message, code="refund_exceeds_refundable", fields={"amount_cents": message})
    overpaid = min(amount_cents, left.overpaid_cents)
    return Share(overpaid, amount_cents - overpaid)


def check_day(refunded_on, today):
    """A refund is recorded once made: its day is not to come."""
    if refunded_on > today:
        message = "La date du remboursement ne peut pas être dans le futur."
        raise Invalid(message, code="refund_in_future", fields={"refunded_on": message})


def account(means, iban, mandate_iban):
    """The account a transfer went to, by its ends: the IBAN typed, else the household's mandate's; None for
    the other means, which take no IBAN."""
    if means != TRANSFER:
        if iban:
            message = "Un IBAN ne se saisit que pour un virement."
            raise Invalid(message, code="iban_not_expected", fields={"iban": message})
        return None
    if not (iban or mandate_iban):
        message = "L'IBAN du compte crédité est attendu pour un virement (le foyer n'a pas de mandat SEPA)."
        raise Invalid(message, code="iban_required", fields={"iban": message})
    return sepa.masked_iban(sepa.check_iban(iban) if iban else mandate_iban)
