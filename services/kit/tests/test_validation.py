"""How bad input is refused: one French message per field, named by its path, and a stable code."""
import pytest
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates_schema

from kit.errors import Invalid
from kit.validation import SEVERAL_FAULTS, load


class Guardian(Schema):
    first_name = fields.String(required=True, error_messages={"required": "Prénom obligatoire."})
    email = fields.Email(required=True, error_messages={"invalid": "Adresse e-mail invalide."},
                         validate=validate.Length(max=20, error="Adresse trop longue."))


class Household(Schema):
    error_messages = {"type": "Un objet est attendu."}

    guardians = fields.List(fields.Nested(Guardian), required=True, metadata={"code": "invalid_guardians"})
    quotient_familial = fields.Integer(required=True, strict=True, error_messages={
        "invalid": "Nombre entier attendu."}, metadata={"code": "invalid_quotient_familial"})
    note = fields.String(load_default=None, error_messages={"invalid": "Texte attendu."})

    @validates_schema
    def one_guardian_at_most(self, data, **_kwargs):
        if len(data["guardians"]) > 1:
            raise ValidationError("Un seul responsable.")


GUARDIAN = {"first_name": "Anne", "email": "anne@exemple.fr"}
HOUSEHOLD = {"guardians": [GUARDIAN], "quotient_familial": 640}


class Item(Schema):
    error_messages = {"type": "Valeur invalide."}

    class Meta:
        unknown = EXCLUDE

    date = fields.Date(required=True, metadata={"message": "Date au format AAAA-MM-JJ attendue."})
    label = fields.String(required=True)


class Answer(Schema):
    error_messages = {"type": "Valeur invalide."}

    items = fields.List(fields.Nested(Item), required=True, metadata={"message": "Liste attendue."})


def refusal(schema, data, **options):
    with pytest.raises(Invalid) as raised:
        load(schema, data, **options)
    return raised.value


def test_good_input_is_loaded_as_the_schema_reads_it():
    assert load(Household(), HOUSEHOLD) == {**HOUSEHOLD, "note": None}


def test_a_nested_fault_is_named_by_its_path():
    error = refusal(Household(), {**HOUSEHOLD, "guardians": [{**GUARDIAN, "email": "anne"}]})
    assert error.fields == {"guardians.0.email": "Adresse e-mail invalide."}


def test_every_fault_of_a_field_is_said():
    error = refusal(Household(), {**HOUSEHOLD, "guardians": [{**GUARDIAN, "email": "a" * 30}]})
    assert error.fields == {"guardians.0.email": "Adresse e-mail invalide. Adresse trop longue."}


def test_an_item_that_is_not_an_object_is_named_by_its_position():
    error = refusal(Household(), {**HOUSEHOLD, "guardians": [GUARDIAN, "Anne"]})
    assert set(error.fields) == {"guardians.1"}


def test_a_fault_of_the_whole_input_is_named_as_the_caller_asks():
    assert refusal(Household(), None).fields == {"_schema": "Un objet est attendu."}
    assert refusal(Household(), None, input_name="data").fields == {"data": "Un objet est attendu."}
    assert refusal(Household(), {**HOUSEHOLD, "guardians": [GUARDIAN] * 2}).fields == {
        "_schema": "Un seul responsable."}


def test_the_code_is_the_first_faulty_field_s_in_the_schema_s_order():
    error = refusal(Household(), {"quotient_familial": "640", "guardians": "Anne"})
    assert error.code == "invalid_guardians"
    assert set(error.fields) == {"guardians", "quotient_familial"}
    assert refusal(Household(), {**HOUSEHOLD, "quotient_familial": 6.5}).code == "invalid_quotient_familial"


def test_a_first_faulty_field_without_a_code_of_its_own_gets_the_default_code():
    assert refusal(Household(), {**HOUSEHOLD, "note": 42}).code == "invalid"
    assert refusal(Household(), {**HOUSEHOLD, "note": 42}, code="invalid_household").code == "invalid_household"


def test_a_fault_of_the_whole_input_gets_the_default_code():
    assert refusal(Household(), None, code="invalid_household").code == "invalid_household"


def test_a_lone_fault_speaks_for_itself_unless_a_message_is_given():
    error = refusal(Household(), {**HOUSEHOLD, "note": 42})
    assert error.message == error.fields["note"] == "Texte attendu."
    given = refusal(Household(), {**HOUSEHOLD, "note": 42}, message="Ce foyer est invalide.")
    assert (given.message, given.fields) == ("Ce foyer est invalide.", {"note": "Texte attendu."})


def test_several_faults_are_summed_up():
    assert refusal(Household(), {**HOUSEHOLD, "note": 42, "quotient_familial": None}).message == SEVERAL_FAULTS


def test_a_field_s_metadata_message_replaces_what_it_says_down_to_its_innermost_parts():
    error = refusal(Answer(), {"items": [{"date": "demain", "label": "x"}, "x", {"label": "y"}]})
    assert error.fields == {
        "items.0.date": "Date au format AAAA-MM-JJ attendue.",
        "items.1": "Liste attendue.",
        "items.2.date": "Date au format AAAA-MM-JJ attendue.",
    }


def test_a_part_without_a_metadata_message_is_said_by_the_nearest_field_around_it_with_one():
    error = refusal(Answer(), {"items": [{"date": "demain", "label": 42}]})
    assert error.fields == {"items.0.date": "Date au format AAAA-MM-JJ attendue.",
                            "items.0.label": "Liste attendue."}


def test_a_field_s_metadata_message_does_not_speak_for_its_neighbours():
    error = refusal(Item(), {"date": "demain", "label": 42})
    assert error.fields == {"date": "Date au format AAAA-MM-JJ attendue.", "label": "Not a valid string."}


def test_a_list_schema_names_faults_by_position():
    error = refusal(Answer(many=True), [{"items": []}, {"items": [{"date": "hier", "label": "x"}]}, 3],
                    message="Réponse mal formée.", code="invalid_answer")
    assert (error.message, error.code) == ("Réponse mal formée.", "invalid_answer")
    assert error.fields == {"1.items.0.date": "Date au format AAAA-MM-JJ attendue.", "2": "Valeur invalide."}
    assert refusal(Answer(many=True), None).fields == {"_schema": "Valeur invalide."}


def test_an_unexpected_field_is_named_with_what_marshmallow_says():
    assert refusal(Household(), {**HOUSEHOLD, "iban": "FR76"}).fields == {"iban": "Unknown field."}
