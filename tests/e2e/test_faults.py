"""Faults and hostile requests: parts of the portal stop and come back (callers
get a clear answer meanwhile and no work is lost), redirects stay on the site,
odd tokens are refused cleanly, sessions end when they should."""
import re
import time
from urllib.parse import urljoin, urlsplit

import pytest
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


def login_page(portal):
    browser = requests.Session()
    page = browser.get(portal.url("/connexion"), timeout=30)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    return browser, csrf


@pytest.mark.parametrize("target", ["/%5Cevil.example", "/%09/evil.example", "//evil.example", "https://evil.example"])
def test_the_login_never_sends_the_browser_to_another_site(portal, new_family, target):
    family = new_family()
    browser, csrf = login_page(portal)
    answer = browser.post(portal.url(f"/connexion?suivant={target}"), allow_redirects=False, timeout=30,
                          data={"csrf_token": csrf, "email": family.email, "password": PASSWORD})
    assert answer.status_code == 302
    assert urlsplit(urljoin(portal.base_url + "/", answer.headers["Location"])).netloc == urlsplit(portal.base_url).netloc


def test_a_strange_csrf_token_is_refused_not_an_error(portal, new_family):
    family = new_family()
    browser = requests.Session()
    browser.post(portal.url("/api/v1/session"), json={"email": family.email, "password": PASSWORD}, timeout=30)
    answer = browser.patch(portal.url("/api/v1/me/contact"), json={"phone": "0612345678"}, timeout=30,
                           headers={"X-CSRF-Token": "\u00e9t\u00e9"})
    assert answer.status_code == 403 and answer.json()["error"]["code"] == "csrf_failed"


def test_changing_the_password_keeps_this_browser_logged_in_and_ends_the_others(portal, new_family):
    family = new_family()
    browser = requests.Session()
    browser.post(portal.url("/api/v1/session"), json={"email": family.email, "password": PASSWORD}, timeout=30)
    browser.get(portal.url("/connexion"), timeout=30)  # the CSRF cookie
    changed = browser.put(portal.url("/api/v1/me/password"), timeout=30,
                          headers={"X-CSRF-Token": browser.cookies["portail_csrf"]},
                          json={"current_password": PASSWORD, "new_password": "une autre phrase solide"})
    assert changed.status_code == 204, changed.text
    assert browser.get(portal.url("/api/v1/household"), timeout=30).status_code == 200
    assert family.session.get(portal.url("/api/v1/household"), timeout=30).status_code == 401
