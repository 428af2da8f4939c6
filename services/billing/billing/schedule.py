"""When the monthly run may and should bill a month."""
from kit.errors import Invalid

from billing.periods import Period


def month_of(day):
    return Period(day.year, day.month)


def check_month_over(period, today):
    """Only a month that has ended is billed: bookings of an open month could still come."""
    if period.last_day >= today:
        raise Invalid(f"Le mois de {period.label} n'est pas terminé : il pourra être facturé à partir du "
                      f"1er {period.following().label}.",
                      code="month_not_over", fields={"period": "Ce mois n'est pas encore terminé."})


def due_for_timer(now_paris, run_day, run_hour):
    """The month the timer bills now, or None: the month that ended, from the run day and hour on."""
    if (now_paris.day, now_paris.hour) < (run_day, run_hour):
        return None
    this_month = month_of(now_paris.date())
    return Period(this_month.year - (this_month.month == 1), (this_month.month - 2) % 12 + 1)


def lookback(period, months):
    """The months before `period` whose items are looked at again, oldest first."""
    found, current = [], period
    for _ in range(months):
        current = Period(current.year - (current.month == 1), (current.month - 2) % 12 + 1)
        found.append(current)
    return list(reversed(found))


BEFORE_DUE, OVERDUE = "before_due", "overdue"


def reminder_due(due_date, reminded_before, reminded_after, today, days_before, days_after):
    """Which reminder an unpaid invoice needs today, if any: one some days
    before its due date, one some days after it; each once."""
    if not reminded_after and (today - due_date).days >= days_after:
        return OVERDUE
    if not reminded_before and 0 <= (due_date - today).days <= days_before:
        return BEFORE_DUE
    return None
