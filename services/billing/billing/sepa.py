"""SEPA direct debit: mandates and the pain.008 file of a due date.

A mandate's first collection is FRST, the following ones RCUR; a mandate
whose debits were rejected twice is suspended (the family pays otherwise
until an agent reactivates it). The file is built with sepaxml and checked
against the pain.008.001.02 schema as it is made.
"""
import re
import uuid
from dataclasses import dataclass
from datetime import date

from sepaxml import SepaDD

from kit.errors import Invalid

FIRST, RECURRING = "FRST", "RCUR"
ACTIVE, SUSPENDED = "active", "suspended"
REJECTIONS_BEFORE_SUSPENSION = 2
IBAN_SHAPE = re.compile(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}\Z")
BIC_SHAPE = re.compile(r"[A-Z]{6}[A-Z0-9]{2}([A-Z0-9]{3})?\Z")
# Reasons a bank gives for a rejected debit (R-transactions, the EPC's codes), as agents and families read
# them: the most frequent first (the agent's form offers them in this order), then the others by code.
REJECTION_REASONS = {
    "AM04": "Provision insuffisante",
    "MS02": "Refus du débiteur",
    "MD06": "Remboursement demandé par le débiteur",
    "AC04": "Compte clôturé",
    "MD01": "Pas de mandat valide",
    "AC01": "Numéro de compte erroné",
    "AC06": "Compte bloqué",
    "AC13": "Type de compte du débiteur non accepté",
    "AG01": "Opération interdite sur ce compte",
    "AG02": "Code d'opération invalide",
    "AM05": "Opération en double",
    "BE05": "Identifiant du créancier erroné",
    "CNOR": "Banque du créancier injoignable",
    "DNOR": "Banque du débiteur injoignable",
    "ED05": "Règlement échoué",
    "FF01": "Format de fichier invalide",
    "MD02": "Données du mandat manquantes ou erronées",
    "MD07": "Débiteur décédé",
    "MS03": "Motif non communiqué par la banque",
    "RC01": "BIC erroné",
    "RR01": "Identification du débiteur manquante (motif réglementaire)",
    "RR02": "Nom ou adresse du débiteur manquant (motif réglementaire)",
    "RR03": "Nom ou adresse du créancier manquant (motif réglementaire)",
    "RR04": "Motif réglementaire",
    "SL01": "Service spécifique du débiteur",
}


def rum(request_reference, household_id):
    """The mandate's unique reference (RUM): the request it came from, then the household, at most 35 characters."""
    cleaned = re.sub(r"[^A-Z0-9-]", "", str(request_reference).upper())[:16]
    return f"RUM-{cleaned}-{uuid.UUID(str(household_id)).hex[:12].upper()}"


def check_account(iban, bic):
    iban, bic = check_iban(iban), (bic or "").replace(" ", "").upper()
    if not BIC_SHAPE.match(bic):
        raise Invalid("BIC invalide.", code="invalid_bic", fields={"bic": "BIC invalide."})
    return iban, bic


def check_iban(iban):
    """The IBAN without spaces, in capitals; Invalid when it is not one (its shape and checksum)."""
    iban = (iban or "").replace(" ", "").upper()
    if not IBAN_SHAPE.match(iban) or _iban_checksum(iban) != 1:
        raise Invalid("IBAN invalide.", code="invalid_iban", fields={"iban": "IBAN invalide."})
    return iban


def masked_iban(iban):
    """An IBAN as shown to people who need not read it whole: its ends only."""
    return f"{iban[:4]} **** **** {iban[-4:]}"


def _iban_checksum(iban):
    moved = iban[4:] + iban[:4]
    return int("".join(str(int(char, 36)) for char in moved)) % 97


def rejection_label(reason):
    """What a reason code says; a code the portal does not know is still a rejection, named by its code."""
    return REJECTION_REASONS.get(reason, f"Motif {reason}")


def sequence_type(already_collected):
    return RECURRING if already_collected else FIRST


def after_rejection(rejections):
    """The mandate's status once it has been rejected `rejections` times."""
    return SUSPENDED if rejections >= REJECTIONS_BEFORE_SUSPENSION else ACTIVE


@dataclass(frozen=True)
class Collection:
    end_to_end_id: str
    amount_cents: int
    sequence_type: str
    rum: str
    signed_on: date
    account_holder: str
    iban: str
    bic: str
    description: str


def pain008(creditor, due_date, collections):
    """The pain.008.001.02 file collecting `collections` on `due_date`, schema-checked: (message id, bytes)."""
    document = SepaDD({
        "name": creditor.creditor_name, "IBAN": creditor.creditor_iban, "BIC": creditor.creditor_bic,
        "batch": True, "creditor_id": creditor.creditor_id, "currency": "EUR",
    }, schema="pain.008.001.02")
    for collection in collections:
        document.add_payment({
            "name": collection.account_holder, "IBAN": collection.iban, "BIC": collection.bic,
            "amount": collection.amount_cents, "type": collection.sequence_type,
            "collection_date": due_date, "mandate_id": collection.rum, "mandate_date": collection.signed_on,
            "description": collection.description, "endtoend_id": collection.end_to_end_id,
        })
    return document.msg_id, document.export(validate=True)
