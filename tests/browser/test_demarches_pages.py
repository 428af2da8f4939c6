"""Ma famille and the requests (démarches) in headless Chromium: a parent on
a phone files requests and answers the Caisse; an agent on a computer finds
the household, takes the request, asks, accepts or refuses."""
import re

import samples
from playwright.sync_api import expect

from browser.test_portal_pages import new_household, register_and_log_in


def log_in_as_agent(page, portal):
    page.goto(portal.url("/connexion"))
    page.get_by_label("Courriel").fill(portal.agent_email)
    page.get_by_label("Mot de passe").fill(portal.agent_password)
    page.get_by_role("button", name="Connexion").click()
    expect(page.get_by_role("heading", name="Mon compte", level=1)).to_be_visible()


def desktop_page(browser):
    return browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR").new_page()


def test_a_parent_writes_to_the_caisse_and_an_agent_answers_then_accepts(portal, phone, browser):
    email = "page.demarche@example.org"
    household = new_household(portal, email)
    register_and_log_in(phone, portal, email, household["child_key"])
    expect(phone.get_by_role("heading", name="Dernières demandes")).to_be_visible()
    phone.get_by_role("link", name="Ma famille").click()
    expect(phone.get_by_role("heading", name="Ma famille", level=1)).to_be_visible()
    expect(phone.get_by_text("650 €").first).to_be_visible()

    phone.get_by_role("link", name="Mes démarches", exact=True).click()
    phone.get_by_role("link", name="Faire une nouvelle démarche").click()
    phone.get_by_role("link", name="Contacter la Caisse des écoles").click()
    phone.get_by_label("Sujet").select_option(label="Restauration scolaire")
    phone.get_by_label("Votre message").fill("Ma fille ne mange pas de porc.")
    phone.get_by_role("button", name="Envoyer ma demande").click()
    expect(phone.get_by_role("status")).to_contain_text("Votre demande est envoyée")
    reference = re.search(r"D-\d{4}-\d{6}", phone.get_by_role("heading", level=1).inner_text()).group(0)

    agent = desktop_page(browser)
    log_in_as_agent(agent, portal)
    agent.get_by_role("link", name="Foyers").click()
    agent.get_by_label(re.compile("Nom, prénom")).fill(email)
    agent.get_by_role("button", name="Rechercher").click()
    agent.get_by_role("link", name="Camille Martin").click()
    expect(agent.get_by_text(household["child_key"])).to_be_visible()
    expect(agent.get_by_role("heading", name="Réservations du mois")).to_be_visible()
    expect(agent.get_by_role("link", name="Factures, paiements et solde du foyer")).to_have_attribute(
        "href", f"/agents/foyers/{household['id']}/compte")
    agent.get_by_role("link", name="Démarches", exact=True).click()
    agent.get_by_role("link", name=reference).click()
    agent.get_by_role("button", name="Prendre la demande").click()
    expect(agent.get_by_role("status")).to_contain_text("Vous avez pris la demande")
    agent.get_by_label("Question à la famille").fill("Mange-t-elle du poisson ?")
    agent.get_by_role("button", name="Envoyer la question").click()
    expect(agent.get_by_role("status")).to_contain_text("La question est envoyée")

    phone.reload()
    expect(phone.get_by_text("Mange-t-elle du poisson ?").first).to_be_visible()
    phone.get_by_label("Votre message").fill("Oui, le vendredi.")
    phone.get_by_role("button", name="Envoyer", exact=True).click()
    expect(phone.get_by_role("status")).to_contain_text("Votre message est envoyé")

    agent.reload()
    agent.get_by_role("button", name="Accepter la demande").click()
    expect(agent.get_by_role("status")).to_contain_text("La demande est acceptée")
    phone.get_by_role("link", name="Mes démarches", exact=True).click()
    expect(phone.get_by_role("row", name=re.compile(reference))).to_contain_text("Acceptée")
    phone.goto(portal.url("/mon-historique"))
    expect(phone.get_by_role("link", name=f"Démarche {reference} : acceptée")).to_be_visible()
    agent.context.close()


def test_a_wrong_iban_is_explained_and_a_refused_move_says_why(portal, phone, browser):
    email = "page.demenagement@example.org"
    household = new_household(portal, email)
    register_and_log_in(phone, portal, email, household["child_key"])
    phone.goto(portal.url("/demarches/nouvelle?type=prelevement_automatique"))
    phone.get_by_label("Titulaire du compte").fill("Camille Martin")
    phone.get_by_label("IBAN").fill("FR76 3000 6000 0112 3456 7890 188")
    phone.get_by_label("BIC").fill("AGRIFRPP")
    phone.get_by_label("J'accepte le mandat de prélèvement SEPA ci-dessus").check()
    phone.get_by_role("button", name="Envoyer ma demande").click()
    expect(phone.get_by_role("alert")).to_contain_text("clé de contrôle")

    phone.goto(portal.url("/demarches/nouvelle?type=changement_situation"))
    phone.get_by_role("link", name="Déménagement").click()
    phone.get_by_label("Adresse", exact=True).fill("3 rue des Lilas")
    phone.get_by_label("Code postal").fill("75011")
    phone.get_by_label("Commune").fill("Paris")
    phone.get_by_label("Date du déménagement").fill("2026-11-02")
    phone.get_by_role("button", name="Envoyer ma demande").click()
    reference = re.search(r"D-\d{4}-\d{6}", phone.get_by_role("heading", level=1).inner_text()).group(0)

    agent = desktop_page(browser)
    log_in_as_agent(agent, portal)
    agent.goto(portal.url("/agent/demarches?kind=changement_situation&status=submitted"))
    agent.get_by_role("link", name=reference).click()
    agent.get_by_role("button", name="Prendre la demande").click()
    agent.get_by_label("Motif du refus, lu par la famille").fill("Joignez une attestation de domicile.")
    agent.get_by_role("button", name="Refuser la demande").click()
    expect(agent.get_by_role("status")).to_contain_text("La demande est refusée")

    phone.reload()
    expect(phone.get_by_text("Joignez une attestation de domicile.").first).to_be_visible()
    expect(phone.get_by_text("Refusée").first).to_be_visible()
    agent.context.close()


def test_a_change_of_income_takes_its_attestation_uploaded_on_the_way(portal, phone, tmp_path):
    email = "page.revenus@example.org"
    household = new_household(portal, email)
    register_and_log_in(phone, portal, email, household["child_key"])
    phone.goto(portal.url("/demarches/nouvelle?type=changement_situation&changement=revenus"))
    phone.get_by_label("Nouveau quotient familial (en euros)").fill("820")
    phone.get_by_label("À partir du").fill("2026-09-01")
    phone.get_by_role("button", name="Envoyer ma demande").click()
    expect(phone.get_by_role("alert")).to_contain_text("attestation CAF ou votre avis d'imposition")

    avis = tmp_path / "avis.pdf"
    avis.write_bytes(samples.pdf(3000, text="Avis d'imposition 2026"))
    phone.get_by_label("Nouveau quotient familial (en euros)").fill("820")
    phone.get_by_label("À partir du").fill("2026-09-01")
    phone.get_by_label("Type de document").select_option("avis_imposition")
    phone.get_by_label("Date du document").fill("2026-08-15")
    phone.get_by_label("Fichier (PDF, JPEG ou PNG)").set_input_files(str(avis))
    phone.get_by_role("button", name="Envoyer ma demande").click()
    expect(phone.get_by_role("status")).to_contain_text("Votre demande est envoyée")
    expect(phone.get_by_text("Documents joints : Avis d'imposition — avis.pdf.")).to_be_visible()
