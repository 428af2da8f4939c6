"""The kinds of requests a family files, their typed fields and what each
needs; IBAN and BIC checked with schwifty. Pure: input in, the request's
data (JSON-ready) out, or kit.errors.Invalid with a stable code."""
import datetime as dt
import uuid

from marshmallow import ValidationError, fields, validate, validates_schema
from schwifty import BIC, IBAN
from schwifty.exceptions import InvalidChecksumDigits, InvalidCountryCode, SchwiftyException

from kit.errors import Invalid
from kit.validation import load

from family.requests import MESSAGE_MAX
from family.schemas import REQUIRED, ChildSchema, Day, GuardianSchema, Strict, Text, WholeNumber

SITUATION, DIRECT_DEBIT = "changement_situation", "prelevement_automatique"
CONTACT, DOCUMENT = "contact", "document_demande"
KIND_LABELS = {
    SITUATION: "Changement de situation familiale",
    DIRECT_DEBIT: "Demande de prélèvement automatique",
    CONTACT: "Contacter la Caisse des écoles",
    DOCUMENT: "Document demandé",
}
FAMILY_KINDS = (SITUATION, DIRECT_DEBIT, CONTACT)  # the Caisse opens DOCUMENT itself

MOVE, NEW_CHILD, NEW_GUARDIAN = "demenagement", "nouvel_enfant", "nouveau_responsable"
SEPARATION, INCOME = "separation", "revenus"
CHANGE_LABELS = {
    MOVE: "Déménagement",
    NEW_CHILD: "Naissance ou arrivée d'un enfant",
    NEW_GUARDIAN: "Nouveau responsable du foyer",
    SEPARATION: "Séparation : un responsable quitte le foyer",
    INCOME: "Changement de revenus (nouveau quotient familial)",
}

SUBJECTS = {
    "facturation": "Facturation et paiements",
    "inscriptions": "Inscriptions et réservations",
    "restauration": "Restauration scolaire",
    "compte": "Mon compte et mes informations",
    "autre": "Autre question",
}

MAX_DOCUMENTS = 10
CREDITOR = "Caisse des écoles"
MANDATE_TEXT = (
    f"En signant ce formulaire de mandat, vous autorisez la {CREDITOR} à envoyer des instructions à votre banque "
    "pour débiter votre compte, et votre banque à débiter votre compte conformément aux instructions de la "
    f"{CREDITOR}. Vous bénéficiez du droit d'être remboursé par votre banque selon les conditions décrites dans la "
    "convention que vous avez passée avec elle. Une demande de remboursement doit être présentée dans les 8 semaines "
    "suivant la date de débit de votre compte pour un prélèvement autorisé.")


class Address(Strict):
    line1 = Text(200, required=True)
    line2 = Text(200, load_default=None, allow_none=True)
    postal_code = fields.String(required=True, validate=validate.Regexp(
        r"[0-9]{5}", error="Code postal invalide : 5 chiffres attendus."), error_messages=REQUIRED)
    city = Text(100, required=True)


class MoveChange(Strict):
    change = fields.String(required=True)
    address = fields.Nested(Address, required=True, error_messages=REQUIRED)
    moved_on = Day(required=True)


class NewChildChange(Strict):
    change = fields.String(required=True)
    child = fields.Nested(ChildSchema, required=True, error_messages=REQUIRED)


class NewGuardianChange(Strict):
    change = fields.String(required=True)
    guardian = fields.Nested(GuardianSchema, required=True, error_messages=REQUIRED)


class SeparationChange(Strict):
    change = fields.String(required=True)
    guardian_id = fields.UUID(required=True, error_messages={**REQUIRED, "invalid": "Responsable inconnu."})
    separated_on = Day(required=True)


class IncomeChange(Strict):
    change = fields.String(required=True)
    quotient_familial = WholeNumber(required=True, validate=validate.Range(
        min=0, max=100_000, error="Le quotient familial est un nombre entier d'euros, entre 0 et 100 000."))
    valid_from = Day(required=True)


CHANGES = {MOVE: MoveChange, NEW_CHILD: NewChildChange, NEW_GUARDIAN: NewGuardianChange,
           SEPARATION: SeparationChange, INCOME: IncomeChange}


class DirectDebit(Strict):
    account_holder = Text(140, required=True)
    iban = fields.String(required=True, error_messages=REQUIRED)
    bic = fields.String(required=True, error_messages=REQUIRED)
    mandate_accepted = fields.Boolean(required=True, error_messages={
        **REQUIRED, "invalid": "Vous devez accepter le mandat de prélèvement."})

    @validates_schema
    def mandate_is_accepted(self, data, **kwargs):
        if data.get("mandate_accepted") is not True:
            raise ValidationError({"mandate_accepted": ["Vous devez accepter le mandat de prélèvement."]})


class Contact(Strict):
    subject = fields.String(required=True, validate=validate.OneOf(
        list(SUBJECTS), error="Sujet inconnu. Sujets possibles : " + ", ".join(SUBJECTS.values()) + "."),
        error_messages=REQUIRED)
    message = Text(MESSAGE_MAX, required=True)


def checked(kind, data, today):
    """The request's data, JSON-ready, for a request of `kind` the family files."""
    if kind not in FAMILY_KINDS:
        raise Invalid("Ce type de démarche n'existe pas.", code="unknown_request_kind",
                      fields={"kind": "Types possibles : " + ", ".join(KIND_LABELS[k] for k in FAMILY_KINDS) + "."})
    if not isinstance(data, dict):
        raise Invalid("Les informations de la démarche sont invalides.", code="invalid_request",
                      fields={"data": "Un objet est attendu."})
    if kind == SITUATION:
        return _situation(data, today)
    if kind == DIRECT_DEBIT:
        return direct_debit(data)
    return jsonable(load(Contact(), data, None, "invalid_request"))


def _situation(data, today):
    change = data.get("change")
    if change not in CHANGES:
        raise Invalid("Ce changement de situation n'existe pas.", code="unknown_change", fields={
            "change": "Changements possibles : " + ", ".join(CHANGE_LABELS.values()) + "."})
    loaded = load(CHANGES[change](), data, None, "invalid_request")
    if change == NEW_CHILD and loaded["child"]["birth_date"] > today:
        raise Invalid("La date de naissance ne peut pas être dans le futur.", code="invalid_request",
                      fields={"child.birth_date": "La date de naissance ne peut pas être dans le futur."})
    return jsonable(loaded)


def direct_debit(data):
    """Account holder, IBAN and BIC, each in its compact form, or Invalid
    naming what is wrong: checksum, country, length, a BIC of another bank."""
    loaded = load(DirectDebit(), data, None, "invalid_request")
    iban = _iban(loaded["iban"])
    bic = _bic(loaded["bic"])
    if bic.country_code != iban.country_code or (iban.bic is not None and iban.bic[:6] != bic[:6]):
        raise Invalid("Le BIC ne correspond pas à la banque de cet IBAN.", code="bic_mismatch",
                      fields={"bic": "Indiquez le BIC de la banque qui tient ce compte"
                                     + (f" ({iban.bic.compact[:8]})." if iban.bic is not None else ".")})
    return {"account_holder": loaded["account_holder"], "iban": iban.compact, "bic": bic.compact,
            "mandate_accepted": True}


def _iban(text):
    try:
        iban = IBAN(text)
    except InvalidChecksumDigits:
        raise Invalid("Cet IBAN est invalide : sa clé de contrôle ne correspond pas.", code="iban_checksum",
                      fields={"iban": "Vérifiez chaque caractère de l'IBAN."}) from None
    except InvalidCountryCode:
        raise Invalid("Cet IBAN est invalide : le code pays est inconnu.", code="iban_country",
                      fields={"iban": "L'IBAN commence par le code du pays (FR pour la France)."}) from None
    except SchwiftyException:
        raise Invalid("Cet IBAN est invalide.", code="iban_invalid",
                      fields={"iban": "Vérifiez la longueur et les caractères de l'IBAN."}) from None
    if not iban.in_sepa_zone:
        raise Invalid("Le prélèvement SEPA n'est possible que depuis un compte de la zone SEPA.",
                      code="iban_not_sepa", fields={"iban": "Compte hors de la zone SEPA."})
    return iban


def _bic(text):
    try:
        return BIC(text)
    except SchwiftyException:
        raise Invalid("Ce BIC est invalide.", code="bic_invalid",
                      fields={"bic": "Le BIC compte 8 ou 11 lettres et chiffres."}) from None


def documents(document_ids, kind, data):
    """The vault document ids a request carries (references, never bytes);
    a change of income needs its attestation (CAF or avis d'imposition)."""
    if document_ids is None:
        document_ids = []
    if not isinstance(document_ids, list) or len(document_ids) > MAX_DOCUMENTS:
        raise Invalid(f"{MAX_DOCUMENTS} documents au plus par envoi.", code="invalid_documents",
                      fields={"document_ids": "Une liste d'identifiants de documents est attendue."})
    try:
        ids = list(dict.fromkeys(str(fields.UUID().deserialize(i)) for i in document_ids))
    except ValidationError:
        raise Invalid("Document introuvable.", code="document_not_found",
                      fields={"document_ids": "Identifiant de document invalide."}) from None
    if kind == SITUATION and data.get("change") == INCOME and not ids:
        raise Invalid("Joignez votre attestation CAF ou votre avis d'imposition.", code="attestation_required",
                      fields={"document_ids": "Un justificatif de revenus est obligatoire."})
    return ids


def title(kind, data):
    """How the request is named in lists (by its kind alone once its data was
    erased, when the household's last account closed)."""
    if kind == SITUATION and "change" in data:
        return f"{KIND_LABELS[kind]} : {CHANGE_LABELS[data['change']].lower()}"
    if kind == CONTACT and "subject" in data:
        return f"{KIND_LABELS[kind]} : {SUBJECTS[data['subject']].lower()}"
    if kind == DOCUMENT and "category_label" in data:
        return f"{KIND_LABELS[kind]} : {data['category_label'].lower()}"
    return KIND_LABELS[kind]


def masked(kind, data):
    """The data as shown to people: an IBAN is shown by its ends only."""
    if kind != DIRECT_DEBIT:
        return data
    iban = data["iban"]
    return {**data, "iban": f"{iban[:4]} •••• •••• {iban[-4:]}"}


def catalogue():
    """Kinds, changes, subjects and the mandate text, for the forms."""
    return {"kinds": [{"code": k, "label": KIND_LABELS[k]} for k in FAMILY_KINDS],
            "changes": [{"code": c, "label": label} for c, label in CHANGE_LABELS.items()],
            "subjects": [{"code": s, "label": label} for s, label in SUBJECTS.items()],
            "mandate_text": MANDATE_TEXT, "creditor": CREDITOR}


def jsonable(value):
    if isinstance(value, dict):
        return {key: jsonable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [jsonable(item) for item in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value
