"""The activities a child can be booked for, and the days they run.

The Caisse des écoles owns when an activity runs; billing owns its price.
School holidays are not modelled yet: every Monday, Tuesday, Thursday and
Friday is a school day."""
from dataclasses import dataclass

MONDAY, TUESDAY, WEDNESDAY, THURSDAY, FRIDAY, SATURDAY, SUNDAY = range(7)
WEEKDAY_NAMES = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
SCHOOL_DAYS = frozenset({MONDAY, TUESDAY, THURSDAY, FRIDAY})


@dataclass(frozen=True)
class Activity:
    code: str
    label: str
    weekdays: frozenset

    def runs_on(self, day):
        return day.weekday() in self.weekdays


ACTIVITIES = {activity.code: activity for activity in (
    Activity("restauration_scolaire", "Restauration scolaire", SCHOOL_DAYS),
    Activity("accueil_du_soir", "Accueil du soir", SCHOOL_DAYS),
    Activity("etude", "Étude surveillée", SCHOOL_DAYS),
    Activity("alsh_mercredi", "Accueil de loisirs du mercredi", frozenset({WEDNESDAY})),
)}


def label(code):
    return ACTIVITIES[code].label


def weekday_name(day):
    return WEEKDAY_NAMES[day.weekday()]
