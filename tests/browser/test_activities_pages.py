"""The activities' pages in headless Chromium: a parent on a phone books and
cancels in the month calendar, books a period, pre-registers and reports an
absence; an agent on a computer changes the places and confirms the list."""
import uuid
from datetime import date, datetime, timedelta, timezone

import pytest
import requests
from playwright.sync_api import expect

from gateway.formatting import day as french_day

PASSWORD = "une phrase de passe solide"


@pytest.fixture
def desktop(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="fr-FR")
    yield context.new_page()
    context.close()


def family_logged_in(page, portal):
    email = f"calendrier-{uuid.uuid4().hex[:6]}@example.org"
    answer = portal.agent().post(portal.url("/api/v1/agent/households"), timeout=30, json={
        "guardians": [{"first_name": "Camille", "last_name": "Martin", "email": email}],
        "children": [{"first_name": "Léa", "last_name": "Martin", "birth_date": "2017-03-14", "school": "Ferry"}],
        "quotient_familial": 650})
    assert answer.status_code == 201, answer.text
    answer = requests.post(portal.url("/api/v1/accounts"), timeout=30, json={
        "email": email, "password": PASSWORD, "child_key": answer.json()["child_key"]})
    assert answer.status_code == 201, answer.text
    portal.verify_email(email)
    log_in(page, portal, email, PASSWORD)


def log_in(page, portal, email, password):
    page.goto(portal.url("/connexion"))
    page.get_by_label("Courriel").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Connexion").click()
    expect(page).not_to_have_url(portal.url("/connexion"))


def new_session(portal, label):
    first = date.today() + timedelta(days=80)
    answer = portal.agent().post(portal.url("/api/v1/agent/sessions"), timeout=30, json={
        "activity": "mini_sejour", "label": label, "first_day": first.isoformat(),
        "last_day": (first + timedelta(days=4)).isoformat(), "places": 1, "min_age": 6, "max_age": 11,
        "opens_at": datetime.now(timezone.utc).isoformat(), "price_basis": "stay"})
    assert answer.status_code == 201, answer.text
    return answer.json()


def test_a_parent_books_and_cancels_in_the_month_calendar_on_a_phone(portal, phone, next_month):
    period, days = next_month
    family_logged_in(phone, portal)
    phone.get_by_role("link", name="Calendrier").click()
    phone.goto(portal.url(f"/calendrier?mois={period}"))
    expect(phone.get_by_role("heading", level=1)).to_contain_text("Calendrier de Léa")
    day = french_day(days[0])
    phone.get_by_role("button", name=f"Réserver Restauration scolaire le {day}").click()
    expect(phone.get_by_role("status")).to_contain_text("Réservation enregistrée.")
    expect(phone.get_by_text("Réservé, facturé")).to_have_count(1)
    phone.get_by_role("button", name=f"Annuler Restauration scolaire le {day}").click()
    expect(phone.get_by_role("status")).to_contain_text("Réservation annulée.")

    phone.get_by_label("Activité").select_option(label="Accueil du soir")
    phone.get_by_label("Premier jour").fill(f"{period}-01")
    phone.get_by_label("Dernier jour").fill(f"{period}-28")
    phone.get_by_role("checkbox", name="lundi").check()
    phone.get_by_role("checkbox", name="mercredi").check()
    phone.get_by_role("button", name="Réserver la période").click()
    expect(phone.get_by_role("status", name="Réservation de la période")).to_contain_text("jour(s) réservé(s)")
    expect(phone.get_by_role("table", name="Jours refusés et pourquoi")).to_contain_text(
        "L'activité n'a pas lieu le mercredi.")


def test_a_parent_pre_registers_and_reports_an_absence_on_a_phone(portal, phone):
    session = new_session(portal, f"Mini-séjour à la ferme {uuid.uuid4().hex[:4]}")
    family_logged_in(phone, portal)
    phone.get_by_role("link", name="Pré-inscriptions").click()
    phone.get_by_label("Séjour", exact=True).select_option(session["id"])
    phone.get_by_role("button", name="Pré-inscrire").click()
    expect(phone.get_by_role("status")).to_contain_text("Pré-inscription enregistrée.")
    expect(phone.get_by_role("table", name="Mes pré-inscriptions et leur état")).to_contain_text("pré-inscrit")

    phone.get_by_role("link", name="Absences").click()
    phone.get_by_label("Premier jour d'absence").fill((date.today() + timedelta(days=1)).isoformat())
    phone.get_by_label("Dernier jour d'absence").fill((date.today() + timedelta(days=2)).isoformat())
    phone.get_by_label("Motif", exact=True).fill("Angine")
    phone.get_by_role("button", name="Signaler l'absence").click()
    expect(phone.get_by_role("status")).to_contain_text("Absence signalée.")
    expect(phone.get_by_role("table", name="Absences signalées et leur certificat")).to_contain_text("sans certificat")

    phone.get_by_label("Motif", exact=True).fill("")
    phone.get_by_role("button", name="Signaler l'absence").click()
    expect(phone.get_by_role("alert")).to_be_visible()


def test_an_agent_changes_the_places_and_confirms_a_pre_registration_on_a_computer(portal, desktop, phone):
    session = new_session(portal, f"Mini-séjour à la mer {uuid.uuid4().hex[:4]}")
    family_logged_in(phone, portal)
    phone.goto(portal.url("/preinscriptions"))
    phone.get_by_label("Séjour", exact=True).select_option(session["id"])
    phone.get_by_role("button", name="Pré-inscrire").click()

    log_in(desktop, portal, portal.agent_email, portal.agent_password)
    desktop.get_by_role("link", name="Activités").click()
    places = desktop.get_by_label("Places de Étude surveillée", exact=True)
    places.fill(str(int(places.input_value()) + 1))
    desktop.get_by_role("button", name="Enregistrer les places de Étude surveillée").click()
    expect(desktop.get_by_role("status")).to_contain_text("Catalogue modifié.")
    expect(desktop.get_by_role("table", name="Vacances scolaires de la zone C")).to_contain_text("Vacances de Noël")

    desktop.get_by_role("link", name="Pré-inscriptions").click()
    desktop.get_by_role("link", name=session["label"]).click()
    desktop.get_by_role("button", name="Confirmer Léa Martin").click()
    expect(desktop.get_by_role("status")).to_contain_text("Décision enregistrée.")
    expect(desktop.get_by_role("table", name="Pré-inscriptions dans l'ordre d'arrivée")).to_contain_text("confirmé")
    phone.reload()
    expect(phone.get_by_role("table", name="Mes pré-inscriptions et leur état")).to_contain_text("confirmé")
