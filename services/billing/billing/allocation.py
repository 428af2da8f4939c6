"""Which payment means an invoice accepts, and how a payment is spread.

A payment goes to the open invoices it is meant for, oldest first; what is
left over once they are all paid is an overpayment, kept and flagged for a
refund, never lost and never silently counted as paid. Bons CAF pay only
the lines of holiday stays (centres de vacances, mini-séjours).
"""
from dataclasses import dataclass

from kit.errors import Invalid

from billing.activities import STAYS
from billing.money import euros

MEANS_LABELS = {
    "carte": "Carte bancaire (au guichet)",
    "cheque": "Chèque",
    "especes": "Espèces",
    "pass_solidaire": "Pass solidaire",
    "cheques_vacances": "Chèques vacances (ANCV)",
    "bons_caf": "Bons CAF",
    "carte_en_ligne": "Carte bancaire en ligne (PayFiP)",
    "prelevement": "Prélèvement SEPA",
}
COUNTER_MEANS = ("carte", "cheque", "especes", "pass_solidaire", "cheques_vacances", "bons_caf")
BONS_CAF = "bons_caf"


@dataclass(frozen=True)
class OpenInvoice:
    key: object
    due_cents: int  # what is still owed on it (never below 0)


@dataclass(frozen=True)
class Allocation:
    parts: tuple[tuple[object, int], ...]  # (invoice key, cents applied)
    excess_cents: int  # paid beyond what was owed: flagged for a refund

    @property
    def applied_cents(self):
        return sum(cents for _, cents in self.parts)


def allocate(amount_cents, open_invoices):
    """Spread a payment over invoices in the order given (oldest first)."""
    if amount_cents <= 0:
        raise Invalid("Le montant d'un paiement doit être positif.", code="invalid_amount",
                      fields={"amount_cents": "Montant positif en centimes attendu."})
    left, parts = amount_cents, []
    for invoice in open_invoices:
        applied = min(left, max(invoice.due_cents, 0))
        if applied:
            parts.append((invoice.key, applied))
            left -= applied
    return Allocation(tuple(parts), left)


def stay_cents(lines):
    """What the stay lines of an invoice come to: the most bons CAF may pay on it."""
    return sum(line.amount_cents for line in lines if line.activity in STAYS)


def check_means(means, amount_cents, lines, vouchers_cents):
    """Refuse a means the invoice does not accept; `vouchers_cents` is what bons CAF paid on it already."""
    if means not in COUNTER_MEANS:
        raise Invalid("Moyen de paiement inconnu.", code="unknown_means", fields={"means": "Moyen de paiement inconnu."})
    if means != BONS_CAF:
        return
    accepted = stay_cents(lines) - vouchers_cents
    if stay_cents(lines) <= 0:
        message = ("Les bons CAF ne sont acceptés que pour les centres de vacances et les mini-séjours : "
                   "cette facture n'en comporte pas.")
        raise Invalid(message, code="bons_caf_not_accepted", fields={"means": message})
    if amount_cents > accepted:
        message = (f"Les bons CAF ne paient que les séjours : {euros(max(accepted, 0))} au plus sur cette facture.")
        raise Invalid(message, code="bons_caf_exceed_stays", fields={"amount_cents": message})
