"""When the schools are open: the school years of zone C with their
holidays (shipped as data from the official calendar, amendable by the
Caisse), the French public holidays (from `holidays`), and the days the
Caisse closes.

Everything here is a pure function of the data it is built from."""
import datetime as dt
import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import holidays

from family.activities import Kind, weekday_name

DATA = Path(__file__).with_name("data") / "school_calendar_zone_c.json"
ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class Holiday:
    name: str
    first_day: dt.date   # the Saturday the holidays begin
    resume: dt.date      # the day school resumes

    def __contains__(self, day):
        return self.first_day <= day < self.resume


@dataclass(frozen=True)
class SchoolYear:
    key: str                 # "2026-2027"
    first_day: dt.date       # la rentrée
    summer_from: dt.date     # the first day of the summer holidays
    holidays: tuple = ()
    days_off: dict = field(default_factory=dict)   # date -> why the schools are closed (un pont)

    def __contains__(self, day):
        return self.first_day <= day < self.summer_from

    @classmethod
    def from_dict(cls, data):
        return cls(
            key=data["key"], first_day=dt.date.fromisoformat(data["first_day"]),
            summer_from=dt.date.fromisoformat(data["summer_from"]),
            holidays=tuple(Holiday(h["name"], dt.date.fromisoformat(h["from"]), dt.date.fromisoformat(h["resume"]))
                           for h in data["holidays"]),
            days_off={dt.date.fromisoformat(d["date"]): d["reason"] for d in data.get("days_off", ())})


@lru_cache(maxsize=1)
def official_school_years():
    """The school years as shipped, newest last."""
    return tuple(json.loads(DATA.read_text(encoding="utf-8"))["school_years"])


def school_year_key(day):
    """The school year a day belongs to, summer included: September to August."""
    start = day.year if day.month >= 9 else day.year - 1
    return f"{start}-{start + 1}"


@lru_cache(maxsize=8)
def _public_holidays(years):
    return holidays.France(years=years, language="fr")


class Calendar:
    """The school years it knows, plus the Caisse's closures (date -> reason)."""

    def __init__(self, school_years, closures=None):
        self.years = {year.key: year for year in school_years}
        self.closures = dict(closures or {})

    @classmethod
    def official(cls, closures=None):
        return cls([SchoolYear.from_dict(data) for data in official_school_years()], closures)

    def school_year(self, day):
        return self.years.get(school_year_key(day))

    def public_holiday(self, day):
        return _public_holidays(tuple(range(day.year - 1, day.year + 2))).get(day)

    def school_holiday(self, day):
        """The name of the school holidays `day` falls in, or None."""
        year = self.school_year(day)
        if year is None:
            return None
        if day >= year.summer_from or day < year.first_day:
            return "Vacances d'été"
        return next((holiday.name for holiday in year.holidays if day in holiday), None)

    def closed_because(self, activity, day):
        """Why `activity` does not run on `day`, in French, or None when it runs."""
        if not activity.runs_on(day):
            return f"l'activité n'a pas lieu le {weekday_name(day)}"
        if self.school_year(day) is None:
            return "le calendrier de cette année scolaire n'est pas encore publié"
        public = self.public_holiday(day)
        if public:
            return f"jour férié ({public})"
        if day in self.closures:
            return f"fermeture de la Caisse des écoles ({self.closures[day]})"
        holiday = self.school_holiday(day)
        if activity.kind in (Kind.SCHOOL_TIME, Kind.WEDNESDAY):
            if holiday:
                return f"pas d'école : {holiday.lower()}"
            off = self.school_year(day).days_off.get(day)
            if off:
                return f"pas d'école : {off.lower()}"
        elif activity.kind == Kind.HOLIDAYS and holiday is None:
            return "hors vacances scolaires"
        return None

    def runs(self, activity, day):
        return self.closed_because(activity, day) is None

    def days(self, activity, first, last):
        """The days `activity` runs from `first` to `last`, both included."""
        day, found = first, []
        while day <= last:
            if self.runs(activity, day):
                found.append(day)
            day += ONE_DAY
        return found
