"""What the activities' entrypoints accept, and the dicts they answer with."""
import re

from marshmallow import fields, validate, validates_schema, ValidationError

from kit.errors import Invalid
from kit.validation import load

from family import absences, deadlines, preregistration
from family.activities import ACTIVITIES, PREREGISTERED
from family.bookings import BILLED, BookingStatus
from family.calendars import school_year_key
from family.schemas import REQUIRED, Day, ListOf, Strict, Text, WholeNumber, booking_view as plain_booking_view

SCHOOL_YEAR = re.compile(r"([0-9]{4})-([0-9]{4})")
BOOKING_LABELS = {BookingStatus.BOOKED: "réservé", BookingStatus.CANCELLED: "annulé",
                  BookingStatus.LATE_CANCELLATION: "annulé hors délai (facturé)"}


class Identifier(fields.UUID):
    default_error_messages = {**REQUIRED, "invalid_uuid": "Identifiant invalide."}


class Instant(fields.AwareDateTime):
    default_error_messages = {**REQUIRED, "invalid": "Date et heure invalides (ISO 8601 avec fuseau).",
                              "invalid_awareness": "Le fuseau horaire doit être indiqué."}


class PeriodInput(Strict):
    child_id = Identifier(required=True)
    activity = fields.String(required=True, validate=validate.OneOf(list(ACTIVITIES), error="Activité inconnue."),
                             metadata={"code": "unknown_activity"})
    first_day = Day(required=True)
    last_day = Day(required=True)
    weekdays = ListOf(fields.Integer(strict=True, validate=validate.Range(0, 6)), required=True,
                      validate=validate.Length(min=1, error="Choisissez au moins un jour de la semaine."))


class SessionInput(Strict):
    activity = fields.String(required=True, validate=validate.OneOf(
        list(PREREGISTERED), error="Activité sur pré-inscription attendue : " + ", ".join(PREREGISTERED) + "."))
    label = Text(200, required=True)
    first_day = Day(required=True)
    last_day = Day(required=True)
    places = WholeNumber(required=True, validate=validate.Range(1, 10000, error="Entre 1 et 10 000 places."))
    min_age = WholeNumber(required=True, validate=validate.Range(2, 17, error="Entre 2 et 17 ans."))
    max_age = WholeNumber(required=True, validate=validate.Range(2, 17, error="Entre 2 et 17 ans."))
    opens_at = Instant(required=True)
    price_basis = fields.String(load_default="stay", validate=validate.OneOf(["stay", "day"]))

    @validates_schema
    def dates_follow(self, data, **kwargs):
        if data["last_day"] < data["first_day"]:
            raise ValidationError({"last_day": ["Le dernier jour suit le premier."]})
        if data["max_age"] < data["min_age"]:
            raise ValidationError({"max_age": ["L'âge maximum suit l'âge minimum."]})


class PreregistrationInput(Strict):
    session_id = Identifier(required=True)
    child_id = Identifier(required=True)
    wishes = ListOf(Day(), load_default=list, validate=validate.Length(max=60))


class AbsenceInput(Strict):
    child_id = Identifier(required=True)
    first_day = Day(required=True)
    last_day = Day(required=True)
    reason = Text(500, required=True)
    document_id = Identifier(load_default=None, allow_none=True)


def school_year(text, field="school_year"):
    found = SCHOOL_YEAR.fullmatch(text) if isinstance(text, str) else None
    if not found or int(found[2]) != int(found[1]) + 1:
        raise Invalid("Cette année scolaire n'existe pas.", code="invalid_school_year",
                      fields={field: "Année scolaire attendue sous la forme 2026-2027."})
    return text


def period(data):
    return load(PeriodInput(), data, "Cette période de réservation est invalide.", "invalid_booking")


def new_session(data):
    return load(SessionInput(), data, "Ce séjour est incomplet ou invalide.", "invalid_session", input_name="data")


def new_preregistration(data):
    return load(PreregistrationInput(), data, "Cette pré-inscription est invalide.", "invalid_preregistration",
                input_name="data")


def new_absence(data):
    return load(AbsenceInput(), data, "Cette absence est incomplète ou invalide.", "invalid_absence",
                input_name="data")


def document_id(value):
    return load(AbsenceInput(only=("document_id",)), {"document_id": value}, "Document invalide.",
                "invalid_document")["document_id"]


def booking_view(booking):
    return {**plain_booking_view(booking), "billed": booking.status in BILLED,
            "status_label": BOOKING_LABELS[BookingStatus(booking.status)]}


def offer_view(offer):
    activity = offer.activity
    view = {"code": activity.code, "label": activity.label, "kind": str(activity.kind), "mode": str(activity.mode),
            "price_basis": activity.price_basis, "weekdays": sorted(activity.weekdays), "levels": list(offer.levels),
            "capacity": offer.capacity, "unjustified_absence_billed_days": offer.unjustified_absence_billed_days}
    for name in ("booking_deadline", "cancellation_deadline"):
        rule = getattr(offer, name)
        view[name] = rule
        view[f"{name}_text"] = deadlines.describe(rule) if rule else None
    return view


def catalogue_view(catalogue):
    year = catalogue.calendar().years.get(catalogue.school_year)
    return {
        "school_year": catalogue.school_year, "version": catalogue.version,
        "activities": [offer_view(offer) for offer in catalogue.offers.values()],
        "closures": catalogue.data["closures"],
        "certificate_delay_hours": catalogue.data["certificate_delay_hours"],
        "offer_hours": catalogue.data["offer_hours"],
        "school_holidays": [{"name": h.name, "first_day": h.first_day.isoformat(), "resume": h.resume.isoformat()}
                            for h in year.holidays] if year else [],
        "first_day": year.first_day.isoformat() if year else None,
        "summer_from": year.summer_from.isoformat() if year else None,
    }


def session_view(session, entries):
    """`entries`: the session's pre-registrations, or its counts `(held, waiting)`."""
    held, waiting = entries if isinstance(entries, tuple) else (
        preregistration.held(entries), len(preregistration.waiting_in_order(entries)))
    return {"id": str(session.id), "activity": session.activity, "activity_label": ACTIVITIES[session.activity].label,
            "label": session.label, "first_day": session.first_day.isoformat(),
            "last_day": session.last_day.isoformat(), "places": session.places, "min_age": session.min_age,
            "max_age": session.max_age, "opens_at": session.opens_at.isoformat(), "price_basis": session.price_basis,
            "school_year": school_year_key(session.first_day),
            "held": held, "waiting": waiting}


def list_views(entries):
    """Each entry of one session's list as the family reads it."""
    ranks = preregistration.ranks(entries)
    return {entry.id: preregistration_view(entry, ranks.get(entry.position)) for entry in entries}


def preregistration_view(entry, rank=None):
    """`rank`: its place on the waiting list, when it waits."""
    rank = rank if entry.status == preregistration.Status.WAITING else None
    return {"id": str(entry.id), "session_id": str(entry.session_id), "session_label": entry.session.label,
            "activity": entry.session.activity, "activity_label": ACTIVITIES[entry.session.activity].label,
            "first_day": entry.session.first_day.isoformat(), "last_day": entry.session.last_day.isoformat(),
            "household_id": str(entry.household_id), "child_id": str(entry.child_id),
            "child_first_name": entry.child.first_name, "child_last_name": entry.child.last_name,
            "position": entry.position, "status": str(entry.status), "rank": rank,
            "status_label": preregistration.status_label(entry, rank), "wishes": entry.wishes,
            "offer_expires_at": entry.offer_expires_at.isoformat() if entry.offer_expires_at else None,
            "created_at": entry.created_at.isoformat()}


def absence_view(absence):
    return {"id": str(absence.id), "household_id": str(absence.household_id), "child_id": str(absence.child_id),
            "child_first_name": absence.child.first_name, "first_day": absence.first_day.isoformat(),
            "last_day": absence.last_day.isoformat(), "reason": absence.reason,
            "reported_at": absence.reported_at.isoformat(), "certificate_status": absence.certificate_status,
            "certificate_label": absences.LABELS[absences.Certificate(absence.certificate_status)],
            "certificate_document_id": str(absence.certificate_document_id) if absence.certificate_document_id
            else None}
