"""The journal of a safe as the family reads it: one French sentence per
thing that happened to its documents, who did it, when, for which request.
Pure: entries in, sentences out."""
from zoneinfo import ZoneInfo

from babel.dates import format_datetime

from vault import categories

PARIS = ZoneInfo("Europe/Paris")
LOCALE = "fr_FR"

FAMILY, AGENT, SERVICE = "family", "agent", "service"
UPLOAD, DOWNLOAD, VIEW, SHARE, REVOKE, DELETE, RETENTION_DELETE, EXPORT, ASK = (
    "upload", "download", "view", "share", "revoke", "delete", "retention_delete", "export", "ask")
ACTIONS = (UPLOAD, DOWNLOAD, VIEW, SHARE, REVOKE, DELETE, RETENTION_DELETE, EXPORT, ASK)

CAISSE = "La Caisse des écoles"
PORTAL = "Le portail"


def when(at):
    """As in "le 3 décembre 2026 à 14:05", in Paris time."""
    return "le " + format_datetime(at, "d MMMM y 'à' HH:mm", tzinfo=PARIS, locale=LOCALE)


def who(entry, viewer_account_id):
    """The subject of the sentence, and whether it is the reader (for the verb's person)."""
    if entry.actor == AGENT:
        return CAISSE, False
    if entry.actor == SERVICE:
        return PORTAL, False
    if entry.account_id is None:
        return "Un ancien responsable du foyer", False
    if entry.account_id == viewer_account_id:
        return "Vous", True
    return "Un autre responsable du foyer", False


def sentence(entry, viewer_account_id, retention_months=None):
    subject, you = who(entry, viewer_account_id)
    has = "avez" if you else "a"
    kind = categories.BY_CODE.get(entry.category or "autre", categories.BY_CODE["autre"])
    document = kind.article
    moment = when(entry.at)
    reference = entry.request_reference
    for_request = f" pour la demande {reference}" if reference else ""
    if entry.action == UPLOAD:
        return f"{subject} {has} déposé {document} {moment}."
    if entry.action == DOWNLOAD:
        return f"{subject} {has} ouvert {document} {moment}."
    if entry.action == VIEW:
        return f"{subject} {has} consulté {document} {moment}{for_request}."
    if entry.action == SHARE:
        return f"{subject} {has} transmis {document} à la Caisse des écoles {moment}{for_request}."
    if entry.action == REVOKE:
        return f"{subject} {has} retiré à la Caisse des écoles l'accès à {document}{for_request} {moment}."
    if entry.action == DELETE:
        return f"{subject} {has} supprimé {document} {moment} : plus personne ne peut l'ouvrir."
    if entry.action == RETENTION_DELETE:
        after = f" depuis plus de {retention_months} mois" if retention_months else ""
        return f"Le coffre-fort a supprimé {document} {moment} : sa validité avait pris fin{after}."
    if entry.action == EXPORT:
        if entry.actor == FAMILY:
            return f"{subject} {has} téléchargé l'ensemble de votre coffre-fort {moment}."
        return f"{subject} a rassemblé vos documents pour l'export de vos données {moment}."
    if entry.action == ASK:
        return f"{subject} vous a demandé {kind.indefinite} {moment}{for_request}."
    raise ValueError(f"no sentence for the action {entry.action!r}")
