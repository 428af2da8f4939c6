"""The accessibility statement (déclaration d'accessibilité, RGAA 4.1 model),
made from the audit of every page: `gateway/gateway/accessibility_audit.json`,
which the portal's /accessibilite page shows, and its copy in the repository,
docs/accessibilite/declaration.md, with the README's screenshots in
docs/captures/. Written by `make a11y-docs`."""
import datetime
import json
import shutil

# Without a complete audit of RGAA's 106 criteria no rate can be claimed; the
# automated audit of every page, with the criteria below checked by the tests,
# supports "partiellement conforme" (what the footer of every page says).
STATUS = "partiellement conforme"

# Criteria no automated rule checks, and the test that checks each of them.
MANUAL = [
    {"criterion": "1.1", "check": "Le bouton FranceConnect (image) a une alternative textuelle "
                                  "(tests/gateway/test_page_building_blocks.py)", "result": "conforme"},
    {"criterion": "3.1", "check": "Les états (réservée, annulée, actif…) sont écrits en toutes lettres, avec une "
                                  "icône et un style de bordure, jamais par la seule couleur", "result": "conforme"},
    {"criterion": "5.4, 5.6, 5.7", "check": "Chaque tableau de données a un titre (caption) et des en-têtes de "
                                            "colonne et de ligne associés (scope)", "result": "conforme"},
    {"criterion": "7.1, 7.3", "check": "La réservation se fait entièrement au clavier, erreurs comprises "
                                       "(tests/a11y/test_keyboard.py)", "result": "conforme"},
    {"criterion": "8.6", "check": "Le titre d'une page dont le formulaire est en erreur commence par « Erreur : »",
     "result": "conforme"},
    {"criterion": "10.4, 10.11", "check": "Aucune page ne défile horizontalement à 320 et 640 pixels de large "
                                          "(zoom à 400 % et 200 %) ; les tableaux défilent dans leur cadre",
     "result": "conforme"},
    {"criterion": "10.7", "check": "La prise de focus est visible sur chaque élément atteint au clavier",
     "result": "conforme"},
    {"criterion": "11.10, 11.11", "check": "Les erreurs sont liées à leur champ (aria-describedby, aria-invalid), "
                                           "résumées en haut de page, et le résumé reçoit le focus",
     "result": "conforme"},
    {"criterion": "12.1", "check": "Deux systèmes de navigation : le menu et le plan du site", "result": "conforme"},
    {"criterion": "12.7", "check": "Un lien d'évitement « Aller au contenu » est le premier élément atteint au "
                                   "clavier", "result": "conforme"},
    {"criterion": "12.8, 12.9", "check": "L'ordre de tabulation suit l'ordre de lecture, sans piège, jusqu'au pied "
                                         "de page", "result": "conforme"},
]

KNOWN_ISSUES = [
    "L'audit ne couvre pas encore l'ensemble des 106 critères du RGAA ; un audit complet reste à conduire.",
    "La restitution par les lecteurs d'écran (NVDA, VoiceOver, TalkBack) n'a pas encore été vérifiée par des "
    "utilisateurs.",
]


def statement(summary, today=None):
    """The statement's data: what the page and the Markdown copy show."""
    return {
        "status": STATUS,
        "date": (today or datetime.date.today()).isoformat(),
        "tool": summary["tool"],
        "browser": summary["browser"],
        "viewports": summary["viewports"],
        "pages": summary["pages"],
        "results": {"pages": len(summary["pages"]), "visits": summary["visits"],
                    "violations": summary["violations"], "rules_failed": summary["rules_failed"]},
        "manual": MANUAL,
        "known_issues": KNOWN_ISSUES,
    }


def markdown(data):
    impacts = [("critical", "bloquante"), ("serious", "grave"), ("moderate", "modérée"), ("minor", "mineure")]
    lines = [
        "# Déclaration d'accessibilité du Portail famille",
        "",
        "*Copie de la page /accessibilite du portail, faite par `make a11y-docs` à partir de l'audit de chaque "
        "page (tests/a11y). Ne pas modifier à la main.*",
        "",
        "La Caisse des écoles s'engage à rendre ses services en ligne accessibles, conformément à l'article 47 "
        "de la loi n° 2005-102 du 11 février 2005. Cette déclaration s'applique au Portail famille.",
        "",
        "## État de conformité",
        "",
        f"Le Portail famille est **{data['status']}** avec le RGAA version 4.1.",
        "",
        "## Résultats des tests",
        "",
        f"Audit interne du {data['date']} : {data['results']['visits']} contrôles automatiques de "
        f"{data['results']['pages']} pages et états de page avec {data['tool']} (règles WCAG 2.1 A et AA) dans "
        f"{data['browser']}, fenêtres de {' et '.join(data['viewports'])}, en visiteur, famille, agent et "
        "administrateur, formulaires en erreur compris.",
        "",
        "| Gravité | Anomalies |",
        "|---|---|",
        *[f"| {label} | {data['results']['violations'][impact]} |" for impact, label in impacts],
        "",
        "| Critère RGAA | Vérification | Résultat |",
        "|---|---|---|",
        *[f"| {check['criterion']} | {check['check']} | {check['result']} |" for check in data["manual"]],
        "",
        "## Contenus non accessibles",
        "",
        *[f"- {issue}" for issue in data["known_issues"]],
        *[f"- {rule['help']} (règle {rule['id']}, {rule['impact']}) : {', '.join(rule['pages'])}"
          for rule in data["results"]["rules_failed"]],
        "",
        "Dérogations pour charge disproportionnée : aucune. Contenus non soumis à l'obligation : les pages de "
        "FranceConnect et de PayFiP.",
        "",
        "## Pages vérifiées",
        "",
        *[f"- {page}" for page in data["pages"]],
        "",
        "## Retour d'information, contact et voies de recours",
        "",
        "Caisse des écoles, aile Est de l'Hôtel de ville, rue Guérin-Leroux, 94120 Fontenay-sous-Bois ; "
        "tél. 01 49 74 74 09, du lundi au vendredi de 8h30 à 12h et de 13h30 à 17h (sauf le mardi après-midi). "
        "Sans réponse satisfaisante : le Défenseur des droits (formulaire en ligne, délégué régional, ou "
        "Défenseur des droits, Libre réponse 71120, 75342 Paris CEDEX 07).",
        "",
    ]
    return "\n".join(lines)


def write_statement(summary, captures, root):
    data = statement(summary)
    (root / "gateway" / "gateway" / "accessibility_audit.json").write_text(
        json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    folder = root / "docs" / "accessibilite"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "declaration.md").write_text(markdown(data), encoding="utf-8")
    if captures.exists():
        target = root / "docs" / "captures"
        target.mkdir(parents=True, exist_ok=True)
        for picture in captures.glob("*.png"):
            shutil.copyfile(picture, target / picture.name)
