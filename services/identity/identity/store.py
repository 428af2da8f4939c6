"""The queries of identity, named after what they fetch or change."""
from dataclasses import asdict

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from identity import throttling
from identity.accounts import FAMILY
from identity.models import (Account, Bootstrap, FranceConnectLink, LinkToken, LoginThrottle, OutboxEvent,
                             RefreshToken, SecurityEvent, Session, SigningKey)


def account_by_id(session, account_id):
    return session.get(Account, account_id)


def account_by_email(session, email):
    return session.scalars(select(Account).where(Account.email == email)).one_or_none()


def active_family_accounts_of_household(session, household_id):
    return session.scalars(
        select(Account)
        .where(Account.household_id == household_id, Account.role == FAMILY, Account.active.is_(True))
        .order_by(Account.created_at, Account.email)).all()


def family_accounts_of_household(session, household_id):
    """Closed ones included: an agent sees every account attached to a household."""
    return session.scalars(
        select(Account).where(Account.household_id == household_id, Account.role == FAMILY)
        .order_by(Account.created_at, Account.email)).all()


def accounts_with_role(session, role=None):
    """Closed accounts aside: nothing is left of them to show."""
    query = select(Account).where(Account.closed_at.is_(None)).order_by(Account.role, Account.email)
    return session.scalars(query if role is None else query.where(Account.role == role)).all()


def add_account(session, **columns):
    """Raises IntegrityError when the e-mail address (or the FranceConnect identity) is taken."""
    # Said even when None, so that the new account reads it after its session has closed.
    account = Account(**{"franceconnect": None, **columns})
    session.add(account)
    session.flush()
    return account


def replace_password_hash(session, account_id, password_hash):
    session.execute(update(Account).where(Account.id == account_id).values(password_hash=password_hash))


def franceconnect_link_by_sub(session, sub):
    return session.scalars(select(FranceConnectLink).where(FranceConnectLink.sub == sub)).one_or_none()


# Sessions and tokens

def login_by_token_digest(session, token_sha256):
    """The login session of that token, with its account."""
    return session.scalars(select(Session).where(Session.token_sha256 == token_sha256)).one_or_none()


def revoke_sessions(session, account_id, now, keep_session_id=None):
    """Ends every session of the account still running, but `keep_session_id`."""
    query = (update(Session)
             .where(Session.account_id == account_id, Session.revoked_at.is_(None), Session.expires_at > now)
             .values(revoked_at=now))
    if keep_session_id is not None:
        query = query.where(Session.id != keep_session_id)
    session.execute(query)


def login_of_account(session, account_id, session_id):
    return session.scalars(select(Session).where(Session.id == session_id, Session.account_id == account_id)).first()


def sessions_revoked_since(session, since, now):
    return session.scalars(
        select(Session.id).where(Session.revoked_at >= since, Session.expires_at > now).order_by(Session.revoked_at)
    ).all()


def refresh_token_by_digest(session, token_sha256):
    return session.scalars(select(RefreshToken).where(RefreshToken.token_sha256 == token_sha256)).one_or_none()


def mark_rotated(session, refresh_token_id, now, successor_sealed):
    """True for the one caller that exchanges this refresh token, even when two race."""
    return session.execute(
        update(RefreshToken).where(RefreshToken.id == refresh_token_id, RefreshToken.rotated_at.is_(None))
        .values(rotated_at=now, successor_sealed=successor_sealed)).rowcount == 1


def newest_signing_key(session):
    return session.scalars(select(SigningKey).order_by(SigningKey.created_at.desc()).limit(1)).one_or_none()


def signing_keys(session):
    return session.scalars(select(SigningKey).order_by(SigningKey.created_at)).all()


# Links e-mailed

def link_by_digest(session, purpose, token_sha256):
    return session.scalars(
        select(LinkToken).where(LinkToken.token_sha256 == token_sha256, LinkToken.purpose == purpose)).one_or_none()


def spend_links(session, account_id, purpose, now):
    """Voids the links of that purpose not used yet: only the newest one works."""
    session.execute(
        update(LinkToken).where(LinkToken.account_id == account_id, LinkToken.purpose == purpose,
                                LinkToken.spent_at.is_(None)).values(spent_at=now))


def spend_link(session, link_id, now):
    """True for the one caller that uses this link, even when two race."""
    return session.execute(
        update(LinkToken).where(LinkToken.id == link_id, LinkToken.spent_at.is_(None))
        .values(spent_at=now)).rowcount == 1


# Throttling and journal

def throttle_counters(session, keys, for_update=False):
    """`{key: throttling.Counter}`, a fresh counter for a key never counted.
    `for_update`: locked until the transaction ends, so that two calls counting
    the same key at once count twice."""
    query = select(LoginThrottle).where(LoginThrottle.key.in_(keys))
    if for_update and keys:
        # A row to lock even for a key never counted: the second of two first counts waits for the first.
        insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
        session.execute(insert(LoginThrottle).values([{"key": key, "failures": 0} for key in keys])
                        .on_conflict_do_nothing())
        query = query.with_for_update()
    rows = {row.key: row for row in session.scalars(query)}
    return {key: throttling.Counter(row.failures, row.started_at, row.last_failure_at, row.locked_until)
            if (row := rows.get(key)) else throttling.Counter() for key in keys}


def save_throttle_counters(session, counters):
    for key, counter in counters.items():
        session.merge(LoginThrottle(key=key, **asdict(counter)))


def forget_failures(session, key):
    session.execute(delete(LoginThrottle).where(LoginThrottle.key == key))


def bootstrap_done(session, step):
    return session.get(Bootstrap, step)


def record_bootstrap(session, step, account_id, now):
    session.add(Bootstrap(step=step, account_id=account_id, done_at=now))


def add_security_event(session, at, action, account_id=None, actor_id=None, client_ip=None, **detail):
    session.add(SecurityEvent(at=at, action=action, account_id=account_id, actor_id=actor_id, client_ip=client_ip,
                              detail=detail))


def security_events(session, account_id, limit):
    query = select(SecurityEvent).order_by(SecurityEvent.at.desc(), SecurityEvent.id).limit(limit)
    return session.scalars(query if account_id is None else query.where(SecurityEvent.account_id == account_id)).all()


# Closing an account and retention (entrypoints/data_rights.py)

def other_family_accounts(session, household_id, account_id):
    """The household's other accounts, deactivated ones included: while one is attached, the household stays."""
    if household_id is None:
        return []
    return [a for a in family_accounts_of_household(session, household_id) if a.id != account_id]


def erase_account_traces(session, account, throttle_keys):
    """What identity holds of an account besides its row: tokens, links, its
    FranceConnect identity, its counters; its journal keeps what was done,
    not from where nor with what address."""
    sessions = select(Session.id).where(Session.account_id == account.id)
    session.execute(delete(RefreshToken).where(RefreshToken.session_id.in_(sessions)))
    session.execute(delete(LinkToken).where(LinkToken.account_id == account.id))
    session.execute(delete(FranceConnectLink).where(FranceConnectLink.account_id == account.id))
    session.execute(delete(LoginThrottle).where(LoginThrottle.key.in_(throttle_keys)))
    session.execute(update(SecurityEvent).where(SecurityEvent.account_id == account.id)
                    .values(client_ip=None, detail={}))
    session.execute(delete(OutboxEvent).where(OutboxEvent.published_at.is_not(None),
                                              OutboxEvent.payload["account_id"].as_string() == str(account.id)))
    session.expire(account, ["franceconnect"])


def unverified_family_accounts_before(session, before):
    return session.scalars(select(Account).where(
        Account.role == FAMILY, Account.email_verified.is_(False), Account.closed_at.is_(None),
        Account.created_at < before)).all()


def delete_account(session, account):
    session.execute(delete(Session).where(Session.account_id == account.id))
    session.execute(delete(SecurityEvent).where(SecurityEvent.account_id == account.id))
    session.delete(account)


def forget_throttles_before(session, before):
    """Counters last touched before `before` (a lock long over, a limit's window long gone)."""
    last = func.coalesce(LoginThrottle.locked_until, LoginThrottle.last_failure_at, LoginThrottle.started_at)
    return session.execute(delete(LoginThrottle).where((last < before) | last.is_(None))).rowcount


def forget_journal_before(session, before):
    return session.execute(delete(SecurityEvent).where(SecurityEvent.at < before)).rowcount
