"""The nine activities of the Caisse des écoles: what each one is, whoever
runs it and whatever the school year.

What changes from one school year to the next (who may attend, capacities,
deadlines) is the catalogue's (`family.catalogue`); when the schools are
open is the calendar's (`family.calendars`); the price is billing's."""
from dataclasses import dataclass
from enum import StrEnum

MONDAY, TUESDAY, WEDNESDAY, THURSDAY, FRIDAY, SATURDAY, SUNDAY = range(7)
WEEKDAY_NAMES = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")


class Kind(StrEnum):
    SCHOOL_TIME = "school_time"   # around the school day: Monday, Tuesday, Thursday, Friday of school weeks
    WEDNESDAY = "wednesday"       # Wednesdays of school weeks
    HOLIDAYS = "holidays"         # weekdays of the school holidays, by sessions
    STAY = "stay"                 # a stay with its own dates


class Mode(StrEnum):
    DAY = "day"                           # booked day by day by the family
    PREREGISTRATION = "preregistration"   # pre-registered for a session, places allotted


@dataclass(frozen=True)
class Activity:
    code: str
    label: str
    kind: Kind
    mode: Mode
    price_basis: str  # "day", "half_day" or "stay": what billing prices

    @property
    def weekdays(self):
        """The weekdays it may run (the calendar then says which of them do)."""
        if self.kind == Kind.SCHOOL_TIME:
            return frozenset({MONDAY, TUESDAY, THURSDAY, FRIDAY})
        if self.kind == Kind.WEDNESDAY:
            return frozenset({WEDNESDAY})
        return frozenset({MONDAY, TUESDAY, WEDNESDAY, THURSDAY, FRIDAY})

    def runs_on(self, day):
        return day.weekday() in self.weekdays


ACTIVITIES = {activity.code: activity for activity in (
    Activity("restauration_scolaire", "Restauration scolaire", Kind.SCHOOL_TIME, Mode.DAY, "day"),
    Activity("accueil_du_soir", "Accueil du soir", Kind.SCHOOL_TIME, Mode.DAY, "half_day"),
    Activity("etude", "Étude surveillée", Kind.SCHOOL_TIME, Mode.DAY, "half_day"),
    Activity("alsh_mercredi", "Accueil de loisirs du mercredi", Kind.WEDNESDAY, Mode.DAY, "day"),
    Activity("cis_mercredi", "Centre d'initiation sportive du mercredi", Kind.WEDNESDAY, Mode.DAY, "half_day"),
    Activity("alsh_vacances", "Accueil de loisirs des vacances scolaires", Kind.HOLIDAYS, Mode.PREREGISTRATION, "day"),
    Activity("cis_vacances", "Centre d'initiation sportive des vacances", Kind.HOLIDAYS, Mode.PREREGISTRATION, "day"),
    Activity("mini_sejour", "Mini-séjour", Kind.STAY, Mode.PREREGISTRATION, "stay"),
    Activity("centre_vacances", "Centre de vacances", Kind.STAY, Mode.PREREGISTRATION, "stay"),
)}
DAY_BOOKED = {code: activity for code, activity in ACTIVITIES.items() if activity.mode == Mode.DAY}
PREREGISTERED = {code: activity for code, activity in ACTIVITIES.items() if activity.mode == Mode.PREREGISTRATION}


def label(code):
    return ACTIVITIES[code].label


def weekday_name(day):
    return WEEKDAY_NAMES[day.weekday()]
