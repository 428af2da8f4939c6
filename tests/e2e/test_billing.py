"""Billing end to end through the gateway: a parent opts in to the online
invoice and pays by card through the PayFiP simulator (its notification
replayed changes nothing), the receipt arrives by e-mail, the PDF reads as
the invoice; an agent's counter payment in bons CAF is refused on catering;
the accounting's CSV lists the invoice; a direct debit the bank rejects in
its return file reopens the invoice, tells the family, and suspends the
mandate at the second rejection; an overpayment at the counter is refunded
once by an agent, the family told by e-mail."""
import base64
import html
import re
import subprocess
import time
import uuid
from urllib.parse import parse_qsl

import requests
import samples
from lxml import etree

from billing.money import euros


def billed(portal, family, next_month, days=4, activities=("restauration_scolaire",)):
    """`days` school days of each activity (school lunches) booked next month, the month billed; the family's invoice."""
    period, school_days = next_month
    for activity in activities:
        for day in school_days[:days]:
            answer = family.session.post(portal.url("/api/v1/bookings"), timeout=30, json={
                "child_id": family.child["id"], "activity": activity, "date": day})
            assert answer.status_code == 201, answer.text
    run = portal.agent().post(portal.url("/api/v1/agent/billing-runs"), json={"period": period}, timeout=60)
    assert run.status_code == 200, run.text
    [invoice] = family.session.get(portal.url("/api/v1/invoices"), timeout=30).json()
    return family.session.get(portal.url(f"/api/v1/invoices/{invoice['number']}"), timeout=30).json()


def pay_on_payfip(url, card="4970100000000000"):
    """What a parent does on PayFiP's pages; the query string of its link back to the portal."""
    page = requests.get(url, timeout=30)
    assert page.status_code == 200 and "Montant à payer" in page.text
    form = {name: html.unescape(value) for name, value in re.findall(r'name="(\w+)" value="([^"]*)"', page.text)}
    result = requests.post(url.split("?")[0] + "/resultat", timeout=30, data={
        **form, "carte": card, "expiration": "12/30", "cryptogramme": "123", "choix": "payer"})
    assert "Paiement accepté" in result.text
    return html.unescape(re.search(r'href="([^"]+)">Retour au site', result.text)[1])


def test_a_parent_opts_in_pays_by_card_and_receives_the_receipt(portal, new_family, next_month):
    family = new_family(quotient_familial=850)  # bracket C: 2,60 € a meal
    invoice = billed(portal, family, next_month)
    number, total = invoice["number"], invoice["total_cents"]
    assert total == 4 * 260

    refused = family.session.post(portal.url(f"/api/v1/invoices/{number}/online-payment"), timeout=30)
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "online_invoice_required"
    assert family.session.put(portal.url("/api/v1/online-invoice"), json={"opted_in": True}, timeout=30).ok

    started = family.session.post(portal.url(f"/api/v1/invoices/{number}/online-payment"), timeout=30)
    assert started.status_code == 201, started.text
    assert dict(parse_qsl(started.json()["url"].split("?", 1)[1]))["montant"] == str(total)
    back = pay_on_payfip(started.json()["url"])
    assert back.startswith(portal.url("/paiement/payfip/notification?"))
    deadline = time.monotonic() + 30  # PayFiP's own notification reached the gateway
    while family.session.get(portal.url(f"/api/v1/invoices/{number}"), timeout=30).json()["status"] != "paid":
        assert time.monotonic() < deadline, "the notification did not mark the invoice paid"
        time.sleep(0.3)
    [(urlcl, notified)] = [sent for sent in portal.payfip.notifications if dict(parse_qsl(sent[1]))["refdet"]
                           == started.json()["transaction_id"]]
    for _ in range(2):  # replayed by PayFiP, then the parent's return
        replay = requests.post(urlcl, data=notified, timeout=30,
                               headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert replay.status_code == 200 and replay.text == "OK"
    returned = family.session.get(back, timeout=30, allow_redirects=False)
    assert returned.status_code == 302 and returned.headers["Location"].endswith(f"/factures/{number}?paiement=paid")
    paid = family.session.get(portal.url(f"/api/v1/invoices/{number}"), timeout=30).json()
    assert (paid["paid_cents"], paid["overpaid_cents"]) == (total, 0)
    assert [p["means"] for p in family.session.get(portal.url("/api/v1/payments"), timeout=30).json()] == [
        "carte_en_ligne"]

    receipts = portal.mail.wait_for(lambda m: m["To"] == family.email and m["Subject"].startswith("Reçu"))
    time.sleep(1)
    assert len([m for m in portal.mail.messages()
                if m["To"] == family.email and m["Subject"].startswith("Reçu")]) == 1
    assert "10,40" in portal.mail.text(receipts[0]) and "carte bancaire en ligne" in portal.mail.text(receipts[0])


def test_the_invoice_pdf_reads_as_the_invoice_and_never_changes(portal, new_family, next_month, tmp_path):
    family = new_family(quotient_familial=850)
    invoice = billed(portal, family, next_month, days=2)
    first = family.session.get(portal.url(f"/api/v1/invoices/{invoice['number']}/pdf"), timeout=30).json()
    again = family.session.get(portal.url(f"/factures/{invoice['number']}/pdf"), timeout=30)
    assert again.headers["Content-Type"] == "application/pdf"
    assert again.content == base64.b64decode(first["pdf"])
    path = tmp_path / "facture.pdf"
    path.write_bytes(again.content)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    for said in (f"Facture {invoice['number']}", "Restauration scolaire — Léa (2 jours)", "5,20 €",
                 "Reste à payer", "Comment payer"):
        assert said in text, said


def test_bons_caf_are_refused_on_catering_and_a_cheque_is_recorded_with_its_receipt(portal, new_family, next_month):
    family = new_family(quotient_familial=850)
    invoice = billed(portal, family, next_month)
    agent = portal.agent()
    household = family.household["id"]
    refused = agent.post(portal.url(f"/api/v1/agent/households/{household}/payments"), timeout=30, json={
        "number": invoice["number"], "amount_cents": 500, "means": "bons_caf"})
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "bons_caf_not_accepted"
    receipt = agent.post(portal.url(f"/api/v1/agent/households/{household}/payments"), timeout=30, json={
        "number": invoice["number"], "amount_cents": 500, "means": "cheque", "cheque_number": "1234567",
        "bank": "La Banque Postale"})
    assert receipt.status_code == 201, receipt.text
    assert (receipt.json()["invoice"]["status"], receipt.json()["invoice"]["due_cents"]) == ("partly_paid", 540)
    account = agent.get(portal.url(f"/api/v1/agent/households/{household}/account"), timeout=30).json()
    assert account["balance_cents"] == 540
    exported = agent.get(portal.url("/api/v1/agent/invoices/export"), params={"period": invoice["period"]},
                         timeout=30)
    assert exported.status_code == 200 and f"{invoice['number']};{household};" in exported.text
    mails = portal.mail.wait_for(lambda m: m["To"] == family.email and m["Subject"].startswith("Reçu"))
    assert "chèque" in portal.mail.text(mails[0])


def pdf_text(document, folder):
    """A PDF's words as pdftotext reads them, one space apart (whatever it made of the euro sign's space)."""
    path = folder / "document.pdf"
    path.write_bytes(document)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return " ".join(text.replace(" €", "€").split())


def test_last_years_childcare_attestation_and_a_payment_certificate_read_as_what_was_paid(
        portal, new_family, next_month, tmp_path):
    billing_year = int(portal.stack.env["BILLING_TODAY"][:4])  # the year it is for billing in the test stack
    year = billing_year - 1
    family = new_family(birth_date=f"{year - 4}-05-20")  # in maternelle: under six on the 1st of January
    invoice = billed(portal, family, next_month, days=2, activities=("restauration_scolaire", "accueil_du_soir"))
    evenings = sum(line["amount_cents"] for line in invoice["lines"] if line["activity"] == "accueil_du_soir")
    assert 0 < evenings < invoice["total_cents"]
    agent, household = portal.agent(), family.household["id"]
    paid = agent.post(portal.url(f"/api/v1/agent/households/{household}/payments"), timeout=30, json={
        "number": invoice["number"], "amount_cents": invoice["total_cents"], "means": "especes",
        "received_on": f"{year}-12-30"})
    assert paid.status_code == 201, paid.text

    listed = family.session.get(portal.url("/api/v1/certificates"), timeout=30).json()
    assert listed["next_year"] == billing_year
    assert [(found["year"], found["total_cents"], [child["first_name"] for child in found["children"]])
            for found in listed["childcare"]] == [(year, evenings, ["Léa"])]
    document = family.session.get(portal.url(f"/api/v1/certificates/childcare/{year}"), timeout=30).json()
    text = pdf_text(base64.b64decode(document["pdf"]), tmp_path)
    for expected in (f"Attestation de frais de garde {year}", "Famille : Camille Martin", "Léa Martin, né·e le 20 mai",
                     f"Accueil du soir {euros(evenings)}".replace(" €", "€")):
        assert expected in text, expected
    assert "Restauration" not in text
    early = family.session.get(portal.url(f"/api/v1/certificates/childcare/{billing_year}"), timeout=30)
    assert early.status_code == 409 and early.json()["error"]["code"] == "year_not_ended"

    # the payment certificate of December, for the CAF: every activity; an agent gets the same from the account page
    span = {"start": f"{year}-12-01", "end": f"{year}-12-31"}
    document = family.session.get(portal.url("/api/v1/certificates/payments"), params=span, timeout=30).json()
    text = pdf_text(base64.b64decode(document["pdf"]), tmp_path)
    assert "Attestation de paiement" in text and "Restauration scolaire" in text and "Accueil du soir" in text
    page = agent.get(portal.url("/factures/attestations/paiement"), timeout=30,
                     params={"foyer": household, "du": span["start"], "au": span["end"]})
    assert page.headers["Content-Type"] == "application/pdf" and pdf_text(page.content, tmp_path) == text
    backwards = family.session.get(portal.url("/api/v1/certificates/payments"), timeout=30,
                                   params={"start": span["end"], "end": span["start"]})
    assert backwards.status_code == 422 and backwards.json()["error"]["code"] == "invalid_span"


PAIN_008 = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.008.001.02"}


def with_a_mandate(portal, family, agent):
    """The family asks for direct debit, an agent accepts it: billing holds the mandate once family's event
    reached it (the household's account page shows it)."""
    answer = family.session.post(portal.url("/api/v1/requests"), timeout=60, json={
        "kind": "prelevement_automatique", "data": {"account_holder": "Camille Martin",
                                                     "iban": "FR76 3000 6000 0112 3456 7890 189", "bic": "AGRIFRPP",
                                                     "mandate_accepted": True}})
    assert answer.status_code == 201, answer.text
    for action in ("take", "accept"):
        done = agent.post(portal.url(f"/api/v1/agent/requests/{answer.json()['id']}/{action}"), json={}, timeout=30)
        assert done.status_code == 200, done.text
    return mandate_on_page(portal, family, agent, "actif")


def mandate_on_page(portal, family, agent, status):
    """The mandate's badge on the agents' page of the household, once it says `status`."""
    deadline = time.monotonic() + 30
    while True:
        page = agent.get(portal.url(f"/agents/foyers/{family.household['id']}/compte"), timeout=30).text
        found = re.search(r"mandat (RUM-[A-Z0-9-]+), <span[^>]*><span[^>]*>[^<]*</span> (\w+)</span>", page)
        if found and found[2] == status:
            return found[1]
        assert time.monotonic() < deadline, f"no {status} mandate on the household's page"
        time.sleep(0.3)


def debit_sent(portal, agent, invoice):
    """The pain.008 of the invoice's due date generated and sent: its message id and the invoice's end-to-end id."""
    batch = agent.post(portal.url("/api/v1/agent/debit-batches"), json={"due_date": invoice["due_date"]}, timeout=30)
    assert batch.status_code == 201, batch.text
    xml = agent.get(portal.url(f"/api/v1/agent/debit-batches/{batch.json()['id']}/file"), timeout=30).content
    [end_to_end] = etree.fromstring(xml).xpath(
        f"//p:DrctDbtTxInf[p:RmtInf/p:Ustrd='Facture {invoice['number']}']/p:PmtId/p:EndToEndId/text()",
        namespaces=PAIN_008)
    sent = agent.post(portal.url(f"/api/v1/agent/debit-batches/{batch.json()['id']}/sent"), timeout=30)
    assert sent.status_code == 200, sent.text
    return batch.json()["message_id"], end_to_end


def import_returns(portal, agent, content, filename="pain002.xml"):
    return agent.post(portal.url("/api/v1/agent/debit-returns"), timeout=30,
                      files={"file": (filename, content, "application/xml")})


def test_the_banks_return_file_reopens_the_rejected_invoice_tells_the_family_and_is_applied_once(
        portal, new_family, next_month):
    family, agent = new_family(quotient_familial=850), portal.agent()
    rum = with_a_mandate(portal, family, agent)
    invoice = billed(portal, family, next_month)
    number, total = invoice["number"], invoice["total_cents"]
    message_id, end_to_end = debit_sent(portal, agent, invoice)
    invoice_url = portal.url(f"/api/v1/invoices/{number}")
    assert family.session.get(invoice_url, timeout=30).json()["status"] == "paid"

    returned = samples.pain002(message_id, [(end_to_end, "AM04"), ("PRLV-D-UNE-AUTRE-CAISSE", "MS02")],
                               message_id=f"RETOUR-{uuid.uuid4().hex[:12]}")
    answer = import_returns(portal, agent, returned)
    assert answer.status_code == 200, answer.text
    report = answer.json()
    assert [(r["end_to_end_id"], r["invoice_number"], r["amount_cents"], r["reason_label"], r["mandate_status"])
            for r in report["applied"]] == [(end_to_end, number, total, "Provision insuffisante", "active")]
    assert [r["end_to_end_id"] for r in report["unknown"]] == ["PRLV-D-UNE-AUTRE-CAISSE"]
    reopened = family.session.get(invoice_url, timeout=30).json()
    assert (reopened["paid_cents"], reopened["due_cents"]) == (0, total) and reopened["status"] != "paid"
    mail = portal.mail.wait_for(lambda m: m["To"] == family.email and m["Subject"].startswith(
        "Votre prélèvement de") and number in portal.mail.text(m))
    assert "motif : Provision insuffisante" in portal.mail.text(mail[0])
    assert mandate_on_page(portal, family, agent, "actif") == rum

    again = import_returns(portal, agent, returned)
    assert again.status_code == 200, again.text
    assert again.json()["already_imported"] is True and again.json()["applied"] == []
    assert [r["end_to_end_id"] for r in again.json()["already_recorded"]] == [end_to_end]
    assert family.session.get(invoice_url, timeout=30).json() == reopened
    time.sleep(1)
    assert len([m for m in portal.mail.messages() if m["To"] == family.email
                and m["Subject"].startswith("Votre prélèvement de")]) == 1
    page = agent.get(portal.url("/agents/prelevements"), timeout=30).text
    assert "Fichiers de retour importés" in page and report["file"]["message_id"] in page

    for malformed in (b"<Document xmlns='urn:iso:std:iso:20022:tech:xsd:pain.002.001.03'><CstmrPmtStsRpt/></Document>",
                      samples.pain002(message_id, [(end_to_end, "AM04")]).replace(
                          b'<?xml version="1.0" encoding="UTF-8"?>',
                          b'<?xml version="1.0"?><!DOCTYPE Document [<!ENTITY x SYSTEM "file:///etc/passwd">]>')):
        refused = import_returns(portal, agent, malformed)
        assert refused.status_code == 422 and refused.json()["error"]["code"] == "unreadable_return_file"

    # owed again, the invoice goes in the next batch; its rejection too is the second: the mandate is suspended
    message_id, end_to_end = debit_sent(portal, agent, invoice)
    answer = import_returns(portal, agent, samples.camt054([(end_to_end, "MD06")],
                                                            message_id=f"CAMT-{uuid.uuid4().hex[:12]}"), "camt054.xml")
    assert answer.status_code == 200, answer.text
    assert [r["mandate_status"] for r in answer.json()["applied"]] == ["suspended"]
    assert mandate_on_page(portal, family, agent, "suspendu") == rum
    mail = portal.mail.wait_for(lambda m: m["To"] == family.email and "Remboursement demandé" in portal.mail.text(m))
    assert "suspendu" in portal.mail.text(mail[0])


def test_an_overpayment_at_the_counter_is_refunded_once_and_the_family_is_told(portal, new_family, next_month):
    family = new_family(quotient_familial=850)
    invoice = billed(portal, family, next_month)  # 4 meals at 2,60 €: 10,40 €
    agent, household = portal.agent(), family.household["id"]
    receipt = agent.post(portal.url(f"/api/v1/agent/households/{household}/payments"), timeout=30, json={
        "number": invoice["number"], "amount_cents": 1500, "means": "especes"})
    assert receipt.status_code == 201 and receipt.json()["excess_cents"] == 460, receipt.text
    account = portal.url(f"/api/v1/agent/households/{household}/account")
    assert agent.get(account, timeout=30).json()["refundable_cents"] == 460

    url, key = portal.url(f"/api/v1/agent/households/{household}/refunds"), uuid.uuid4().hex
    asked = {"number": invoice["number"], "amount_cents": 460, "means": "especes", "note": "Rendu au guichet"}
    first, again = [agent.post(url, json=asked, headers={"Idempotency-Key": key}, timeout=30) for _ in range(2)]
    assert first.status_code == again.status_code == 201, first.text
    assert first.json()["id"] == again.json()["id"] and first.json()["reference"].startswith("R-")
    refused = agent.post(url, json={**asked, "amount_cents": 1}, timeout=30)
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "nothing_to_refund"

    settled = agent.get(account, timeout=30).json()
    assert (settled["balance_cents"], settled["refundable_cents"]) == (0, 0)
    assert [r["reference"] for r in settled["refunds"]] == [first.json()["reference"]]
    read = family.session.get(portal.url(f"/api/v1/invoices/{invoice['number']}"), timeout=30).json()
    assert (read["overpaid_cents"], read["refunded_cents"], read["refundable_cents"]) == (460, 460, 0)

    [told] = portal.mail.wait_for(lambda m: m["To"] == family.email and m["Subject"].startswith("Remboursement"))
    assert told["Subject"].startswith("Remboursement de 4,60")
    body = portal.mail.text(told)
    assert first.json()["reference"] in body and invoice["number"] in body and "espèces au guichet" in body
    time.sleep(1)
    assert len([m for m in portal.mail.messages()
                if m["To"] == family.email and m["Subject"].startswith("Remboursement")]) == 1
