"""What a household paid, per child and activity, between two days: the
payment certificate families ask for (CAF, an employer's works council) and
the yearly attestation of childcare costs (frais de garde) they attach to
their tax return.

A payment pays an invoice, whose lines belong to children and activities:
each payment is shared among its invoice's children and activities in
proportion to what their lines cost (credits lessen a share, never below
zero), to the cent, so that the shares add up to the payment. What the
bank took back (a rejected debit) is a negative payment, shared the same
way. Excesses flagged for a refund are not paid for anything; aids (bons
CAF, Pass solidaire) are not paid by the family and do not count.
"""
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from kit.errors import Conflict, Invalid

from billing.periods import day_label

# Paid by the CAF or the commune's social action, not by the family.
AIDS = frozenset({"bons_caf", "pass_solidaire"})
# What the tax credit for childcare outside the home takes in: out-of-school care and day centres,
# without meals (restauration scolaire) nor stays away from home (séjours with overnight stays).
CHILDCARE = frozenset({"accueil_du_soir", "etude", "alsh_mercredi", "alsh_vacances", "cis_mercredi",
                       "cis_vacances"})
# The tax credit is for children under six on the first of January of the year: born that year minus six, or later.
CHILDCARE_AGE_LIMIT = 6
LONGEST_SPAN_DAYS = 3 * 366


@dataclass(frozen=True)
class Line:
    child_id: str
    child_first_name: str
    activity: str
    amount_cents: int


@dataclass(frozen=True)
class PaidInvoice:
    id: object
    lines: tuple[Line, ...]


@dataclass(frozen=True)
class Payment:
    invoice_id: object
    applied_cents: int  # what went to the invoice: the excess is not in it, a reversal is negative
    received_on: date
    means: str


@dataclass(frozen=True)
class ChildPaid:
    child_id: str
    first_name: str
    by_activity: tuple[tuple[str, int], ...]  # (activity, cents), in the order of ACTIVITIES

    @property
    def total_cents(self):
        return sum(cents for _, cents in self.by_activity)


def shares(amount_cents, weights):
    """`amount_cents` split in proportion to `weights` (keys → non-negative cents), to the cent:
    the largest remainders take the cents left, so the shares always add up to the amount."""
    total = sum(weights.values())
    if total <= 0:
        return {}
    sign, amount = (-1 if amount_cents < 0 else 1), abs(amount_cents)
    exact = {key: amount * weight for key, weight in weights.items()}
    floors = {key: value // total for key, value in exact.items()}
    left = amount - sum(floors.values())
    for key in sorted(exact, key=lambda key: (-(exact[key] % total), str(key)))[:left]:
        floors[key] += 1
    return {key: sign * cents for key, cents in floors.items()}


def paid_per_child(invoices, payments, start, end, activity_order):
    """What the family paid from `start` to `end` (both included), per child and activity."""
    lines_of = {invoice.id: invoice.lines for invoice in invoices}
    names, paid = {}, defaultdict(int)
    for payment in payments:
        if not start <= payment.received_on <= end or payment.means in AIDS:
            continue
        weights = defaultdict(int)
        for line in lines_of.get(payment.invoice_id, ()):
            names[line.child_id] = line.child_first_name
            weights[(line.child_id, line.activity)] += line.amount_cents
        positive = {key: cents for key, cents in weights.items() if cents > 0}
        for key, cents in shares(payment.applied_cents, positive).items():
            paid[key] += cents
    rank = {activity: position for position, activity in enumerate(activity_order)}
    children = defaultdict(list)
    for (child_id, activity), cents in paid.items():
        if cents:
            children[child_id].append((activity, cents))
    return [ChildPaid(child_id, names[child_id], tuple(sorted(rows, key=lambda row: rank.get(row[0], len(rank)))))
            for child_id, rows in sorted(children.items(), key=lambda item: (names[item[0]], item[0]))]


def childcare_paid(paid, birth_dates, year):
    """Of what was paid in `year`, what counts for the childcare tax credit: the care of children born
    in `year` minus six or later, without meals or stays."""
    counted = []
    for child in paid:
        born = birth_dates.get(child.child_id)
        if born is None or born.year < year - CHILDCARE_AGE_LIMIT:
            continue
        rows = tuple((activity, cents) for activity, cents in child.by_activity if activity in CHILDCARE)
        if sum(cents for _, cents in rows) > 0:
            counted.append(ChildPaid(child.child_id, child.first_name, rows))
    return counted


def childcare_of_year(invoices, payments, birth_dates, year, activity_order):
    """What the attestation of `year` counts, per child."""
    paid = paid_per_child(invoices, payments, date(year, 1, 1), date(year, 12, 31), activity_order)
    return childcare_paid(paid, birth_dates, year)


def birth_dates(children):
    """Each child's birth date, by id, from family's view of the children."""
    return {child["id"]: date.fromisoformat(child["birth_date"]) for child in children}


def check_year_ended(year, today):
    """A year's attestation is made from the first of January after it."""
    if not isinstance(year, int) or isinstance(year, bool) or not 2000 <= year <= today.year + 1:
        raise Invalid("Année invalide.", code="invalid_year", fields={"year": "Année sur quatre chiffres attendue."})
    if year >= today.year:
        raise Conflict(f"L'attestation {year} sera disponible à partir du 1er janvier {year + 1}.",
                       code="year_not_ended")


def check_span(start, end, today):
    """The days a payment certificate covers: in order, not in the future, at most three years."""
    if end < start:
        raise Invalid("La date de fin précède la date de début.", code="invalid_span",
                      fields={"end": "La date de fin doit suivre la date de début."})
    if end > today:
        raise Invalid("La période ne peut pas finir après aujourd'hui.", code="invalid_span",
                      fields={"end": "Au plus tard aujourd'hui."})
    if (end - start).days > LONGEST_SPAN_DAYS:
        raise Invalid("La période couvre au plus trois ans.", code="invalid_span",
                      fields={"start": "Trois ans au plus entre les deux dates."})
    return start, end


def ended_years_paid(payments, today):
    """The ended years in which the family paid something itself, newest first."""
    return sorted({payment.received_on.year for payment in payments
                   if payment.received_on.year < today.year and payment.means not in AIDS}, reverse=True)


@dataclass(frozen=True)
class Wording:
    title: str
    statement: str  # what the sums were paid for, and when
    notes: tuple[str, ...]
    filename: str


def childcare_wording(year):
    return Wording(
        f"Attestation de frais de garde {year}",
        f"du 1er janvier au 31 décembre {year}, pour la garde hors du domicile des enfants ci-dessous",
        (f"Sommes versées par la famille pour l'accueil périscolaire et les accueils de loisirs d'enfants nés en "
         f"{year - CHILDCARE_AGE_LIMIT} ou après (moins de 6 ans au 1er janvier {year}), déduction faite des aides "
         "(bons CAF, Pass solidaire), hors frais de repas et séjours avec hébergement.",
         f"À reporter sur la déclaration des revenus {year}, rubrique « frais de garde des enfants de moins de "
         "6 ans » (cases 7GA à 7GC, un montant par enfant)."),
        f"attestation-frais-de-garde-{year}.pdf")


def payment_wording(start, end):
    return Wording(
        "Attestation de paiement",
        f"du {day_label(start)} au {day_label(end)}, pour les prestations de la Caisse des écoles",
        ("Sommes versées par la famille, déduction faite des aides (bons CAF, Pass solidaire). Attestation "
         "délivrée à la demande de la famille, notamment pour la CAF ou un comité d'entreprise.",),
        f"attestation-paiement-{start.isoformat()}-{end.isoformat()}.pdf")
