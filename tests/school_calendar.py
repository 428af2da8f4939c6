"""The days a test may book, as the family service decides them: the days an
activity runs in zone C (no holidays, no public holidays) whose booking
deadline has not passed, by the default catalogue."""
from datetime import date, datetime, timedelta, timezone

from family import catalogue, deadlines
from family.calendars import school_year_key


def bookable_days(period, activity="restauration_scolaire"):
    first = date.fromisoformat(f"{period}-01")
    offered = catalogue.Catalogue(catalogue.default(school_year_key(first)))
    offer, calendar = offered.offers[activity], offered.calendar()
    now = datetime.now(timezone.utc) + timedelta(minutes=30)  # a test takes a while to reach its booking
    days = (first + timedelta(days=n) for n in range(31))
    return [day.isoformat() for day in days if day.strftime("%Y-%m") == period and calendar.runs(offer.activity, day)
            and deadlines.is_open(offer.booking_deadline, day, now)]
