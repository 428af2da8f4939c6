"""The single-use links the portal e-mails, and the gateway pages that take
them. identity makes the tokens; notify builds every link itself from the
portal's own address (`PORTAL_BASE_URL`), so that no URL carried by an event
ever ends up in an e-mail."""
EMAIL_VERIFICATION, PASSWORD_RESET, EMAIL_CHANGE = "email_verification", "password_reset", "email_change"

PAGES = {
    EMAIL_VERIFICATION: "/verifier-courriel",
    PASSWORD_RESET: "/nouveau-mot-de-passe",
    EMAIL_CHANGE: "/confirmer-courriel",
}
TOKEN_PARAMETER = "jeton"


def url(base_url, purpose, token):
    return f"{base_url.rstrip('/')}{PAGES[purpose]}?{TOKEN_PARAMETER}={token}"
