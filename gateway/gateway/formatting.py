"""How amounts and dates read in French on the pages."""
from datetime import date, datetime

from babel.dates import format_date, format_datetime
from babel.numbers import format_currency

LOCALE = "fr_FR"


def euros(cents):
    return format_currency(cents / 100, "EUR", locale=LOCALE)


def day(iso_date):
    return format_date(date.fromisoformat(iso_date[:10]), "d MMMM yyyy", locale=LOCALE)


def month(period):
    year, number = period.split("-")
    return format_date(date(int(year), int(number), 1), "MMMM yyyy", locale=LOCALE)


def moment(iso_datetime):
    return format_datetime(datetime.fromisoformat(iso_datetime), "dd/MM/yyyy 'à' HH:mm", tzinfo="Europe/Paris",
                           locale=LOCALE)


def register(app):
    app.add_template_filter(moment)
    app.add_template_filter(euros)
    app.add_template_filter(day)
    app.add_template_filter(month)
