"""What the RPC entrypoints accept, in French when refused, and the dicts they return."""
from marshmallow import Schema, ValidationError, fields, validate

from identity import accounts, passwords
from kit.validation import load

REQUIRED = "Ce champ est obligatoire."


def _messages(invalid):
    return {"required": REQUIRED, "null": REQUIRED, "invalid": invalid}


class EmailAddress(fields.Email):
    """An e-mail address, checked and given back normalised."""

    def __init__(self, **kwargs):
        super().__init__(
            required=True, error_messages=_messages("Adresse e-mail invalide."),
            validate=validate.Length(
                max=accounts.EMAIL_MAX_LENGTH,
                error=f"L'adresse e-mail ne doit pas dépasser {accounts.EMAIL_MAX_LENGTH} caractères."),
            metadata={"code": "invalid_email"}, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        return accounts.normalise_email(super()._deserialize(value, attr, data, **kwargs))


def _acceptable_password(password):
    reason = passwords.weakness(password)
    if reason:
        raise ValidationError(reason)


def _new_password():
    return fields.String(
        required=True, error_messages=_messages("Le mot de passe doit être un texte."),
        validate=_acceptable_password, metadata={"code": "weak_password"})


def _uuid(code):
    return fields.UUID(required=True, error_messages=_messages("Identifiant invalide."), metadata={"code": code})


class RegistrationSchema(Schema):
    email = EmailAddress()
    password = _new_password()
    # Its shape is the family service's rule; here only what can be sent to it.
    child_key = fields.String(
        required=True, error_messages=_messages("La clé enfance doit être un texte."),
        validate=validate.Length(max=64, error="La clé enfance est trop longue."),
        metadata={"code": "invalid_child_key"})


class AgentSchema(Schema):
    email = EmailAddress()
    password = _new_password()
    role = fields.String(
        required=True, error_messages=_messages("Le rôle doit être un texte."),
        validate=validate.OneOf(accounts.STAFF_ROLES, error="Rôle inconnu : « agent » ou « admin » attendu."),
        metadata={"code": "invalid_role"})


class CredentialsSchema(Schema):
    email = EmailAddress()
    # Longer than any password we accept: it cannot be right.
    password = fields.String(required=True, validate=validate.Length(max=passwords.MAX_LENGTH))


class AccountIdSchema(Schema):
    account_id = _uuid("invalid_account_id")


class HouseholdIdSchema(Schema):
    household_id = _uuid("invalid_household_id")


def registration(email, password, child_key):
    return load(RegistrationSchema(), {"email": email, "password": password, "child_key": child_key})


def agent(email, password, role):
    return load(AgentSchema(), {"email": email, "password": password, "role": role})


def account_id(value):
    return load(AccountIdSchema(), {"account_id": value})["account_id"]


def household_id(value):
    return load(HouseholdIdSchema(), {"household_id": value})["household_id"]


def credentials(email, password):
    """`(email, password)` as a login form sent them, the address normalised;
    `(None, "")` when they cannot be anyone's (refused then like a wrong password)."""
    try:
        given = CredentialsSchema().load({"email": email, "password": password})
    except ValidationError:
        return None, ""
    return given["email"], given["password"]


class AccountSchema(Schema):
    id = fields.UUID()
    email = fields.String()
    role = fields.String()
    household_id = fields.UUID(allow_none=True)
    created_at = fields.DateTime()


class RecipientSchema(Schema):
    account_id = fields.UUID(attribute="id")
    email = fields.String()


def account(model):
    return AccountSchema().dump(model)


def recipients(models):
    return RecipientSchema(many=True).dump(models)
