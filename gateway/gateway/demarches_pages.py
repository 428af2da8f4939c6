"""The family's pages of Ma famille and its requests (démarches): the
household, a new request of each kind, Mes démarches, one request with its
timeline and thread. Same services, same checks as the API."""
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, redirect, render_template, request, url_for
from kit import errors

from gateway.formatting import day, euros, month

from gateway import demarches_api, vault_streams
from gateway.auth import FAMILY, require, services

demarches = Blueprint("demarches", __name__)
REFUSALS = (errors.Invalid, errors.Conflict, errors.NotFound)
DONE = {"envoyee": "Votre demande est envoyée : la Caisse des écoles vous répondra ici et par e-mail.",
        "message": "Votre message est envoyé.", "retiree": "Votre demande est retirée."}


@demarches.get("/ma-famille")
@require(FAMILY)
def my_family(account):
    return render_template("ma_famille.html", family=services().family.family_overview())


@demarches.get("/mon-historique")
@require(FAMILY)
def history(account):
    """Everything that happened to the household, newest first: requests, invoices, bookings, documents."""
    this_month = datetime.now(ZoneInfo("Europe/Paris")).strftime("%Y-%m")
    return render_template("historique.html", events=merged_history(
        services().family.list_my_requests(), services().billing.list_invoices(),
        services().family.list_bookings(this_month), services().vault.safe_journal()))


def merged_history(filed, invoices, bookings, journal):
    """`{at, what, link}` of each fact, newest first."""
    events = []
    for found in filed:
        link = url_for("demarches.request_page", reference=found["reference"])
        events.append({"at": found["created_at"], "what": f"Démarche {found['reference']} envoyée : {found['title']}",
                       "link": link})
        if found["decided_at"]:
            events.append({"at": found["decided_at"], "link": link,
                           "what": f"Démarche {found['reference']} : {found['status_label'].lower()}"})
    events += [{"at": invoice["issued_at"], "link": url_for("pages.invoice", number=invoice["number"]),
                "what": f"Facture {invoice['number']} de {month(invoice['period'])} : {euros(invoice['total_cents'])}"}
               for invoice in invoices]
    events += [{"at": booking["created_at"], "link": None,
                "what": f"Réservation {booking['activity_label']} pour {booking['child_first_name']} le "
                        f"{day(booking['date'])}" + (" (annulée)" if booking["status"] == "cancelled" else "")}
               for booking in bookings]
    events += [{"at": line["at"], "what": line["sentence"], "link": None} for line in journal]
    return sorted(events, key=lambda event: event["at"], reverse=True)


@demarches.get("/demarches")
@require(FAMILY)
def my_requests(account):
    return render_template("demarches.html", requests=services().family.list_my_requests())


@demarches.route("/demarches/nouvelle", methods=["GET", "POST"])
@require(FAMILY)
def new_request(account):
    catalogue = services().family.request_catalogue()
    kind = request.values.get("type", "")
    error, status, form = None, 200, request.form
    checked = form.getlist("document_ids")
    if request.method == "POST":
        try:
            checked = [*checked, *uploaded_on_the_way()]
            made = demarches_api.submit(kind, form_data(kind, form), checked)
            return redirect(url_for("demarches.request_page", reference=made["reference"], fait="envoyee"))
        except REFUSALS as refused:
            error, status = refused, 422
    guardians = [{"value": g["id"], "label": f"{g['first_name']} {g['last_name']}"}
                 for g in services().family.get_household()["guardians"]]
    return render_template("demarche_nouvelle.html", catalogue=catalogue, kind=kind, error=error, form=form,
                           documents=document_choices() if kind else [], checked=checked, guardians=guardians,
                           categories=services().vault.categories() if kind else []), status


def uploaded_on_the_way():
    """A justificatif chosen on the request's form lands in the safe first: its id, or none."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return []
    form = request.form
    return [vault_streams.upload(upload, form.get("category", ""), form.get("issued_on", ""),
                                 form.get("valid_until", ""))["id"]]


def document_choices():
    """The safe's documents, as check boxes."""
    return [{"value": d["id"], "label": f"{d['category_label']} — {d['filename']}"}
            for d in services().vault.list_documents()]


def form_data(kind, form):
    """The request's fields from the form, as the API takes them; family checks them."""
    def text(name):
        return form.get(name, "").strip() or None

    if kind == "contact":
        return {"subject": form.get("subject", ""), "message": form.get("message", "")}
    if kind == "prelevement_automatique":
        return {"account_holder": form.get("account_holder", ""), "iban": form.get("iban", ""),
                "bic": form.get("bic", ""), "mandate_accepted": form.get("mandate_accepted") == "oui"}
    change = form.get("change", "")
    if change == "demenagement":
        return {"change": change, "moved_on": form.get("moved_on", ""), "address": {
            "line1": form.get("line1", ""), "line2": text("line2"), "postal_code": form.get("postal_code", ""),
            "city": form.get("city", "")}}
    if change == "nouvel_enfant":
        return {"change": change, "child": {name: form.get(name, "") for name in
                                            ("first_name", "last_name", "birth_date", "school")}}
    if change == "nouveau_responsable":
        return {"change": change, "guardian": {"first_name": form.get("first_name", ""),
                                               "last_name": form.get("last_name", ""), "email": form.get("email", ""),
                                               "phone": text("phone")}}
    if change == "separation":
        return {"change": change, "guardian_id": form.get("guardian_id", ""),
                "separated_on": form.get("separated_on", "")}
    quotient = form.get("quotient_familial", "")
    return {"change": change, "quotient_familial": int(quotient) if quotient.isdigit() else quotient,
            "valid_from": form.get("valid_from", "")}


@demarches.route("/demarches/<reference>", methods=["GET", "POST"])
@require(FAMILY)
def request_page(reference, account):
    error, status = None, 200
    if request.method == "POST":
        try:
            demarches_api.post_message(reference, request.form.get("body", ""), request.form.getlist("document_ids"),
                                       agent=False)
            return redirect(url_for("demarches.request_page", reference=reference, fait="message") + "#fil")
        except REFUSALS as refused:
            error, status = refused, 409 if isinstance(refused, errors.Conflict) else 422
    return render_request(reference, error, request.form, DONE.get(request.args.get("fait", ""))), status


def render_request(reference, error=None, form=None, done=None):
    documents = document_choices()
    return render_template("demarche.html", found=services().family.request_detail(reference), error=error,
                           form=form or {}, documents=documents, done=done,
                           document_names={d["value"]: d["label"] for d in documents})


@demarches.post("/demarches/<reference>/retirer")
@require(FAMILY)
def withdraw(reference, account):
    try:
        services().family.withdraw_request(reference)
    except errors.Conflict as refused:
        return render_request(reference, refused), 409
    return redirect(url_for("demarches.request_page", reference=reference, fait="retiree"))
