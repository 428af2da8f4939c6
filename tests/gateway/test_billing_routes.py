"""Billing's pages and API through the gateway against a real billing process
(RPC over the real broker), the person already authenticated: a family reads
its invoices and their PDF, opts in and pays online through the PayFiP
simulator, simulates its prices; an agent finds invoices, records counter
payments (bons CAF refused on catering) and refunds, reads tariffs and SEPA
batches, imports the bank's return file."""
import importlib.util
import io
import os
import re
import secrets
import subprocess
import sys
import time
import uuid
from datetime import date, datetime, timezone
from html import unescape
from pathlib import Path

import pytest
import requests
import samples
import sqlalchemy as sa
from flask import g

from gateway import auth
from gateway.app import create_app
from gateway.settings import Settings

RABBIT_API = "http://127.0.0.1:15672/api"
BROKER_AUTH = ("guest", "guest")
REPOSITORY = Path(__file__).resolve().parents[2]
HOUSEHOLD = str(uuid.uuid4())
NUMBER = "F-2026-10-0000001"
FAMILY = {"id": str(uuid.uuid4()), "role": "family", "household_id": HOUSEHOLD, "email_verified": True,
          "session_id": "s", "email": "parent@example.org"}
AGENT = {"id": str(uuid.uuid4()), "role": "agent", "household_id": None, "session_id": "a"}


def simulator_module():
    spec = importlib.util.spec_from_file_location("payfip_simulator", REPOSITORY / "deploy" / "payfip_simulator.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def an_invoice(database):
    """An October invoice of the household: catering only, as a run would have made it."""
    engine = sa.create_engine(f"sqlite:///{database}")
    invoice_id = uuid.uuid4()
    with engine.begin() as connection:
        connection.execute(sa.text(
            "INSERT INTO invoices (id, number, household_id, period, issued_at, due_date, total_cents, paid_cents, "
            "overpaid_cents, status, online) VALUES (:id, :number, :household, '2026-10', :issued, :due, 640, 0, 0, "
            "'issued', 0)"), {"id": invoice_id.hex, "number": NUMBER, "household": uuid.UUID(HOUSEHOLD).hex,
                              "issued": datetime(2026, 11, 2, 6, tzinfo=timezone.utc), "due": date(2099, 11, 30)})
        connection.execute(sa.text(
            "INSERT INTO invoice_lines (id, invoice_id, position, child_id, child_first_name, activity, kind, status, "
            "price_basis, origin, label, dates, quantity, unit_price_cents, amount_cents) VALUES (:id, :invoice, 1, "
            ":child, 'Léa', 'restauration_scolaire', 'charge', 'booked', 'day', '2026-10', "
            "'Restauration scolaire — Léa (4 jours)', '[]', 4, 160, 640)"),
            {"id": uuid.uuid4().hex, "invoice": invoice_id.hex, "child": uuid.uuid4().hex})
    engine.dispose()


CARRYING = str(uuid.uuid4())  # a household whose November avoir (17 €) lowered its December invoice to zero
AVOIR, CARRIED = "F-2026-11-0000002", "F-2026-12-0000003"


def an_avoir_carried(database):
    """As runs would have made them: November's avoir of 17 €, 5 € of it carried onto December's 5 € of study."""
    engine = sa.create_engine(f"sqlite:///{database}")
    avoir, december, household = uuid.uuid4(), uuid.uuid4(), uuid.UUID(CARRYING).hex
    invoice = ("INSERT INTO invoices (id, number, household_id, period, issued_at, due_date, total_cents, paid_cents, "
               "overpaid_cents, carried_cents, status, online) VALUES (:id, :number, :household, :period, :issued, "
               ":due, :total, 0, 0, :carried, 'paid', 0)")
    line = ("INSERT INTO invoice_lines (id, invoice_id, position, child_id, child_first_name, activity, kind, status, "
            "price_basis, origin, label, dates, quantity, unit_price_cents, amount_cents, carried_from) VALUES (:id, "
            ":invoice, :position, :child, :name, :activity, :kind, :status, :basis, :origin, :label, '[]', "
            ":quantity, :unit, :amount, :carried_from)")
    child = {"child": uuid.uuid4().hex, "name": "Léa", "status": "booked", "basis": "day", "carried_from": None}
    with engine.begin() as connection:
        connection.execute(sa.text(invoice), [
            {"id": avoir.hex, "number": AVOIR, "household": household, "period": "2026-11", "total": -1700,
             "carried": 500, "issued": datetime(2026, 12, 2, 6, tzinfo=timezone.utc), "due": date(2026, 12, 31)},
            {"id": december.hex, "number": CARRIED, "household": household, "period": "2026-12", "total": 0,
             "carried": 0, "issued": datetime(2027, 1, 4, 6, tzinfo=timezone.utc), "due": date(2027, 2, 28)}])
        connection.execute(sa.text(line), [
            {**child, "id": uuid.uuid4().hex, "invoice": avoir.hex, "position": 1, "activity": "alsh_mercredi",
             "kind": "credit", "origin": "2026-10", "quantity": 4, "unit": -450, "amount": -1800,
             "label": "Avoir sur octobre 2026 : Accueil de loisirs du mercredi — Léa, absence justifiée (4 jours)"},
            {**child, "id": uuid.uuid4().hex, "invoice": avoir.hex, "position": 2, "activity": "etude",
             "kind": "charge", "origin": "2026-11", "quantity": 1, "unit": 100, "amount": 100,
             "label": "Étude surveillée — Léa (1 jour)"},
            {**child, "id": uuid.uuid4().hex, "invoice": december.hex, "position": 1, "activity": "etude",
             "kind": "charge", "origin": "2026-12", "quantity": 5, "unit": 100, "amount": 500,
             "label": "Étude surveillée — Léa (5 jours)"},
            {"id": uuid.uuid4().hex, "invoice": december.hex, "position": 2, "child": None, "name": None,
             "activity": None, "kind": "carried_credit", "status": None, "basis": None, "origin": "2026-11",
             "quantity": 1, "unit": -500, "amount": -500, "carried_from": avoir.hex,
             "label": f"Report de l'avoir de la facture {AVOIR}"}])
    engine.dispose()


OVERPAID, OVERPAID_NUMBER = str(uuid.uuid4()), "F-2026-09-0000009"  # a household that paid 2,60 € too much


def an_overpaid_invoice(database):
    """September's invoice of 6,40 €, paid 9,00 € at the counter."""
    engine = sa.create_engine(f"sqlite:///{database}")
    with engine.begin() as connection:
        connection.execute(sa.text(
            "INSERT INTO invoices (id, number, household_id, period, issued_at, due_date, total_cents, paid_cents, "
            "overpaid_cents, status, online) VALUES (:id, :number, :household, '2026-09', :issued, :due, 640, 640, "
            "260, 'paid', 0)"), {"id": uuid.uuid4().hex, "number": OVERPAID_NUMBER,
                                 "household": uuid.UUID(OVERPAID).hex,
                                 "issued": datetime(2026, 10, 2, 6, tzinfo=timezone.utc), "due": date(2026, 10, 31)})
    engine.dispose()


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    folder = tmp_path_factory.mktemp("billing")
    vhost = f"gateway-billing-{uuid.uuid4().hex[:8]}"
    requests.put(f"{RABBIT_API}/vhosts/{vhost}", auth=BROKER_AUTH, timeout=10).raise_for_status()
    requests.put(f"{RABBIT_API}/permissions/{vhost}/guest", auth=BROKER_AUTH, timeout=10,
                 json={"configure": ".*", "write": ".*", "read": ".*"}).raise_for_status()
    server, simulator = simulator_module().start()
    env = {**os.environ, "AMQP_URI": f"amqp://guest:guest@127.0.0.1:5672/{vhost}",
           "CALLER_CONTEXT_KEY": secrets.token_hex(32), "PORTAL_SECRET_KEY": secrets.token_hex(32),
           "BILLING_DATABASE_URL": f"sqlite:///{folder / 'billing.sqlite'}", "PORTAL_BASE_URL": "http://127.0.0.1:9",
           "PAYFIP_URL": f"http://127.0.0.1:{server.server_port}/tpa/paiement.web"}
    with open(folder / "billing.log", "wb") as log:
        billing = subprocess.Popen([sys.executable, "-m", "kit.serve", "billing"], cwd=REPOSITORY, env=env,
                                   stdout=log, stderr=subprocess.STDOUT)
    try:
        app = create_app(Settings.from_environment(env))
        yield app, folder / "billing.sqlite", simulator, billing, folder
    finally:
        billing.terminate()
        billing.wait(15)
        server.shutdown()
        requests.delete(f"{RABBIT_API}/vhosts/{vhost}", auth=BROKER_AUTH, timeout=10)


@pytest.fixture(scope="module")
def app(stack):
    app, database, _, billing, folder = stack
    with app.test_request_context():
        g.account, g.via_cookie = AGENT, False
        deadline = time.monotonic() + 90
        while True:  # billing answers once migrated and started
            try:
                auth.services().billing.list_runs()
                break
            except Exception:  # noqa: BLE001
                assert billing.poll() is None and time.monotonic() < deadline, (folder / "billing.log").read_text()
                time.sleep(0.5)
    an_invoice(database)
    an_avoir_carried(database)
    an_overpaid_invoice(database)
    return app


@pytest.fixture
def as_person(monkeypatch):
    def become(account):
        def authenticated():
            g.account, g.via_cookie = account, False
            return account
        monkeypatch.setattr(auth, "current_account", authenticated)
    return become


def test_a_family_reads_its_invoice_and_its_pdf_and_simulates_its_prices(app, as_person):
    as_person(FAMILY)
    client = app.test_client()
    page = client.get("/factures").get_data(as_text=True)
    assert NUMBER in page and "Émise" in page and "Adhérer à la facture en ligne ?" in page
    detail = client.get(f"/factures/{NUMBER}").get_data(as_text=True)
    assert "Restauration scolaire — Léa (4 jours)" in detail and "adhérez d'abord à la facture en ligne" in detail
    pdf = client.get(f"/factures/{NUMBER}/pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.get_data().startswith(b"%PDF")
    assert client.get(f"/factures/{NUMBER}/pdf").get_data() == pdf.get_data()
    simulated = client.get("/tarifs?quotient_familial=650").get_data(as_text=True)
    assert "tranche B" in simulated and "Centre de vacances" in simulated
    refused = client.get("/tarifs?quotient_familial=beaucoup")
    assert refused.status_code == 422
    assert client.get("/api/v1/invoices/F-2026-10-0000999/pdf").status_code == 404


def test_a_family_opts_in_then_pays_online_through_payfip(app, as_person, stack):
    simulator = stack[2]
    as_person(FAMILY)
    client = app.test_client()
    assert client.post("/factures/facture-en-ligne", data={"choix": "peut-être"}).status_code == 422
    assert client.post("/factures/facture-en-ligne", data={"choix": "oui"}).status_code == 302
    assert client.get("/api/v1/online-invoice").get_json()["opted_in"] is True
    sent = client.post(f"/factures/{NUMBER}/payer")
    assert sent.status_code == 302 and "/tpa/paiement.web?" in sent.headers["Location"]
    page = requests.get(sent.headers["Location"], timeout=10).text
    form = {name: unescape(value) for name, value in re.findall(r'name="(\w+)" value="([^"]*)"', page)}
    result = requests.post(sent.headers["Location"].split("?")[0] + "/resultat", timeout=10, data={
        **form, "carte": "4970100000000000", "expiration": "12/30", "cryptogramme": "123", "choix": "payer"})
    back = unescape(re.search(r'href="([^"]+)">Retour au site', result.text)[1])
    query = back.split("?", 1)[1]
    notified = client.post("/paiement/payfip/notification", data=query,
                           content_type="application/x-www-form-urlencoded")
    assert notified.status_code == 200 and notified.get_data(as_text=True) == "OK"
    returned = client.get(f"/paiement/payfip/notification?{query}")  # the family's return: it only reads
    assert returned.status_code == 302 and returned.headers["Location"].endswith(f"/factures/{NUMBER}?paiement=paid")
    seen = client.get(f"/factures/{NUMBER}?paiement=paid").get_data(as_text=True)
    assert "Paiement accepté" in seen and "Payée" in seen
    assert [p["means"] for p in client.get("/api/v1/payments").get_json()] == ["carte_en_ligne"]
    assert client.post("/paiement/payfip/notification", data="refdet=PFINCONNU1&resultrans=P",
                       content_type="application/x-www-form-urlencoded").status_code == 400
    assert simulator.notifications


def test_an_agent_finds_invoices_records_counter_payments_and_reads_tariffs_and_batches(app, as_person):
    as_person(AGENT)
    client = app.test_client()
    page = client.get("/agents/facturation?mois=2026-10").get_data(as_text=True)
    assert NUMBER in page and "Historique des facturations" in page
    refused = client.post("/agents/facturation/lancer", data={"mois": datetime.now().strftime("%Y-%m")})
    assert refused.status_code == 422 and "n&#39;est pas terminé" in refused.get_data(as_text=True)
    exported = client.get("/agents/facturation/export?mois=2026-10")
    assert exported.mimetype == "text/csv" and NUMBER in exported.get_data(as_text=True)
    account = client.get(f"/agents/foyers/{HOUSEHOLD}/compte").get_data(as_text=True)
    assert "Enregistrer un paiement au guichet" in account
    assert client.get("/agents/tarifs").status_code == 200
    assert "Aucun lot" in client.get("/agents/prelevements").get_data(as_text=True)
    nothing = client.post("/agents/prelevements", data={"echeance": "2099-11-30"})
    assert nothing.status_code == 422
    assert client.get("/api/v1/agent/invoices?period=2026-10").get_json()[0]["number"] == NUMBER
    assert len(client.get("/api/v1/agent/tariffs").get_json()["in_force"]) == 9


def test_an_agent_s_counter_payment_in_bons_caf_is_refused_on_catering_and_a_cheque_needs_its_number(app, as_person):
    as_person(AGENT)
    client = app.test_client()
    answer = client.post(f"/api/v1/agent/households/{HOUSEHOLD}/payments", json={
        "number": NUMBER, "amount_cents": 100, "means": "bons_caf"})
    assert answer.status_code == 422 and answer.get_json()["error"]["code"] == "bons_caf_not_accepted"
    page = client.post(f"/agents/foyers/{HOUSEHOLD}/paiements", data={
        "facture": NUMBER, "montant": "1,00", "moyen": "cheque"})
    assert page.status_code == 422 and "Ce champ est obligatoire pour un chèque." in page.get_data(as_text=True)
    assert client.post(f"/agents/foyers/{HOUSEHOLD}/paiements", data={
        "facture": NUMBER, "montant": "douze", "moyen": "especes"}).status_code == 422



def test_an_agent_imports_the_bank_s_return_file_on_the_page_and_through_the_api(app, as_person):
    as_person(AGENT)
    client = app.test_client()
    page = client.get("/agents/prelevements").get_data(as_text=True)
    assert "Importer le fichier de retour de la banque" in page and "Aucun fichier de retour importé" in page
    assert "MD07 — Débiteur décédé" in page  # the reasons of the form are billing's
    returned = samples.pain002("LOT-D-AILLEURS", [("PRLV-PAS-D-ICI", "AM04")], message_id="PAGE-0001")
    shown = client.post("/agents/prelevements/retours", content_type="multipart/form-data",
                        data={"file": (io.BytesIO(returned), "retour.xml")})
    text = unescape(shown.get_data(as_text=True))
    assert shown.status_code == 200, text
    assert "Fichier importé : 0 rejet(s) appliqué(s), 0 déjà enregistré(s), 1 inconnu(s) du portail" in text
    assert "PRLV-PAS-D-ICI" in text and "AM04 — Provision insuffisante" in text and "Inconnu du portail" in text
    again = client.post("/agents/prelevements/retours", content_type="multipart/form-data",
                        data={"file": (io.BytesIO(returned), "retour.xml")})
    assert "Ce fichier avait déjà été importé : rien n'a changé." in unescape(again.get_data(as_text=True))
    missing = client.post("/agents/prelevements/retours", content_type="multipart/form-data", data={})
    assert missing.status_code == 422 and "Choisissez le fichier de retour de la banque." in unescape(
        missing.get_data(as_text=True))
    unreadable = client.post("/agents/prelevements/retours", content_type="multipart/form-data",
                             data={"file": (io.BytesIO(b"MsgId;Motif"), "retour.csv")})
    assert unreadable.status_code == 422 and "Fichier de retour illisible" in unreadable.get_data(as_text=True)

    answer = client.post("/api/v1/agent/debit-returns", content_type="multipart/form-data",
                         data={"file": (io.BytesIO(samples.camt054([("PRLV-X", "ZZ99")])), "camt054.xml")})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert [(r["end_to_end_id"], r["reason_label"]) for r in answer.get_json()["unknown"]] == [("PRLV-X", "Motif ZZ99")]
    refused = client.post("/api/v1/agent/debit-returns", content_type="multipart/form-data",
                          data={"file": (io.BytesIO(b"<Document/>"), "x.xml")})
    assert refused.status_code == 422 and refused.get_json()["error"]["code"] == "unreadable_return_file"
    assert client.post("/api/v1/agent/debit-returns", json={}).status_code == 422
    assert [f["filename"] for f in client.get("/api/v1/agent/debit-returns").get_json()] == [
        "camt054.xml", "retour.xml"]
    assert "retour.xml" in client.get("/agents/prelevements").get_data(as_text=True)
    as_person(FAMILY)
    assert client.post("/api/v1/agent/debit-returns", content_type="multipart/form-data",
                       data={"file": (io.BytesIO(returned), "retour.xml")}).status_code == 403

def test_the_family_and_the_agents_read_an_avoir_carried_to_the_next_invoice(app, as_person, tmp_path):
    as_person({**FAMILY, "household_id": CARRYING})
    client = app.test_client()
    avoir = unescape(client.get(f"/factures/{AVOIR}").get_data(as_text=True))
    assert "Cette facture est un avoir de 17,00\u00a0€ en votre faveur : 5,00\u00a0€ déjà déduits de vos factures suivantes, " \
           "12,00\u00a0€ le seront de la prochaine." in avoir
    december = unescape(client.get(f"/factures/{CARRIED}").get_data(as_text=True))
    assert f"<th scope=\"row\">Report de l'avoir de la facture {AVOIR}</th><td></td><td></td>" in december
    line = client.get(f"/api/v1/invoices/{CARRIED}").get_json()["lines"][-1]
    assert (line["kind"], line["child_id"], line["activity_label"], line["amount_cents"]) == (
        "carried_credit", None, None, -500)
    assert client.get(f"/api/v1/invoices/{AVOIR}").get_json()["credit_left_cents"] == 1200
    path = tmp_path / "decembre.pdf"
    path.write_bytes(client.get(f"/factures/{CARRIED}/pdf").get_data())
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "Report" in text and f"Report de l'avoir de la facture {AVOIR}" in text and "Léa" in text

    as_person(AGENT)
    account = unescape(app.test_client().get(f"/agents/foyers/{CARRYING}/compte").get_data(as_text=True))
    assert "solde : <strong>-12,00\u00a0€</strong> à rembourser" in account
    assert "Avoir à reporter sur la prochaine facture (ou à rembourser) : <strong>12,00\u00a0€</strong>" in account
    assert "Avoirs reportés" in account and f"<td>{CARRIED}</td>" in account
    answer = app.test_client().get(f"/api/v1/agent/households/{CARRYING}/account").get_json()
    assert (answer["balance_cents"], answer["credit_left_cents"]) == (-1200, 1200)
    assert answer["carried_credits"] == [{"label": f"Report de l'avoir de la facture {AVOIR}", "amount_cents": -500,
                                          "avoir_number": AVOIR, "number": CARRIED, "period": "2026-12"}]

    refunded = app.test_client().post(f"/api/v1/agent/households/{CARRYING}/refunds", json={
        "number": AVOIR, "amount_cents": 200, "means": "cheque_tresor"})  # of what is left of the avoir
    assert refunded.status_code == 201 and refunded.get_json()["credit_cents"] == 200
    as_person({**FAMILY, "household_id": CARRYING})
    avoir = unescape(app.test_client().get(f"/factures/{AVOIR}").get_data(as_text=True))
    assert "Cette facture est un avoir de 17,00\u00a0€ en votre faveur : 2,00\u00a0€ vous ont été remboursés, " \
           "5,00\u00a0€ déduits de vos factures suivantes ; 10,00\u00a0€ seront déduits de la prochaine." in avoir
    assert "Chèque du Trésor public" in avoir


def test_an_agent_refunds_an_overpayment_on_the_page_and_through_the_api_and_the_family_reads_it(app, as_person):
    as_person({**FAMILY, "household_id": OVERPAID})
    before = unescape(app.test_client().get(f"/factures/{OVERPAID_NUMBER}").get_data(as_text=True))
    assert "Vous avez payé 2,60\u00a0€ de plus que le montant de cette facture" in before

    as_person(AGENT)
    client = app.test_client()
    account = unescape(client.get(f"/agents/foyers/{OVERPAID}/compte").get_data(as_text=True))
    assert "Enregistrer un remboursement" in account and "Reste à rembourser (trop-perçus et avoirs non reportés) : " \
        "<strong>2,60\u00a0€</strong>" in account
    assert f'<option value="{OVERPAID_NUMBER}">{OVERPAID_NUMBER} — à rembourser 2,60\u00a0€</option>' in account
    form = {"remboursement_facture": OVERPAID_NUMBER, "remboursement_moyen": "especes"}
    typed = client.post(f"/agents/foyers/{OVERPAID}/remboursements", data={**form, "remboursement_montant": "douze"})
    page = unescape(typed.get_data(as_text=True))
    assert typed.status_code == 422 and 'href="#remboursement_montant"' in page and "<title>Erreur : " in page
    assert '<p class="message-erreur" id="remboursement_montant-erreur"><span class="sr-only">Erreur : </span>' \
           'Montant en euros attendu, par exemple 12,50.</p>' in page
    assert 'id="montant-erreur"' not in page  # the counter payment's amount is not at fault
    beyond = client.post(f"/agents/foyers/{OVERPAID}/remboursements", data={**form, "remboursement_montant": "3"})
    assert beyond.status_code == 422 and "2,60 € au plus" in unescape(beyond.get_data(as_text=True))
    done = client.post(f"/agents/foyers/{OVERPAID}/remboursements", data={**form, "remboursement_montant": "1,00",
                                                                          "note": "Rendu au guichet"})
    shown = unescape(done.get_data(as_text=True))
    made = re.search(r"Remboursement enregistré : (R-[0-9]{8}-[0-9A-F]{8}), 1,00\u00a0€ \(Espèces au guichet\) "
                     f"au titre de la facture {OVERPAID_NUMBER}", shown)
    assert done.status_code == 200 and made, shown
    assert f"<th scope=\"row\">{made[1]}</th><td>{OVERPAID_NUMBER}</td>" in shown and "Rendu au guichet" in shown

    no_iban = client.post(f"/api/v1/agent/households/{OVERPAID}/refunds", json={
        "number": OVERPAID_NUMBER, "amount_cents": 160, "means": "virement"})
    assert no_iban.status_code == 422 and no_iban.get_json()["error"]["code"] == "iban_required"
    answer = client.post(f"/api/v1/agent/households/{OVERPAID}/refunds", json={
        "number": OVERPAID_NUMBER, "amount_cents": 160, "means": "virement", "iban": "FR7630004000031234567890143"})
    assert answer.status_code == 201, answer.get_data(as_text=True)
    assert (answer.get_json()["iban_masked"], answer.get_json()["invoice"]["refundable_cents"]) == (
        "FR76 **** **** 0143", 0)
    again = client.post(f"/api/v1/agent/households/{OVERPAID}/refunds", json={
        "number": OVERPAID_NUMBER, "amount_cents": 1, "means": "especes"})
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "nothing_to_refund"
    assert client.post(f"/api/v1/agent/households/{OVERPAID}/refunds", json={"number": OVERPAID_NUMBER}
                       ).status_code == 422
    listed = client.get(f"/api/v1/agent/households/{OVERPAID}/account").get_json()
    assert (listed["balance_cents"], listed["refundable_cents"], len(listed["refunds"])) == (0, 0, 2)

    as_person({**FAMILY, "household_id": OVERPAID})
    client = app.test_client()
    after = unescape(client.get(f"/factures/{OVERPAID_NUMBER}").get_data(as_text=True))
    assert "<h2>Remboursements</h2>" in after and made[1] in after and "Virement bancaire" in after
    assert "de plus que le montant" not in after
    invoice = client.get(f"/api/v1/invoices/{OVERPAID_NUMBER}").get_json()
    assert (invoice["refunded_cents"], invoice["refundable_cents"]) == (260, 0)
    assert sorted(r["amount_cents"] for r in invoice["refunds"]) == [100, 160]
    assert client.post(f"/api/v1/agent/households/{OVERPAID}/refunds", json={
        "number": OVERPAID_NUMBER, "amount_cents": 1, "means": "especes"}).status_code == 403


def test_payment_notifications_are_taken_only_from_payfip_s_addresses(stack):
    app = create_app(Settings.from_environment({
        "PORTAL_SECRET_KEY": secrets.token_hex(32), "CALLER_CONTEXT_KEY": secrets.token_hex(32),
        "PAYFIP_NOTIFY_FROM": "192.0.2.0/24, 198.51.100.7"}))
    answer = app.test_client().post("/paiement/payfip/notification", data="refdet=PF1&resultrans=P",
                                    content_type="application/x-www-form-urlencoded")
    assert answer.status_code == 403


def test_an_agent_adds_a_tariff_version_from_the_page_and_reads_its_history(app, as_person):
    as_person(AGENT)
    client = app.test_client()
    form = client.get("/agents/tarifs/nouveau?activite=etude").get_data(as_text=True)
    assert 'name="tranche-1-prix" type="text" value="' in form  # the version in force, to change a few prices
    assert 'id="tranche-8-de"' in form and 'id="tranche-9-de"' not in form
    typed = {"activite": "etude", "date_effet": "2099-09-01", "unite": "day", "mode": "brackets",
             "tranche-1-de": "0", "tranche-1-a": "700", "tranche-1-prix": "0,90",
             "tranche-2-de": "701", "tranche-2-a": "", "tranche-2-prix": "trois euros", "hors_commune": "4,50"}
    refused = client.post("/agents/tarifs/nouveau", data=typed)
    page = unescape(refused.get_data(as_text=True))
    assert refused.status_code == 422 and "Tranche B : prix en euros attendu, par exemple 3,20." in page
    assert 'value="0,90"' in page and 'value="2099-09-01"' in page  # what the agent typed stays
    refused = client.post("/agents/tarifs/nouveau", data={**typed, "tranche-2-de": "800", "tranche-2-prix": "3,20"})
    page = unescape(refused.get_data(as_text=True))
    assert refused.status_code == 422
    assert re.search(r'<p class="message-erreur" id="tranche-2-de-erreur"><span class="sr-only">Erreur : </span>'
                     r"Les tranches doivent se suivre sans trou ni chevauchement : la tranche B devrait commencer à "
                     r"701 €.</p>", page)  # billing's refusal, next to the input it names
    assert client.post("/agents/tarifs/nouveau", data={**typed, "tranche-3-prix": "5,00"}).status_code == 422
    added = client.post("/agents/tarifs/nouveau", data={**typed, "tranche-2-prix": "3,20"})
    assert added.status_code == 302 and "le=2099-09-01" in added.headers["Location"]
    page = unescape(client.get(added.headers["Location"]).get_data(as_text=True))
    assert "Version 2 de « Étude surveillée » enregistrée : elle s'applique à partir du 1 septembre 2099." in page
    assert "Tarifs en vigueur le 1 septembre 2099" in page and "hors commune : 4,50" in page
    history = page[page.index("Historique des versions"):]
    assert "par vous" in history and "à l'installation du portail" in history and "remplacée" in history
    today = unescape(client.get("/agents/tarifs").get_data(as_text=True))
    assert "à venir" in today[today.index("Historique des versions"):]
    assert client.get("/agents/tarifs?le=demain").status_code == 422
