"""The activities' JSON API (/api/v1): the catalogue, a child's month
calendar, booking a period, pre-registration and its lists, absences and
their certificates. Every rule is the family service's."""
from gateway import activities_schemas as schemas
from gateway.api import api, refusals
from gateway.auth import AGENTS, FAMILY, require, services
from gateway.schemas import Booking, BookingIn


@api.route("/activities/catalogue")
@require(FAMILY + AGENTS)
@api.arguments(schemas.SchoolYearQuery, location="query")
@api.response(200, schemas.Catalogue)
@refusals(422)
def catalogue(query, account):
    """The school year's catalogue: each activity's levels, places, deadlines; holidays and closures."""
    return services().family.catalogue(query.get("school_year"))


@api.route("/agent/activities/catalogue/<school_year>", methods=["PUT"])
@require(AGENTS)
@api.arguments(schemas.CatalogueChange)
@api.response(200, schemas.Catalogue)
@refusals(422, (409, "changé entre-temps, ou moins de places que de réservations"))
def change_catalogue(change, school_year, account):
    """A new version of the school year's catalogue (`version`: the one changed)."""
    return services().family.update_catalogue(school_year, change["changes"], change["version"])


@api.route("/children/<child_id>/calendar")
@require(FAMILY)
@api.arguments(schemas.MonthQuery, location="query")
@api.response(200, schemas.MonthCalendar)
@refusals(422, 404)
def month_calendar(query, child_id, account):
    """A child's month: what runs each day, what is booked and billed, and why a day is closed."""
    return services().family.month_calendar(child_id, query["month"])


@api.route("/bookings/period", methods=["POST"])
@require(FAMILY)
@api.arguments(schemas.PeriodIn)
@api.response(200, schemas.PeriodReport)
@refusals(422, 404)
def book_period(period, account):
    """Book the chosen weekdays of a period at once; the days refused come back with why."""
    return services().family.book_period(period)


@api.route("/sessions")
@require(FAMILY + AGENTS)
@api.response(200, schemas.HolidaySession(many=True))
def sessions(account):
    """The holiday sessions and stays open to pre-registration, with their places."""
    return services().family.sessions()


@api.route("/agent/sessions", methods=["POST"])
@require(AGENTS)
@api.arguments(schemas.SessionIn)
@api.response(201, schemas.HolidaySession)
@refusals(422)
def create_session(session, account):
    """A new session or stay, with its places, ages and opening time."""
    return services().family.create_session(session)


@api.route("/agent/sessions/<session_id>/list")
@require(AGENTS)
@api.response(200, schemas.SessionList)
@refusals(404)
def session_list(session_id, account):
    """A session's pre-registrations, in the order of arrival."""
    return services().family.session_list(session_id)


@api.route("/preregistrations", methods=["POST"])
@require(FAMILY)
@api.arguments(schemas.PreregistrationIn)
@api.response(201, schemas.Preregistration)
@refusals(422, (409, "déjà pré-inscrit"), 404)
def preregister(preregistration, account):
    """Pre-register a child: a place while some are left, else the waiting list."""
    return services().family.preregister(preregistration)


@api.route("/preregistrations")
@require(FAMILY)
@api.response(200, schemas.Preregistration(many=True))
def preregistrations(account):
    """The caller's pre-registrations and their statuses."""
    return services().family.preregistrations()


@api.route("/preregistrations/<preregistration_id>/offer", methods=["POST"])
@require(FAMILY)
@api.arguments(schemas.OfferAnswer)
@api.response(200, schemas.Preregistration)
@refusals((409, "aucune place proposée"), 404)
def answer_offer(answer, preregistration_id, account):
    """Take the place offered, or let it go to the next on the list."""
    return services().family.answer_offer(preregistration_id, answer["accept"])


@api.route("/preregistrations/<preregistration_id>", methods=["DELETE"])
@require(FAMILY)
@api.response(200, schemas.Preregistration)
@refusals(409, 404)
def withdraw_preregistration(preregistration_id, account):
    """Give up a pre-registration; its place goes to the next on the list."""
    return services().family.withdraw_preregistration(preregistration_id)


@api.route("/agent/preregistrations/<preregistration_id>/decision", methods=["POST"])
@require(AGENTS)
@api.arguments(schemas.Decision)
@api.response(200, schemas.Preregistration)
@refusals(422, 409, 404)
def decide_preregistration(decision, preregistration_id, account):
    """confirm, refuse, or move to another session."""
    return services().family.decide_preregistration(preregistration_id, decision["decision"],
                                                    decision.get("target_session_id"))


@api.route("/absences", methods=["POST"])
@require(FAMILY)
@api.arguments(schemas.AbsenceIn)
@api.response(201, schemas.Absence)
@refusals(422, 404)
def report_absence(absence, account):
    """Report a child absent over some days; a medical certificate of the safe makes them free."""
    return services().family.report_absence(absence)


@api.route("/absences")
@require(FAMILY)
@api.response(200, schemas.Absence(many=True))
def absences(account):
    """The caller's absences and their certificates."""
    return services().family.absences()


@api.route("/absences/<absence_id>/certificate", methods=["POST"])
@require(FAMILY)
@api.arguments(schemas.CertificateIn)
@api.response(200, schemas.Absence)
@refusals((422, "hors délai"), 409, 404)
def attach_certificate(certificate, absence_id, account):
    """Give the medical certificate of an absence (a document of the safe)."""
    return services().family.attach_certificate(absence_id, certificate["document_id"])


@api.route("/agent/absences/certificates")
@require(AGENTS)
@api.response(200, schemas.Absence(many=True))
def pending_certificates(account):
    """The certificates waiting for an agent."""
    return services().family.pending_certificates()


@api.route("/agent/absences/<absence_id>/decision", methods=["POST"])
@require(AGENTS)
@api.arguments(schemas.CertificateDecision)
@api.response(200, schemas.Absence)
@refusals(409, 404)
def decide_certificate(decision, absence_id, account):
    """Validate (the absence is not billed) or refuse a certificate."""
    return services().family.decide_certificate(absence_id, decision["accept"])


@api.route("/agent/households/<household_id>/bookings", methods=["POST"])
@require(AGENTS)
@api.arguments(BookingIn)
@api.response(201, Booking)
@refusals(422, (409, "déjà réservé, ou complet"), 404)
def book_for_household(booking, household_id, account):
    """Book for a family past the deadlines (journaled with the agent); the calendar and the places still hold."""
    return services().family.book(booking["child_id"], booking["activity"], booking["date"], household_id)


@api.route("/agent/households/<household_id>/bookings/<booking_id>", methods=["DELETE"])
@require(AGENTS)
@api.response(200, Booking)
@refusals(404)
def cancel_for_household(household_id, booking_id, account):
    """Cancel a family's booking for free whatever the deadline (journaled with the agent)."""
    return services().family.cancel_booking(booking_id, household_id)
