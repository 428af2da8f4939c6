"""The quotient familial of a household over time: periods, each valid from a
day until the day before the next one starts."""
import datetime as dt
from dataclasses import dataclass

OPENING_SOURCE = "Fixé par la Caisse des écoles à l'ouverture du dossier"


@dataclass(frozen=True)
class Period:
    value: int
    valid_from: dt.date
    source: str
    justified: bool = True
    valid_until: dt.date | None = None


def opening(value, opened_on):
    return Period(value, opened_on, OPENING_SOURCE)


def history(applied):
    """The periods in force, oldest first, each closed the day before the
    next starts. `applied` is in the order the Caisse applied them: a QF
    applied from a day replaces whatever was planned from that day on."""
    in_force = []
    for period in applied:
        in_force = [p for p in in_force if p.valid_from < period.valid_from] + [period]
    return [Period(p.value, p.valid_from, p.source, p.justified,
                   in_force[index + 1].valid_from - dt.timedelta(days=1) if index + 1 < len(in_force) else None)
            for index, p in enumerate(in_force)]


def value_on(periods, day):
    """The period of `history(...)` covering `day`, or None before the first."""
    covering = [p for p in periods if p.valid_from <= day and (p.valid_until is None or day <= p.valid_until)]
    return covering[-1] if covering else None
