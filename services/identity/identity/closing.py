"""Closing a family's account: what is left of it (a row with its id, so
that the sessions it had stay revoked and the journal's lines keep their
owner, without a trace of who it was). Pure: no I/O."""
from identity import throttling

CLOSED_DOMAIN = "compte-ferme.invalid"  # RFC 2606: no mail ever reaches a .invalid address


def closed_email(account_id):
    """Unique like the address it replaces, and naming nobody."""
    return f"{account_id}@{CLOSED_DOMAIN}"


def throttle_keys(account):
    """The counters kept under the account's address or id."""
    return [throttling.email_key(account.email), throttling.RESET_PER_EMAIL.key(account.email),
            throttling.EMAIL_CHANGE_PER_ACCOUNT.key(account.id), throttling.VERIFICATION_PER_ACCOUNT.key(account.id)]


def anonymise(account, now):
    account.email = closed_email(account.id)
    account.email_verified = False
    account.password_hash = None
    account.active = False
    account.household_id = None
    account.phone = account.street = account.postal_code = account.city = None
    account.closed_at = now
