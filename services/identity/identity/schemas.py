"""What the RPC entrypoints accept, in French when refused, and the dicts they return."""
from datetime import timezone

from marshmallow import Schema, ValidationError, fields, pre_load, validate

from identity import accounts, contact, passwords
from identity.journal import LABELS, MAX_ENTRIES

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


def _uuid(code, required=True):
    return fields.UUID(required=required, allow_none=not required, error_messages=_messages("Identifiant invalide."),
                       metadata={"code": code})


def _text(code, max_length, invalid):
    """A required text, trimmed, of 1 to `max_length` characters."""
    return Trimmed(required=True, error_messages=_messages(invalid), metadata={"code": code},
                   validate=validate.Length(min=1, max=max_length,
                                            error=f"Ce champ doit contenir de 1 à {max_length} caractères."))


class Trimmed(fields.String):
    def _deserialize(self, value, attr, data, **kwargs):
        return super()._deserialize(value, attr, data, **kwargs).strip()


def _child_key():
    # Its shape is the family service's rule; here only what can be sent to it.
    return fields.String(
        required=True, error_messages=_messages("La clé enfance doit être un texte."),
        validate=validate.Length(max=64, error="La clé enfance est trop longue."),
        metadata={"code": "invalid_child_key"})


class RegistrationSchema(Schema):
    email = EmailAddress()
    password = _new_password()
    child_key = _child_key()


class FranceConnectIdentitySchema(Schema):
    # FranceConnect's `sub`: opaque, stable, at most 255 characters (OpenID Connect Core, 2).
    sub = _text("invalid_sub", 255, "L'identifiant FranceConnect doit être un texte.")
    given_name = _text("invalid_name", 200, "Le prénom doit être un texte.")
    family_name = _text("invalid_name", 200, "Le nom doit être un texte.")


class FranceConnectRegistrationSchema(FranceConnectIdentitySchema):
    email = EmailAddress()
    child_key = _child_key()


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


class ClientIpSchema(Schema):
    client_ip = fields.IP(required=False, allow_none=True, error_messages={"invalid_ip": "Adresse IP invalide."},
                          metadata={"code": "invalid_client_ip"})


class EmailSchema(Schema):
    email = EmailAddress()


class NewEmailSchema(Schema):
    new_email = EmailAddress()
    password = fields.String(required=True, error_messages=_messages("Le mot de passe doit être un texte."),
                             metadata={"code": "invalid_credentials"})


class NewPasswordSchema(Schema):
    new_password = _new_password()


class PasswordChangeSchema(Schema):
    current_password = fields.String(
        required=True, error_messages=_messages("Le mot de passe doit être un texte."),
        metadata={"code": "invalid_credentials"})
    new_password = _new_password()


class Phone(fields.String):
    """A phone number as typed, kept in E.164."""

    def _deserialize(self, value, attr, data, **kwargs):
        typed = super()._deserialize(value, attr, data, **kwargs)
        e164 = contact.normalise_phone(typed) if len(typed) <= 40 else None
        if e164 is None:
            raise self.make_error("invalid_number")
        return e164


class AddressSchema(Schema):
    error_messages = {"type": "L'adresse postale est mal formée."}

    street = _text("invalid_address", 200, "L'adresse doit être un texte.")
    postal_code = fields.String(
        required=True, error_messages=_messages("Le code postal doit être un texte."),
        validate=validate.Regexp(r"\d{5}\Z", error="Le code postal doit faire 5 chiffres (par exemple 75011)."))
    city = _text("invalid_address", 100, "La commune doit être un texte.")

    @pre_load
    def trim(self, data, **kwargs):
        if isinstance(data, dict) and isinstance(data.get("postal_code"), str):
            return dict(data, postal_code=data["postal_code"].strip())
        return data


class ContactSchema(Schema):
    phone = Phone(required=True, allow_none=True, metadata={"code": "invalid_phone"}, error_messages={
        "invalid": "Le numéro de téléphone doit être un texte.",
        "invalid_number": "Ce numéro de téléphone n'est pas valide (par exemple 06 12 34 56 78 ou +32 470 12 34 56)."})
    address = fields.Nested(AddressSchema, required=True, allow_none=True, metadata={"code": "invalid_address"})

    @pre_load
    def blank_means_none(self, data, **kwargs):
        """An emptied field of the form removes that detail."""
        phone, address = data["phone"], data["address"]
        if isinstance(phone, str) and not phone.strip():
            phone = None
        if isinstance(address, dict) and not any(isinstance(v, str) and v.strip() for v in address.values()):
            address = None
        return {"phone": phone, "address": address}


class AccountStatusSchema(Schema):
    account_id = _uuid("invalid_account_id")
    active = fields.Boolean(
        required=True, truthy={True}, falsy={False}, metadata={"code": "invalid_active"},
        error_messages=_messages("« active » doit valoir true ou false."))


class RoleFilterSchema(Schema):
    role = fields.String(
        allow_none=True, validate=validate.OneOf(accounts.ROLES, error="Rôle inconnu."),
        error_messages=_messages("Le rôle doit être un texte."), metadata={"code": "invalid_role"})


class JournalQuerySchema(Schema):
    account_id = _uuid("invalid_account_id", required=False)
    limit = fields.Integer(
        strict=True, validate=validate.Range(1, MAX_ENTRIES, error=f"De 1 à {MAX_ENTRIES} entrées."),
        error_messages=_messages("Le nombre d'entrées doit être un entier."), metadata={"code": "invalid_limit"})


class SinceSchema(Schema):
    since = fields.AwareDateTime(
        required=True, default_timezone=timezone.utc, metadata={"code": "invalid_since"},
        error_messages=_messages("Date et heure ISO 8601 attendues."))


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


def franceconnect_identity(sub, given_name, family_name):
    return load(FranceConnectIdentitySchema(), {"sub": sub, "given_name": given_name, "family_name": family_name})


def franceconnect_registration(sub, email, child_key, given_name, family_name):
    return load(FranceConnectRegistrationSchema(), {
        "sub": sub, "email": email, "child_key": child_key, "given_name": given_name, "family_name": family_name})


def franceconnect_sub(sub):
    """A sub as FranceConnect gives it; anything else cannot be linked to anyone."""
    return sub if isinstance(sub, str) and 0 < len(sub) <= 255 else None


def client_ip(value):
    """The client's address, in its one canonical spelling, or None when unknown."""
    found = load(ClientIpSchema(), {"client_ip": value})["client_ip"]
    return str(found) if found is not None else None


def email(value):
    return load(EmailSchema(), {"email": value})["email"]


def email_change(new_email, password):
    return load(NewEmailSchema(), {"new_email": new_email, "password": password})


def new_password(value):
    return load(NewPasswordSchema(), {"new_password": value})["new_password"]


def password_change(current_password, new_password):
    return load(PasswordChangeSchema(), {"current_password": current_password, "new_password": new_password})


def contact_details(phone, address):
    """`{"phone": E.164 or None, "address": {...} or None}`: the whole new state of the form."""
    return load(ContactSchema(), {"phone": phone, "address": address})


def account_status(account_id, active):
    return load(AccountStatusSchema(), {"account_id": account_id, "active": active})


def role_filter(role):
    return load(RoleFilterSchema(), {"role": role})["role"]


def journal_query(account_id, limit):
    return load(JournalQuerySchema(), {"account_id": account_id, "limit": limit})


def since(value):
    return load(SinceSchema(), {"since": value})["since"]


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
    email_verified = fields.Boolean()
    franceconnect_linked = fields.Function(lambda account: account.franceconnect is not None)
    has_password = fields.Function(lambda account: account.password_hash is not None)
    active = fields.Boolean()


class RecipientSchema(Schema):
    account_id = fields.UUID(attribute="id")
    email = fields.String()


class SecurityEventSchema(Schema):
    at = fields.DateTime()
    account_id = fields.UUID(allow_none=True)
    actor_id = fields.UUID(allow_none=True)
    action = fields.String()
    label = fields.Function(lambda event: LABELS[event.action])
    client_ip = fields.String(allow_none=True)
    detail = fields.Dict()


def account(model):
    return AccountSchema().dump(model)


def account_list(models):
    return AccountSchema(many=True).dump(models)


def contact_of(model):
    address = ({"street": model.street, "postal_code": model.postal_code, "city": model.city}
               if model.street is not None else None)
    return {"email": model.email, "phone": model.phone, "phone_display": contact.display_phone(model.phone),
            "address": address}


def journal(models):
    return SecurityEventSchema(many=True).dump(models)


def recipients(models):
    return RecipientSchema(many=True).dump(models)
