"""Absences: a family reports a child absent over some days, with a reason.

With a medical certificate (a document of the family's safe) given within
the Caisse's delay after the first absent day, and validated by an agent,
the absent days are not billed. Otherwise they are billed as the activity's
rule says: its first `unjustified_absence_billed_days` booked days of the
absence (every day when the rule is empty)."""
import datetime as dt
from enum import StrEnum

from kit.errors import Conflict, Invalid

from family.deadlines import PARIS

LONGEST = 92  # days in one report


class Certificate(StrEnum):
    NONE = "none"
    PENDING = "pending"       # given, awaiting an agent
    VALIDATED = "validated"
    REFUSED = "refused"


MOVES = {
    Certificate.NONE: frozenset({Certificate.PENDING}),
    Certificate.PENDING: frozenset({Certificate.VALIDATED, Certificate.REFUSED}),
    Certificate.VALIDATED: frozenset(),
    Certificate.REFUSED: frozenset({Certificate.PENDING}),
}
LABELS = {Certificate.NONE: "sans certificat", Certificate.PENDING: "certificat en attente de validation",
          Certificate.VALIDATED: "certificat validé", Certificate.REFUSED: "certificat refusé"}


def move(absence, target):
    target = Certificate(target)
    if target not in MOVES[Certificate(absence.certificate_status)]:
        raise Conflict("Le certificat de cette absence ne peut pas changer ainsi.", code="invalid_status_move")
    absence.certificate_status = target
    return absence


def check_range(first_day, last_day):
    if last_day < first_day or (last_day - first_day).days >= LONGEST:
        raise Invalid("Ces dates d'absence sont invalides.", code="invalid_absence",
                      fields={"last_day": f"Le dernier jour suit le premier, {LONGEST} jours au plus."})


def certificate_deadline(first_day, delay):
    """The end of the first absent day in Paris, plus the Caisse's delay."""
    end_of_first_day = dt.datetime.combine(first_day + dt.timedelta(days=1), dt.time(), tzinfo=PARIS)
    return end_of_first_day + delay


def attach_certificate(absence, document_id, now, delay):
    if now > certificate_deadline(absence.first_day, delay):
        hours = int(delay.total_seconds() // 3600)
        raise Invalid(f"Le certificat devait être donné dans les {hours} heures suivant le premier jour d'absence.",
                      code="certificate_too_late", fields={"document_id": "Délai dépassé : l'absence reste facturée "
                                                                          "selon les règles de l'activité."})
    move(absence, Certificate.PENDING)
    absence.certificate_document_id = document_id
    absence.certificate_given_at = now


def treatment(absence, nth_day, billed_days):
    """How the `nth_day` (0 for the first) booked day of an absence is billed:
    `(status, billable, reason)`, as billing reads it."""
    if absence.certificate_status == Certificate.VALIDATED:
        return "absence_justified", False, "Absence justifiée par un certificat médical : non facturée."
    if billed_days is None or nth_day < billed_days:
        return "absence_unjustified", True, "Absence sans certificat médical validé : facturée."
    days = "seul le premier jour est facturé" if billed_days == 1 else f"seuls les {billed_days} premiers jours sont facturés"
    return "absence_unjustified", False, f"Absence signalée : {days}."
