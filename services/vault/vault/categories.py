"""The kinds of supporting documents the safe keeps, and how long each one
proves something. Pure: handed the dates, never reads the clock.

A document carries the date it was issued (`issued_on`, what is printed on
it) and, from its category, the last day it is valid (`valid_until`):

- an attestation de domicile proves an address for 3 months;
- an avis d'imposition serves until the next one comes, at the end of the
  year after the one it was issued in;
- an attestation CAF states the period of its quotient familial: the family
  gives the last day printed on it;
- a certificat médical is valid one year;
- a livret de famille, a jugement, never expire.
"""
import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from kit.errors import Invalid

PARIS = ZoneInfo("Europe/Paris")

# How long before the end of its validity a family is told.
DEFAULT_NOTICE_DAYS = 30


@dataclass(frozen=True)
class Category:
    code: str
    label: str  # as in "Attestation de domicile"
    article: str  # as in "votre attestation de domicile"
    indefinite: str  # as in "une attestation de domicile"
    validity: str  # the sentence a family reads
    months: int | None = None  # valid for so many months after issue
    until_end_of_next_year: bool = False
    given_until: bool = False  # the family gives the last day

    @property
    def expires(self):
        return self.months is not None or self.until_end_of_next_year or self.given_until


CATEGORIES = (
    Category("attestation_domicile", "Attestation de domicile", "votre attestation de domicile",
             "une attestation de domicile",
             "valable 3 mois après sa date", months=3),
    Category("avis_imposition", "Avis d'imposition", "votre avis d'imposition", "un avis d'imposition",
             "valable jusqu'à la fin de l'année qui suit son édition", until_end_of_next_year=True),
    Category("attestation_caf", "Attestation CAF", "votre attestation CAF", "une attestation CAF",
             "valable pour la période de quotient familial qu'elle indique", given_until=True),
    Category("certificat_medical", "Certificat médical", "votre certificat médical", "un certificat médical",
             "valable 1 an après sa date", months=12),
    Category("livret_famille", "Livret de famille", "votre livret de famille", "un livret de famille",
             "sans date de fin de validité"),
    Category("jugement", "Jugement", "votre jugement", "un jugement", "sans date de fin de validité"),
    Category("autre", "Autre document", "votre document", "un document", "sans date de fin de validité"),
)
BY_CODE = {category.code: category for category in CATEGORIES}


def paris_day(now):
    """The day it is in Paris at the UTC instant `now`: validity is counted in the family's days."""
    return now.astimezone(PARIS).date()


def category(code):
    found = BY_CODE.get(code) if isinstance(code, str) else None
    if found is None:
        raise Invalid("Catégorie de document inconnue.", code="unknown_category",
                      fields={"category": "Catégorie de document inconnue."})
    return found


def label(code):
    return BY_CODE[code].label


def add_months(day, months):
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def valid_until(kind, issued_on, given_until, today):
    """The last day a document of `kind` issued on `issued_on` is valid, or
    None when it never expires. Invalid when the dates cannot be right."""
    if issued_on is None:
        if kind.expires:
            raise _date_refused("issued_on", "missing_issue_date",
                                "Indiquez la date du document : elle fixe sa durée de validité.")
    elif issued_on > today:
        raise _date_refused("issued_on", "issue_date_in_future", "La date du document ne peut pas être dans le futur.")
    if kind.given_until:
        if given_until is None:
            raise _date_refused("valid_until", "missing_valid_until",
                                "Indiquez la fin de la période de validité inscrite sur l'attestation.")
        if given_until < issued_on:
            raise _date_refused("valid_until", "valid_until_before_issue",
                                "La fin de validité ne peut pas précéder la date du document.")
        return given_until
    if kind.months is not None:
        return add_months(issued_on, kind.months) - timedelta(days=1)
    if kind.until_end_of_next_year:
        return date(issued_on.year + 1, 12, 31)
    return None


def _date_refused(field, code, message):
    return Invalid(message, code=code, fields={field: message})


VALID, EXPIRING, EXPIRED, PERMANENT = "valid", "expiring", "expired", "permanent"
STATUS_LABELS = {VALID: "Valide", EXPIRING: "Expire bientôt", EXPIRED: "Expiré", PERMANENT: "Sans date de fin"}


def validity_status(until, today, notice_days=DEFAULT_NOTICE_DAYS):
    if until is None:
        return PERMANENT
    if until < today:
        return EXPIRED
    if until < today + timedelta(days=notice_days):
        return EXPIRING
    return VALID
