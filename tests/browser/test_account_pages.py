"""The account journeys in headless Chromium: FranceConnect's button and flow,
a forgotten password, contact details, and the admins' list of agents."""
import re
import uuid

import pytest
import requests
from playwright.sync_api import expect

PASSWORD = "une phrase de passe solide"


@pytest.fixture
def family_account(portal):
    """A verified family account, made through the API."""
    email = f"page-{uuid.uuid4().hex[:8]}@example.org"
    household = portal.agent().post(portal.url("/api/v1/agent/households"), timeout=30, json={
        "guardians": [{"first_name": "Nadia", "last_name": "Roux", "email": email}],
        "children": [{"first_name": "Tom", "last_name": "Roux", "birth_date": "2016-02-02", "school": "Ferry"}],
        "quotient_familial": 900}).json()
    assert requests.post(portal.url("/api/v1/accounts"), timeout=30,
                         json={"email": email, "password": PASSWORD, "child_key": household["child_key"]}).ok
    portal.verify_email(email)
    return email


def log_in(page, portal, email, password=PASSWORD):
    page.goto(portal.url("/connexion"))
    page.get_by_label("Courriel").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Connexion").click()


def test_the_login_page_shows_franceconnect_first_then_ou_then_the_email_form(portal, phone):
    phone.goto(portal.url("/connexion"))
    button = phone.get_by_role("link", name=re.compile("S'identifier avec FranceConnect"))
    what = phone.get_by_role("link", name="Qu'est-ce que FranceConnect ?")
    separator = phone.locator(".separateur")
    email = phone.get_by_label("Courriel")
    for element in (button, what, separator, email):
        expect(element).to_be_visible()
    tops = [element.bounding_box()["y"] for element in (button, what, separator, email)]
    assert tops == sorted(tops)
    assert button.get_attribute("target") in (None, "_self")
    expect(separator).to_have_text("ou")


def test_a_parent_logs_in_with_franceconnect_and_links_the_local_account(portal, phone, family_account):
    phone.goto(portal.url("/connexion"))
    phone.get_by_role("link", name=re.compile("S'identifier avec FranceConnect")).click()
    phone.locator("input[name=login]").fill("nadia.roux")
    phone.locator("input[name=login]").press("Enter")
    expect(phone.get_by_role("heading", name=re.compile("Bienvenue"))).to_be_visible()
    phone.locator("#lier-email").fill(family_account)
    phone.locator("#lier-password").fill(PASSWORD)
    phone.get_by_role("button", name="Lier et me connecter").click()
    expect(phone.get_by_role("heading", name="Mon tableau de bord")).to_be_visible()
    phone.get_by_role("link", name="Mon compte").click()
    expect(phone.get_by_text("Votre compte est lié à FranceConnect.")).to_be_visible()


def test_a_forgotten_password_is_reset_from_the_emailed_link(portal, phone, family_account):
    phone.goto(portal.url("/connexion"))
    phone.get_by_role("link", name="Mot de passe perdu ? Réinitialisez-le !").click()
    phone.get_by_label("Courriel").fill(family_account)
    phone.get_by_role("button", name="Recevoir un lien").click()
    expect(phone.get_by_role("status")).to_contain_text("Si un espace existe")
    phone.goto(portal.link_sent_to(family_account, "/nouveau-mot-de-passe"))
    phone.get_by_label("Nouveau mot de passe").fill("court")
    phone.evaluate("document.getElementById('password').removeAttribute('minlength')")
    phone.get_by_role("button", name="Enregistrer").click()
    expect(phone.get_by_role("alert")).to_be_visible()
    phone.get_by_label("Nouveau mot de passe").fill("ma nouvelle phrase secrète")
    phone.get_by_role("button", name="Enregistrer").click()
    expect(phone.get_by_role("status")).to_contain_text("mot de passe est changé")
    log_in(phone, portal, family_account, "ma nouvelle phrase secrète")
    expect(phone.get_by_role("heading", name="Mon tableau de bord")).to_be_visible()


def test_a_parent_updates_contact_details_and_sees_them_in_the_journal(portal, phone, family_account):
    log_in(phone, portal, family_account)
    phone.get_by_role("link", name="Mon compte").click()
    phone.get_by_label("Téléphone").fill("0612345678")
    phone.get_by_label("Adresse", exact=True).fill("3 rue Guérin-Leroux")
    phone.get_by_label("Code postal").fill("94120")
    phone.get_by_label("Ville").fill("Fontenay-sous-Bois")
    phone.get_by_role("button", name="Enregistrer mes coordonnées").click()
    expect(phone.get_by_role("status")).to_contain_text("coordonnées sont enregistrées")
    expect(phone.get_by_label("Téléphone")).to_have_value("06 12 34 56 78")
    expect(phone.get_by_role("cell", name="Coordonnées modifiées")).to_be_visible()
    phone.get_by_label("Téléphone").fill("12")
    phone.get_by_role("button", name="Enregistrer mes coordonnées").click()
    expect(phone.get_by_role("alert")).to_be_visible()


def test_an_admin_adds_an_agent_and_deactivates_it(portal, phone):
    log_in(phone, portal, portal.agent_email, portal.agent_password)
    phone.get_by_role("link", name="Agents").click()
    email = f"agent-{uuid.uuid4().hex[:6]}@caisse.example"
    phone.get_by_label("Courriel").fill(email)
    phone.get_by_label("Mot de passe provisoire").fill("Guichet-de-la-mairie")
    phone.get_by_role("button", name="Créer le compte").click()
    expect(phone.get_by_role("status")).to_contain_text("Le compte est créé")
    phone.get_by_role("button", name=f"Désactiver {email}").click()
    expect(phone.get_by_role("row", name=re.compile(re.escape(email)))).to_contain_text("Désactivé")
