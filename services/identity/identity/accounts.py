"""Who an account is: its role, and the one spelling of its e-mail address."""

FAMILY, AGENT, ADMIN = "family", "agent", "admin"
ROLES = (FAMILY, AGENT, ADMIN)
# The back office's people; only an admin (or the first start) makes these, never a registration.
STAFF_ROLES = (AGENT, ADMIN)

EMAIL_MAX_LENGTH = 254  # the longest address SMTP can carry (RFC 5321)


def normalise_email(email):
    """" Parent@Exemple.FR " and "parent@exemple.fr" are one person, so one account."""
    return email.strip().lower()
