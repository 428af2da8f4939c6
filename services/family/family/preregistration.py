"""Pre-registration for holiday sessions and stays: places allotted in the
order of arrival, the rest on a waiting list in order; a place that frees is
offered to the first waiting, with a deadline to accept; an offer left
unanswered passes to the next.

An entry is anything with `status`, `position` (its order of arrival) and
`offer_expires_at`; the rules change entries in place and say what changed."""
import datetime as dt
from enum import StrEnum

from kit.errors import Conflict, Invalid

from family.deadlines import PARIS


class Status(StrEnum):
    PREREGISTERED = "preregistered"   # holds a place, awaiting the Caisse's confirmation
    CONFIRMED = "confirmed"
    WAITING = "waiting"
    OFFERED = "offered"               # a freed place, held until the family accepts or the offer expires
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"           # the family gave it up
    EXPIRED = "expired"               # an offer left unanswered


MOVES = {
    Status.PREREGISTERED: frozenset({Status.CONFIRMED, Status.REFUSED, Status.WITHDRAWN}),
    Status.WAITING: frozenset({Status.OFFERED, Status.PREREGISTERED, Status.REFUSED, Status.WITHDRAWN}),
    Status.OFFERED: frozenset({Status.CONFIRMED, Status.EXPIRED, Status.REFUSED, Status.WITHDRAWN}),
    Status.CONFIRMED: frozenset({Status.REFUSED, Status.WITHDRAWN}),
    Status.REFUSED: frozenset(),
    Status.WITHDRAWN: frozenset(),
    Status.EXPIRED: frozenset(),
}
HOLDING = frozenset({Status.PREREGISTERED, Status.CONFIRMED, Status.OFFERED})
LABELS = {
    Status.PREREGISTERED: "pré-inscrit", Status.CONFIRMED: "confirmé", Status.OFFERED: "place proposée",
    Status.REFUSED: "refusé", Status.WITHDRAWN: "annulé", Status.EXPIRED: "offre expirée",
}


def move(entry, target):
    target = Status(target)
    if target not in MOVES[Status(entry.status)]:
        raise Conflict("Cette pré-inscription ne peut pas changer ainsi.", code="invalid_status_move")
    entry.status = target
    if target != Status.OFFERED:
        entry.offer_expires_at = None
    return entry


def check_open(session, now):
    """Pre-registration runs from the session's opening to its first day."""
    if now < session.opens_at:
        raise Invalid(f"Les pré-inscriptions ouvrent le {session.opens_at:%d/%m/%Y à %Hh%M} (heure de Paris).",
                      code="preregistration_not_open", fields={"session_id": "Les pré-inscriptions ne sont pas ouvertes."})
    if now.date() >= session.first_day:
        raise Invalid("Les pré-inscriptions de ce séjour sont closes.", code="preregistration_closed",
                      fields={"session_id": "Le séjour a commencé."})


def age_on(birth_date, day):
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def check_age(session, birth_date):
    age = age_on(birth_date, session.first_day)
    if not session.min_age <= age <= session.max_age:
        raise Invalid(f"Ce séjour accueille les enfants de {session.min_age} à {session.max_age} ans.",
                      code="not_allowed", fields={"child_id": f"L'enfant aura {age} ans au début du séjour."})


def arrival_status(places, held_places):
    """The status of a newcomer: a place while some are left, else the list."""
    return Status.PREREGISTERED if held_places < places else Status.WAITING


def held(entries):
    return sum(1 for entry in entries if entry.status in HOLDING)


def waiting_in_order(entries):
    return sorted((entry for entry in entries if entry.status == Status.WAITING), key=lambda entry: entry.position)


def ranks(entries):
    """{position: rank} of those waiting, 1 for the first on the list."""
    return {entry.position: rank for rank, entry in enumerate(waiting_in_order(entries), start=1)}


def promote(places, entries, now, offer_delay):
    """Expires the offers past their deadline, then offers each free place to
    the first waiting; returns the entries that changed, in order."""
    changed = []
    for entry in entries:
        if entry.status == Status.OFFERED and entry.offer_expires_at <= now:
            changed.append(move(entry, Status.EXPIRED))
    for entry in waiting_in_order(entries)[:max(places - held(entries), 0)]:
        move(entry, Status.OFFERED)
        entry.offer_expires_at = now + offer_delay
        changed.append(entry)
    return changed


def ordinal(rank):
    return "1re" if rank == 1 else f"{rank}e"


def status_label(entry, rank=None):
    """What the family reads: "en liste d'attente (3e)" for the third waiting."""
    if entry.status == Status.WAITING:
        return f"en liste d'attente ({ordinal(rank)})"
    if entry.status == Status.OFFERED:
        return f"place proposée, à accepter avant le {entry.offer_expires_at.astimezone(PARIS):%d/%m/%Y %Hh%M}"
    return LABELS[Status(entry.status)]


def session_days(first_day, last_day):
    return [first_day + dt.timedelta(days=offset) for offset in range((last_day - first_day).days + 1)]

