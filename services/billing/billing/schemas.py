"""The shapes billing accepts over RPC and the dicts it answers with.

Shapes only: the rules (a quotient familial is not negative, an activity has
a price) live in the domain modules.
"""
from marshmallow import EXCLUDE, Schema, fields, post_load, validate

from kit.errors import Invalid
from kit.validation import load

from billing.invoicing import INVOICE_NUMBER_SHAPE, BillableHousehold, BillableItem
from billing.pricing import ACTIVITY_LABELS

# What a bad value of each field is told, wherever the fault lies within it.
HOUSEHOLD_ID = {"message": "Identifiant de foyer invalide (UUID attendu)."}
QUOTIENT_FAMILIAL = {"message": "Nombre entier d'euros attendu."}


class QuotientFamilialInput(Schema):
    quotient_familial = fields.Integer(required=True, strict=True, metadata=QUOTIENT_FAMILIAL)


class HouseholdInput(Schema):
    household_id = fields.UUID(required=True, metadata=HOUSEHOLD_ID)


class InvoiceNumberInput(Schema):
    number = fields.String(required=True, validate=validate.Regexp(INVOICE_NUMBER_SHAPE), metadata={
        "message": "Numéro de facture invalide (format F-AAAA-MM-NNNNNNN attendu)."})


def quotient_familial(value):
    return load(QuotientFamilialInput(), {"quotient_familial": value},
                "Quotient familial invalide.", "invalid_quotient_familial")["quotient_familial"]


def household_id(value):
    return load(HouseholdInput(), {"household_id": value}, "Foyer invalide.", "invalid_household_id")["household_id"]


def invoice_number(value):
    return load(InvoiceNumberInput(), {"number": value},
                "Numéro de facture invalide.", "invalid_invoice_number")["number"]


class FamilyAnswer(Schema):
    """What family.billable_items answers is read, not trusted."""

    class Meta:
        unknown = EXCLUDE  # family may say more than billing needs

    error_messages = {"type": "Valeur invalide."}


class BillableItemSchema(FamilyAnswer):
    child_id = fields.UUID(required=True, metadata={"message": "Identifiant d'enfant invalide (UUID attendu)."})
    child_first_name = fields.String(required=True, validate=validate.Length(min=1, max=100),
                                     metadata={"message": "Prénom de l'enfant attendu."})
    activity = fields.String(required=True, metadata={"message": "Code d'activité attendu."})
    date = fields.Date(required=True, metadata={"message": "Date au format AAAA-MM-JJ attendue."})

    @post_load
    def make(self, data, **_):
        return BillableItem(**data)


class BillableHouseholdSchema(FamilyAnswer):
    household_id = fields.UUID(required=True, metadata=HOUSEHOLD_ID)
    quotient_familial = fields.Integer(required=True, strict=True, metadata=QUOTIENT_FAMILIAL)
    items = fields.List(fields.Nested(BillableItemSchema), required=True,
                        metadata={"message": "Liste de prestations attendue."})

    @post_load
    def make(self, data, **_):
        return BillableHousehold(data["household_id"], data["quotient_familial"], tuple(data["items"]))


def billable_households(data):
    """family.billable_items' answer, checked before anything is billed."""
    message = "Les prestations à facturer reçues du service famille sont mal formées ; rien n'a été facturé."
    households = load(BillableHouseholdSchema(many=True), data, message, "invalid_billable_items")
    ids = [household.household_id for household in households]
    if len(set(ids)) != len(ids):
        raise Invalid(message, code="invalid_billable_items", fields={"household_id": "Foyer présent deux fois."})
    return households


class InvoiceSummary(Schema):
    id = fields.UUID()
    number = fields.String()
    period = fields.String()
    issued_at = fields.DateTime()
    due_date = fields.Date()
    total_cents = fields.Integer()
    status = fields.String()


class InvoiceLineSchema(Schema):
    child_id = fields.UUID()
    child_first_name = fields.String()
    activity = fields.String()
    activity_label = fields.Function(lambda line: ACTIVITY_LABELS[line.activity])
    label = fields.String()
    dates = fields.List(fields.String())
    quantity = fields.Integer()
    unit_price_cents = fields.Integer()
    amount_cents = fields.Integer()


class InvoiceDetail(InvoiceSummary):
    lines = fields.List(fields.Nested(InvoiceLineSchema))


def simulation(quotient_familial, bracket, prices):
    return {
        "quotient_familial": quotient_familial,
        "bracket": bracket.code,
        "reason": bracket.reason(quotient_familial),
        "tariffs": [
            {"activity": price.activity, "activity_label": price.activity_label,
             "unit_price_cents": price.unit_price_cents}
            for price in prices
        ],
    }
