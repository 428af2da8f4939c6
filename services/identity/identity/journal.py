"""The security journal's actions: who did what to which account, when, from where.

A family reads its own entries, an admin all of them.
"""
LOGIN_SUCCEEDED = "login_succeeded"
LOGIN_FAILED = "login_failed"
LOCKED_OUT = "locked_out"
LOGGED_OUT = "logged_out"
ACCOUNT_CREATED = "account_created"
EMAIL_VERIFIED = "email_verified"
PASSWORD_RESET_REQUESTED = "password_reset_requested"
PASSWORD_CHANGED = "password_changed"
EMAIL_CHANGE_REQUESTED = "email_change_requested"
EMAIL_CHANGED = "email_changed"
CONTACT_DETAILS_CHANGED = "contact_details_changed"
REFRESH_TOKEN_REUSED = "refresh_token_reused"
FRANCECONNECT_LINKED = "franceconnect_linked"
FRANCECONNECT_UNLINKED = "franceconnect_unlinked"
AGENT_CREATED = "agent_created"
ACCOUNT_DEACTIVATED = "account_deactivated"
ACCOUNT_REACTIVATED = "account_reactivated"
ACCOUNT_DETACHED = "account_detached"
ACCOUNT_CLOSED = "account_closed"

# what families and agents read in the journal
LABELS = {
    LOGIN_SUCCEEDED: "Connexion",
    LOGIN_FAILED: "Échec de connexion",
    LOCKED_OUT: "Connexion bloquée après plusieurs échecs",
    LOGGED_OUT: "Déconnexion",
    ACCOUNT_CREATED: "Création du compte",
    EMAIL_VERIFIED: "Adresse e-mail confirmée",
    PASSWORD_RESET_REQUESTED: "Demande de réinitialisation du mot de passe",
    PASSWORD_CHANGED: "Mot de passe modifié",
    EMAIL_CHANGE_REQUESTED: "Demande de changement d'adresse e-mail",
    EMAIL_CHANGED: "Adresse e-mail modifiée",
    CONTACT_DETAILS_CHANGED: "Coordonnées modifiées",
    REFRESH_TOKEN_REUSED: "Session mobile fermée (jeton réutilisé)",
    FRANCECONNECT_LINKED: "FranceConnect lié",
    FRANCECONNECT_UNLINKED: "FranceConnect délié",
    AGENT_CREATED: "Agent créé",
    ACCOUNT_DEACTIVATED: "Compte désactivé",
    ACCOUNT_REACTIVATED: "Compte réactivé",
    ACCOUNT_DETACHED: "Compte détaché du foyer",
    ACCOUNT_CLOSED: "Compte fermé à la demande de la famille",
}

MAX_ENTRIES = 500
