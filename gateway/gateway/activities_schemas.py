"""What the activities' API accepts and returns. Types and size caps only:
the family service owns the rules and says why it refuses."""
from marshmallow import Schema, fields, validate

from gateway.schemas import Booking

ID = validate.Length(max=64)
DAY = validate.Length(max=32)


class MonthQuery(Schema):
    month = fields.String(required=True, validate=validate.Length(max=16))


class SchoolYearQuery(Schema):
    school_year = fields.String(validate=validate.Length(max=16))


class PeriodIn(Schema):
    child_id = fields.String(required=True, validate=ID)
    activity = fields.String(required=True, validate=validate.Length(max=64))
    first_day = fields.String(required=True, validate=DAY)
    last_day = fields.String(required=True, validate=DAY)
    weekdays = fields.List(fields.Integer(), required=True, validate=validate.Length(max=7))


class RefusedDay(Schema):
    date = fields.String()
    code = fields.String()
    reason = fields.String()


class PeriodReport(Schema):
    booked = fields.List(fields.Nested(Booking))
    refused = fields.List(fields.Nested(RefusedDay))


class DayActivity(Schema):
    code = fields.String()
    label = fields.String()
    bookings = fields.List(fields.Nested(Booking))
    booked_id = fields.String(allow_none=True)
    bookable = fields.Boolean()
    reason = fields.String(allow_none=True)
    free_cancellation = fields.Boolean()
    places_left = fields.Integer()


class CalendarDay(Schema):
    date = fields.String()
    weekday = fields.String()
    activities = fields.List(fields.Nested(DayActivity))
    closed_reason = fields.String(allow_none=True)


class MonthCalendar(Schema):
    month = fields.String()
    child_id = fields.String()
    child_first_name = fields.String()
    days = fields.List(fields.Nested(CalendarDay))


class Offer(Schema):
    code = fields.String()
    label = fields.String()
    kind = fields.String()
    mode = fields.String()
    price_basis = fields.String()
    weekdays = fields.List(fields.Integer())
    levels = fields.List(fields.String())
    capacity = fields.Integer(allow_none=True)
    unjustified_absence_billed_days = fields.Integer(allow_none=True)
    booking_deadline = fields.Dict(allow_none=True)
    booking_deadline_text = fields.String(allow_none=True)
    cancellation_deadline = fields.Dict(allow_none=True)
    cancellation_deadline_text = fields.String(allow_none=True)


class Catalogue(Schema):
    school_year = fields.String()
    version = fields.Integer()
    activities = fields.List(fields.Nested(Offer))
    closures = fields.List(fields.Dict())
    certificate_delay_hours = fields.Integer()
    offer_hours = fields.Integer()
    school_holidays = fields.List(fields.Dict())
    first_day = fields.String(allow_none=True)
    summer_from = fields.String(allow_none=True)


class CatalogueChange(Schema):
    changes = fields.Dict(required=True)
    version = fields.Integer(required=True)


class SessionIn(Schema):
    activity = fields.String(required=True, validate=validate.Length(max=64))
    label = fields.String(required=True, validate=validate.Length(max=400))
    first_day = fields.String(required=True, validate=DAY)
    last_day = fields.String(required=True, validate=DAY)
    places = fields.Integer(required=True)
    min_age = fields.Integer(required=True)
    max_age = fields.Integer(required=True)
    opens_at = fields.String(required=True, validate=validate.Length(max=40))
    price_basis = fields.String(validate=validate.Length(max=16))


class HolidaySession(Schema):
    id = fields.String()
    activity = fields.String()
    activity_label = fields.String()
    label = fields.String()
    first_day = fields.String()
    last_day = fields.String()
    places = fields.Integer()
    min_age = fields.Integer()
    max_age = fields.Integer()
    opens_at = fields.String()
    price_basis = fields.String()
    school_year = fields.String()
    held = fields.Integer()
    waiting = fields.Integer()


class PreregistrationIn(Schema):
    session_id = fields.String(required=True, validate=ID)
    child_id = fields.String(required=True, validate=ID)
    wishes = fields.List(fields.String(validate=DAY), validate=validate.Length(max=60))


class Preregistration(Schema):
    id = fields.String()
    session_id = fields.String()
    session_label = fields.String()
    activity = fields.String()
    activity_label = fields.String()
    first_day = fields.String()
    last_day = fields.String()
    household_id = fields.String()
    child_id = fields.String()
    child_first_name = fields.String()
    child_last_name = fields.String()
    position = fields.Integer()
    status = fields.String()
    rank = fields.Integer(allow_none=True)
    status_label = fields.String()
    wishes = fields.List(fields.String())
    offer_expires_at = fields.String(allow_none=True)
    created_at = fields.String()


class SessionList(Schema):
    session = fields.Nested(HolidaySession)
    entries = fields.List(fields.Nested(Preregistration))


class OfferAnswer(Schema):
    accept = fields.Boolean(required=True)


class Decision(Schema):
    decision = fields.String(required=True, validate=validate.Length(max=16))
    target_session_id = fields.String(validate=ID)


class AbsenceIn(Schema):
    child_id = fields.String(required=True, validate=ID)
    first_day = fields.String(required=True, validate=DAY)
    last_day = fields.String(required=True, validate=DAY)
    reason = fields.String(required=True, validate=validate.Length(max=1000))
    document_id = fields.String(validate=ID, allow_none=True)


class CertificateIn(Schema):
    document_id = fields.String(required=True, validate=ID)


class CertificateDecision(Schema):
    accept = fields.Boolean(required=True)


class Absence(Schema):
    id = fields.String()
    household_id = fields.String()
    child_id = fields.String()
    child_first_name = fields.String()
    first_day = fields.String()
    last_day = fields.String()
    reason = fields.String()
    reported_at = fields.String()
    certificate_status = fields.String()
    certificate_label = fields.String()
    certificate_document_id = fields.String(allow_none=True)
