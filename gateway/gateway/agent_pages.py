"""The agents' back office for households and requests (démarches): find a
household, open it, the requests inbox with its filters, one request with
what an agent does to it (take, ask a question or a document, write, accept,
refuse with a reason). Same services, same checks as the API."""
from datetime import date

from flask import Blueprint, redirect, render_template, request, url_for
from kit import errors

from gateway import demarches_api
from gateway.auth import AGENTS, require, services
from gateway.errors import to_api_error

agent = Blueprint("agent", __name__)
REFUSALS = (errors.Invalid, errors.Conflict, errors.NotFound)
KINDS = [{"value": "changement_situation", "label": "Changement de situation familiale"},
         {"value": "prelevement_automatique", "label": "Prélèvement automatique"},
         {"value": "contact", "label": "Contacter la Caisse des écoles"},
         {"value": "document_demande", "label": "Document demandé"}]
STATUSES = [{"value": "submitted", "label": "Reçue"}, {"value": "in_review", "label": "En cours d'examen"},
            {"value": "waiting_for_family", "label": "En attente de la famille"},
            {"value": "accepted", "label": "Acceptée"}, {"value": "refused", "label": "Refusée"},
            {"value": "cancelled", "label": "Retirée par la famille"}]
ASSIGNEES = [{"value": "me", "label": "Les miennes"}, {"value": "none", "label": "Non attribuées"}]
DONE = {"prendre": "Vous avez pris la demande.", "question": "La question est envoyée à la famille.",
        "document": "La demande de document est envoyée à la famille.", "message": "Le message est envoyé.",
        "accepter": "La demande est acceptée.", "refuser": "La demande est refusée.",
        "document-foyer": "La demande de document est envoyée à la famille."}
ACCOUNT_DONE = {"suspendu": "Le compte est suspendu : ses sessions sont fermées.", "reactive": "Le compte est réactivé.",
                "detache": "Le compte n'est plus rattaché au foyer."}


@agent.get("/agent/foyers")
@require(AGENTS)
def households(account):
    text = request.args.get("q", "").strip()
    error, found, status = None, None, 200
    if text:
        try:
            found = services().family.search_households(text)
        except errors.Invalid as refused:
            error, status = refused, 422
    return render_template("agent_foyers.html", text=text, found=found, error=error), status


@agent.route("/agent/foyers/<household_id>", methods=["GET", "POST"])
@require(AGENTS)
def household(household_id, account):
    error, status = None, 200
    if request.method == "POST":
        try:
            made = demarches_api.open_document_request(household_id, request.form.get("category", ""),
                                                       request.form.get("note") or None)
            return redirect(url_for("agent.request_page", reference=made["reference"], fait="document-foyer"))
        except REFUSALS as refused:
            error, status = refused, 422
    return render_household(household_id, error, status)


def render_household(household_id, error=None, status=200):
    month = date.today().strftime("%Y-%m")
    return render_template("agent_foyer.html", family=services().family.family_overview(household_id), error=error,
                           form=request.form, categories=services().vault.categories(), household_id=household_id,
                           month=month, bookings=services().family.list_bookings(month, household_id),
                           accounts=services().identity.household_accounts(household_id),
                           done=ACCOUNT_DONE.get(request.args.get("fait"))), status


@agent.post("/agent/foyers/<household_id>/comptes/<account_id>/etat")
@require(AGENTS)
def set_household_account_active(household_id, account_id, account):
    """Suspends a family account attached to the household (its sessions end), or lets it in again."""
    active = request.form.get("actif") == "oui"
    try:
        services().identity.set_account_active(account_id, active)
    except REFUSALS + (errors.Forbidden,) as refused:
        return render_household(household_id, refused, to_api_error(refused).status)
    return redirect(url_for("agent.household", household_id=household_id, fait="reactive" if active else "suspendu"))


@agent.post("/agent/foyers/<household_id>/comptes/<account_id>/detacher")
@require(AGENTS)
def detach_household_account(household_id, account_id, account):
    """The account no longer reaches the household (a parent who left it, an account opened by mistake)."""
    try:
        services().identity.detach_account(account_id)
    except REFUSALS + (errors.Forbidden,) as refused:
        return render_household(household_id, refused, to_api_error(refused).status)
    return redirect(url_for("agent.household", household_id=household_id, fait="detache"))


@agent.get("/agent/demarches")
@require(AGENTS)
def inbox(account):
    filters = {name: request.args.get(name) or None for name in ("kind", "status", "assignee")}
    age = request.args.get("age", "")
    requests = services().family.request_inbox(filters["kind"], filters["status"],
                                               int(age) if age.isdigit() else None, filters["assignee"])
    return render_template("agent_demarches.html", requests=requests, filters=filters, age=age, kinds=KINDS,
                           statuses=STATUSES, assignees=ASSIGNEES)


@agent.get("/agent/demarches/<reference>")
@require(AGENTS)
def request_page(reference, account):
    return render_request(reference, done=DONE.get(request.args.get("fait", "")))


def render_request(reference, error=None, form=None, failed=None, done=None):
    found = services().family.request_detail(reference)
    return render_template("agent_demarche.html", found=found, error=error, form=form or {}, failed=failed,
                           done=done, categories=services().vault.categories())


ACTIONS = {
    "prendre": lambda found, form: services().family.take_request(found["id"]),
    "question": lambda found, form: services().family.ask_question(found["id"], form.get("question", "")),
    "document": lambda found, form: demarches_api.ask_document(found["id"], form.get("category", ""),
                                                               form.get("note") or None),
    "message": lambda found, form: demarches_api.post_message(found["id"], form.get("body", ""), [], agent=True),
    "accepter": lambda found, form: services().family.accept_request(found["id"],
                                                                     _number(form.get("quotient_familial"))),
    "refuser": lambda found, form: services().family.refuse_request(found["id"], form.get("reason", "")),
}


def _number(text):
    text = (text or "").strip()
    return int(text) if text.isdigit() else (text or None)


@agent.post("/agent/demarches/<reference>/action/<action>")
@require(AGENTS)
def act(reference, action, account):
    if action not in ACTIONS:
        raise errors.NotFound("Cette action n'existe pas.", code="unknown_action")
    found = services().family.request_detail(reference)
    try:
        ACTIONS[action](found, request.form)
    except REFUSALS as refused:
        status = 409 if isinstance(refused, errors.Conflict) else 422
        return render_request(reference, refused, request.form, action), status
    return redirect(url_for("agent.request_page", reference=found["reference"], fait=action))
