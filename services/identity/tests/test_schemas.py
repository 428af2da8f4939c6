"""What the entrypoints accept, and how they refuse the rest: French messages, stable codes."""
import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from identity import accounts, schemas
from kit.errors import Invalid

GOOD = {"email": "parent@exemple.fr", "password": "Cantine-du-mercredi", "child_key": "12345-ABC123"}


def refusal(read, **data):
    with pytest.raises(Invalid) as raised:
        read(**data)
    return raised.value


@pytest.mark.parametrize("typed", ["Parent@Exemple.FR", "  parent@exemple.fr ", "\tPARENT@EXEMPLE.FR\n"])
def test_an_email_is_trimmed_and_lower_cased(typed):
    assert schemas.registration(**dict(GOOD, email=typed))["email"] == "parent@exemple.fr"


@given(st.emails())
def test_normalising_an_email_twice_changes_nothing(email):
    once = accounts.normalise_email(email)
    assert accounts.normalise_email(once) == once
    assert accounts.normalise_email(f"  {email.upper()} ") == once


@pytest.mark.parametrize("email", ["", "   ", "parent", "parent@", "@exemple.fr", "parent exemple.fr",
                                   "a" * 250 + "@exemple.fr", None, 42, ["parent@exemple.fr"]])
def test_a_bad_email_is_refused_with_code_invalid_email(email):
    error = refusal(schemas.registration, **dict(GOOD, email=email))
    assert error.code == "invalid_email"
    assert set(error.fields) == {"email"}
    assert error.message == error.fields["email"]


def test_the_email_messages_are_french():
    assert refusal(schemas.registration, **dict(GOOD, email="parent")).fields == {
        "email": "Adresse e-mail invalide."}
    assert refusal(schemas.registration, **dict(GOOD, email=None)).fields == {
        "email": "Ce champ est obligatoire."}


@pytest.mark.parametrize("password, reason", [
    ("court", "Le mot de passe doit contenir au moins 12 caractères."),
    ("x" * 129 + "y", "Le mot de passe ne doit pas dépasser 128 caractères."),
    ("MotDePasse123", "Ce mot de passe fait partie des plus courants : choisissez-en un plus difficile à deviner."),
    (None, "Ce champ est obligatoire."),
    (123456789012, "Le mot de passe doit être un texte."),
])
def test_a_weak_password_is_refused_with_code_weak_password_and_its_reason(password, reason):
    error = refusal(schemas.registration, **dict(GOOD, password=password))
    assert (error.code, error.fields) == ("weak_password", {"password": reason})


@pytest.mark.parametrize("child_key", [None, 12345, "1" * 65])
def test_a_child_key_that_cannot_be_one_is_refused_with_code_invalid_child_key(child_key):
    error = refusal(schemas.registration, **dict(GOOD, child_key=child_key))
    assert (error.code, set(error.fields)) == ("invalid_child_key", {"child_key"})


def test_several_faults_are_reported_together_under_the_first_ones_code():
    error = refusal(schemas.registration, email="parent", password="court", child_key=None)
    assert error.code == "invalid_email"
    assert set(error.fields) == {"email", "password", "child_key"}
    assert error.message == "Certaines informations saisies sont invalides."


@pytest.mark.parametrize("role", ["family", "root", "", None])
def test_a_back_office_account_is_only_an_agent_or_an_admin(role):
    error = refusal(schemas.agent, email="agent@caisse.example", password="Guichet-de-la-mairie", role=role)
    assert (error.code, set(error.fields)) == ("invalid_role", {"role"})


@pytest.mark.parametrize("role", ["agent", "admin"])
def test_an_agent_or_an_admin_can_be_made(role):
    data = schemas.agent(email="Agent@Caisse.example", password="Guichet-de-la-mairie", role=role)
    assert data == {"email": "agent@caisse.example", "password": "Guichet-de-la-mairie", "role": role}


@pytest.mark.parametrize("email, password", [
    (None, "Cantine-du-mercredi"), ("parent", "Cantine-du-mercredi"), (42, "Cantine-du-mercredi"),
    ("parent@exemple.fr", None), ("parent@exemple.fr", 42), ("parent@exemple.fr", "x" * 129),
])
def test_credentials_that_cannot_be_anyones_name_no_account(email, password):
    assert schemas.credentials(email, password) == (None, "")


def test_credentials_are_taken_with_the_email_normalised_and_the_password_untouched():
    assert schemas.credentials(" Parent@Exemple.FR ", " Mot De Passe ") == ("parent@exemple.fr", " Mot De Passe ")


@pytest.mark.parametrize("read, name, code", [
    (schemas.account_id, "account_id", "invalid_account_id"),
    (schemas.household_id, "household_id", "invalid_household_id"),
])
@pytest.mark.parametrize("value", ["", "42", "pas-un-uuid", None, 42])
def test_a_malformed_id_is_refused(read, name, code, value):
    error = refusal(read, value=value)
    assert (error.code, set(error.fields)) == (code, {name})


def test_a_well_formed_id_is_read_as_a_uuid():
    value = uuid.uuid4()
    assert schemas.account_id(str(value)) == value
