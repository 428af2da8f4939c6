"""What the Caisse offers in a school year: for each of the nine activities,
who may attend, how many places a day, until when a day can be booked or
cancelled, and how an unjustified absence is billed; plus the days the
Caisse closes and the delays of the pre-registration and absence rules.

A catalogue is a plain dict (stored as it is, one version per change) read
into a `Catalogue`; agents amend it through `amend`, which checks what they
give and returns the next version."""
import copy
import datetime as dt
from dataclasses import dataclass

from kit.errors import Invalid

from family.activities import ACTIVITIES, DAY_BOOKED
from family.calendars import Calendar
from family.deadlines import check_rule

LEVELS = {"maternelle": "maternelle", "elementaire": "élémentaire"}
BOTH = ["maternelle", "elementaire"]
CATERING = {"rule": "previous_week", "weekday": 3, "time": "23:59:59"}
EVE = {"rule": "eve", "time": "18:00:00"}
WEEK_BEFORE = {"rule": "days_before", "days": 7, "time": "23:59:59"}

DEFAULTS = {
    "restauration_scolaire": {"levels": BOTH, "capacity": 400, "booking_deadline": CATERING,
                              "cancellation_deadline": CATERING, "unjustified_absence_billed_days": 1},
    "accueil_du_soir": {"levels": BOTH, "capacity": 120, "booking_deadline": EVE,
                        "cancellation_deadline": EVE, "unjustified_absence_billed_days": 1},
    "etude": {"levels": ["elementaire"], "capacity": 60, "booking_deadline": EVE,
              "cancellation_deadline": EVE, "unjustified_absence_billed_days": 1},
    "alsh_mercredi": {"levels": BOTH, "capacity": 150, "booking_deadline": WEEK_BEFORE,
                      "cancellation_deadline": WEEK_BEFORE, "unjustified_absence_billed_days": None},
    "cis_mercredi": {"levels": ["elementaire"], "capacity": 48, "booking_deadline": WEEK_BEFORE,
                     "cancellation_deadline": WEEK_BEFORE, "unjustified_absence_billed_days": None},
    "alsh_vacances": {"levels": BOTH, "unjustified_absence_billed_days": None},
    "cis_vacances": {"levels": ["elementaire"], "unjustified_absence_billed_days": None},
    "mini_sejour": {"levels": ["elementaire"], "unjustified_absence_billed_days": None},
    "centre_vacances": {"levels": ["elementaire"], "unjustified_absence_billed_days": None},
}
EDITABLE = ("levels", "capacity", "booking_deadline", "cancellation_deadline", "unjustified_absence_billed_days")


def default(school_year):
    """The catalogue a school year starts with, before any agent changes it."""
    return {"school_year": school_year, "activities": copy.deepcopy(DEFAULTS), "closures": [],
            "certificate_delay_hours": 48, "offer_hours": 48}


def school_level(birth_date, school_year):
    """"maternelle" or "elementaire" by the year of birth, as French schools
    place children (CP in the calendar year they turn six); None otherwise."""
    age_that_year = int(school_year[:4]) - birth_date.year
    if 3 <= age_that_year <= 5:
        return "maternelle"
    if 6 <= age_that_year <= 10:
        return "elementaire"
    return None


@dataclass(frozen=True)
class Offer:
    """An activity as the Caisse offers it in one school year."""

    activity: object
    levels: tuple
    capacity: int | None
    booking_deadline: dict | None
    cancellation_deadline: dict | None
    unjustified_absence_billed_days: int | None

    def not_allowed_because(self, birth_date, school_year):
        if school_level(birth_date, school_year) not in self.levels:
            return "réservé aux élèves de " + " et ".join(LEVELS[level] for level in self.levels)
        return None


class Catalogue:
    def __init__(self, data, version=0):
        self.data = data
        self.version = version
        self.school_year = data["school_year"]
        self.offers = {code: Offer(ACTIVITIES[code], tuple(settings["levels"]), settings.get("capacity"),
                                   settings.get("booking_deadline"), settings.get("cancellation_deadline"),
                                   settings.get("unjustified_absence_billed_days"))
                       for code, settings in data["activities"].items()}
        self.closures = {dt.date.fromisoformat(c["date"]): c["reason"] for c in data["closures"]}
        self.certificate_delay = dt.timedelta(hours=data["certificate_delay_hours"])
        self.offer_delay = dt.timedelta(hours=data["offer_hours"])

    def calendar(self):
        return Calendar.official(self.closures)


def amend(data, changes):
    """The next version of a catalogue with an agent's `changes`
    (`{"activities": {code: {setting: value}}, "closures": [...], ...}`), or Invalid."""
    amended = copy.deepcopy(data)
    problems = {}
    if not isinstance(changes, dict):
        raise Invalid("Les modifications du catalogue sont invalides.", code="invalid_catalogue",
                      fields={"changes": "Un objet est attendu."})
    for code, settings in (changes.get("activities") or {}).items():
        if code not in ACTIVITIES or not isinstance(settings, dict):
            problems[f"activities.{code}"] = "Activité inconnue."
            continue
        for name, value in settings.items():
            where = f"activities.{code}.{name}"
            if name not in EDITABLE:
                problems[where] = "Ce réglage n'existe pas."
            elif name == "levels":
                if not isinstance(value, list) or not value or set(value) - set(LEVELS):
                    problems[where] = "Niveaux possibles : maternelle, elementaire."
                else:
                    amended["activities"][code]["levels"] = value
            elif name == "capacity":
                if code not in DAY_BOOKED or not isinstance(value, int) or isinstance(value, bool) or value < 0:
                    problems[where] = "Un nombre de places positif ou nul est attendu (activités réservées à la journée)."
                else:
                    amended["activities"][code]["capacity"] = value
            elif name == "unjustified_absence_billed_days":
                if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 0):
                    problems[where] = "Un nombre de jours positif ou nul est attendu (vide : tous les jours)."
                else:
                    amended["activities"][code][name] = value
            else:
                try:
                    amended["activities"][code][name] = check_rule(value, where)
                except Invalid as invalid:
                    problems.update(invalid.fields)
    if "closures" in changes:
        try:
            closures = [{"date": dt.date.fromisoformat(c["date"]).isoformat(), "reason": str(c["reason"]).strip()[:200]}
                        for c in changes["closures"]]
            if any(not c["reason"] for c in closures):
                raise ValueError
            amended["closures"] = sorted(closures, key=lambda c: c["date"])
        except (TypeError, KeyError, ValueError):
            problems["closures"] = "Liste de fermetures attendue : date AAAA-MM-JJ et motif."
    for name in ("certificate_delay_hours", "offer_hours"):
        if name in changes:
            value = changes[name]
            if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 24 * 30:
                problems[name] = "Un nombre d'heures entre 1 et 720 est attendu."
            else:
                amended[name] = value
    unknown = set(changes) - {"activities", "closures", "certificate_delay_hours", "offer_hours"}
    problems.update({name: "Ce réglage n'existe pas." for name in unknown})
    if problems:
        raise Invalid("Les modifications du catalogue sont invalides.", code="invalid_catalogue", fields=problems)
    return amended
