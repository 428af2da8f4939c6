"""The family portal's pages, in French, server-rendered, usable on a phone.
They ask the same services as the JSON API, through the same checks."""
from datetime import datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask import Blueprint, redirect, render_template, request, url_for
from kit import errors

from gateway import billing_pages, franceconnect
from gateway.auth import (
    ADMINS, EVERYONE, FAMILY, SESSION_COOKIE, check_csrf, cookie_name, csrf_token, current_account, delete_session_cookie,
    require, services, session_ended, set_session_cookie)

pages = Blueprint("pages", __name__)
PARIS = ZoneInfo("Europe/Paris")
RECENT_REQUESTS = 5  # "Dernières demandes" on the dashboard
FORM_ERRORS = (errors.Invalid, errors.Conflict, errors.NotFound, errors.Unauthenticated)


@pages.app_context_processor
def page_context():
    return {"csrf_token": csrf_token, "account": current_account(), "franceconnect": franceconnect.enabled()}


def error_page(error):
    if error.status == 401:
        return redirect(url_for("pages.login", suivant=request.full_path.rstrip("?")))
    if error.code == "email_not_verified":
        return redirect(url_for("pages.email_to_verify"))
    return render_template("erreur.html", error=error), error.status


@pages.get("/")
def home():
    account = current_account()
    if account is None:
        return redirect(url_for("pages.login"))
    return redirect(url_for("pages.dashboard" if account["role"] == "family" else "pages.account"))


@pages.route("/connexion", methods=["GET", "POST"])
def login():
    if request.method == "GET":
        return render_template("connexion.html")
    check_csrf()
    try:
        session = services().identity.authenticate(
            request.form.get("email", ""), request.form.get("password", ""), request.remote_addr)
    except errors.Unauthenticated as refused:
        return render_template("connexion.html", error=refused, email=request.form.get("email", "")), 401
    response = redirect(_safe_next(request.args.get("suivant")))
    set_session_cookie(response, session)
    return response


def _safe_next(target):
    """Only a path of this site, never another site (browsers read `/\\x` or `/<tab>/x` as `//x`)."""
    if (target and target.startswith("/") and not target.startswith("//") and "\\" not in target
            and target.isprintable() and " " not in target and not urlsplit(target).netloc):
        return target
    return url_for("pages.home")


@pages.route("/inscription", methods=["GET", "POST"])
def register():
    if request.method == "GET":
        return render_template("inscription.html", form={})
    check_csrf()
    form = request.form
    try:
        services().identity.register(form.get("email", ""), form.get("password", ""), form.get("child_key", ""),
                                     request.remote_addr)
    except FORM_ERRORS as refused:
        return render_template("inscription.html", error=refused, form=form), 422
    return redirect(url_for("pages.login", inscrit=1))


@pages.post("/deconnexion")
def logout():
    check_csrf()
    token = request.cookies.get(cookie_name(SESSION_COOKIE))
    if token:
        services().identity.logout(token)
        session_ended(token)
    response = redirect(franceconnect.logout_url() or url_for("pages.login"))
    delete_session_cookie(response)
    return response


@pages.get("/tableau-de-bord")
@require(FAMILY)
def dashboard(account):
    return render_dashboard(account)


def render_dashboard(account):
    return render_template(
        "tableau_de_bord.html",
        household=services().family.get_household(),
        invoices=services().billing.list_invoices(),
        safe=services().vault.overview(),
        requests=services().family.list_my_requests()[:RECENT_REQUESTS])


@pages.get("/factures/<number>")
@require(FAMILY)
def invoice(number, account):
    return billing_pages.render_invoice(number)


@pages.route("/reservations", methods=["GET", "POST"])
@require(FAMILY)
def bookings(account):
    this_month = datetime.now(PARIS).strftime("%Y-%m")
    month = request.values.get("mois") or this_month
    error, status = None, 200
    if request.method == "POST":
        form = request.form
        try:
            services().family.book(form.get("child_id", ""), form.get("activity", ""), form.get("date", ""))
            return redirect(url_for("pages.bookings", mois=form.get("date", "")[:7] or month, reserve=1))
        except FORM_ERRORS as refused:
            error, status = refused, 422
    try:
        booked = services().family.list_bookings(month)
    except errors.Invalid:
        month = this_month
        booked = services().family.list_bookings(month)
    return render_template(
        "reservations.html", month=month, bookings=booked, activities=services().family.activities(), error=error,
        household=services().family.get_household()), status


@pages.route("/verifier-courriel", methods=["GET", "POST"])
def verify_email():
    """The link of the verification e-mail: a button confirms, so that a mail
    scanner opening the link does not spend the single-use token."""
    token = request.values.get("jeton", "")
    if request.method == "GET":
        return render_template("jeton.html", token=token, title="Confirmer mon adresse e-mail",
                               action=url_for("pages.verify_email"), button="Confirmer mon adresse")
    check_csrf()
    try:
        services().identity.verify_email(token)
    except errors.Invalid as refused:
        return render_template("jeton.html", error=refused, title="Confirmer mon adresse e-mail"), 422
    return redirect(url_for("pages.login", verifie=1))


@pages.route("/courriel-a-verifier", methods=["GET", "POST"])
@require(FAMILY, verified=False)
def email_to_verify(account):
    if request.method == "POST":
        services().identity.resend_verification()
        return render_template("courriel_a_verifier.html", resent=True)
    return render_template("courriel_a_verifier.html")


@pages.route("/mot-de-passe-perdu", methods=["GET", "POST"])
def forgotten_password():
    if request.method == "GET":
        return render_template("mot_de_passe_perdu.html")
    check_csrf()
    try:
        services().identity.request_password_reset(request.form.get("email", ""), request.remote_addr)
    except errors.Invalid as refused:
        return render_template("mot_de_passe_perdu.html", error=refused), 422
    return render_template("mot_de_passe_perdu.html", sent=True)


@pages.route("/nouveau-mot-de-passe", methods=["GET", "POST"])
def new_password():
    token = request.values.get("jeton", "")
    if request.method == "GET":
        return render_template("nouveau_mot_de_passe.html", token=token)
    check_csrf()
    try:
        services().identity.reset_password(token, request.form.get("password", ""))
    except errors.Invalid as refused:
        return render_template("nouveau_mot_de_passe.html", token=token, error=refused), 422
    return redirect(url_for("pages.login", reinitialise=1))


@pages.route("/confirmer-courriel", methods=["GET", "POST"])
def confirm_email_change():
    token = request.values.get("jeton", "")
    if request.method == "GET":
        return render_template("jeton.html", token=token, title="Confirmer ma nouvelle adresse e-mail",
                               action=url_for("pages.confirm_email_change"), button="Confirmer cette adresse")
    check_csrf()
    try:
        services().identity.confirm_email_change(token)
    except (errors.Invalid, errors.Conflict) as refused:
        return render_template("jeton.html", error=refused, title="Confirmer ma nouvelle adresse e-mail"), 422
    return redirect(url_for("pages.account", courriel=1))


@pages.get("/mon-compte")
@require(EVERYONE, verified=False)
def account(account):
    return render_account(account)


def render_account(account, error=None, status=200, failed=None):
    """`failed` names the form the error belongs to, so that only its fields show it."""
    identity = services().identity
    return render_template(
        "compte.html", me=identity.get_account(), contact=identity.get_contact(),
        journal=identity.account_journal(20), error=error, failed=failed), status


@pages.post("/mon-compte/coordonnees")
@require(EVERYONE)
def update_contact(account):
    form = request.form
    address = {name: form.get(name, "") for name in ("street", "postal_code", "city")}
    try:
        services().identity.update_contact(form.get("phone") or None, address if any(address.values()) else None)
    except errors.Invalid as refused:
        return render_account(account, refused, 422, failed="coordonnees")
    return redirect(url_for("pages.account", enregistre=1))


@pages.post("/mon-compte/mot-de-passe")
@require(EVERYONE, verified=False)
def change_password(account):
    try:
        services().identity.change_password(request.form.get("current_password", ""),
                                            request.form.get("new_password", ""))
    except (errors.Invalid, errors.Unauthenticated) as refused:
        return render_account(account, refused, 422, failed="mot-de-passe")
    return redirect(url_for("pages.account", mot_de_passe=1))


@pages.post("/mon-compte/courriel")
@require(EVERYONE)
def request_email_change(account):
    try:
        services().identity.request_email_change(request.form.get("new_email", ""), request.form.get("password", ""),
                                                 request.remote_addr)
    except (errors.Invalid, errors.Conflict, errors.Unauthenticated) as refused:
        return render_account(account, refused, 422, failed="courriel")
    return redirect(url_for("pages.account", courriel_envoye=1))


@pages.post("/mon-compte/franceconnect/delier")
@require(EVERYONE)
def unlink_franceconnect(account):
    try:
        services().identity.unlink_franceconnect()
    except errors.Invalid as refused:
        return render_account(account, refused, 422, failed="franceconnect")
    return redirect(url_for("pages.account", delie=1))


@pages.get("/agents")
@require(ADMINS)
def agents(account):
    return render_agents(account)


def render_agents(account, error=None, status=200):
    listed = [found for role in ("admin", "agent") for found in services().identity.list_accounts(role)]
    return render_template("agents.html", agents=listed, error=error), status


@pages.post("/agents")
@require(ADMINS)
def create_agent(account):
    form = request.form
    try:
        services().identity.create_agent(form.get("email", ""), form.get("password", ""), form.get("role", "agent"))
    except (errors.Invalid, errors.Conflict, errors.Forbidden) as refused:
        return render_agents(account, refused, 422)
    return redirect(url_for("pages.agents", cree=1))


@pages.post("/agents/<account_id>/<any(activer, desactiver):change>")
@require(ADMINS)
def set_agent_active(account_id, change, account):
    try:
        services().identity.set_account_active(account_id, change == "activer")
    except (errors.Invalid, errors.Forbidden, errors.NotFound) as refused:
        return render_agents(account, refused, 422)
    return redirect(url_for("pages.agents"))
