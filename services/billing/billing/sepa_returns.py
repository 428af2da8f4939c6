"""The bank's return file of SEPA direct debits: the debits it rejected
(R-transactions), each by its end-to-end id, and why.

Two documents are read: the Customer Payment Status Report pain.002.001.03
(what French banks answer a pain.008 with: a transaction whose TxSts is RJCT,
its reason in StsRsnInf/Rsn), and the camt.054 debit notification of the
returned debits (a transaction with RtrInf, its reason in RtrInf/Rsn). The
file comes from outside: read with defusedxml, no DTD, no entity, nothing
fetched, at most MAX_BYTES.
"""
import base64
import binascii
import hashlib
import re
from dataclasses import dataclass

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring

from kit.errors import Conflict, Invalid

from billing import sepa

MAX_BYTES = 2 * 1024 * 1024
PAIN_002, CAMT_054 = "pain.002", "camt.054"
ISO = "urn:iso:std:iso:20022:tech:xsd:"
KINDS = {f"{ISO}pain.002.001.03": PAIN_002,
         **{f"{ISO}camt.054.001.{version}": CAMT_054 for version in ("02", "04", "08")}}
REJECTED = "RJCT"
REASON_SHAPE = re.compile(r"[A-Z0-9]{4}\Z")
MAX_ID = 35  # ISO 20022's Max35Text: message and end-to-end ids


@dataclass(frozen=True)
class Rejection:
    end_to_end_id: str
    reason: str  # the bank's code, known to the portal or not


@dataclass(frozen=True)
class ReturnFile:
    kind: str  # PAIN_002 or CAMT_054
    message_id: str
    original_message_id: str | None  # the pain.008's MsgId, when the bank names it
    sha256: str
    rejections: tuple[Rejection, ...]


def unreadable(why):
    message = f"Fichier de retour illisible : {why}."
    return Invalid(message, code="unreadable_return_file", fields={"file": message})


def decode(content_b64):
    """The file's bytes from the base64 the gateway sends, within MAX_BYTES (a longer text is not decoded)."""
    if not isinstance(content_b64, str) or not content_b64:
        raise unreadable("le fichier est vide")
    if len(content_b64) > (MAX_BYTES + 2) // 3 * 4:
        raise too_large()
    try:
        content = base64.b64decode(content_b64, validate=True)
    except (binascii.Error, ValueError):
        raise unreadable("son contenu n'a pas été transmis en base64") from None
    if len(content) > MAX_BYTES:
        raise too_large()
    return content


def too_large():
    message = f"Le fichier de retour dépasse {MAX_BYTES // 1024 ** 2} Mo : demandez à la banque un fichier par jour."
    return Invalid(message, code="return_file_too_large", fields={"file": message})


def file_label(filename):
    """The name the file is listed under: the last part of what the agent's computer called it."""
    name = re.split(r"[\\/]", str(filename or ""))[-1].strip()
    return name[:200] or "retour.xml"


def read(content):
    """The rejections a return file reports, in its order."""
    try:
        document = fromstring(content, forbid_dtd=True)
    except (ParseError, DefusedXmlException, ValueError):
        raise unreadable("ce n'est pas un document XML accepté (les DTD et les entités sont refusées)") from None
    namespace, _, tag = document.tag[1:].partition("}") if document.tag.startswith("{") else ("", "", document.tag)
    kind = KINDS.get(namespace)
    if kind is None or tag != "Document":
        raise unreadable("ce n'est ni un compte rendu pain.002.001.03 ni un avis camt.054 de la banque")
    names = {"d": namespace}
    message = document.find("d:CstmrPmtStsRpt" if kind == PAIN_002 else "d:BkToCstmrDbtCdtNtfctn", names)
    if message is None:
        raise unreadable(f"le document {kind} ne contient pas son message")
    message_id = _identifier(message, "d:GrpHdr/d:MsgId", names, "l'identifiant du message (GrpHdr/MsgId)")
    original_message_id, rejections = (_pain002 if kind == PAIN_002 else _camt054)(message, names)
    return ReturnFile(kind, message_id, original_message_id, hashlib.sha256(content).hexdigest(), tuple(rejections))


def _pain002(report, names):
    original = report.find("d:OrgnlGrpInfAndSts", names)
    if original is None:
        raise unreadable("il manque le lot d'origine (OrgnlGrpInfAndSts)")
    if not _text(original, "d:OrgnlMsgNmId", names).startswith("pain.008"):
        raise unreadable("ce compte rendu ne porte pas sur un fichier de prélèvements (pain.008)")
    payments = report.findall("d:OrgnlPmtInfAndSts", names)
    transactions = [transaction for payment in payments for transaction in payment.findall("d:TxInfAndSts", names)]
    if _text(original, "d:GrpSts", names) == REJECTED and not transactions:
        raise _refused_before_any_debit(original, names, "le lot entier")
    for payment in payments:
        if _text(payment, "d:PmtInfSts", names) == REJECTED and not payment.findall("d:TxInfAndSts", names):
            part = _text(payment, "d:OrgnlPmtInfId", names)
            raise _refused_before_any_debit(payment, names, f"la partie {part} du lot")
    return _text(original, "d:OrgnlMsgId", names) or None, [
        Rejection(_identifier(transaction, "d:OrgnlEndToEndId", names, "la référence de bout en bout d'un rejet"),
                  _reason(transaction, "d:StsRsnInf/d:Rsn", names))
        for transaction in transactions if _text(transaction, "d:TxSts", names) == REJECTED]


def _camt054(notification, names):
    details = notification.findall("d:Ntfctn/d:Ntry/d:NtryDtls/d:TxDtls", names)
    return None, [
        Rejection(_identifier(transaction, "d:Refs/d:EndToEndId", names, "la référence de bout en bout d'un retour"),
                  _reason(transaction, "d:RtrInf/d:Rsn", names))
        for transaction in details if transaction.find("d:RtrInf", names) is not None]


def _refused_before_any_debit(status, names, what):
    """A batch (or a part of it) refused as a whole: no debit was made, so there is nothing to reverse; the
    corrected file goes to the bank again, which is the agent's business with the bank, not the portal's."""
    reason = _text(status, "d:StsRsnInf/d:Rsn/d:Cd", names)
    label = sepa.REJECTION_REASONS.get(reason)
    said = f" (motif {reason}{f' : {label}' if label else ''})" if reason else ""
    return Conflict(f"La banque a refusé {what}{said} : aucun prélèvement n'en a été fait et rien n'est enregistré. "
                    "Voyez avec la banque avant de lui renvoyer le fichier.", code="batch_rejected_by_bank")


def _reason(transaction, path, names):
    code = _text(transaction, f"{path}/d:Cd", names) or _text(transaction, f"{path}/d:Prtry", names)
    if not REASON_SHAPE.match(code):
        raise unreadable("un rejet n'a pas de motif lisible (un code de quatre lettres ou chiffres, Rsn/Cd)")
    return code


def _identifier(element, path, names, what):
    found = _text(element, path, names)
    if not found or len(found) > MAX_ID:
        raise unreadable(f"{what} manque ou dépasse {MAX_ID} caractères")
    return found


def _text(element, path, names):
    return (element.findtext(path, default="", namespaces=names) or "").strip()
