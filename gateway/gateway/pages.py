"""The family portal's pages, in French, server-rendered, usable on a phone.
They ask the same services as the JSON API, through the same checks."""
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, redirect, render_template, request, url_for
from kit import errors

from gateway.api import document_download, store_document
from gateway.auth import (
    FAMILY, SESSION_COOKIE, check_csrf, csrf_token, current_account, require, services, set_session_cookie)

pages = Blueprint("pages", __name__)
PARIS = ZoneInfo("Europe/Paris")
FORM_ERRORS = (errors.Invalid, errors.Conflict, errors.NotFound, errors.Unauthenticated)


@pages.app_context_processor
def page_context():
    return {"csrf_token": csrf_token, "account": current_account()}


def error_page(error):
    if error.status == 401:
        return redirect(url_for("pages.login", suivant=request.full_path.rstrip("?")))
    return render_template("erreur.html", error=error), error.status


@pages.get("/")
def home():
    return redirect(url_for("pages.dashboard" if current_account() else "pages.login"))


@pages.route("/connexion", methods=["GET", "POST"])
def login():
    if request.method == "GET":
        return render_template("connexion.html")
    check_csrf()
    try:
        session = services().identity.authenticate(request.form.get("email", ""), request.form.get("password", ""))
    except errors.Unauthenticated as refused:
        return render_template("connexion.html", error=refused.message, email=request.form.get("email", "")), 401
    response = redirect(_safe_next(request.args.get("suivant")))
    set_session_cookie(response, session)
    return response


def _safe_next(target):
    """Only a path of this site, never another site."""
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("pages.dashboard")


@pages.route("/inscription", methods=["GET", "POST"])
def register():
    if request.method == "GET":
        return render_template("inscription.html", form={})
    check_csrf()
    form = request.form
    try:
        services().identity.register(form.get("email", ""), form.get("password", ""), form.get("child_key", ""))
    except FORM_ERRORS as refused:
        return render_template("inscription.html", error=refused, form=form), 422
    return redirect(url_for("pages.login", inscrit=1))


@pages.post("/deconnexion")
def logout():
    check_csrf()
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        services().identity.logout(token)
    response = redirect(url_for("pages.login"))
    response.delete_cookie(SESSION_COOKIE)
    return response


@pages.get("/tableau-de-bord")
@require(FAMILY)
def dashboard(account):
    return render_dashboard(account)


def render_dashboard(account, upload_error=None, status=200):
    household_id = account["household_id"]
    return render_template(
        "tableau_de_bord.html",
        household=services().family.get_household(household_id),
        invoices=services().billing.list_invoices(household_id),
        documents=services().vault.list_documents(household_id),
        categories=services().vault.categories(), upload_error=upload_error), status


@pages.post("/documents")
@require(FAMILY)
def upload(account):
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return render_dashboard(account=account, upload_error="Choisissez un fichier.", status=422)
    try:
        store_document(account, request.form.get("category", ""), upload)
    except errors.Invalid as refused:
        return render_dashboard(account=account, upload_error=refused.message, status=422)
    return redirect(url_for("pages.dashboard", depose=1) + "#documents")


@pages.get("/documents/<document_id>")
@require(FAMILY)
def download(document_id, account):
    return document_download(account, document_id)


@pages.get("/factures/<number>")
@require(FAMILY)
def invoice(number, account):
    return render_template("facture.html", invoice=services().billing.get_invoice(account["household_id"], number))


@pages.route("/reservations", methods=["GET", "POST"])
@require(FAMILY)
def bookings(account):
    household_id = account["household_id"]
    this_month = datetime.now(PARIS).strftime("%Y-%m")
    month = request.values.get("mois") or this_month
    error, status = None, 200
    if request.method == "POST":
        form = request.form
        try:
            services().family.book(household_id, form.get("child_id", ""), form.get("activity", ""), form.get("date", ""))
            return redirect(url_for("pages.bookings", mois=form.get("date", "")[:7] or month, reserve=1))
        except FORM_ERRORS as refused:
            error, status = refused, 422
    try:
        booked = services().family.list_bookings(household_id, month)
    except errors.Invalid:
        month = this_month
        booked = services().family.list_bookings(household_id, month)
    return render_template(
        "reservations.html", month=month, bookings=booked, activities=services().family.activities(), error=error,
        household=services().family.get_household(household_id)), status
