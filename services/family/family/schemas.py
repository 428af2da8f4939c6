"""What the family service accepts over RPC, and the dicts it answers with.

Input that does not fit raises kit.errors.Invalid with a stable code and a
French message per field (`guardians.0.email`), before anything is written.
"""
import re
import uuid

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from kit.errors import Invalid
from kit.validation import load

from family import activities
from family.months import Month

DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
REQUIRED = {"required": "Ce champ est obligatoire.", "null": "Ce champ est obligatoire."}


class Strict(Schema):
    error_messages = {"type": "Un objet est attendu.", "unknown": "Ce champ n'est pas attendu."}


class Text(fields.String):
    """Text as typed, without its surrounding spaces, never empty."""

    default_error_messages = {**REQUIRED, "invalid": "Un texte est attendu."}

    def __init__(self, max_length, **kwargs):
        kwargs.setdefault("validate", validate.Length(
            min=1, max=max_length, error=f"Ce champ doit contenir entre 1 et {max_length} caractères."))
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        return super()._deserialize(value, attr, data, **kwargs).strip()


class EmailAddress(fields.Email):
    default_error_messages = {**REQUIRED, "invalid": "Adresse e-mail invalide."}

    def __init__(self, **kwargs):
        super().__init__(validate=validate.Length(max=254, error="Adresse e-mail trop longue."), **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        return super()._deserialize(value, attr, data, **kwargs).strip().lower()


class Day(fields.Date):
    """A date written `YYYY-MM-DD` and nothing else (not the compact ISO form)."""

    default_error_messages = {**REQUIRED, "invalid": "Date invalide : format attendu AAAA-MM-JJ."}

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str) or not DAY.fullmatch(value):
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


class WholeNumber(fields.Integer):
    default_error_messages = {**REQUIRED, "invalid": "Un nombre entier est attendu."}

    def __init__(self, **kwargs):
        super().__init__(strict=True, **kwargs)


class ListOf(fields.List):
    default_error_messages = {**REQUIRED, "invalid": "Une liste est attendue."}


class ActivityCode(fields.Field):
    """An activity code, loaded as the Activity it names."""

    default_error_messages = {**REQUIRED, "invalid": "Activité inconnue. Activités possibles : "
                                                     + ", ".join(activities.ACTIVITIES) + "."}

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str) or value not in activities.ACTIVITIES:
            raise self.make_error("invalid")
        return activities.ACTIVITIES[value]


class GuardianSchema(Strict):
    first_name = Text(100, required=True)
    last_name = Text(100, required=True)
    email = EmailAddress(required=True)
    phone = Text(30, allow_none=True, load_default=None, validate=validate.Regexp(
        r"\+?[0-9][0-9 .\-]{5,24}", error="Numéro de téléphone invalide."))


class ChildSchema(Strict):
    first_name = Text(100, required=True)
    last_name = Text(100, required=True)
    birth_date = Day(required=True)
    school = Text(200, required=True)


class HouseholdSchema(Strict):
    guardians = ListOf(fields.Nested(GuardianSchema), required=True, validate=validate.Length(
        min=1, max=2, error="Un foyer compte un ou deux responsables."))
    children = ListOf(fields.Nested(ChildSchema), required=True, validate=validate.Length(
        min=1, error="Un foyer compte au moins un enfant."))
    quotient_familial = WholeNumber(required=True, validate=validate.Range(
        min=0, max=100_000, error="Le quotient familial est un nombre entier d'euros, entre 0 et 100 000."))

    def __init__(self, today, **kwargs):
        super().__init__(**kwargs)
        self.today = today

    @validates_schema
    def children_are_born(self, data, **kwargs):
        unborn = {index: {"birth_date": ["La date de naissance ne peut pas être dans le futur."]}
                  for index, child in enumerate(data["children"]) if child["birth_date"] > self.today}
        if unborn:
            raise ValidationError({"children": unborn})


class BookingSchema(Strict):
    activity = ActivityCode(required=True, metadata={"code": "unknown_activity"})
    date = Day(required=True, metadata={"code": "invalid_date"})


def new_household(data, today):
    return load(HouseholdSchema(today), data, "Les informations du foyer sont incomplètes ou invalides.",
                "invalid_household", input_name="data")


def booking_request(activity, date):
    """`{"activity": Activity, "date": date}` from what the family chose."""
    return load(BookingSchema(), {"activity": activity, "date": date}, "Cette réservation est invalide.",
                "invalid_booking")


def month(text, field="month", code="invalid_month"):
    try:
        return Month.parse(text)
    except ValueError:
        raise Invalid("Ce mois n'existe pas.", code=code,
                      fields={field: "Mois attendu sous la forme AAAA-MM."}) from None


PAGE_LIMIT = 2000  # households at most in one page of billable_items


def billable_page(after, limit):
    """`after` (a household id, or None for the first page) and `limit` (1 to
    PAGE_LIMIT households) of a page of billable_items."""
    try:
        after = None if after is None else uuid.UUID(after)
    except (TypeError, ValueError, AttributeError):
        raise Invalid("Cette page n'existe pas.", code="invalid_after",
                      fields={"after": "Identifiant de foyer attendu : le « next » de la page précédente."}) from None
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= PAGE_LIMIT:
        raise Invalid("Cette taille de page n'est pas possible.", code="invalid_limit",
                      fields={"limit": f"Nombre entier de foyers attendu, de 1 à {PAGE_LIMIT}."})
    return after, limit


class GuardianView(Schema):
    id = fields.UUID()
    first_name = fields.String()
    last_name = fields.String()
    email = fields.String()
    phone = fields.String(allow_none=True)


class ChildView(Schema):
    id = fields.UUID()
    first_name = fields.String()
    last_name = fields.String()
    birth_date = fields.Date()
    school = fields.String()


class HouseholdView(Schema):
    id = fields.UUID()
    child_key = fields.String()
    quotient_familial = fields.Integer()
    guardians = fields.List(fields.Nested(GuardianView))
    children = fields.List(fields.Nested(ChildView))
    created_at = fields.DateTime()


class BookingView(Schema):
    id = fields.UUID()
    child_id = fields.UUID()
    child_first_name = fields.Function(lambda booking: booking.child.first_name)
    activity = fields.String()
    activity_label = fields.Function(lambda booking: activities.label(booking.activity))
    date = fields.Date()
    status = fields.String()
    created_at = fields.DateTime()


def household_view(household, for_agent=False):
    """The clé enfance opens the household to whoever holds it: only agents
    see it, never a family's own view (they received it from the Caisse)."""
    view = HouseholdView().dump(household)
    if not for_agent:
        view.pop("child_key")
    return view


def certificate_household_view(household, address):
    return {"guardians": [f"{guardian.first_name} {guardian.last_name}" for guardian in household.guardians],
            "address": address, "children": ChildView(many=True).dump(household.children)}


def booking_view(booking):
    return BookingView().dump(booking)
