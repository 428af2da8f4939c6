"""The shapes billing accepts over RPC and the dicts it answers with.

Shapes only: the rules (a quotient familial is not negative, an activity has
a price) live in the domain modules.
"""
from datetime import timezone

from marshmallow import EXCLUDE, Schema, ValidationError, fields, post_load, validate

from kit.errors import Invalid

from billing.invoicing import INVOICE_NUMBER_SHAPE, BillableHousehold, BillableItem
from billing.pricing import ACTIVITY_LABELS

FIELD_MESSAGES = {
    "household_id": "Identifiant de foyer invalide (UUID attendu).",
    "number": "Numéro de facture invalide (format F-AAAA-MM-NNNNNNN attendu).",
    "quotient_familial": "Nombre entier d'euros attendu.",
    "items": "Liste de prestations attendue.",
    "child_id": "Identifiant d'enfant invalide (UUID attendu).",
    "child_first_name": "Prénom de l'enfant attendu.",
    "activity": "Code d'activité attendu.",
    "date": "Date au format AAAA-MM-JJ attendue.",
}


def load(schema, data, message, code):
    try:
        return schema.load(data)
    except ValidationError as error:
        raise Invalid(message, code=code, fields=_french(error.messages)) from None


def _french(messages, path=()):
    """Marshmallow's nested errors as {"0.items.2.date": "message en français"}."""
    found = {}
    for key, value in messages.items():
        where = (*path, str(key)) if key != "_schema" else path
        if isinstance(value, dict):
            found.update(_french(value, where))
        else:
            name = next((part for part in reversed(where) if part in FIELD_MESSAGES), None)
            found[".".join(where) or "_schema"] = FIELD_MESSAGES.get(name, "Valeur invalide.")
    return found


class QuotientFamilialInput(Schema):
    quotient_familial = fields.Integer(required=True, strict=True)


class HouseholdInput(Schema):
    household_id = fields.UUID(required=True)


class InvoiceNumberInput(Schema):
    number = fields.String(required=True, validate=validate.Regexp(INVOICE_NUMBER_SHAPE))


def quotient_familial(value):
    return load(QuotientFamilialInput(), {"quotient_familial": value},
                "Quotient familial invalide.", "invalid_quotient_familial")["quotient_familial"]


def household_id(value):
    return load(HouseholdInput(), {"household_id": value}, "Foyer invalide.", "invalid_household_id")["household_id"]


def invoice_number(value):
    return load(InvoiceNumberInput(), {"number": value},
                "Numéro de facture invalide.", "invalid_invoice_number")["number"]


class BillableItemSchema(Schema):
    class Meta:
        unknown = EXCLUDE  # family may say more about an item than billing needs

    child_id = fields.UUID(required=True)
    child_first_name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    activity = fields.String(required=True)
    date = fields.Date(required=True)

    @post_load
    def make(self, data, **_):
        return BillableItem(**data)


class BillableHouseholdSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    household_id = fields.UUID(required=True)
    quotient_familial = fields.Integer(required=True, strict=True)
    items = fields.List(fields.Nested(BillableItemSchema), required=True)

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


class UtcDateTime(fields.DateTime):
    """SQLite gives back naive datetimes: they were stored in UTC."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is not None:
            value = value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)
        return super()._serialize(value, attr, obj, **kwargs)


class InvoiceSummary(Schema):
    id = fields.UUID()
    number = fields.String()
    period = fields.String()
    issued_at = UtcDateTime()
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
