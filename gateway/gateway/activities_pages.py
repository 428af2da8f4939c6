"""The activities' pages. For families: a child's month calendar (book,
cancel, book a period, what is billed), pre-registration for holiday
sessions and stays, absences. For agents: the catalogue (places, deadlines,
closures), the pre-registration lists, the certificates to check. Same
services, same checks as the API."""
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, redirect, render_template, request, url_for
from kit import errors

from gateway.auth import AGENTS, FAMILY, require, services

activities = Blueprint("activities", __name__)
PARIS = ZoneInfo("Europe/Paris")
REFUSALS = (errors.Invalid, errors.Conflict, errors.NotFound)
WEEKDAYS = [{"value": n, "label": name} for n, name in enumerate(("lundi", "mardi", "mercredi", "jeudi", "vendredi"))]
DONE = {"reserve": "Réservation enregistrée.", "annule": "Réservation annulée.",
        "preinscrit": "Pré-inscription enregistrée.", "repondu": "Réponse enregistrée.",
        "retire": "Pré-inscription annulée.", "absence": "Absence signalée.", "certificat": "Certificat transmis.",
        "places": "Catalogue modifié.", "seance": "Séjour créé.", "decide": "Décision enregistrée."}


def status_of(refused):
    return 409 if isinstance(refused, errors.Conflict) else 404 if isinstance(refused, errors.NotFound) else 422


def done():
    """The confirmation after a redirect; a form sent again from that address shows its own outcome."""
    return DONE.get(request.args.get("fait", "")) if request.method == "GET" else None


# A child's month

@activities.route("/calendrier", methods=["GET", "POST"])
@require(FAMILY)
def calendar(account):
    household = services().family.get_household()
    child_id = request.values.get("enfant") or household["children"][0]["id"]
    month = request.values.get("mois") or datetime.now(PARIS).strftime("%Y-%m")
    error, status, report = None, 200, None
    if request.method == "POST":
        form = request.form
        try:
            action = form.get("action")
            if action == "annuler":
                services().family.cancel_booking(form.get("booking_id", ""))
                return redirect(url_for("activities.calendar", enfant=child_id, mois=month, fait="annule"))
            if action == "periode":
                report = services().family.book_period({
                    "child_id": child_id, "activity": form.get("activity", ""),
                    "first_day": form.get("first_day", ""), "last_day": form.get("last_day", ""),
                    "weekdays": [int(day) for day in form.getlist("weekdays") if day.isdigit()]})
            else:
                services().family.book(child_id, form.get("activity", ""), form.get("date", ""))
                return redirect(url_for("activities.calendar", enfant=child_id, mois=month, fait="reserve"))
        except REFUSALS as refused:
            error, status = refused, status_of(refused)
    try:
        days = services().family.month_calendar(child_id, month)
    except (errors.Invalid, errors.NotFound):
        child_id, month = household["children"][0]["id"], datetime.now(PARIS).strftime("%Y-%m")
        days = services().family.month_calendar(child_id, month)
    offered = [a for a in services().family.activities() if a["mode"] == "day"]
    return render_template("calendrier.html", household=household, child_id=child_id, month=month, calendar=days,
                           activities=offered, weekdays=WEEKDAYS, report=report, error=error, done=done(),
                           previous=shift(month, -1), next=shift(month, 1)), status


def shift(month, by):
    year, number = map(int, month.split("-"))
    number += by
    return f"{year + (number - 1) // 12:04d}-{(number - 1) % 12 + 1:02d}"


# Pre-registration

@activities.route("/preinscriptions", methods=["GET", "POST"])
@require(FAMILY)
def preregistration(account):
    error, status = None, 200
    if request.method == "POST":
        form, family = request.form, services().family
        try:
            action = form.get("action")
            if action in ("accepter", "decliner"):
                family.answer_offer(form.get("preregistration_id", ""), action == "accepter")
                return redirect(url_for("activities.preregistration", fait="repondu"))
            if action == "retirer":
                family.withdraw_preregistration(form.get("preregistration_id", ""))
                return redirect(url_for("activities.preregistration", fait="retire"))
            family.preregister({"session_id": form.get("session_id", ""), "child_id": form.get("child_id", "")})
            return redirect(url_for("activities.preregistration", fait="preinscrit"))
        except REFUSALS as refused:
            error, status = refused, status_of(refused)
    return render_template("preinscriptions.html", household=services().family.get_household(),
                           sessions=services().family.sessions(), mine=services().family.preregistrations(),
                           error=error, done=done()), status


# Absences

@activities.route("/absences", methods=["GET", "POST"])
@require(FAMILY)
def absences(account):
    error, status = None, 200
    if request.method == "POST":
        form = request.form
        try:
            if form.get("action") == "certificat":
                services().family.attach_certificate(form.get("absence_id", ""), form.get("document_id", ""))
                return redirect(url_for("activities.absences", fait="certificat"))
            services().family.report_absence({
                "child_id": form.get("child_id", ""), "first_day": form.get("first_day", ""),
                "last_day": form.get("last_day", ""), "reason": form.get("reason", ""),
                "document_id": form.get("document_id") or None})
            return redirect(url_for("activities.absences", fait="absence"))
        except REFUSALS as refused:
            error, status = refused, status_of(refused)
    documents = [d for d in services().vault.list_documents() if d.get("category") == "certificat_medical"]
    return render_template("absences.html", household=services().family.get_household(),
                           absences=services().family.absences(), documents=documents, error=error,
                           done=done()), status


# Agents

@activities.route("/agent/activites", methods=["GET", "POST"])
@require(AGENTS)
def catalogue(account):
    school_year = request.values.get("annee") or None
    error, status = None, 200
    if request.method == "POST":
        form = request.form
        try:
            changes = closures_change(form) if form.get("action") == "fermeture" else capacity_change(form)
            changed = services().family.update_catalogue(form.get("school_year", ""), changes,
                                                         int(form.get("version", "-1") or -1))
            return redirect(url_for("activities.catalogue", annee=changed["school_year"], fait="places"))
        except REFUSALS as refused:
            error, status = refused, status_of(refused)
    try:
        found = services().family.catalogue(school_year)
    except errors.Invalid:
        found = services().family.catalogue(None)
    return render_template("agent_activites.html", catalogue=found, error=error, done=done()), status


def capacity_change(form):
    """Places of one activity; the service refuses what is not a number of places."""
    return {"activities": {form.get("activity", ""): {"capacity": _number(form.get("capacity"))}}}


def closures_change(form):
    current = services().family.catalogue(form.get("school_year") or None)["closures"]
    return {"closures": [*current, {"date": form.get("date", ""), "reason": form.get("reason", "")}]}


@activities.route("/agent/preinscriptions", methods=["GET", "POST"])
@require(AGENTS)
def agent_preregistration(account):
    session_id = request.values.get("seance")
    error, status = None, 200
    if request.method == "POST":
        form = request.form
        try:
            if form.get("action") == "decider":
                services().family.decide_preregistration(form.get("preregistration_id", ""), form.get("decision", ""),
                                                         form.get("target_session_id") or None)
                return redirect(url_for("activities.agent_preregistration", seance=session_id, fait="decide"))
            made = services().family.create_session({
                "activity": form.get("activity", ""), "label": form.get("label", ""),
                "first_day": form.get("first_day", ""), "last_day": form.get("last_day", ""),
                "places": _number(form.get("places")), "min_age": _number(form.get("min_age")),
                "max_age": _number(form.get("max_age")), "opens_at": _paris_instant(form.get("opens_at", "")),
                "price_basis": form.get("price_basis", "stay")})
            return redirect(url_for("activities.agent_preregistration", seance=made["id"], fait="seance"))
        except REFUSALS as refused:
            error, status = refused, status_of(refused)
    sessions = services().family.sessions()
    listed = None
    if session_id:
        try:
            listed = services().family.session_list(session_id)
        except errors.NotFound:
            listed = None
    offered = [a for a in services().family.activities() if a["mode"] == "preregistration"]
    return render_template("agent_preinscriptions.html", sessions=sessions, listed=listed, activities=offered,
                           error=error, done=done()), status


def _number(text):
    return int(text) if text and text.strip().isdigit() else text


def _paris_instant(text):
    """A datetime-local input (Paris wall-clock time) as an aware ISO instant."""
    try:
        return datetime.fromisoformat(text).replace(tzinfo=PARIS).isoformat()
    except ValueError:
        return text


@activities.route("/agent/absences", methods=["GET", "POST"])
@require(AGENTS)
def agent_absences(account):
    error, status = None, 200
    if request.method == "POST":
        try:
            services().family.decide_certificate(request.form.get("absence_id", ""),
                                                 request.form.get("decision") == "valider")
            return redirect(url_for("activities.agent_absences", fait="decide"))
        except REFUSALS as refused:
            error, status = refused, status_of(refused)
    return render_template("agent_absences.html", pending=services().family.pending_certificates(), error=error,
                           done=done()), status
