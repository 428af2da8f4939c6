"""The refusals of identity, each with its stable code and its French message."""
from kit.errors import Conflict, Forbidden, Invalid, NotFound, TooManyRequests, Unauthenticated


def email_taken():
    message = "Un compte existe déjà avec cette adresse e-mail."
    return Conflict(message, code="email_taken", fields={"email": message})


def invalid_child_key():
    message = "La clé enfance n'a pas la bonne forme : 5 chiffres, un tiret et 6 lettres ou chiffres (12345-AB12CD)."
    return Invalid(message, code="invalid_child_key", fields={"child_key": message})


def unknown_child_key():
    message = ("Cette clé enfance ne correspond à aucune famille. "
               "Vérifiez-la ou demandez-la à la Caisse des écoles.")
    return Invalid(message, code="unknown_child_key", fields={"child_key": message})


def invalid_credentials():
    # One message for an unknown address, a wrong password and a closed account,
    # so that nobody learns from it which addresses have an account.
    return Unauthenticated("Adresse e-mail ou mot de passe incorrect.", code="invalid_credentials")


def invalid_token():
    return Unauthenticated("Votre session a expiré ou n'est plus valide : veuillez vous reconnecter.",
                           code="invalid_token")


def account_not_found():
    return NotFound("Ce compte n'existe pas.", code="account_not_found")


def too_many_attempts(minutes):
    # The same for an address with an account and one without: a lock reveals nothing.
    unit = "minute" if minutes == 1 else "minutes"
    return Unauthenticated(
        "Trop de tentatives de connexion ont échoué. Par sécurité, réessayez dans "
        f"{minutes} {unit}, ou réinitialisez votre mot de passe.", code="too_many_attempts")


def too_many_requests(minutes):
    # Said the same for an address with an account and one without.
    unit = "minute" if minutes == 1 else "minutes"
    return TooManyRequests(f"Trop de demandes en peu de temps. Par sécurité, réessayez dans {minutes} {unit}.",
                           code="too_many_attempts")


def invalid_link():
    return Invalid("Ce lien n'est plus valable : il a déjà servi ou a expiré. "
                   "Demandez-en un nouveau depuis le portail.", code="invalid_token")


def wrong_current_password():
    message = "Le mot de passe actuel est incorrect."
    return Unauthenticated(message, code="invalid_credentials", fields={"current_password": message})


def wrong_password():
    message = "Le mot de passe est incorrect."
    return Unauthenticated(message, code="invalid_credentials", fields={"password": message})


def password_required():
    return Invalid("Choisissez d'abord un mot de passe (« Mot de passe perdu ? ») : sans lui, "
                   "vous ne pourriez plus vous connecter à votre compte.", code="password_required")


def same_email():
    message = "C'est déjà l'adresse e-mail de votre compte."
    return Invalid(message, code="same_email", fields={"new_email": message})


def franceconnect_not_linked():
    return NotFound("Cette identité FranceConnect n'est liée à aucun compte du portail. Connectez-vous une "
                    "fois avec votre adresse e-mail pour la lier, ou créez votre compte avec votre clé enfance.",
                    code="franceconnect_not_linked")


def franceconnect_already_linked():
    return Conflict("Cette identité FranceConnect est déjà liée à un autre compte du portail.",
                    code="franceconnect_already_linked")


_FORBIDDEN = {
    "agents_only": "Cette action est réservée aux agents de la Caisse des écoles.",
    "admin_only": "Cette action est réservée aux administrateurs.",
    "own_account": "Vous ne pouvez pas faire cette action sur votre propre compte.",
    "family_account_only": "Seul un compte famille peut être détaché d'un foyer.",
}


def forbidden(code):
    return Forbidden(_FORBIDDEN[code], code=code)
