"""Every page the gateway serves as HTML, audited with axe-core (WCAG 2.1 A and
AA rules) in Chromium, in a phone's and a computer's window, as a visitor, a
family, an agent and an admin, with the forms' errors shown; and each page
reflows at 320 px wide (as a 1280 px screen zoomed to 400 %, and a phone's at
200 %), without scrolling sideways.

The routes come from the app's URL map: each must have an entry in PAGES
(GET) and FORMS (POST), saying how to reach a real instance of it, or why it
is not a page. A route without an entry fails the test, so a new page cannot
escape the audit (docs/ecrire-une-page.md).

With PORTAIL_A11Y_DOCS=1 (`make a11y-docs`) the walk also writes the
accessibility statement and the README's screenshots from what it saw.
"""
import dataclasses
import json
import os
import re
import secrets
import shutil
from urllib.parse import urlsplit
from collections.abc import Callable
from pathlib import Path

import pytest
import samples
from playwright.sync_api import expect

from a11y.declaration import write_statement
from a11y.support import (
    ADMIN, AGENT, ANONYMOUS, DESKTOP, FAMILY, PDF, PHONE, UNVERIFIED, WINDOWS, axe_version, first_wednesday, log_in, open_window)
from gateway.app import create_app
from gateway.settings import Settings

# the app refuses to start without real keys: random ones, drawn for this run
TEST_KEYS = {"PORTAL_SECRET_KEY": secrets.token_hex(32), "CALLER_CONTEXT_KEY": secrets.token_hex(32)}

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "var" / "test-results" / "a11y"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
FAILING_IMPACTS = ("serious", "critical")
# 1280 px zoomed to 400 % and to 200 %
REFLOW_WIDTHS = (320, 640)
EVERYONE = (ANONYMOUS, FAMILY, AGENT, ADMIN)
AUDITED_REQUEST = "6f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b"  # a request no family made: the agent's page asks for its household

AUDIT_HOUSEHOLD = "00000000-0000-4000-8000-00000000a11e"  # a household's account page, empty


@dataclasses.dataclass(frozen=True)
class Visit:
    """A page opened at `path` (a string, or a function of the walk's state)
    by each of `roles`; `status` is the HTTP status it answers with; `capture`
    names its screenshot for the README; `arrive` goes there another way than
    typing the address (a flow through FranceConnect)."""
    path: str | Callable
    roles: tuple
    status: int = 200
    capture: str | None = None
    arrive: Callable | None = None


@dataclasses.dataclass(frozen=True)
class Submit:
    """A form, opened at `path` by `role` and sent by `send(page, state)` with
    a mistake, so that its page is audited with the error shown. `status` is
    the answer expected."""
    path: str | Callable
    role: str
    send: Callable
    status: int = 422
    capture: str | None = None


@dataclasses.dataclass(frozen=True)
class NotAPage:
    """A route that shows no page of its own: why."""
    reason: str


def fill_and_send(fields, button):
    """A `send` that types into the fields by label, then presses the button."""
    def send(page, state):
        for label, value in fields.items():
            page.get_by_label(label, exact=True).fill(value(state) if callable(value) else value)
        page.get_by_role("button", name=button).click()
    return send


def through_franceconnect(page, portal, state):
    """An identity FranceConnect knows and the portal does not: the page that offers to link it."""
    page.goto(portal.url("/connexion"))
    page.get_by_role("link", name="S'identifier avec FranceConnect").click()
    page.locator("input[name=login]").fill(f"audit.{state.family_email.split('@')[0]}")
    page.locator("input[name=login]").press("Enter")
    expect(page.get_by_role("heading", name=re.compile("Bienvenue"))).to_be_visible()


# Every GET route of the pages (not /api/): how the walk reaches it.
PAGES = {
    "pages.home": NotAPage("redirects to the login page or to the caller's first page"),
    "pages.login": Visit("/connexion", (ANONYMOUS,), capture="connexion"),
    "pages.register": Visit("/inscription", (ANONYMOUS,)),
    "pages.dashboard": Visit("/tableau-de-bord", (FAMILY,), capture="tableau-de-bord"),
    "pages.invoice": Visit(lambda s: f"/factures/{s.invoice_number}", (FAMILY,), capture="facture"),
    "pages.bookings": Visit(lambda s: f"/reservations?mois={s.period}", (FAMILY,), capture="reservations"),
    "pages.verify_email": Visit(lambda s: f"/verifier-courriel?jeton={s.verification_token}", (ANONYMOUS,)),
    "pages.email_to_verify": Visit("/courriel-a-verifier", (UNVERIFIED,)),
    "pages.forgotten_password": Visit("/mot-de-passe-perdu", (ANONYMOUS,)),
    "pages.new_password": Visit("/nouveau-mot-de-passe?jeton=jeton-de-la-visite", (ANONYMOUS,)),
    "pages.confirm_email_change": Visit("/confirmer-courriel?jeton=jeton-de-la-visite", (ANONYMOUS,)),
    "pages.account": Visit("/mon-compte", (FAMILY, AGENT), capture="mon-compte"),
    "pages.agents": Visit("/agents", (ADMIN,), capture="agents"),
    "franceconnect.start": NotAPage("redirects to FranceConnect"),
    "franceconnect.callback": Visit("/franceconnect/retour", (ANONYMOUS,), status=401),
    "franceconnect.link": Visit("/franceconnect/lier", (ANONYMOUS,), arrive=through_franceconnect),
    # the same text for everyone: the menus of agents and admins are audited on their own pages
    "legal.accessibility": Visit("/accessibilite", (ANONYMOUS, FAMILY)),
    "legal.legal_notice": Visit("/mentions-legales", (ANONYMOUS, FAMILY)),
    "legal.privacy": Visit("/donnees-personnelles", (ANONYMOUS, FAMILY)),
    "legal.sitemap": Visit("/plan-du-site", EVERYONE),
    "safe.safe_page": Visit("/coffre-fort", (FAMILY,), capture="coffre-fort"),
    "safe.download": NotAPage("a document's bytes (PDF, image), not a page"),
    "safe.export": NotAPage("the safe's documents as one zip archive, not a page"),
    "safe.open_shared": NotAPage("the bytes of a document a family shared, opened by an agent"),
    "safe.request_documents": Visit(f"/agent/demarches/{AUDITED_REQUEST}/pieces", (AGENT,)),
    "static": NotAPage("style sheets, scripts and images"),
    "healthz": NotAPage("JSON for the orchestrator"),
    "prometheus_metrics": NotAPage("Prometheus' text format"),
    # Ma famille and the requests (démarches), for families and agents
    "demarches.my_family": Visit("/ma-famille", (FAMILY,), capture="ma-famille"),
    "demarches.my_requests": Visit("/demarches", (FAMILY,), capture="mes-demarches"),
    "demarches.history": Visit("/mon-historique", (FAMILY,)),
    "demarches.new_request": Visit("/demarches/nouvelle?type=prelevement_automatique", (FAMILY,)),
    "demarches.request_page": Visit(lambda s: f"/demarches/{s.request_reference}", (FAMILY,), capture="demarche"),
    "agent.households": Visit("/agent/foyers?q=Martin", (AGENT,)),
    "agent.household": Visit(lambda s: f"/agent/foyers/{s.household_id}", (AGENT,), capture="agent-foyer"),
    "agent.inbox": Visit("/agent/demarches", (AGENT, ADMIN), capture="agent-demarches"),
    "agent.request_page": Visit(lambda s: f"/agent/demarches/{s.request_reference}", (AGENT,)),

    "activities.calendar": Visit(lambda s: f"/calendrier?mois={s.period}", (FAMILY,), capture="calendrier"),
    "activities.preregistration": Visit("/preinscriptions", (FAMILY,), capture="preinscriptions"),
    "activities.absences": Visit("/absences", (FAMILY,)),
    "activities.catalogue": Visit("/agent/activites", (AGENT,)),
    "activities.agent_preregistration": Visit("/agent/preinscriptions", (AGENT,)),
    "activities.agent_absences": Visit("/agent/absences", (AGENT,)),

    "billing.invoices": Visit("/factures", (FAMILY,), capture="factures"),
    "billing.invoice_pdf": NotAPage("an invoice's PDF, not a page"),
    "billing.payfip_notification": NotAPage("PayFiP's return: redirects to the invoice"),
    "billing.simulate": Visit("/tarifs?quotient_familial=650", (FAMILY,), capture="tarifs"),
    "billing.agent_invoices": Visit(lambda s: f"/agents/facturation?mois={s.period}", (AGENT,)),
    "billing.export": NotAPage("the period's CSV"),
    "billing.household_account": Visit(f"/agents/foyers/{AUDIT_HOUSEHOLD}/compte", (AGENT,)),
    "billing.tariffs": Visit("/agents/tarifs", (AGENT,)),
    "billing.new_tariff": Visit("/agents/tarifs/nouveau?activite=restauration_scolaire", (AGENT,)),
    "billing.debit_batches": Visit("/agents/prelevements", (AGENT,)),
    "billing.batch_file": NotAPage("a pain.008 XML file"),
    "certificates.certificate_list": Visit("/factures/attestations", (FAMILY,)),
    "certificates.childcare_certificate": NotAPage("a year's attestation of childcare costs (PDF)"),
    # a span that ends before it starts: the certificates' page, and the agent's household account, with the error
    "certificates.payment_certificate": Visit(
        f"/factures/attestations/paiement?foyer={AUDIT_HOUSEHOLD}&du=2026-03-01&au=2026-02-01", (FAMILY, AGENT),
        status=422),

    # the families' data rights
    "data_rights.download_export": NotAPage("the archive of the household's data (zip), not a page"),
    "data_rights.close_account": Visit("/donnees-personnelles/fermer-mon-compte", (FAMILY,)),
    "data_rights.account_closed": Visit("/compte-ferme", (ANONYMOUS,)),
}

# Every POST route of the pages: the page it answers with, its error shown.
FORMS = {
    "pages.login": Submit("/connexion", ANONYMOUS, fill_and_send(
        {"Courriel": "personne@example.org", "Mot de passe": "pas le bon mot de passe"}, "Connexion"), status=401),
    "pages.register": Submit("/inscription", ANONYMOUS, fill_and_send(
        {"Clé enfance": "12", "Courriel": "pas-une-adresse", "Mot de passe": "court"}, "Créer mon espace"),
        capture="inscription-erreur"),
    "pages.logout": NotAPage("ends the session and redirects to the login page"),
    "safe.upload": Submit("/coffre-fort", FAMILY, lambda page, state: (
        page.get_by_label("Type de document").select_option(value="attestation_domicile"),
        page.locator("#file").set_input_files(files=[
            {"name": "attestation.pdf", "mimeType": "application/pdf", "buffer": PDF}]),
        page.get_by_role("button", name="Déposer").click())),
    "safe.delete": NotAPage("redirects to the safe; a refusal is the safe with the error, audited through safe.upload"),
    "safe.share": NotAPage("redirects to the safe; a refusal is the safe with the error, audited through safe.upload"),
    "safe.revoke": NotAPage("redirects to the safe; a refusal is the safe with the error, audited through safe.upload"),
    "safe.request_documents": Submit(f"/agent/demarches/{AUDITED_REQUEST}/pieces", AGENT, fill_and_send(
        {"Identifiant du foyer": "pas-un-foyer", "Référence de la demande": "D-2026-000001"},
        "Demander ce document")),
    "pages.bookings": Submit(lambda s: f"/reservations?mois={s.period}", FAMILY, lambda page, state: (
        page.get_by_label("Activité").select_option(label="Restauration scolaire"),
        page.get_by_label("Jour").fill(first_wednesday(state.period)),
        page.get_by_role("button", name="Réserver").click()), capture="reservations-erreur"),
    "pages.verify_email": Submit(lambda s: f"/verifier-courriel?jeton={s.verification_token}", ANONYMOUS,
                                 fill_and_send({}, "Confirmer mon adresse")),
    "pages.email_to_verify": Submit("/courriel-a-verifier", UNVERIFIED, fill_and_send({}, "Renvoyer le lien"),
                                    status=200),
    "pages.forgotten_password": Submit("/mot-de-passe-perdu", ANONYMOUS, fill_and_send(
        {"Courriel": "pas-une-adresse"}, "Recevoir un lien")),
    "pages.new_password": Submit("/nouveau-mot-de-passe?jeton=jeton-de-la-visite", ANONYMOUS, fill_and_send(
        {"Nouveau mot de passe": "court"}, "Enregistrer")),
    "pages.confirm_email_change": Submit("/confirmer-courriel?jeton=jeton-de-la-visite", ANONYMOUS,
                                         fill_and_send({}, "Confirmer cette adresse")),
    "pages.update_contact": Submit("/mon-compte", FAMILY, fill_and_send(
        {"Téléphone": "12"}, "Enregistrer mes coordonnées")),
    "pages.change_password": Submit("/mon-compte", FAMILY, lambda page, state: (
        page.locator("#current_password").fill("pas le bon mot de passe"),
        page.locator("#new_password").fill("court"),
        page.get_by_role("button", name="Changer mon mot de passe").click())),
    "pages.request_email_change": Submit("/mon-compte", FAMILY, lambda page, state: (
        page.locator("#new_email").fill("pas-une-adresse"),
        page.locator("#email_password").fill("pas le bon mot de passe"),
        page.get_by_role("button", name="Recevoir un lien de confirmation").click())),
    "pages.unlink_franceconnect": NotAPage(
        "its refusal is the account page with the error, audited through pages.update_contact"),
    "pages.create_agent": Submit("/agents", ADMIN, fill_and_send(
        {"Courriel": "pas-une-adresse", "Mot de passe provisoire": "court"}, "Créer le compte")),
    "pages.set_agent_active": NotAPage(
        "redirects to the list of agents; a refusal is that page with the error, audited through pages.create_agent"),
    "franceconnect.link": Submit("/franceconnect/lier", ANONYMOUS, lambda page, state: (
        page.locator("#creer-cle").fill("12"),
        page.get_by_role("button", name="Créer mon espace").click())),
    "demarches.new_request": Submit("/demarches/nouvelle?type=prelevement_automatique", FAMILY, fill_and_send(
        {"Titulaire du compte": "Camille Martin", "IBAN": "FR76 3000 6000 0112 3456 7890 188", "BIC": "AGRIFRPP"},
        "Envoyer ma demande"), capture="demarche-erreur"),
    "demarches.request_page": Submit(lambda s: f"/demarches/{s.request_reference}", FAMILY,
                                     fill_and_send({"Votre message": " "}, "Envoyer")),
    "demarches.withdraw": NotAPage("redirects to the request; a refusal is the request's page with the error"),
    "agent.household": Submit(lambda s: f"/agent/foyers/{s.household_id}", AGENT,
                              fill_and_send({"Précision pour la famille (facultatif)": "x" * 5001},
                                            "Demander le document")),
    "agent.set_household_account_active": NotAPage(
        "redirects to the household; a refusal is the household's page with the error, audited through agent.household"),
    "agent.detach_household_account": NotAPage(
        "redirects to the household; a refusal is the household's page with the error, audited through agent.household"),
    "agent.act": Submit(lambda s: f"/agent/demarches/{s.request_reference}", AGENT,
                        fill_and_send({"Message": " "}, "Envoyer le message")),

    "activities.calendar": Submit(lambda s: f"/calendrier?mois={s.period}", FAMILY,
                                  fill_and_send({}, "Réserver la période")),
    # the audit's session takes children of 12 to 14: the family's child is too young
    "activities.preregistration": Submit("/preinscriptions", FAMILY, fill_and_send({}, "Pré-inscrire")),
    "activities.absences": Submit("/absences", FAMILY, fill_and_send({}, "Signaler l'absence")),
    "activities.catalogue": Submit("/agent/activites", AGENT, lambda page, state: (
        page.locator("#places-etude").fill("-3"),
        page.get_by_role("button", name="Enregistrer les places de Étude surveillée").click())),
    "activities.agent_preregistration": Submit("/agent/preinscriptions", AGENT, fill_and_send({}, "Créer le séjour")),
    "activities.agent_absences": NotAPage(
        "redirects to the certificates to check; a refusal (already decided) is that page with the error"),

    "billing.online_invoice": NotAPage(
        "saves the family's choice and redirects to its invoices: one choice is always checked, nothing to refuse"),
    "billing.pay_online": NotAPage("redirects to PayFiP; a refusal is the invoice page with the error"),
    "billing.payfip_notification": NotAPage("PayFiP's server-to-server notification"),
    "billing.start_run": Submit(lambda s: f"/agents/facturation?mois={s.period}", AGENT, fill_and_send(
        {"Mois à facturer": "2026-13"}, "Lancer la facturation")),
    "billing.counter_payment": Submit(f"/agents/foyers/{AUDIT_HOUSEHOLD}/compte", AGENT, fill_and_send(
        {"Montant (en euros)": "douze"}, "Enregistrer le paiement")),
    "billing.refund": Submit(f"/agents/foyers/{AUDIT_HOUSEHOLD}/compte", AGENT, fill_and_send(
        {"Montant remboursé (en euros)": "douze"}, "Enregistrer le remboursement")),
    "billing.add_tariff": Submit("/agents/tarifs/nouveau?activite=etude", AGENT, lambda page, state: (
        page.locator("#tranche-2-prix").fill("trois euros"),
        page.locator("#tranche-3-de").fill("1200"),
        page.get_by_role("button", name="Enregistrer la version").click())),
    "billing.generate_batch": Submit("/agents/prelevements", AGENT, fill_and_send({}, "Générer le fichier pain.008")),
    "billing.batch_sent": NotAPage("marks a batch sent and redirects to the batches"),
    "billing.debit_rejection": Submit("/agents/prelevements", AGENT, fill_and_send(
        {"Référence de bout en bout du prélèvement": "PRLV-INCONNU"}, "Enregistrer le rejet")),
    # a readable file whose rejection is not the portal's: the page with the import's report (its field's error
    # is ui.field's, audited with every other form)
    "billing.import_debit_returns": Submit("/agents/prelevements", AGENT, lambda page, state: (
        page.get_by_label("Fichier de retour (XML)").set_input_files(files=[{
            "name": "retour.xml", "mimeType": "application/xml",
            "buffer": samples.pain002("LOT-DE-LA-VISITE", [("PRLV-DE-LA-VISITE", "AM04")])}]),
        page.get_by_role("button", name="Importer le fichier de retour").click()), status=200),

    # the families' data rights
    "data_rights.request_export": NotAPage("asks for the export and redirects to the personal data page, audited "
                                           "as the family sees it through legal.privacy"),
    "data_rights.close_account": Submit("/donnees-personnelles/fermer-mon-compte", FAMILY, fill_and_send(
        {}, "Fermer définitivement mon compte")),
}

# Pages no route names: the error page.
EXTRA = {
    "page introuvable": Visit("/cette-page-n-existe-pas", (FAMILY,), status=404),
}


def url_map():
    """The rules of the app's pages (not the JSON API, fuzzed by schemathesis), FranceConnect's included."""
    settings = dataclasses.replace(Settings.from_environment(TEST_KEYS), franceconnect_issuer="http://franceconnect.invalid")
    app = create_app(settings, service_pool=object())
    return [rule for rule in app.url_map.iter_rules() if not rule.rule.startswith("/api/")]


def routes():
    """`(endpoint, method)` of every route of the app's pages."""
    return {(rule.endpoint, method) for rule in url_map() for method in rule.methods & {"GET", "POST"}}


RULES = {rule.endpoint: rule.rule for rule in url_map()}  # how the statement names each page


def test_every_route_of_the_pages_has_an_entry_in_the_walk():
    missing = sorted(f"{method} {endpoint}" for endpoint, method in routes()
                     if endpoint not in (PAGES if method == "GET" else FORMS))
    assert not missing, ("these routes are in no table of tests/a11y/test_every_page.py (PAGES for GET, FORMS "
                         f"for POST): say how to reach them, or why they are not pages: {missing}")
    stale = sorted({*PAGES, *FORMS} - {endpoint for endpoint, _ in routes()})
    assert not stale, f"entries for routes that no longer exist: {stale}"


class Walk:
    """One window size: a browser context per role, kept for the whole walk."""

    def __init__(self, browser, window, portal, state):
        self.browser, self.window, self.portal, self.state = browser, window, portal, state
        self.contexts = {}
        self.visited = []   # {"page", "violations"} of each audit, violations of every impact

    def page(self, role):
        if role not in self.contexts:
            context = open_window(self.browser, self.window)
            page = context.new_page()
            if role != ANONYMOUS:
                log_in(page, self.portal, *self.state.credentials(role))
            self.contexts[role] = (context, page)
        return self.contexts[role][1]

    def close(self):
        for context, _ in self.contexts.values():
            context.close()

    def url(self, path):
        return self.portal.url(path(self.state) if callable(path) else path)

    def visit(self, name, entry, role):
        page = self.page(role)
        if entry.arrive:
            entry.arrive(page, self.portal, self.state)
            status = entry.status
        else:
            answer = page.goto(self.url(entry.path))
            status = answer.status
        assert status == entry.status, f"{name} as {role}: HTTP {status}, {entry.status} expected at {page.url}"
        capture = entry.capture if role == entry.roles[0] else None  # the screenshot shows the first role
        self.audit(page, f"{name} ({role})", capture, label=RULES.get(name, urlsplit(page.url).path))

    def submit(self, name, entry):
        page = self.page(entry.role)
        page.goto(self.url(entry.path))
        with page.expect_response(lambda answer: answer.request.method == "POST") as posted:
            entry.send(page, self.state)
        assert posted.value.status == entry.status, (
            f"{name}: HTTP {posted.value.status} after sending the form, {entry.status} expected")
        page.wait_for_load_state()
        if entry.status >= 400:
            expect(page.get_by_role("alert")).to_be_visible()
            expect(page).to_have_title(re.compile("^Erreur : "))
        label = RULES[name] + (" (formulaire en erreur)" if entry.status >= 400 else " (formulaire envoyé)")
        self.audit(page, f"{name}, formulaire en erreur ({entry.role})", entry.capture, label=label)

    def audit(self, page, where, capture, label):
        """axe-core's WCAG 2.1 A and AA rules on the page as it is; `label` names it in the statement."""
        where = f"{where}, {self.window['name']}: {page.url}"
        found = page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})", TAGS)
        violations = found["violations"]
        self.visited.append({"page": label, "violations": violations})
        for violation in violations:
            assert violation["impact"] not in FAILING_IMPACTS, describe(where, violation)
        # RGAA 8.6: a title that says which page this is, in words (no markup spilled into it)
        assert re.fullmatch(r"[^<>\n]+ — Portail famille de la Caisse des écoles", page.title()), (
            f"{where}: title {page.title()!r}")
        if self.window is PHONE:
            for width in REFLOW_WIDTHS:
                self.check_reflow(page, where, width)
        if capture:
            folder = RESULTS / "captures"
            folder.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=folder / f"{capture}-{self.window['name']}.png", full_page=True)

    def check_reflow(self, page, where, width):
        """At that width nothing makes the page scroll sideways (tables scroll in their own box)."""
        size = page.viewport_size
        page.set_viewport_size({"width": width, "height": 640})
        try:
            overflow = page.evaluate("""() => {
                const width = document.documentElement.clientWidth;
                const wide = [...document.querySelectorAll('body *')].filter(e => {
                    const box = e.getBoundingClientRect();
                    return box.width > 0 && box.right > width + 1 && !e.closest('.tableau, .sr-only, .evitement');
                });
                return {scroll: document.documentElement.scrollWidth - width,
                        culprits: wide.slice(0, 3).map(e => e.outerHTML.slice(0, 120))};
            }""")
        finally:
            page.set_viewport_size(size)
        assert overflow["scroll"] <= 1 and not overflow["culprits"], (
            f"{where}: at {width} px wide the page scrolls sideways by {overflow['scroll']} px: {overflow['culprits']}")


def describe(where, violation):
    nodes = "\n".join(f"    - {' '.join(node['target'])}: {node['html'][:200]}\n      {node['failureSummary']}"
                      for node in violation["nodes"][:5])
    return (f"\n{where}\n  {violation['impact']} {violation['id']}: {violation['help']}\n"
            f"  {violation['helpUrl']}\n{nodes}")


def test_every_page_passes_axe_on_a_phone_and_a_computer(browser, portal, state):
    """Fails at the first serious or critical violation, and prints it."""
    shutil.rmtree(RESULTS / "captures", ignore_errors=True)
    visited = {}
    for window in WINDOWS:
        walk = Walk(browser, window, portal, state)
        try:
            for name, entry in [*PAGES.items(), *EXTRA.items()]:
                if isinstance(entry, Visit):
                    for role in entry.roles:
                        walk.visit(name, entry, role)
            for name, entry in FORMS.items():
                if isinstance(entry, Submit):
                    walk.submit(name, entry)
        finally:
            walk.close()
        visited[window["label"]] = walk.visited
    summary = summarise(visited, browser.version)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "audit.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")
    if os.environ.get("PORTAIL_A11Y_DOCS"):
        write_statement(summary, RESULTS / "captures", ROOT)


def summarise(visited, browser_version):
    """What the statement says of the automated audit."""
    counts = {"critical": 0, "serious": 0, "moderate": 0, "minor": 0}
    rules = {}
    for audits in visited.values():
        for audit in audits:
            for violation in audit["violations"]:
                counts[violation["impact"]] += len(violation["nodes"])
                rule = rules.setdefault(violation["id"], {"id": violation["id"], "impact": violation["impact"],
                                                          "help": violation["help"], "pages": set()})
                rule["pages"].add(audit["page"])
    return {
        "tool": f"axe-core {axe_version()}",
        "browser": f"Chromium {browser_version}",
        "viewports": list(visited),
        "visits": sum(len(audits) for audits in visited.values()),
        "pages": sorted({audit["page"] for audits in visited.values() for audit in audits}),
        "violations": counts,
        "rules_failed": [{**rule, "pages": sorted(rule["pages"])} for rule in rules.values()],
    }


def test_the_audit_stops_at_a_serious_violation_and_prints_it(browser):
    """The walk's own check: an unlabelled field and an image without text do not pass."""
    context = open_window(browser, DESKTOP)
    try:
        page = context.new_page()
        page.set_content('<html lang="fr"><head><title>Essai</title></head><body><main><h1>Essai</h1>'
                         '<input id="sans-etiquette"><img src="x.png"></main></body></html>')
        with pytest.raises(AssertionError, match=r"(critical|serious) (label|image-alt)") as failed:
            Walk(browser, DESKTOP, portal=None, state=None).audit(page, "essai", capture=None, label="essai")
        assert "#sans-etiquette" in str(failed.value) or "img" in str(failed.value)
    finally:
        context.close()
