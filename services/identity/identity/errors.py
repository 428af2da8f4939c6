"""The refusals of identity, each with its stable code and its French message."""
from kit.errors import Conflict, Invalid, NotFound, Unauthenticated


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
