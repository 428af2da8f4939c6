"""Logging in with FranceConnect against a real OpenID Connect provider on
loopback: linking by `sub` (never by e-mail), and every way a callback can
be forged or a token be wrong is refused without opening a session."""
import re
from urllib.parse import parse_qs, urlencode, urlparse

import pytest
import requests

PASSWORD = "une phrase de passe solide"


def csrf_of(browser, portal, path):
    page = browser.get(portal.url(path), timeout=30)
    return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)


def franceconnect_callback(portal, browser, login):
    """Starts the flow at the portal and comes back from the provider's login page."""
    return portal.franceconnect.log_in(browser, portal.url("/franceconnect/connexion"), login=login)


@pytest.fixture
def misbehaving(portal):
    """Restarts the provider misbehaving one way, and well-behaved afterwards."""
    def restart(mode):
        portal.franceconnect.restart(mode=mode)
    yield restart
    portal.franceconnect.restart(mode="normal")


def test_an_unknown_franceconnect_identity_links_to_its_local_account_once(portal, new_family):
    family = new_family()
    browser = requests.Session()
    callback = franceconnect_callback(portal, browser, "camille.lien")
    asked = browser.get(callback, timeout=30)
    assert asked.url.endswith("/franceconnect/lier") and "Bienvenue" in asked.text
    assert "portail_session" not in browser.cookies
    linked = browser.post(portal.url("/franceconnect/lier"), timeout=30, data={
        "csrf_token": csrf_of(browser, portal, "/franceconnect/lier"), "choix": "lier",
        "email": family.email, "password": PASSWORD})
    assert linked.url.endswith("/tableau-de-bord"), linked.url
    assert family.session.get(portal.url("/api/v1/me"), timeout=30).json()["franceconnect_linked"] is True

    again = requests.Session()
    landed = again.get(franceconnect_callback(portal, again, "camille.lien"), timeout=30)
    assert landed.url.endswith("/tableau-de-bord")
    assert "portail_session" in again.cookies


def test_the_franceconnect_email_never_links_an_account(portal, new_family):
    family = new_family()
    browser = requests.Session()
    # the provider's account for this login carries the family's e-mail address: still asked to log in once
    landed = browser.get(franceconnect_callback(portal, browser, family.email.split("@")[0]), timeout=30)
    assert landed.url.endswith("/franceconnect/lier")
    assert "portail_session" not in browser.cookies


def test_a_forged_state_is_refused(portal):
    browser = requests.Session()
    callback = urlparse(franceconnect_callback(portal, browser, "jean.dupont"))
    query = {key: values[0] for key, values in parse_qs(callback.query).items()}
    forged = browser.get(portal.url("/franceconnect/retour?" + urlencode({**query, "state": "x" * 43})), timeout=30)
    assert forged.status_code == 401
    assert "portail_session" not in browser.cookies


def test_a_callback_replayed_in_another_browser_is_refused(portal):
    callback = franceconnect_callback(portal, requests.Session(), "jean.dupont")
    other = requests.Session()
    assert other.get(callback, timeout=30).status_code == 401
    assert "portail_session" not in other.cookies


@pytest.mark.parametrize("mode", ["other_key", "expired", "wrong_nonce"])
def test_an_id_token_that_is_not_right_opens_no_session(portal, misbehaving, mode):
    misbehaving(mode)
    browser = requests.Session()
    answer = browser.get(franceconnect_callback(portal, browser, "jean.dupont"), timeout=30)
    assert answer.status_code == 401
    assert "FranceConnect" in answer.text
    assert "portail_session" not in browser.cookies


def test_a_rotated_provider_key_is_fetched_again(portal, new_family):
    family = new_family()
    browser = requests.Session()
    browser.get(franceconnect_callback(portal, browser, "rotation.cle"), timeout=30)
    browser.post(portal.url("/franceconnect/lier"), timeout=30, data={
        "csrf_token": csrf_of(browser, portal, "/franceconnect/lier"), "choix": "lier",
        "email": family.email, "password": PASSWORD})
    portal.franceconnect.restart(new_keys=True)
    again = requests.Session()
    assert again.get(franceconnect_callback(portal, again, "rotation.cle"), timeout=30).url.endswith(
        "/tableau-de-bord")


def test_logging_out_goes_through_franceconnect_and_back(portal, new_family):
    family = new_family()
    browser = requests.Session()
    browser.get(franceconnect_callback(portal, browser, "depart.propre"), timeout=30)
    browser.post(portal.url("/franceconnect/lier"), timeout=30, data={
        "csrf_token": csrf_of(browser, portal, "/franceconnect/lier"), "choix": "lier",
        "email": family.email, "password": PASSWORD})
    leaving = browser.post(portal.url("/deconnexion"), data={"csrf_token": portal.csrf_of_session(browser)},
                           allow_redirects=False, timeout=30)
    end_session = leaving.headers["Location"]
    assert end_session.startswith(portal.franceconnect.issuer)
    assert "id_token_hint" in end_session and "post_logout_redirect_uri" in end_session
    back = portal.franceconnect.log_out(browser, end_session)
    assert back.startswith(portal.url("/connexion"))
    assert browser.get(portal.url("/api/v1/me"), timeout=30).status_code == 401


def test_unlinking_franceconnect_needs_a_usable_password(portal):
    household = portal.agent().post(portal.url("/api/v1/agent/households"), timeout=30, json={
        "guardians": [{"first_name": "Jean", "last_name": "Dupont", "email": "jean@example.org"}],
        "children": [{"first_name": "Lou", "last_name": "Dupont", "birth_date": "2017-01-01", "school": "Ferry"}],
        "quotient_familial": 500}).json()
    browser = requests.Session()
    browser.get(franceconnect_callback(portal, browser, "sans.motdepasse"), timeout=30)
    created = browser.post(portal.url("/franceconnect/lier"), timeout=30, data={
        "csrf_token": csrf_of(browser, portal, "/franceconnect/lier"), "choix": "creer",
        "email": "sans.motdepasse@example.org", "child_key": household["child_key"]})
    assert created.url.endswith("/courriel-a-verifier"), created.url
    portal.verify_email("sans.motdepasse@example.org")
    refused = browser.delete(portal.url("/api/v1/me/franceconnect"), timeout=30,
                             headers={"X-CSRF-Token": portal.csrf_of_session(browser)})
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "password_required"
