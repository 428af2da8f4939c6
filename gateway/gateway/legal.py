"""The pages every page links to from its footer: the accessibility statement
(loi 2005-102 art. 47, RGAA 4.1 model), the legal notice, the personal data
page and the site map. They need no service and no login.

The statement shows the last audit of the portal, `accessibility_audit.json`
beside this file, which the audit of every page (tests/a11y) writes with
`make a11y-docs`; docs/accessibilite/declaration.md is made from the same file.
"""
import json
from functools import lru_cache
from pathlib import Path

from flask import Blueprint, render_template

from gateway import data_rights_pages

legal = Blueprint("legal", __name__)
AUDIT = Path(__file__).with_name("accessibility_audit.json")

# What the help block, the statement and the legal notice say about the Caisse des écoles.
CAISSE = {
    "name": "Caisse des écoles de Fontenay-sous-Bois",
    "address": ["Caisse des écoles", "Aile Est de l'Hôtel de ville", "rue Guérin-Leroux", "94120 Fontenay-sous-Bois"],
    "phone": "01 49 74 74 09",
    "phone_uri": "tel:+33149747409",
    "hours": "du lundi au vendredi, de 8h30 à 12h et de 13h30 à 17h (sauf le mardi après-midi)",
    "site": "fontenay.fr",
}


@lru_cache(maxsize=1)
def audit():
    return json.loads(AUDIT.read_text(encoding="utf-8"))


@legal.app_context_processor
def footer_context():
    return {"accessibility_status": audit()["status"], "caisse": CAISSE}


@legal.get("/accessibilite")
def accessibility():
    return render_template("accessibilite.html", audit=audit())


@legal.get("/mentions-legales")
def legal_notice():
    return render_template("mentions_legales.html")


@legal.get("/donnees-personnelles")
def privacy():
    return render_template("donnees_personnelles.html", **data_rights_pages.privacy_context())


@legal.get("/plan-du-site")
def sitemap():
    return render_template("plan_du_site.html")
