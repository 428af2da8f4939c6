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

MAX_ENTRIES = 500
