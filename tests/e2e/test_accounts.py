"""Accounts families trust, end to end: e-mail verification, password reset,
throttling, contact details, e-mail change, mobile tokens, agents and admins,
the security journal. E-mails are read from the SMTP server on loopback and
their links followed."""
import time
import uuid

import pytest
import requests

PASSWORD = "une phrase de passe solide"


def household_and_key(portal):
    answer = portal.agent().post(portal.url("/api/v1/agent/households"), timeout=30, json={
        "guardians": [{"first_name": "Alex", "last_name": "Petit", "email": "alex.petit@example.org"}],
        "children": [{"first_name": "Zoé", "last_name": "Petit", "birth_date": "2018-06-01", "school": "Ferry"}],
        "quotient_familial": 300})
    assert answer.status_code == 201, answer.text
    return answer.json()


def fresh_email():
    return f"famille-{uuid.uuid4().hex[:8]}@example.org"


def register(portal, email, key):
    answer = requests.post(portal.url("/api/v1/accounts"), timeout=30,
                           json={"email": email, "password": PASSWORD, "child_key": key})
    assert answer.status_code == 201, answer.text
    return answer.json()


def test_a_new_account_sees_its_family_only_after_following_the_verification_link(portal):
    email, household = fresh_email(), household_and_key(portal)
    assert register(portal, email, household["child_key"])["email_verified"] is False
    session = portal.login(email, PASSWORD)
    refused = session.get(portal.url("/api/v1/household"), timeout=30)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "email_not_verified"
    token = portal.token_sent_to(email, "/verifier-courriel")
    assert requests.post(portal.url("/api/v1/email-verifications"), json={"token": token}, timeout=30).ok
    assert session.get(portal.url("/api/v1/household"), timeout=30).json()["id"] == household["id"]
    again = requests.post(portal.url("/api/v1/email-verifications"), json={"token": token}, timeout=30)
    assert again.status_code == 422  # single use


def test_a_forgotten_password_is_reset_through_the_emailed_link_and_every_session_ends(portal, new_family, refused_within_a_poll):
    family = new_family()
    unknown = requests.post(portal.url("/api/v1/password-resets"), json={"email": fresh_email()}, timeout=30)
    known = requests.post(portal.url("/api/v1/password-resets"), json={"email": family.email}, timeout=30)
    assert (unknown.status_code, unknown.content) == (known.status_code, known.content) == (202, b"")
    token = portal.token_sent_to(family.email, "/nouveau-mot-de-passe")
    new_password = "un tout nouveau mot de passe"
    assert requests.post(portal.url("/api/v1/password-resets/confirm"), timeout=30,
                         json={"token": token, "password": new_password}).status_code == 204
    assert refused_within_a_poll(family.session, portal.url("/api/v1/household"))
    assert requests.post(portal.url("/api/v1/session"), json={"email": family.email, "password": PASSWORD},
                         timeout=30).status_code == 401
    assert portal.login(family.email, new_password).get(portal.url("/api/v1/household"), timeout=30).ok
    portal.mail.wait_for(lambda m: m["To"] == family.email and "mot de passe a été modifié" in m["Subject"])
    reused = requests.post(portal.url("/api/v1/password-resets/confirm"), timeout=30,
                           json={"token": token, "password": "encore un autre mot de passe"})
    assert reused.status_code == 422


def test_repeated_failures_lock_an_email_whether_or_not_it_has_an_account(portal, new_family):
    family = new_family()
    answers = {}
    for email in (family.email, fresh_email()):
        for _ in range(6):
            requests.post(portal.url("/api/v1/session"), json={"email": email, "password": "pas le bon mot"},
                          timeout=30)
        answers[email] = requests.post(portal.url("/api/v1/session"), json={"email": email, "password": PASSWORD},
                                       timeout=30)
    locked, unknown = answers.values()
    assert locked.status_code == unknown.status_code == 401
    assert locked.json()["error"]["code"] == unknown.json()["error"]["code"] == "too_many_attempts"


def test_contact_details_are_validated_normalised_and_journaled(portal, new_family):
    family = new_family()
    bad = family.session.patch(portal.url("/api/v1/me/contact"), json={"phone": "12"}, timeout=30)
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_phone"
    answer = family.session.patch(portal.url("/api/v1/me/contact"), timeout=30, json={
        "phone": "06 12 34 56 78", "address": {"street": "3 rue Guérin-Leroux", "postal_code": "94120",
                                               "city": "Fontenay-sous-Bois"}})
    assert answer.status_code == 200, answer.text
    assert answer.json()["phone"] == "+33612345678"
    journal = family.session.get(portal.url("/api/v1/me/security-journal"), timeout=30).json()
    assert "contact_details_changed" in [entry["action"] for entry in journal]


def test_an_email_change_is_confirmed_from_the_new_address_and_the_old_one_is_told(portal, new_family):
    family = new_family()
    new_email = fresh_email()
    wrong = family.session.post(portal.url("/api/v1/me/email-change"), timeout=30,
                                json={"new_email": new_email, "password": "pas le bon mot de passe"})
    assert wrong.status_code == 401
    assert family.session.post(portal.url("/api/v1/me/email-change"), timeout=30,
                               json={"new_email": new_email, "password": PASSWORD}).status_code == 202
    token = portal.token_sent_to(new_email, "/confirmer-courriel")
    confirmed = requests.post(portal.url("/api/v1/email-changes/confirm"), json={"token": token}, timeout=30)
    assert confirmed.status_code == 200 and confirmed.json()["email"] == new_email
    portal.mail.wait_for(lambda m: m["To"] == family.email and "adresse e-mail a été modifiée" in m["Subject"])
    assert portal.login(new_email, PASSWORD).get(portal.url("/api/v1/household"), timeout=30).ok


def test_mobile_tokens_are_checked_by_the_gateway_rotate_and_a_stolen_refresh_token_ends_the_session(
        portal, new_family):
    family = new_family()
    pair = requests.post(portal.url("/api/v1/tokens"), json={"email": family.email, "password": PASSWORD},
                         timeout=30).json()
    mobile = {"Authorization": f"Bearer {pair['access_token']}"}
    assert requests.get(portal.url("/api/v1/household"), headers=mobile, timeout=30).json()["id"] == \
        family.household["id"]
    def refresh(token):
        return requests.post(portal.url("/api/v1/tokens/refresh"), json={"refresh_token": token}, timeout=30)

    rotated = refresh(pair["refresh_token"])
    assert rotated.status_code == 200 and rotated.json()["refresh_token"] != pair["refresh_token"]
    # the answer was lost on the way: the app presents the same token again at once and gets the same new one
    again = refresh(pair["refresh_token"])
    assert again.status_code == 200 and again.json()["refresh_token"] == rotated.json()["refresh_token"]
    rotated = refresh(rotated.json()["refresh_token"])
    assert rotated.status_code == 200
    # the first token again, though its successor was used since: a stolen copy
    assert refresh(pair["refresh_token"]).status_code == 401
    # the stolen copy ended the whole session: its access tokens stop working within the polling delay
    fresh = {"Authorization": f"Bearer {rotated.json()['access_token']}"}
    deadline = time.monotonic() + 10
    while requests.get(portal.url("/api/v1/household"), headers=fresh, timeout=30).status_code != 401:
        assert time.monotonic() < deadline, "the revoked session still opens the household"
        time.sleep(0.5)
    tampered = pair["access_token"][:-4] + ("AAAA" if not pair["access_token"].endswith("AAAA") else "BBBB")
    assert requests.get(portal.url("/api/v1/me"), headers={"Authorization": f"Bearer {tampered}"},
                        timeout=30).status_code == 401


def test_a_mobile_app_logging_out_ends_its_tokens(portal, new_family):
    family = new_family()
    pair = requests.post(portal.url("/api/v1/tokens"), json={"email": family.email, "password": PASSWORD},
                         timeout=30).json()
    mobile = {"Authorization": f"Bearer {pair['access_token']}"}
    assert requests.delete(portal.url("/api/v1/session"), headers=mobile, timeout=30).status_code == 204
    assert requests.post(portal.url("/api/v1/tokens/refresh"), json={"refresh_token": pair["refresh_token"]},
                         timeout=30).status_code == 401
    deadline = time.monotonic() + 10
    while requests.get(portal.url("/api/v1/household"), headers=mobile, timeout=30).status_code != 401:
        assert time.monotonic() < deadline, "the access token still works after logging out"
        time.sleep(0.5)


def test_an_admin_creates_and_deactivates_an_agent(portal, new_family, refused_within_a_poll):
    admin = portal.agent()
    email = f"agent-{uuid.uuid4().hex[:6]}@caisse.example"
    created = admin.post(portal.url("/api/v1/admin/agents"), timeout=30,
                         json={"email": email, "password": "Guichet-de-la-mairie", "role": "agent"})
    assert created.status_code == 201, created.text
    agent = portal.login(email, "Guichet-de-la-mairie")
    assert agent.get(portal.url("/api/v1/admin/agents"), timeout=30).status_code == 403
    assert new_family().session.get(portal.url("/api/v1/admin/agents"), timeout=30).status_code == 403
    listed = admin.get(portal.url("/api/v1/admin/agents"), timeout=30).json()
    assert email in [account["email"] for account in listed]
    assert admin.post(portal.url(f"/api/v1/agent/accounts/{created.json()['id']}/deactivate"), timeout=30).ok
    assert refused_within_a_poll(agent, portal.url("/api/v1/me"))
    assert admin.post(portal.url(f"/api/v1/agent/accounts/{created.json()['id']}/reactivate"), timeout=30).ok
    assert portal.login(email, "Guichet-de-la-mairie").get(portal.url("/api/v1/me"), timeout=30).ok


def test_an_agent_sees_and_detaches_the_accounts_of_a_household(portal, new_family, refused_within_a_poll):
    family = new_family()
    admin = portal.agent()
    attached = admin.get(portal.url(f"/api/v1/agent/households/{family.household['id']}/accounts"), timeout=30)
    assert [account["email"] for account in attached.json()] == [family.email]
    account_id = attached.json()[0]["id"]
    assert admin.post(portal.url(f"/api/v1/agent/accounts/{account_id}/detach"), timeout=30).ok
    assert refused_within_a_poll(family.session, portal.url("/api/v1/household"), statuses=(401, 403))


def test_from_the_households_page_an_agent_suspends_reactivates_and_detaches_its_account(
        portal, new_family, refused_within_a_poll):
    family = new_family()
    admin, household = portal.agent(), family.household["id"]
    page = admin.get(portal.url(f"/agent/foyers/{household}"), timeout=30)
    assert page.status_code == 200 and "Comptes rattachés" in page.text and family.email in page.text
    account_id = admin.get(portal.url(f"/api/v1/agent/households/{household}/accounts"), timeout=30).json()[0]["id"]
    actions = f"/agent/foyers/{household}/comptes/{account_id}"
    for path in (f"{actions}/etat", f"{actions}/detacher"):  # a family never reaches them, not even for itself
        assert family.session.post(portal.url(path), data={"actif": "non"}, timeout=30).status_code == 403
    assert family.session.get(portal.url("/api/v1/household"), timeout=30).status_code == 200
    suspended = admin.post(portal.url(f"{actions}/etat"), data={"actif": "non"}, timeout=30)
    assert suspended.status_code == 200 and "Le compte est suspendu" in suspended.text and "Réactiver" in suspended.text
    assert refused_within_a_poll(family.session, portal.url("/api/v1/household"), statuses=(401, 403))
    reactivated = admin.post(portal.url(f"{actions}/etat"), data={"actif": "oui"}, timeout=30)
    assert "Le compte est réactivé" in reactivated.text
    detached = admin.post(portal.url(f"{actions}/detacher"), timeout=30)
    assert "plus rattaché au foyer" in detached.text and "Aucun compte" in detached.text
    refused = admin.post(portal.url(f"/agent/foyers/{household}/comptes/pas-un-compte/etat"), data={"actif": "non"},
                         timeout=30)
    assert refused.status_code == 422 and "Comptes rattachés" in refused.text


def test_a_family_sees_its_own_security_journal_and_the_admin_sees_everyones(portal, new_family):
    family = new_family()
    mine = family.session.get(portal.url("/api/v1/me/security-journal"), timeout=30).json()
    assert "login_succeeded" in [entry["action"] for entry in mine]
    assert {entry["account_id"] for entry in mine} <= {mine[0]["account_id"]}
    everyone = portal.agent().get(portal.url("/api/v1/admin/security-journal"), timeout=30).json()
    assert len({entry["account_id"] for entry in everyone}) > 1


@pytest.mark.parametrize("method,path", [
    ("GET", "/api/v1/admin/agents"), ("POST", "/api/v1/admin/agents"), ("GET", "/api/v1/admin/security-journal"),
    ("GET", "/api/v1/agent/households/00000000-0000-0000-0000-000000000000/accounts"),
    ("POST", "/api/v1/agent/accounts/00000000-0000-0000-0000-000000000000/detach"),
    ("POST", "/api/v1/agent/accounts/00000000-0000-0000-0000-000000000000/deactivate"),
])
def test_a_family_never_reaches_the_agents_account_endpoints(portal, new_family, method, path):
    family = new_family()
    answer = family.session.request(method, portal.url(path), json={}, timeout=30)
    assert answer.status_code == 403 and answer.json()["error"]["code"] == "forbidden"


@pytest.mark.parametrize("method,path", [
    ("GET", "/api/v1/admin/agents"), ("POST", "/api/v1/admin/agents"), ("GET", "/api/v1/admin/security-journal"),
])
def test_an_agent_who_is_not_admin_never_reaches_the_admin_endpoints(portal, method, path):
    email = f"agent-{uuid.uuid4().hex[:6]}@caisse.example"
    assert portal.agent().post(portal.url("/api/v1/admin/agents"), timeout=30,
                               json={"email": email, "password": "Guichet-de-la-mairie", "role": "agent"}).ok
    answer = portal.login(email, "Guichet-de-la-mairie").request(method, portal.url(path), json={}, timeout=30)
    assert answer.status_code == 403


@pytest.mark.parametrize("method,path", [
    ("GET", "/api/v1/me/contact"), ("PATCH", "/api/v1/me/contact"), ("PUT", "/api/v1/me/password"),
    ("POST", "/api/v1/me/email-change"), ("GET", "/api/v1/me/security-journal"),
    ("DELETE", "/api/v1/me/franceconnect"), ("POST", "/api/v1/me/email-verification"),
])
def test_an_anonymous_caller_cannot_reach_account_endpoints(portal, method, path):
    assert requests.request(method, portal.url(path), json={}, timeout=30).status_code == 401
