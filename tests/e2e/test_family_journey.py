"""The spine of the portal, end to end through the gateway: an agent creates a
household, a parent registers with its clé enfance, books school catering,
keeps a document in the safe, the agent bills the month and the parent
receives the invoice by e-mail and sees it in the portal."""
import re
from datetime import date
import time

import requests
import samples

PDF = samples.pdf(10_000)


def test_a_family_books_keeps_a_document_and_receives_its_invoice(portal, new_family, next_month):
    family = new_family(quotient_familial=850)  # bracket C: 2,60 € a meal
    assert re.fullmatch(r"\d{5}-[A-Z0-9]{6}", family.child_key)
    assert "child_key" not in family.household  # it opens the household to whoever holds it: agents only
    period, school_days = next_month

    for day in school_days[:3]:
        answer = family.session.post(portal.url("/api/v1/bookings"), timeout=30, json={
            "child_id": family.child["id"], "activity": "restauration_scolaire", "date": day})
        assert answer.status_code == 201, answer.text
    booked = family.session.get(portal.url("/api/v1/bookings"), params={"month": period}, timeout=30).json()
    assert [b["date"] for b in booked] == school_days[:3]

    answer = family.session.post(portal.url("/api/v1/documents"), timeout=30,
                                 data={"category": "attestation_domicile", "issued_on": date.today().isoformat()},
                                 files={"file": ("justificatif-domicile.pdf", PDF, "application/pdf")})
    assert answer.status_code == 201, answer.text
    document = answer.json()
    content = family.session.get(portal.url(f"/api/v1/documents/{document['id']}/content"), timeout=30)
    assert content.status_code == 200 and content.content == PDF

    agent = portal.agent()
    run = agent.post(portal.url("/api/v1/agent/billing-runs"), json={"period": period}, timeout=60)
    assert run.status_code == 200, run.text
    assert run.json()["invoices_created"] >= 1
    again = agent.post(portal.url("/api/v1/agent/billing-runs"), json={"period": period}, timeout=60).json()
    assert again["invoices_created"] == 0

    invoices = family.session.get(portal.url("/api/v1/invoices"), timeout=30).json()
    assert len(invoices) == 1
    invoice = family.session.get(portal.url(f"/api/v1/invoices/{invoices[0]['number']}"), timeout=30).json()
    assert re.fullmatch(rf"F-{period}-\d{{7}}", invoice["number"])
    assert invoice["total_cents"] == 3 * 260
    assert invoice["lines"][0]["quantity"] == 3

    mails = portal.mail.wait_for(lambda m: m["To"] == family.email and "facture" in m["Subject"])
    assert len(mails) == 1
    text = portal.mail.text(mails[0])
    assert "7,80" in text
    assert f"/factures/{invoice['number']}" in text


def test_billing_twice_sends_the_invoice_email_once(portal, new_family, next_month):
    family = new_family()
    period, school_days = next_month
    family.session.post(portal.url("/api/v1/bookings"), timeout=30, json={
        "child_id": family.child["id"], "activity": "restauration_scolaire", "date": school_days[4]})
    agent = portal.agent()
    for _ in range(2):
        assert agent.post(portal.url("/api/v1/agent/billing-runs"), json={"period": period}, timeout=60).ok
    portal.mail.wait_for(lambda m: m["To"] == family.email and "facture" in m["Subject"])
    time.sleep(2)  # leave time for a duplicate to arrive, if the portal sent one
    assert len([m for m in portal.mail.messages() if m["To"] == family.email and "facture" in m["Subject"]]) == 1


def test_the_health_check_reports_the_broker_and_every_service(portal):
    answer = requests.get(portal.url("/healthz"), timeout=30)
    assert answer.status_code == 200
    assert answer.json() == {"broker": "up", "services": dict.fromkeys(
        ("identity", "family", "vault", "billing", "notify"), "up")}


def test_every_service_and_the_gateway_expose_metrics(portal):
    requests.get(portal.url("/api/v1/tariffs"), params={"quotient_familial": 500}, timeout=30)
    gateway = requests.get(portal.url("/metrics"), timeout=30).text
    assert 'portail_http_requests_total{method="GET",route="/api/v1/tariffs",status="200"}' in gateway
    for name, port in portal.stack.metrics_ports.items():
        exposed = requests.get(f"http://127.0.0.1:{port}/metrics", timeout=30).text
        assert "portail_entrypoint_calls_total" in exposed, name
    billing = requests.get(f"http://127.0.0.1:{portal.stack.metrics_ports['billing']}/metrics", timeout=30).text
    assert 'portail_entrypoint_calls_total{entrypoint="simulate",outcome="success",service="billing"}' in billing


def test_an_agent_issues_a_new_clé_enfance_and_the_old_one_stops_working(portal, new_family):
    family = new_family()
    old_key = family.child_key
    answer = portal.agent().post(portal.url(f"/api/v1/agent/households/{family.household['id']}/child-key"), timeout=30)
    assert answer.status_code == 200, answer.text
    new_key = answer.json()["child_key"]
    assert new_key != old_key and re.fullmatch(r"\d{5}-[A-Z0-9]{6}", new_key)
    body = {"email": "second.parent@example.org", "password": "une phrase de passe solide"}
    refused = requests.post(portal.url("/api/v1/accounts"), json={**body, "child_key": old_key}, timeout=30)
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "unknown_child_key"
    accepted = requests.post(portal.url("/api/v1/accounts"), json={**body, "child_key": new_key}, timeout=30)
    assert accepted.status_code == 201 and accepted.json()["household_id"] == family.household["id"]
