"""The events identity emits, with their payloads, in one place.

notify turns each into an e-mail. The ones asking someone to follow a link
carry its single-use `token` only: notify builds the link from the portal's
own address (kit.links), and the outbox blanks the token once published.
"""
from kit.events import new_event

ACCOUNT_CREATED = "account_created"
EMAIL_VERIFICATION_REQUESTED = "email_verification_requested"
PASSWORD_RESET_REQUESTED = "password_reset_requested"
PASSWORD_CHANGED = "password_changed"
EMAIL_CHANGE_REQUESTED = "email_change_requested"
EMAIL_CHANGED = "email_changed"
CONTACT_DETAILS_CHANGED = "contact_details_changed"
ACCOUNT_CLOSED = "account_closed"


def account_created(account):
    """A family has opened its account (notify welcomes it)."""
    return new_event(ACCOUNT_CREATED, account_id=str(account.id), household_id=str(account.household_id))


def email_verification_requested(account, token):
    return new_event(EMAIL_VERIFICATION_REQUESTED, account_id=str(account.id), email=account.email, token=token)


def password_reset_requested(account, token):
    return new_event(PASSWORD_RESET_REQUESTED, account_id=str(account.id), email=account.email, token=token)


def password_changed(account):
    """Told to the account's address, so that a change nobody asked for is noticed."""
    return new_event(PASSWORD_CHANGED, account_id=str(account.id), email=account.email)


def email_change_requested(account, new_email, token):
    """Sent to the NEW address: following the link proves it is the family's."""
    return new_event(EMAIL_CHANGE_REQUESTED, account_id=str(account.id), new_email=new_email, token=token)


def email_changed(account, old_email):
    """Told to the OLD address, so that a hijacked account is noticed."""
    return new_event(EMAIL_CHANGED, account_id=str(account.id), old_email=old_email, new_email=account.email)


def contact_details_changed(account, changed):
    household_id = str(account.household_id) if account.household_id else None
    return new_event(CONTACT_DETAILS_CHANGED, account_id=str(account.id), household_id=household_id,
                     changed=changed)


def account_closed(account, last_of_household):
    """A family closed its account: each service erases what it holds of it,
    and of the household when it was its last account. `former_email` lets
    family and notify find what they keep under that address; the outbox
    forgets it once published (kit.outbox)."""
    household_id = str(account.household_id) if account.household_id else None
    return new_event(ACCOUNT_CLOSED, account_id=str(account.id), household_id=household_id,
                     last_of_household=last_of_household, former_email=account.email)
