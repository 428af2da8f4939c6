"""What the accessibility tests share: axe-core, the windows of a phone and
a computer, who looks at the pages, and the real data the walk reaches pages
with (see the `state` fixture in conftest.py)."""
import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from playwright.sync_api import expect

import samples
from school_calendar import bookable_days

HERE = Path(__file__).parent
AXE = HERE / "node_modules" / "axe-core" / "axe.min.js"
PASSWORD = "une phrase de passe solide"
PDF = samples.pdf()  # a real one: the safe parses what it keeps


def axe_version():
    return json.loads((AXE.parent / "package.json").read_text(encoding="utf-8"))["version"]


# The windows every page is audited in.
PHONE = {"name": "telephone", "label": "390 × 844 pixels (téléphone)",
         "options": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}}
DESKTOP = {"name": "ordinateur", "label": "1280 × 800 pixels (ordinateur)",
           "options": {"viewport": {"width": 1280, "height": 800}}}
WINDOWS = (PHONE, DESKTOP)

# Who looks at the pages.
ANONYMOUS, FAMILY, UNVERIFIED, AGENT, ADMIN = "visiteur", "famille", "famille-non-confirmee", "agent", "admin"


@dataclass
class State:
    """Real instances the walk's table reaches pages with."""
    period: str
    family_email: str
    unverified_email: str
    agent_email: str
    admin_email: str
    admin_password: str
    invoice_number: str
    verification_token: str
    household_id: str = ""  # the family's household, and one of its requests (démarches)
    request_reference: str = ""

    def credentials(self, role):
        return {FAMILY: (self.family_email, PASSWORD), UNVERIFIED: (self.unverified_email, PASSWORD),
                AGENT: (self.agent_email, PASSWORD), ADMIN: (self.admin_email, self.admin_password)}[role]


def school_days(period):
    return bookable_days(period)


def first_wednesday(period):
    return next(f"{period}-0{n}" for n in range(1, 8) if date.fromisoformat(f"{period}-0{n}").weekday() == 2)


def open_window(browser, window):
    """A browser context of that size, in French, with axe-core in every page
    (an init script: the pages' Content-Security-Policy stays as it is)."""
    if not AXE.exists():
        raise RuntimeError("axe-core is not installed: run `npm ci --prefix tests/a11y`")
    context = browser.new_context(locale="fr-FR", **window["options"])
    context.add_init_script(path=str(AXE))
    return context


def log_in(page, portal, email, password):
    page.goto(portal.url("/connexion"))
    page.get_by_label("Courriel").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Connexion").click()
    expect(page).not_to_have_url(portal.url("/connexion"))
