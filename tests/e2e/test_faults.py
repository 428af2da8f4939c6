"""Parts of the portal stop and come back: callers get a clear answer meanwhile
and no work is lost."""
import time

import requests

PASSWORD = "une phrase de passe solide"


def restart(portal, name):
    portal.stack.start_service(name)
    portal.stack.wait_until_healthy()


def test_a_stopped_service_gets_a_clear_503_and_the_portal_recovers(portal, new_family):
    family = new_family()
    portal.stack.stop(["billing"])
    try:
        started = time.monotonic()
        answer = family.session.get(portal.url("/api/v1/invoices"), timeout=30)
        assert answer.status_code == 503
        assert answer.json()["error"]["code"] == "service_unavailable"
        assert time.monotonic() - started < 10  # the gateway's RPC timeout, not a hang
        health = requests.get(portal.url("/healthz"), timeout=30)
        assert health.status_code == 503 and health.json()["services"]["billing"] == "down"
        assert family.session.get(portal.url("/api/v1/household"), timeout=30).status_code == 200
    finally:
        restart(portal, "billing")
    assert family.session.get(portal.url("/api/v1/invoices"), timeout=30).status_code == 200


def test_an_invoice_email_waits_for_notify_to_come_back(portal, new_family, next_month):
    family = new_family()
    period, days = next_month
    family.session.post(portal.url("/api/v1/bookings"), timeout=30, json={
        "child_id": family.child["id"], "activity": "restauration_scolaire", "date": days[6]})
    portal.stack.stop(["notify"])
    try:
        assert portal.agent().post(portal.url("/api/v1/agent/billing-runs"), json={"period": period}, timeout=60).ok
        time.sleep(1)
        assert not [m for m in portal.mail.messages() if m["To"] == family.email and "facture" in m["Subject"]]
    finally:
        restart(portal, "notify")
    assert len(portal.mail.wait_for(lambda m: m["To"] == family.email and "facture" in m["Subject"])) == 1


def test_a_logged_out_token_no_longer_opens_anything(portal, new_family):
    family = new_family()
    assert family.session.delete(portal.url("/api/v1/session"), timeout=30).status_code == 204
    assert family.session.get(portal.url("/api/v1/household"), timeout=30).status_code == 401


def test_a_browser_session_cannot_change_anything_without_its_csrf_token(portal, new_family, next_month):
    family = new_family()
    period, days = next_month
    browser = requests.Session()
    assert browser.post(portal.url("/api/v1/session"), json={"email": family.email, "password": PASSWORD},
                        timeout=30).status_code == 200
    assert "portail_session" in browser.cookies
    assert browser.get(portal.url("/api/v1/household"), timeout=30).status_code == 200  # reading is fine
    forged = browser.post(portal.url("/api/v1/bookings"), timeout=30, json={
        "child_id": family.child["id"], "activity": "restauration_scolaire", "date": days[0]})
    assert forged.status_code == 403 and forged.json()["error"]["code"] == "csrf_failed"
    assert browser.get(portal.url("/api/v1/bookings"), params={"month": period}, timeout=30).json() == []
