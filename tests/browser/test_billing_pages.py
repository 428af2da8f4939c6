"""Billing's pages in headless Chromium: a parent pays an invoice on a phone
through the PayFiP simulator's pages, and gets last year's childcare
attestation and a payment certificate; an agent records a cheque at the
counter and adds a version of a tariff."""
import re
from datetime import date, timedelta

from babel.dates import format_date
from playwright.sync_api import expect

PASSWORD = "une phrase de passe solide"


def a_billed_family(portal, email, next_month, activities=("restauration_scolaire",), birth_date="2017-03-14"):
    """A household whose child has two days of each activity (lunches) next month, billed; its API session and
    household."""
    period, days = next_month
    agent = portal.agent()
    household = agent.post(portal.url("/api/v1/agent/households"), timeout=30, json={
        "guardians": [{"first_name": "Camille", "last_name": "Martin", "email": email}],
        "children": [{"first_name": "Léa", "last_name": "Martin", "birth_date": birth_date, "school": "Ferry"}],
        "quotient_familial": 650}).json()
    assert portal.agent().post(portal.url("/api/v1/accounts"), timeout=30, json={
        "email": email, "password": PASSWORD, "child_key": household["child_key"]}).status_code == 201
    portal.verify_email(email)
    api = portal.login(email, PASSWORD)
    child = api.get(portal.url("/api/v1/household"), timeout=30).json()["children"][0]
    for activity in activities:
        for day in days[:2]:
            assert api.post(portal.url("/api/v1/bookings"), timeout=30, json={
                "child_id": child["id"], "activity": activity, "date": day}).status_code == 201
    assert agent.post(portal.url("/api/v1/agent/billing-runs"), json={"period": period}, timeout=60).ok
    return api, household


def log_in(page, portal, email, password):
    page.goto(portal.url("/connexion"))
    page.get_by_label("Courriel").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Connexion").click()


def test_a_parent_opts_in_and_pays_an_invoice_on_a_phone_through_payfip(portal, phone, next_month):
    a_billed_family(portal, "page.payfip@example.org", next_month)
    log_in(phone, portal, "page.payfip@example.org", PASSWORD)
    phone.get_by_role("link", name="Mes factures").click()
    phone.get_by_label("Oui, je reçois et je paie mes factures en ligne").check()
    phone.get_by_role("button", name="Enregistrer mon choix").click()
    expect(phone.get_by_role("status")).to_contain_text("Vous avez adhéré à la facture en ligne")
    phone.get_by_role("link", name=re.compile(r"F-\d{4}-\d{2}-\d{7}")).click()
    phone.get_by_role("button", name=re.compile("Payer en ligne")).click()

    expect(phone.get_by_role("heading", name="Paiement de votre facture")).to_be_visible()  # PayFiP's page
    expect(phone.get_by_text("3,20 €")).to_be_visible()
    phone.get_by_label("Numéro de carte").fill("4970 1000 0000 0000")
    phone.get_by_label("Date d'expiration (MM/AA)").fill("12/30")
    phone.get_by_label("Cryptogramme").fill("123")
    phone.get_by_role("button", name="Payer").click()
    expect(phone.get_by_role("heading", name="Paiement accepté")).to_be_visible()
    phone.get_by_role("link", name="Retour au site").click()

    expect(phone.get_by_role("status")).to_contain_text("Paiement accepté : merci.")
    expect(phone.get_by_text("Payée").first).to_be_visible()
    expect(phone.get_by_role("cell", name="Carte bancaire en ligne (PayFiP)")).to_be_visible()


def test_a_parent_downloads_last_years_childcare_attestation_and_a_payment_certificate_on_a_phone(
        portal, phone, next_month):
    year = int(portal.stack.env["BILLING_TODAY"][:4]) - 1  # the year billing's clock in the test stack has ended
    api, household = a_billed_family(portal, "page.attestations@example.org", next_month,
                                     activities=("restauration_scolaire", "accueil_du_soir"), birth_date=f"{year - 3}-02-11")
    [invoice] = api.get(portal.url("/api/v1/invoices"), timeout=30).json()
    assert portal.agent().post(portal.url(f"/api/v1/agent/households/{household['id']}/payments"), timeout=30, json={
        "number": invoice["number"], "amount_cents": invoice["total_cents"], "means": "cheque",
        "cheque_number": "7654321", "bank": "La Banque Postale", "received_on": f"{year}-12-28"}).status_code == 201
    log_in(phone, portal, "page.attestations@example.org", PASSWORD)
    phone.get_by_role("link", name="Mes factures").click()
    phone.get_by_role("link", name=re.compile("Mes attestations")).click()
    expect(phone.get_by_role("heading", name="Mes attestations", level=1)).to_be_visible()
    expect(phone.get_by_text(f"L'attestation {year + 1} sera disponible à partir du 1er janvier {year + 2}.")).to_be_visible()
    with phone.expect_response(lambda response: "/factures/attestations/frais-de-garde" in response.url) as childcare:
        phone.get_by_role("link", name=f"Attestation de frais de garde {year} (PDF)").click()
    assert is_pdf(childcare.value, f"attestation-frais-de-garde-{year}.pdf")
    phone.go_back()

    phone.get_by_label("Du").fill(f"{year}-12-31")
    phone.get_by_label("Au").fill(f"{year}-12-01")
    phone.get_by_role("button", name="Obtenir l'attestation de paiement (PDF)").click()
    expect(phone.get_by_role("alert")).to_contain_text("La date de fin précède la date de début.")
    expect(phone.get_by_label("Au")).to_have_value(f"{year}-12-01")  # what was typed stays
    phone.get_by_label("Du").fill(f"{year}-12-01")
    phone.get_by_label("Au").fill(f"{year}-12-31")
    with phone.expect_response(lambda response: "/factures/attestations/paiement" in response.url) as certificate:
        phone.get_by_role("button", name="Obtenir l'attestation de paiement (PDF)").click()
    assert is_pdf(certificate.value, f"attestation-paiement-{year}-12-01-{year}-12-31.pdf")


def is_pdf(response, filename):
    """The browser received a PDF named `filename` (it shows it: no download to wait for; its viewer keeps the
    bytes, the e2e tests read them)."""
    return (response.status == 200 and response.headers["content-type"] == "application/pdf"
            and f'filename="{filename}"' in response.headers["content-disposition"]
            and int(response.headers["content-length"]) > 1000)


def test_an_agent_records_a_cheque_at_the_counter(portal, browser, next_month):
    _, household = a_billed_family(portal, "page.cheque@example.org", next_month)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    page = context.new_page()
    try:
        log_in(page, portal, portal.agent_email, portal.agent_password)
        page.goto(portal.url(f"/agents/foyers/{household['id']}/compte"))
        page.get_by_label("Montant (en euros)").fill("2,00")
        page.get_by_label("Moyen de paiement").select_option(label="Chèque")
        page.get_by_role("button", name="Enregistrer le paiement").click()
        expect(page.get_by_role("alert")).to_contain_text("Ce champ est obligatoire pour un chèque.")
        page.get_by_label("Numéro du chèque").fill("1234567")
        page.get_by_label("Banque du chèque").fill("La Banque Postale")
        page.get_by_role("button", name="Enregistrer le paiement").click()
        expect(page.get_by_role("status")).to_contain_text("Paiement enregistré : reçu P-")
        expect(page.get_by_role("cell", name="Chèque")).to_be_visible()
        expect(page.get_by_text("Partiellement payée").first).to_be_visible()
    finally:
        context.close()


def test_an_agent_adds_a_tariff_version_that_is_in_force_from_its_date(portal, browser):
    # the first day of a month no run can have billed yet: the stack's today is in it (tests/conftest.py)
    start = (date.today().replace(day=1) + timedelta(days=95)).replace(day=1)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    page = context.new_page()
    try:
        log_in(page, portal, portal.agent_email, portal.agent_password)
        page.goto(portal.url("/agents/tarifs"))
        page.get_by_role("link", name="Nouvelle version de « Accueil du soir »").click()
        first, second = (page.get_by_role("group", name=f"Tranche {code}", exact=True) for code in "AB")
        expect(first.get_by_label("Prix (€)")).to_have_value("0,60")  # the version in force, to change
        page.get_by_label("Date d'effet").fill(start.isoformat())
        first.get_by_label("Prix (€)").fill("0,65")
        second.get_by_label("À partir de (€)").fill("450")
        page.get_by_role("button", name="Enregistrer la version").click()

        expect(page.get_by_role("alert")).to_contain_text("la tranche B devrait commencer à 401 €")
        expect(second.get_by_label("À partir de (€)")).to_have_attribute("aria-invalid", "true")
        expect(second).to_contain_text("Les tranches doivent se suivre sans trou ni chevauchement")
        expect(first.get_by_label("Prix (€)")).to_have_value("0,65")  # nothing typed is lost
        second.get_by_label("À partir de (€)").fill("401")
        page.get_by_role("button", name="Enregistrer la version").click()

        day = format_date(start, "d MMMM yyyy", locale="fr_FR")
        expect(page.get_by_role("status")).to_contain_text(
            re.compile(f"Version [0-9]+ de « Accueil du soir » enregistrée : elle s'applique à partir du {day}."))
        expect(page.get_by_text(f"Tarifs en vigueur le {day}.")).to_be_visible()
        grid = page.get_by_role("table", name="Tranches de Accueil du soir")
        expect(grid.get_by_role("row").nth(1)).to_contain_text("0,65 €")
        newest = page.get_by_role("table", name="Versions du tarif de Accueil du soir").get_by_role("row").nth(1)
        expect(newest).to_contain_text("par vous")
        expect(newest).to_contain_text("en vigueur")
    finally:
        context.close()
