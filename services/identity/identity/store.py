"""The queries of identity, named after what they fetch."""
from sqlalchemy import select, update

from identity.accounts import FAMILY
from identity.models import Account, Session


def account_by_id(session, account_id):
    return session.get(Account, account_id)


def account_by_email(session, email):
    return session.scalars(select(Account).where(Account.email == email)).one_or_none()


def active_family_accounts_of_household(session, household_id):
    return session.scalars(
        select(Account)
        .where(Account.household_id == household_id, Account.role == FAMILY, Account.active.is_(True))
        .order_by(Account.created_at, Account.email)).all()


def login_by_token_digest(session, token_sha256):
    """The login session of that token, with its account."""
    return session.scalars(select(Session).where(Session.token_sha256 == token_sha256)).one_or_none()


def add_account(session, **columns):
    """Raises IntegrityError when the e-mail address is taken."""
    account = Account(**columns)
    session.add(account)
    session.flush()
    return account


def replace_password_hash(session, account_id, password_hash):
    session.execute(update(Account).where(Account.id == account_id).values(password_hash=password_hash))
