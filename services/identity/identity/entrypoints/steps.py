"""The steps several entrypoints share, over a transaction, a session or the
service's dependencies (`db`, `family`); the rules themselves stay in the
domain modules."""
import uuid

from eventlet import semaphore, tpool
from sqlalchemy.exc import IntegrityError

from identity import accounts, errors, events, journal, links, schemas, sessions, store, throttling
from identity.models import LinkToken, Session
from kit.errors import Invalid, NotFound
from kit.events import utcnow


def now():
    """The service's clock, in one place (the tests move it)."""
    return utcnow()


# One argon2 computation at a time per identity process: each already spreads
# over 4 lanes (p=4), so a second one at once adds no logins per second
# (bench/logins.py: 1.4 verifications/s on one thread, 1.1 on two) and only
# takes the CPU from the other parts' reads during a burst of logins.
HASHING_SLOTS = 1
_hashing = semaphore.Semaphore(HASHING_SLOTS)


def off_the_hub(function, *args):
    """argon2 spends ~0.1 s of CPU on purpose; in a real thread it does not
    freeze the service's other workers meanwhile, and the others wait their
    turn without holding a thread."""
    with _hashing:
        return tpool.execute(function, *args)


def caller_session(caller):
    """The id of the session a person calls from, or None when it names none of ours."""
    try:
        return uuid.UUID(caller.session_id)
    except (TypeError, ValueError, AttributeError):
        return None


# Accounts

def account_in(session, account_id):
    account = store.account_by_id(session, account_id)
    if account is None:
        raise errors.account_not_found()
    return account


def check_email_free(db, email):
    with db.reading() as session:
        if store.account_by_email(session, email):
            raise errors.email_taken()


def household_for(db, family, child_key, tried, now):
    """The household a clé enfance opens, asked of family; a wrong or unknown
    key counts against `tried`, a `(Limit, subject)`."""
    check_allowance(db, now, tried)
    try:
        found = family.household_for_child_key(child_key)
    except (Invalid, NotFound) as refused:
        count_request(db, now, tried)
        raise (errors.invalid_child_key() if isinstance(refused, Invalid) else errors.unknown_child_key()) from None
    return uuid.UUID(found["household_id"])


def open_family_account(db, email, household_id, now, password_hash=None, franceconnect=None):
    """A new family account, waiting for its address to be verified."""
    try:
        with db.transaction() as tx:
            account = store.add_account(
                tx.session, email=email, password_hash=password_hash, role=accounts.FAMILY,
                household_id=household_id, franceconnect=franceconnect)
            token = new_link(tx, account, links.EMAIL_VERIFICATION, account.email, now)
            store.add_security_event(tx.session, now, journal.ACCOUNT_CREATED, account_id=account.id,
                                     method="franceconnect" if franceconnect else "password")
            tx.record_events([events.account_created(account), events.email_verification_requested(account, token)])
    except IntegrityError:  # the same address (or FranceConnect identity) registered meanwhile
        raise errors.email_taken() from None
    return account


def add_staff(session, email, password_hash, role, now, actor_id=None):
    """An agent or admin account; `actor_id`: the admin who made it, None at the first start."""
    # The deployment or an admin gave the address: nobody has to prove it.
    account = store.add_account(session, email=email, password_hash=password_hash, role=role, email_verified=True)
    store.add_security_event(session, now, journal.AGENT_CREATED, account_id=account.id, actor_id=actor_id,
                             role=account.role)
    return account


def journal_entries(db, account_id, limit):
    query = schemas.journal_query(account_id, limit)
    with db.reading() as session:
        return schemas.journal(store.security_events(session, query["account_id"], query["limit"]))


# Links e-mailed

def new_link(tx, account, purpose, email, now):
    """A new single-use link to `email`, voiding the previous ones of that purpose; its token."""
    store.spend_links(tx.session, account.id, purpose, now)
    token = sessions.new_token()
    tx.session.add(LinkToken(token_sha256=sessions.digest(token), purpose=purpose, account_id=account.id,
                             email=email, created_at=now, expires_at=links.expiry(purpose, now)))
    return token


def usable_link(session, purpose, token, now):
    link = store.link_by_digest(session, purpose, sessions.digest(token)) if sessions.is_well_formed(token) else None
    # A verification or reset link names the address it was sent to: after a change of address, it is void.
    if (link is None or not links.is_usable(link.expires_at, link.spent_at, now) or not link.account.active
            or (purpose != links.EMAIL_CHANGE and link.email != link.account.email)):
        raise errors.invalid_link()
    return link


def use_link(tx, purpose, token, now):
    link = usable_link(tx.session, purpose, token, now)
    if not store.spend_link(tx.session, link.id, now):  # used by another call at this very moment
        raise errors.invalid_link()
    return link


# Limits

def _keys(limited):
    """`{counter key: Limit}` of `(Limit, subject)` pairs; an unknown subject (None) is not counted."""
    return {limit.key(subject): limit for limit, subject in limited if subject is not None}


def check_allowance(db, now, *limited):
    """Refuses the request when one of the `(Limit, subject)` is used up; counts nothing."""
    with db.reading() as session:
        wait = throttling.wait(store.throttle_counters(session, list(_keys(limited))).values(), now)
    if wait is not None:
        raise errors.too_many_requests(throttling.minutes(wait))


def count_request(db, now, *limited):
    """Counts one more request against each `(Limit, subject)`, or refuses it,
    counting nothing, when one of them is used up."""
    keys = _keys(limited)
    with db.transaction() as tx:
        counters = store.throttle_counters(tx.session, list(keys), for_update=True)
        wait = throttling.wait(counters.values(), now)
        if wait is not None:
            raise errors.too_many_requests(throttling.minutes(wait))
        store.save_throttle_counters(
            tx.session, {key: throttling.after_use(limit, counters[key], now) for key, limit in keys.items()})


# Logins

def logged_in(tx, account, now, client_ip, upgraded_hash=None, method="password"):
    if upgraded_hash:
        store.replace_password_hash(tx.session, account.id, upgraded_hash)
    store.forget_failures(tx.session, throttling.email_key(account.email))
    store.add_security_event(tx.session, now, journal.LOGIN_SUCCEEDED, account_id=account.id,
                             client_ip=client_ip, method=method)


def open_browser_session(tx, account, now):
    token = sessions.new_token()
    login = Session(token_sha256=sessions.digest(token), account_id=account.id, created_at=now,
                    expires_at=sessions.expiry(now))
    tx.session.add(login)
    tx.session.flush()
    return {"token": token, "session_id": str(login.id), "expires_at": login.expires_at.isoformat(),
            "account": schemas.account(account)}
