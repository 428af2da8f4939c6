"""The portal's pages in headless Chromium, as a parent uses them on a phone."""
import re
from datetime import date

import requests
import samples
from playwright.sync_api import expect

PASSWORD = "une phrase de passe solide"
PDF = samples.pdf(5_000)


def new_household(portal, email):
    answer = portal.agent().post(portal.url("/api/v1/agent/households"), timeout=30, json={
        "guardians": [{"first_name": "Camille", "last_name": "Martin", "email": email}],
        "children": [{"first_name": "Léa", "last_name": "Martin", "birth_date": "2017-03-14", "school": "Ferry"}],
        "quotient_familial": 650})
    assert answer.status_code == 201, answer.text
    return answer.json()


def register_and_log_in(page, portal, email, child_key):
    page.goto(portal.url("/"))
    page.get_by_role("link", name="Enregistrez-vous !").click()
    page.get_by_label("Clé enfance").fill(child_key.lower())
    page.get_by_label("Courriel").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Créer mon espace").click()
    expect(page.get_by_role("status")).to_contain_text("Votre espace est créé")
    page.goto(portal.link_sent_to(email, "/verifier-courriel"))
    page.get_by_role("button", name="Confirmer mon adresse").click()
    expect(page.get_by_role("status")).to_contain_text("adresse e-mail est confirmée")
    page.get_by_label("Courriel").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Connexion").click()
    expect(page.get_by_role("heading", name="Mon tableau de bord")).to_be_visible()


def test_a_parent_creates_an_account_logs_in_and_keeps_a_document(portal, phone, tmp_path):
    household = new_household(portal, "page.parent@example.org")
    register_and_log_in(phone, portal, "page.parent@example.org", household["child_key"])
    phone.get_by_role("link", name="Ouvrir mon coffre-fort").click()
    expect(phone.get_by_text("Aucun document déposé.")).to_be_visible()

    document = tmp_path / "attestation.pdf"
    document.write_bytes(PDF)
    phone.get_by_label("Type de document").select_option("attestation_domicile")
    phone.get_by_label("Date du document").fill(date.today().isoformat())
    phone.get_by_label("Fichier").set_input_files(str(document))
    phone.get_by_role("button", name="Déposer").click()
    expect(phone.get_by_role("status")).to_contain_text("Document déposé")
    link = phone.get_by_role("link", name="attestation.pdf")
    expect(link).to_be_visible()
    with phone.expect_download() as download:
        link.click()
    assert open(download.value.path(), "rb").read() == PDF


def test_a_wrong_clé_enfance_is_explained_in_french(portal, phone):
    phone.goto(portal.url("/inscription"))
    phone.get_by_label("Clé enfance").fill("00000-ZZZZZZ")
    phone.get_by_label("Courriel").fill("inconnu@example.org")
    phone.get_by_label("Mot de passe").fill(PASSWORD)
    phone.get_by_role("button", name="Créer mon espace").click()
    expect(phone.get_by_role("alert")).to_contain_text(re.compile("clé", re.IGNORECASE))


def test_a_wrong_password_keeps_the_parent_on_the_login_page(portal, phone):
    phone.goto(portal.url("/connexion"))
    phone.get_by_label("Courriel").fill("personne@example.org")
    phone.get_by_label("Mot de passe").fill("pas le bon mot de passe")
    phone.get_by_role("button", name="Connexion").click()
    expect(phone.get_by_role("alert")).to_be_visible()
    expect(phone).to_have_url(re.compile("/connexion"))


def test_the_dashboard_lists_the_invoice_and_opens_it(portal, phone, next_month):
    period, days = next_month
    household = new_household(portal, "page.facture@example.org")
    register_and_log_in(phone, portal, "page.facture@example.org", household["child_key"])
    api = portal.login("page.facture@example.org", PASSWORD)
    child = api.get(portal.url("/api/v1/household"), timeout=30).json()["children"][0]
    for day in days[:2]:
        assert api.post(portal.url("/api/v1/bookings"), timeout=30, json={
            "child_id": child["id"], "activity": "restauration_scolaire", "date": day}).status_code == 201
    assert portal.agent().post(portal.url("/api/v1/agent/billing-runs"), json={"period": period}, timeout=60).ok
    phone.reload()
    invoice_link = phone.get_by_role("link", name=re.compile(rf"F-{period}-\d{{7}}"))
    expect(invoice_link).to_be_visible()
    invoice_link.click()
    expect(phone.get_by_role("heading", name=re.compile("Facture F-"))).to_be_visible()
    expect(phone.locator("tfoot")).to_contain_text("3,20")


def test_pages_need_a_session(portal, phone):
    phone.goto(portal.url("/tableau-de-bord"))
    expect(phone).to_have_url(re.compile("/connexion"))
    assert requests.post(portal.url("/documents"), timeout=30, allow_redirects=False).status_code in (302, 303)


def test_a_parent_books_school_catering_and_is_told_when_a_day_is_refused(portal, phone, next_month):
    period, days = next_month
    household = new_household(portal, "page.reservation@example.org")
    register_and_log_in(phone, portal, "page.reservation@example.org", household["child_key"])
    phone.get_by_role("link", name="Réservations").click()
    phone.get_by_label("Activité").select_option(label="Restauration scolaire")
    phone.get_by_label("Jour").fill(days[0])
    phone.get_by_role("button", name="Réserver").click()
    expect(phone.get_by_role("status")).to_contain_text("Réservation enregistrée")
    expect(phone.get_by_role("cell", name="Restauration scolaire")).to_be_visible()

    wednesday = next(day for day in (date.fromisoformat(f"{period}-0{n}") for n in range(1, 8)) if day.weekday() == 2)
    phone.get_by_label("Activité").select_option(label="Restauration scolaire")
    phone.get_by_label("Jour").fill(wednesday.isoformat())
    phone.get_by_role("button", name="Réserver").click()
    expect(phone.get_by_role("alert")).to_contain_text("mercredi")
