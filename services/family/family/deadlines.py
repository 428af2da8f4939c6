"""Until when a day can be booked or cancelled, in Paris time.

A rule is a small dict kept in the catalogue, so that the Caisse can change
it per school year:

- `{"rule": "previous_week", "weekday": 3, "time": "23:59:59"}`: until that
  weekday of the week before (catering: the previous Thursday, 23:59:59);
- `{"rule": "eve", "time": "18:00:00"}`: until the day before, at that time;
- `{"rule": "days_before", "days": 7, "time": "23:59:59"}`: until D-7.

A deadline is a wall-clock time in Europe/Paris, whatever the offset that day
(the changes to and from summer time included): it is built as a local time,
then compared with the instant it is."""
import datetime as dt
from zoneinfo import ZoneInfo

from kit.errors import Invalid

from family.activities import WEEKDAY_NAMES

PARIS = ZoneInfo("Europe/Paris")
RULES = ("previous_week", "eve", "days_before")


def _time(text):
    return dt.time.fromisoformat(text)


def deadline(rule, day):
    """The aware instant (Paris) after which `day` is closed under `rule`."""
    kind = rule["rule"]
    if kind == "previous_week":
        monday = day - dt.timedelta(days=day.weekday())
        last_day = monday - dt.timedelta(days=7 - rule["weekday"])
    elif kind == "eve":
        last_day = day - dt.timedelta(days=1)
    elif kind == "days_before":
        last_day = day - dt.timedelta(days=rule["days"])
    else:
        raise ValueError(f"unknown deadline rule {kind!r}")
    return dt.datetime.combine(last_day, _time(rule["time"]), tzinfo=PARIS)


def is_open(rule, day, now):
    """Whether `day` may still be booked (or cancelled for free) at the aware instant `now`."""
    return now <= deadline(rule, day)


def describe(rule):
    """The rule as families read it."""
    time = _time(rule["time"])
    at = f"{time.hour}h{time.minute:02d}"  # 23:59:59 reads "23h59"
    if rule["rule"] == "previous_week":
        return f"jusqu'au {WEEKDAY_NAMES[rule['weekday']]} de la semaine précédente, {at}"
    if rule["rule"] == "eve":
        return f"jusqu'à la veille, {at}"
    return f"jusqu'à {rule['days']} jours avant, {at}"


def check_rule(rule, field):
    """`rule` as given by an agent, or Invalid."""
    problem = None
    if not isinstance(rule, dict) or rule.get("rule") not in RULES:
        problem = "Règle inconnue : previous_week, eve ou days_before."
    else:
        try:
            _time(rule.get("time", ""))
        except (TypeError, ValueError):
            problem = "Heure attendue sous la forme HH:MM:SS."
        if rule["rule"] == "previous_week" and rule.get("weekday") not in range(7):
            problem = "Jour de la semaine attendu (0 = lundi, 6 = dimanche)."
        if rule["rule"] == "days_before" and (not isinstance(rule.get("days"), int) or not 0 <= rule["days"] <= 60):
            problem = "Nombre de jours attendu, entre 0 et 60."
    if problem:
        raise Invalid("Ce délai est invalide.", code="invalid_deadline", fields={field: problem})
    return {key: rule[key] for key in ("rule", "weekday", "days", "time") if key in rule}
