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


def history(opening_value, opened_on, periods):
    """Every period, oldest first, each closed by the next: `periods` are the
    ones applied since the household was opened (with `opening_value` from
    `opened_on`). A later period starting on the same day replaces an earlier one."""
    by_day = {opened_on: Period(opening_value, opened_on, OPENING_SOURCE)}
    for period in sorted(periods, key=lambda p: p.valid_from):
        by_day[period.valid_from] = period
    days = sorted(by_day)
    return [Period(by_day[day].value, day, by_day[day].source, by_day[day].justified,
                   days[index + 1] - dt.timedelta(days=1) if index + 1 < len(days) else None)
            for index, day in enumerate(days)]


def value_on(periods, day):
    """The period of `history(...)` covering `day`, or None before the first."""
    covering = [p for p in periods if p.valid_from <= day and (p.valid_until is None or day <= p.valid_until)]
    return covering[-1] if covering else None
