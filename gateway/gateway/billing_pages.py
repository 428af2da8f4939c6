"""Billing's pages. For the family: « Mes factures » with the online-invoice
choice, an invoice's PDF, paying it online (PayFiP), « Simuler mes tarifs ».
For agents: invoices by period, status and household with the runs and the
CSV export, one household's account with the counter payment and refund
forms, the tariffs, the SEPA batches with the bank's return file. PayFiP's
notification and the family's return land here too. Same services, same
checks as the API."""
import base64
import re
from ipaddress import ip_address

from flask import Blueprint, Response, current_app, redirect, render_template, request, url_for
from kit import errors
from kit.validation import SEVERAL_FAULTS

from gateway.auth import AGENTS, FAMILY, require, services

billing = Blueprint("billing", __name__)
REFUSALS = (errors.Invalid, errors.Conflict, errors.NotFound)
PAID_STATES = {"started": "Paiement en cours de confirmation par PayFiP : rechargez la page dans un instant.",
               "paid": "Paiement accepté : merci.", "refused": "Paiement refusé par votre banque : rien n'a été prélevé.",
               "cancelled": "Paiement annulé : rien n'a été prélevé."}
MEANS = [{"value": "carte", "label": "Carte bancaire"}, {"value": "cheque", "label": "Chèque"},
         {"value": "especes", "label": "Espèces"}, {"value": "pass_solidaire", "label": "Pass solidaire"},
         {"value": "cheques_vacances", "label": "Chèques vacances (ANCV)"},
         {"value": "bons_caf", "label": "Bons CAF (séjours uniquement)"}]
REFUND_MEANS = [{"value": "virement", "label": "Virement bancaire"},
                {"value": "cheque_tresor", "label": "Chèque du Trésor public"},
                {"value": "especes", "label": "Espèces au guichet"}]
STATUSES = [{"value": "", "label": "Tous"}, {"value": "issued", "label": "Émise"},
            {"value": "partly_paid", "label": "Partiellement payée"}, {"value": "paid", "label": "Payée"},
            {"value": "overdue", "label": "En retard de paiement"}, {"value": "cancelled", "label": "Annulée"}]
TONES = {"issued": "info", "partly_paid": "attente", "paid": "succes", "overdue": "alerte", "cancelled": "neutre"}


@billing.app_template_filter("invoice_tone")
def invoice_tone(status):
    return TONES.get(status, "neutre")


def cents(value):
    """« 12,50 » or « 12.5 » euros typed in a form, in cents; None when it is not an amount."""
    text = (value or "").replace("€", "").replace(" ", "").replace("\u202f", "").replace(",", ".")
    try:
        whole, _, fraction = text.partition(".")
        if not whole.isdigit() or (fraction and (not fraction.isdigit() or len(fraction) > 2)):
            return None
        return int(whole) * 100 + int((fraction + "00")[:2])
    except ValueError:
        return None


def amount_typed(value):
    """Euros typed in a form, in cents; Invalid on `amount_cents` (billing's name for it) when not an amount."""
    amount = cents(value)
    if amount is None:
        raise errors.Invalid("Montant invalide.", code="invalid_amount",
                             fields={"amount_cents": "Montant en euros attendu, par exemple 12,50."})
    return amount


# The family

@billing.get("/factures")
@require(FAMILY)
def invoices(account):
    return render_invoices()


def render_invoices(error=None, status=200):
    billing_rpc = services().billing
    return render_template("factures.html", invoices=billing_rpc.list_invoices(), online=billing_rpc.online_invoice(),
                           done=request.args.get("fait"), error=error), status


@billing.post("/factures/facture-en-ligne")
@require(FAMILY)
def online_invoice(account):
    choice = request.form.get("choix")
    if choice not in ("oui", "non"):
        return render_invoices(errors.Invalid("Indiquez si vous adhérez à la facture en ligne.",
                                              code="invalid_choice", fields={"choix": "Choisissez oui ou non."}), 422)
    services().billing.set_online_invoice(choice == "oui")
    return redirect(url_for("billing.invoices", fait="adhesion" if choice == "oui" else "papier"))


@billing.get("/factures/<number>/pdf")
@require(FAMILY + AGENTS)
def invoice_pdf(number, account):
    return pdf_response(services().billing.invoice_pdf(number, named_household(account)))


def named_household(account):
    """The household an agent names (`?foyer=`); a family's is its own, whatever it names."""
    return request.args.get("foyer") if account["role"] != "family" else None


def pdf_response(document):
    """A document billing made ({filename, pdf in base64}), shown in the browser, kept by no cache."""
    return Response(base64.b64decode(document["pdf"]), mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="{document["filename"]}"', "Cache-Control": "private, no-store"})


@billing.post("/factures/<number>/payer")
@require(FAMILY)
def pay_online(number, account):
    try:
        started = services().billing.start_online_payment(number, payer_email(account))
    except REFUSALS as refused:
        return render_invoice(number, refused, 422)
    return redirect(started["url"])


def payer_email(account):
    """The address PayFiP sends its receipt to: the account's, which an access
    token and a cached session do not carry (then identity says it)."""
    return account.get("email") or services().identity.get_contact()["email"]


def render_invoice(number, error=None, status=200):
    billing_rpc = services().billing
    return render_template("facture.html", invoice=billing_rpc.get_invoice(number),
                           online=billing_rpc.online_invoice(), error=error,
                           paid=PAID_STATES.get(request.args.get("paiement", ""))), status


@billing.route("/paiement/payfip/notification", methods=["GET", "POST"])
def payfip_notification():
    """PayFiP tells how a payment ended, server to server (POST, only from its addresses when
    PAYFIP_NOTIFY_FROM names them); then the family comes back (GET), which only reads."""
    if request.method == "POST":
        if not from_payfip(request.remote_addr):
            return Response("refusé", status=403, mimetype="text/plain")
        try:
            services().billing.payfip_notification(request.get_data(as_text=True))
        except REFUSALS:
            return Response("refusé", status=400, mimetype="text/plain")
        return Response("OK", mimetype="text/plain")
    try:
        outcome = services().billing.online_payment_outcome(request.args.get("refdet", ""))
    except REFUSALS:
        return redirect(url_for("billing.invoices"))
    return redirect(url_for("pages.invoice", number=outcome["invoice_number"], paiement=outcome["state"]))


def from_payfip(address):
    allowed = current_app.config["PAYFIP_NOTIFY_FROM"]
    return not allowed or any(ip_address(address or "0.0.0.0") in network for network in allowed)


@billing.get("/tarifs")
@require(FAMILY)
def simulate(account):
    asked = request.args.get("quotient_familial")
    simulation, error, status = None, None, 200
    if asked is not None:
        try:
            simulation = services().billing.simulate(int(asked) if asked.strip().isdigit() else asked)
        except errors.Invalid as refused:
            error, status = refused, 422
    return render_template("tarifs.html", simulation=simulation, asked=asked or "", error=error), status


# Agents

@billing.get("/agents/facturation")
@require(AGENTS)
def agent_invoices(account):
    return render_agent_invoices()


def render_agent_invoices(error=None, status=200):
    wanted = {"period": request.args.get("mois") or None, "status": request.args.get("statut") or None,
              "household_id": request.args.get("foyer") or None}
    found = []
    try:
        found = services().billing.search_invoices(**wanted)
    except errors.Invalid as refused:
        error, status = error or refused, 422
    return render_template("agent_facturation.html", invoices=found, wanted=wanted, statuses=STATUSES,
                           runs=services().billing.list_runs(), error=error, done=request.args.get("fait")), status


@billing.post("/agents/facturation/lancer")
@require(AGENTS)
def start_run(account):
    try:
        result = services().billing.run_period(request.form.get("mois", ""))
    except errors.Invalid as refused:
        return render_agent_invoices(refused, 422)
    return redirect(url_for("billing.agent_invoices", mois=result["period"], fait="facturation"))


@billing.get("/agents/facturation/export")
@require(AGENTS)
def export(account):
    exported = services().billing.export_period(request.args.get("mois", ""))
    return Response(exported["csv"], mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{exported["filename"]}"'})


@billing.get("/agents/foyers/<household_id>/compte")
@require(AGENTS)
def household_account(household_id, account):
    return render_household_account(household_id)


def render_household_account(household_id, error=None, form=None, receipt=None, status=200, refund=None,
                             refused_refund=False):
    """The account with the answer of one of its forms; `refused_refund`: `error` is the refund form's."""
    return render_template("agent_compte_foyer.html", household_id=household_id,
                           account_view=services().billing.household_account(household_id),
                           mandate=services().billing.mandate(household_id), means=MEANS, error=error,
                           form=form or {}, receipt=receipt, refund_means=REFUND_MEANS, refund=refund,
                           refused_refund=refused_refund,
                           certificates=services().billing.list_certificates(household_id)), status


@billing.post("/agents/foyers/<household_id>/paiements")
@require(AGENTS)
def counter_payment(household_id, account):
    form = request.form
    try:
        payment = {"number": form.get("facture", ""), "amount_cents": amount_typed(form.get("montant")),
                   "means": form.get("moyen", ""), "cheque_number": form.get("numero_cheque") or None,
                   "bank": form.get("banque") or None, "received_on": form.get("recu_le") or None}
        receipt = services().billing.record_counter_payment(household_id, payment)
    except REFUSALS as refused:
        return render_household_account(household_id, refused, form, status=422)
    return render_household_account(household_id, receipt=receipt)


@billing.post("/agents/foyers/<household_id>/remboursements")
@require(AGENTS)
def refund(household_id, account):
    form = request.form
    try:
        asked = {"number": form.get("remboursement_facture", ""),
                 "amount_cents": amount_typed(form.get("remboursement_montant")),
                 "means": form.get("remboursement_moyen", ""), "refunded_on": form.get("rembourse_le") or None,
                 "iban": form.get("iban") or None, "note": form.get("note") or None}
        made = services().billing.record_refund(household_id, asked)
    except REFUSALS as refused:
        return render_household_account(household_id, refused, form, status=422, refused_refund=True)
    return render_household_account(household_id, refund=made)


@billing.get("/agents/tarifs")
@require(AGENTS)
def tariffs(account):
    error, status = None, 200
    try:
        listed = services().billing.list_tariffs(request.args.get("le") or None)
    except errors.Invalid as refused:
        error, status, listed = refused, 422, services().billing.list_tariffs()
    history = {}
    for version in listed["versions"]:
        history.setdefault(version["activity"], []).append(version)
    added = next((version for version in history.get(request.args.get("activite"), ())
                  if str(version["version"]) == request.args.get("version")), None)
    return render_template("agent_tarifs.html", tariffs=listed, history=history, added=added, error=error,
                           asked=request.args.get("le", "")), status


# The form of a new tariff version: euros and percentages as agents type them
# (« 3,20 », « 0,45 »), a fixed number of bracket rows whose empty ones are
# ignored; billing's refusal is shown next to the input it names.
BRACKET_ROWS, MOST_BRACKETS = 8, 30  # as many brackets as the API takes (billing_schemas.TariffIn)
BRACKET_INPUT = re.compile(r"tranche-([0-9]{1,2})-(de|a|prix)")
BRACKET_PARTS = {"qf_min": "de", "qf_max": "a", "price_cents": "prix"}
TARIFF_INPUTS = {"activity": "activite", "effective_from": "date_effet", "price_basis": "unite", "kind": "mode",
                 "brackets": "tranches", "effort_rate": "taux", "floor_cents": "plancher",
                 "ceiling_cents": "plafond", "non_resident_cents": "hors_commune"}
BASES = [{"value": "day", "label": "Par jour"}, {"value": "half_day", "label": "Par demi-journée"},
         {"value": "stay", "label": "Par séjour"}]
KINDS = [{"value": "brackets", "label": "Par tranches de quotient familial"},
         {"value": "effort_rate", "label": "Par taux d'effort (un pourcentage du quotient familial)"}]
PRICE_TYPED = "prix en euros attendu, par exemple 3,20."


def typed(hundredths):
    """Cents as an agent types euros (« 3,20 »); a rate in hundredths of a percent as a percentage (« 0,45 »)."""
    return "" if hundredths is None else f"{hundredths // 100},{hundredths % 100:02d}"


def whole(text):
    """A quotient familial typed in whole euros (« 1 250 »), or None."""
    text = text.replace(" ", "").replace("\u202f", "").replace("\xa0", "")
    return int(text) if text.isascii() and text.isdigit() else None


@billing.get("/agents/tarifs/nouveau")
@require(AGENTS)
def new_tariff(account):
    listed = services().billing.list_tariffs()
    current = next((tariff for tariff in listed["in_force"] if tariff["activity"] == request.args.get("activite")),
                   None)
    return render_tariff_form(listed, prefilled(current) if current else {"mode": "brackets"})


def prefilled(tariff):
    """The form's values from the version in force, but for its date: agents usually change a few prices."""
    values = {"activite": tariff["activity"], "unite": tariff["price_basis"], "mode": tariff["kind"],
              "taux": typed(tariff["effort_rate"]), "plancher": typed(tariff["floor_cents"]),
              "plafond": typed(tariff["ceiling_cents"]), "hors_commune": typed(tariff["non_resident_cents"])}
    for row, bracket in enumerate(tariff["brackets"], start=1):
        values |= {f"tranche-{row}-de": str(bracket["qf_min"]), f"tranche-{row}-prix": typed(bracket["price_cents"]),
                   f"tranche-{row}-a": "" if bracket["qf_max"] is None else str(bracket["qf_max"])}
    return values


def render_tariff_form(listed, form, error=None, status=200):
    activities = list({version["activity"]: {"value": version["activity"], "label": version["activity_label"]}
                       for version in listed["versions"]}.values())
    return render_template("agent_tarif_nouveau.html", activities=activities, bases=BASES, kinds=KINDS,
                           rows=min(MOST_BRACKETS, max([BRACKET_ROWS - 1, *filled_rows(form)]) + 1), form=form,
                           error=error), status


def filled_rows(form):
    """The numbers of the bracket rows where something was typed, in order."""
    found = (BRACKET_INPUT.fullmatch(name) for name, value in form.items() if value.strip())
    return sorted({int(match[1]) for match in found if match and 0 < int(match[1]) <= MOST_BRACKETS})


@billing.post("/agents/tarifs/nouveau")
@require(AGENTS)
def add_tariff(account):
    tariff, faults = tariff_from_form(request.form)
    try:
        if faults:
            raise errors.Invalid(next(iter(faults.values())) if len(faults) == 1 else SEVERAL_FAULTS,
                                 code="invalid_tariff", fields=faults)
        added = services().billing.add_tariff(tariff)
    except errors.Invalid as refused:
        return render_tariff_form(services().billing.list_tariffs(), request.form, on_form(refused), 422)
    return redirect(url_for("billing.tariffs", le=added["effective_from"], activite=added["activity"],
                            version=added["version"]))


def tariff_from_form(form):
    """The tariff billing takes, and the inputs the page itself cannot read (by input name)."""
    faults = {}

    def amount(name, what, required=True):
        text = form.get(name, "").strip()
        value = cents(text) if text else None
        if value is None and (text or required):
            faults[name] = what
        return value

    kind = form.get("mode", "")
    tariff = {"activity": form.get("activite", ""), "effective_from": form.get("date_effet", ""),
              "price_basis": form.get("unite", ""), "kind": kind, "brackets": [],
              "non_resident_cents": amount("hors_commune", "Prix hors commune en euros attendu, par exemple 4,50.",
                                           required=False)}
    if kind == "brackets":
        filled = filled_rows(form)
        # billing names the brackets A, B, C... in the order sent: as the form's rows, when none is skipped
        for row in range(1, max(filled, default=0) + 1):
            code = chr(ord("A") + row - 1)
            if row not in filled:
                faults[f"tranche-{row}-de"] = (f"Tranche {code} : ligne vide alors qu'une tranche suivante est "
                                               f"remplie ; les tranches se suivent sans ligne vide.")
                continue
            low, high = form.get(f"tranche-{row}-de", "").strip(), form.get(f"tranche-{row}-a", "").strip()
            bracket = {"qf_min": whole(low), "qf_max": whole(high) if high else None,
                       "price_cents": amount(f"tranche-{row}-prix", f"Tranche {code} : {PRICE_TYPED}")}
            for part, text in (("de", low), ("a", high)):
                if (text or part == "de") and whole(text) is None:
                    faults[f"tranche-{row}-{part}"] = (f"Tranche {code} : quotient familial en euros entiers "
                                                       f"attendu, par exemple 401.")
            tariff["brackets"].append(bracket)
    elif kind == "effort_rate":
        tariff |= {"effort_rate": amount("taux", "Taux d'effort en pourcentage attendu, par exemple 0,45."),
                   "floor_cents": amount("plancher", "Prix plancher en euros attendu, par exemple 3,00."),
                   "ceiling_cents": amount("plafond", "Prix plafond en euros attendu, par exemple 20,00.")}
    return tariff, faults


def on_form(refused):
    """The refusal with each field named as the form's input: billing's
    « brackets.1.qf_min » is the « de » input of the form's second row."""
    fields = {}
    for name, message in refused.fields.items():
        path = name.split(".")
        if path[0] == "brackets" and len(path) == 3 and path[1].isdigit():
            name = f"tranche-{int(path[1]) + 1}-{BRACKET_PARTS.get(path[2], 'prix')}"
        else:
            name = TARIFF_INPUTS.get(path[0], name)
        fields[name] = message
    return type(refused)(refused.message, code=refused.code, fields=fields)


@billing.get("/agents/prelevements")
@require(AGENTS)
def debit_batches(account):
    return render_debits()


def render_debits(error=None, form=None, status=200, report=None):
    billing_rpc = services().billing
    reasons = [{"value": reason["code"], "label": f"{reason['code']} — {reason['label']}"}
               for reason in billing_rpc.debit_rejection_reasons()]
    return render_template("agent_prelevements.html", batches=billing_rpc.list_debit_batches(), reasons=reasons,
                           return_files=billing_rpc.list_debit_return_files(), report=report, error=error,
                           form=form or {}, done=request.args.get("fait")), status


@billing.post("/agents/prelevements")
@require(AGENTS)
def generate_batch(account):
    try:
        services().billing.generate_debit_batch(request.form.get("echeance", ""))
    except REFUSALS as refused:
        return render_debits(refused, request.form, 422)
    return redirect(url_for("billing.debit_batches", fait="lot"))


@billing.get("/agents/prelevements/<batch_id>/fichier")
@require(AGENTS)
def batch_file(batch_id, account):
    document = services().billing.debit_batch_file(batch_id)
    return Response(base64.b64decode(document["xml"]), mimetype="application/xml", headers={
        "Content-Disposition": f'attachment; filename="{document["filename"]}"'})


@billing.post("/agents/prelevements/<batch_id>/envoye")
@require(AGENTS)
def batch_sent(batch_id, account):
    services().billing.mark_debit_batch_sent(batch_id)
    return redirect(url_for("billing.debit_batches", fait="envoye"))


@billing.post("/agents/prelevements/rejets")
@require(AGENTS)
def debit_rejection(account):
    try:
        services().billing.record_debit_rejection(request.form.get("reference", "").strip(), request.form.get("motif"))
    except REFUSALS as refused:
        return render_debits(refused, request.form, 422)
    return redirect(url_for("billing.debit_batches", fait="rejet"))


@billing.post("/agents/prelevements/retours")
@require(AGENTS)
def import_debit_returns(account):
    try:
        report = import_returns(request.files.get("file"))
    except REFUSALS as refused:
        return render_debits(refused, status=422)
    return render_debits(report=report)


def import_returns(upload):
    """The bank's return file, as the form or the API received it, to billing, which reads it and applies it."""
    if upload is None or not upload.filename:
        missing = "Choisissez le fichier de retour de la banque."
        raise errors.Invalid(missing, code="file_missing", fields={"file": missing})
    return services().billing.import_debit_returns(upload.filename, base64.b64encode(upload.read()).decode())
