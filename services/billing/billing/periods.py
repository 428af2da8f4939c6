"""A billing period is one calendar month, written `YYYY-MM`."""
import calendar
import re
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from babel.dates import format_date

from kit.errors import Invalid

PARIS = ZoneInfo("Europe/Paris")  # the days families and agents read
PERIOD_SHAPE = re.compile(r"([0-9]{4})-([0-9]{2})")
# Anything outside these years is a typo, not a month the Caisse bills.
FIRST_YEAR, LAST_YEAR = 2000, 2999


def day_label(day):
    """A day as families read it: « 3 octobre 2026 », « 1er novembre 2026 »."""
    return format_date(day, "d'er' MMMM yyyy" if day.day == 1 else "d MMMM yyyy", locale="fr_FR")


@dataclass(frozen=True, order=True)
class Period:
    year: int
    month: int

    @classmethod
    def parse(cls, text):
        match = PERIOD_SHAPE.fullmatch(text) if isinstance(text, str) else None
        if match:
            year, month = int(match[1]), int(match[2])
            if FIRST_YEAR <= year <= LAST_YEAR and 1 <= month <= 12:
                return cls(year, month)
        raise Invalid(
            "Période de facturation invalide : un mois au format AAAA-MM est attendu, par exemple 2026-10.",
            code="invalid_period", fields={"period": "Mois au format AAAA-MM attendu (par exemple 2026-10)."})

    @property
    def key(self):
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def first_day(self):
        return date(self.year, self.month, 1)

    @property
    def last_day(self):
        return date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    def following(self):
        return Period(self.year + self.month // 12, self.month % 12 + 1)

    @property
    def due_date(self):
        """Families pay by the last day of the month after the one billed."""
        return self.following().last_day

    @property
    def label(self):
        """The month as families read it: « octobre 2026 »."""
        return format_date(self.first_day, "MMMM yyyy", locale="fr_FR")

    def __contains__(self, day):
        return (day.year, day.month) == (self.year, self.month)

    def __str__(self):
        return self.key
