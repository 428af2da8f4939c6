"""A calendar month (`YYYY-MM`), the unit in which families list their
bookings and the Caisse des écoles bills them."""
import datetime as dt
import re
from dataclasses import dataclass

SHAPE = re.compile(r"([0-9]{4})-(0[1-9]|1[0-2])")


@dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int

    @classmethod
    def parse(cls, text):
        """The month named `YYYY-MM`; ValueError for anything else."""
        found = SHAPE.fullmatch(text) if isinstance(text, str) else None
        if not found or int(found[1]) < 1:
            raise ValueError(f"not a month: {text!r}")
        return cls(int(found[1]), int(found[2]))

    @property
    def key(self):
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def first_day(self):
        return dt.date(self.year, self.month, 1)

    @property
    def next_first_day(self):
        """The first day after the month: ranges are half-open, so no month
        needs to know how many days it has."""
        if self.month == 12:
            return dt.date(self.year + 1, 1, 1)
        return dt.date(self.year, self.month + 1, 1)

    def __contains__(self, day):
        return self.first_day <= day < self.next_first_day
