"""The events identity emits, with their payloads, in one place."""
from kit.events import new_event

ACCOUNT_CREATED = "account_created"


def account_created(account):
    """A family has opened its account (notify welcomes it)."""
    return new_event(ACCOUNT_CREATED, account_id=str(account.id), household_id=str(account.household_id))
