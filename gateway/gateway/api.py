"""The JSON API, /api/v1. Each route checks who calls (before it even reads
the input), then asks the service that owns the data; the household is
always the caller's own."""
from flask import make_response, request
from flask_smorest import Blueprint

from gateway import schemas
from gateway.auth import (AGENTS, EVERYONE, FAMILY, caller_token, delete_session_cookie, require, services,
                          session_ended, set_session_cookie)

api = Blueprint("api", __name__, url_prefix="/api/v1", description="Portail famille")


def refusals(*statuses):
    """The refusals a route may answer with, in the API's document (the service's
    error, as `Error`), in the order given: each a status, or (status, description)."""
    def decorate(view):
        for status in statuses:
            status, description = status if isinstance(status, tuple) else (status, None)
            view = api.alt_response(status, schema=schemas.Error, description=description)(view)
        return view
    return decorate


@api.route("/accounts", methods=["POST"])
@api.arguments(schemas.Registration)
@api.response(201, schemas.Account)
@refusals((422, "saisie invalide"), (409, "e-mail déjà utilisé"))
def register(registration):
    """Create a family account with the household's clé enfance."""
    return services().identity.register(registration["email"], registration["password"], registration["child_key"],
                                        request.remote_addr)


@api.route("/session", methods=["POST"])
@api.arguments(schemas.Credentials)
@api.response(200, schemas.Session)
@refusals(401)
def log_in(credentials):
    """Log in: a bearer token in the body, and the same session as a cookie."""
    session = services().identity.authenticate(credentials["email"], credentials["password"], request.remote_addr)
    response = make_response(schemas.Session().dump(session))
    set_session_cookie(response, session)
    return response


@api.route("/session", methods=["DELETE"])
@api.response(204)
@refusals(401)
def log_out():
    """End the caller's session."""
    end_session()
    response = make_response("", 204)
    delete_session_cookie(response)
    return response


@require(EVERYONE, verified=False)
def end_session(account):
    services().identity.end_session()
    session_ended(caller_token()[0])


@api.route("/me")
@require(EVERYONE, verified=False)
@api.response(200, schemas.Account)
@refusals(401)
def me(account):
    """The caller's account."""
    return services().identity.get_account()


@api.route("/household")
@require(FAMILY)
@api.response(200, schemas.Household)
@refusals(403, 401)
def household(account):
    """The caller's household: guardians, children, quotient familial."""
    return services().family.get_household()


@api.route("/bookings", methods=["POST"])
@require(FAMILY)
@api.arguments(schemas.BookingIn)
@api.response(201, schemas.Booking)
@refusals(422, (409, "déjà réservé"), (404, "enfant inconnu"))
def book(booking, account):
    """Book an activity for one of the caller's children on one day."""
    return services().family.book(booking["child_id"], booking["activity"], booking["date"])


@api.route("/bookings")
@require(FAMILY)
@api.arguments(schemas.MonthQuery, location="query")
@api.response(200, schemas.Booking(many=True))
def bookings(query, account):
    """The caller's bookings of one month."""
    return services().family.list_bookings(query["month"])


@api.route("/bookings/<booking_id>", methods=["DELETE"])
@require(FAMILY)
@api.response(200, schemas.Booking)
@refusals((422, "trop tard pour annuler"), 404)
def cancel_booking(booking_id, account):
    """Cancel one of the caller's bookings."""
    return services().family.cancel_booking(booking_id)


@api.route("/invoices")
@require(FAMILY)
@api.response(200, schemas.Invoice(many=True))
def invoices(account):
    """The caller's invoices, newest first."""
    return services().billing.list_invoices()


@api.route("/invoices/<number>")
@require(FAMILY)
@api.response(200, schemas.Invoice)
@refusals(404)
def invoice(number, account):
    """One of the caller's invoices, with its lines."""
    return services().billing.get_invoice(number)


@api.route("/tariffs")
@api.arguments(schemas.TariffQuery, location="query")
@api.response(200, schemas.Simulation)
def tariffs(query):
    """Simulate the activities' prices for a quotient familial."""
    return services().billing.simulate(query["quotient_familial"])


@api.route("/agent/households", methods=["POST"])
@require(AGENTS)
@api.arguments(schemas.HouseholdIn)
@api.response(201, schemas.Household)
@refusals(422, 403)
def create_household(household_in, account):
    """Create a household and issue its clé enfance (agents)."""
    return services().family.create_household(household_in)


@api.route("/agent/households/<household_id>/child-key", methods=["POST"])
@require(AGENTS)
@api.response(200, schemas.ChildKey)
@refusals(404, 403)
def reissue_child_key(household_id, account):
    """Issue a new clé enfance for a household; the old one stops working (agents)."""
    return services().family.reissue_child_key(household_id)


@api.route("/agent/billing-runs", methods=["POST"])
@require(AGENTS)
@api.arguments(schemas.BillingRunIn)
@api.response(200, schemas.BillingRun)
@refusals(422, 403)
def run_billing(billing_run, account):
    """Bill one month: one invoice per household, never twice (agents)."""
    return services().billing.run_period(billing_run["period"])
