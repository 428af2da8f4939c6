"""The first admin, made from the deployment's settings before identity serves.

    python -m identity.bootstrap          # what `python -m kit.serve identity` runs after migrating

It is made once, ever: the store records that it was done, so that the
settings' password never comes back to life once the admin has changed their
address, their password, or was deactivated. A password the portal would
refuse to anyone is refused at start, before the database is even opened.
"""
import sys

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker

from identity import accounts, passwords, schemas, store
from identity.entrypoints import steps
from kit import keys
from kit.config import database_url, setting
from kit.db import make_engine
from kit.errors import Invalid
from kit.events import utcnow

EMAIL_SETTING, PASSWORD_SETTING = "PORTAL_BOOTSTRAP_AGENT_EMAIL", "PORTAL_BOOTSTRAP_AGENT_PASSWORD"
FIRST_ADMIN = "first_admin"


class BootstrapRefused(keys.RefusedSetting):
    """The settings name an admin that cannot be made; the message names the setting, never a password."""


def settings(config=None):
    """`(email, password)` of the first admin from the settings, checked; None when unset."""
    email, password = setting(config, EMAIL_SETTING), setting(config, PASSWORD_SETTING)
    if not (email or password):
        return None
    if not password:
        raise keys.WeakSecret(f"{PASSWORD_SETTING} is not set: give the first admin a password")
    keys.check_not_placeholder(PASSWORD_SETTING, password)
    reason = passwords.weakness(password)
    if reason:
        raise keys.WeakSecret(f"{PASSWORD_SETTING} does not meet the password policy: {reason}")
    try:
        return schemas.email(email), password
    except Invalid:
        raise BootstrapRefused(f"{EMAIL_SETTING} is not a usable e-mail address") from None


def ensure_bootstrap_admin(sessions, email, password, now):
    """Makes the admin `email` unless the first admin was made already; the new
    account, or None. An address held by someone else than an admin is refused."""
    with sessions() as session:
        if store.bootstrap_done(session, FIRST_ADMIN):
            return None
    password_hash = passwords.hash_password(password)
    made = None
    try:
        with sessions() as session, session.begin():
            existing = store.account_by_email(session, email)
            if existing is not None and existing.role != accounts.ADMIN:
                raise BootstrapRefused(f"{EMAIL_SETTING} is the address of an account that is not an admin")
            if existing is None:
                made = steps.add_staff(session, email, password_hash, accounts.ADMIN, now)
            # An admin made before this record existed is the first one: recorded, left as it is.
            store.record_bootstrap(session, FIRST_ADMIN, (made or existing).id, now)
    except IntegrityError:  # another replica starting at the same moment made it
        return None
    return made


def main(url=None, config=None):
    """The first admin in the database at `url` (identity's own by default), if the settings name one."""
    first_admin = settings(config)
    if first_admin is None:
        return None
    engine = make_engine(url or database_url("identity", config))
    try:
        return ensure_bootstrap_admin(sessionmaker(engine, expire_on_commit=False), *first_admin, utcnow())
    finally:
        engine.dispose()


if __name__ == "__main__":
    main(*sys.argv[1:2])
