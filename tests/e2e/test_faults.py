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


def test_a_logged_out_token_no_longer_opens_anything(portal, new_family, refused_within_a_poll):
    family = new_family()
    assert family.session.delete(portal.url("/api/v1/session"), timeout=30).status_code == 204
    assert refused_within_a_poll(family.session, portal.url("/api/v1/household"))


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


def test_changing_the_password_keeps_this_browser_logged_in_and_ends_the_others(portal, new_family,
                                                                                 refused_within_a_poll):
    family = new_family()
    browser = requests.Session()
    browser.post(portal.url("/api/v1/session"), json={"email": family.email, "password": PASSWORD}, timeout=30)
    changed = browser.put(portal.url("/api/v1/me/password"), timeout=30,
                          headers={"X-CSRF-Token": portal.csrf_of_session(browser)},
                          json={"current_password": PASSWORD, "new_password": "une autre phrase solide"})
    assert changed.status_code == 204, changed.text
    assert browser.get(portal.url("/api/v1/household"), timeout=30).status_code == 200
    assert refused_within_a_poll(family.session, portal.url("/api/v1/household"))


def household_data(email):
    return {"guardians": [{"first_name": "Aline", "last_name": "Roux", "email": email}],
            "children": [{"first_name": "Noa", "last_name": "Roux", "birth_date": "2018-05-04", "school": "École Ferry"}],
            "quotient_familial": 700}


def households_of(portal, email):
    from sqlalchemy import create_engine, text
    engine = create_engine(portal.stack.env["FAMILY_DATABASE_URL"])
    with engine.connect() as connection:
        count = connection.execute(text("SELECT count(*) FROM guardians WHERE email = :e"), {"e": email}).scalar()
    engine.dispose()
    return count


def test_a_service_killed_in_the_middle_of_a_call_loses_nothing_and_does_nothing_twice(portal):
    from concurrent.futures import ThreadPoolExecutor
    agent = portal.agent()
    email, key = f"roux-{time.time_ns()}@example.org", f"creation-{time.time_ns()}"

    def create():
        return agent.post(portal.url("/api/v1/agent/households"), json=household_data(email), timeout=30,
                          headers={"Idempotency-Key": key})

    with ThreadPoolExecutor(1) as pool:
        pending = pool.submit(create)
        time.sleep(0.05)
        portal.stack.kill("family")  # kill -9, in the middle of the call
        first = pending.result()
    try:
        assert first.status_code in (201, 503), first.text  # a clear answer either way, never a 500
    finally:
        restart(portal, "family")
    again = create()  # the client retries with the same key, as it should
    assert again.status_code == 201, again.text
    if first.status_code == 201:
        assert again.json()["id"] == first.json()["id"]
    time.sleep(1)  # a request the broker may have handed to the new process has had its chance
    assert households_of(portal, email) == 1


def drop_every_connection(portal):
    """What a broker restart looks like to every part: each connection closed under it."""
    vhost = portal.stack.env["AMQP_URI"].rsplit("/", 1)[1]
    api = "http://127.0.0.1:15672/api"
    for connection in requests.get(f"{api}/vhosts/{vhost}/connections", auth=("guest", "guest"), timeout=10).json():
        requests.delete(f"{api}/connections/{requests.utils.quote(connection['name'], safe='')}",
                        auth=("guest", "guest"), timeout=10)


def test_requests_in_flight_when_the_broker_drops_every_connection_end_clearly_and_nothing_is_lost(portal, new_family):
    from concurrent.futures import ThreadPoolExecutor
    family, agent = new_family(), portal.agent()
    emails = [f"flux-{n}-{time.time_ns()}@example.org" for n in range(6)]

    def create(email):
        return agent.post(portal.url("/api/v1/agent/households"), json=household_data(email), timeout=30,
                          headers={"Idempotency-Key": f"cle-{email}"}).status_code

    def read(_):
        return family.session.get(portal.url("/api/v1/household"), timeout=30).status_code

    with ThreadPoolExecutor(8) as pool:
        writes = [pool.submit(create, email) for email in emails]
        reads = [pool.submit(read, n) for n in range(12)]
        time.sleep(0.1)
        drop_every_connection(portal)
        outcomes = [future.result() for future in writes + reads]
    assert set(outcomes) <= {200, 201, 503}, outcomes  # never an error page, never a hang
    deadline = time.monotonic() + 60
    while read(0) != 200:  # every part reconnects by itself
        assert time.monotonic() < deadline
        time.sleep(0.5)
    assert [create(email) for email in emails] == [201] * len(emails)  # the retries, with their keys
    assert [households_of(portal, email) for email in emails] == [1] * len(emails)


def test_an_email_refused_by_the_relay_for_a_while_arrives_once_it_accepts_again(portal, new_family):
    family = new_family()
    with portal.mail.refusing():
        assert requests.post(portal.url("/api/v1/password-resets"), json={"email": family.email},
                             timeout=30).status_code == 202
        time.sleep(3)  # the first tries are refused, and kept for later
        assert not [m for m in portal.mail.messages() if m["To"] == family.email and "mot de passe" in m["Subject"]]
    received = portal.mail.wait_for(lambda m: m["To"] == family.email and "mot de passe" in m["Subject"], seconds=30)
    time.sleep(3)  # a duplicate would have arrived by now
    assert len([m for m in portal.mail.messages()
                if m["To"] == family.email and "mot de passe" in m["Subject"]]) == len(received) == 1
