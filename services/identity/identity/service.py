"""IdentityService: accounts, credentials and login sessions of the portal."""
import uuid

from eventlet import tpool
from nameko.dependency_providers import Config
from nameko.rpc import RpcProxy, rpc
from nameko.timer import timer
from sqlalchemy.exc import IntegrityError

from identity import accounts, errors, events, passwords, schemas, sessions, store
from identity.models import Base, Session
from kit.db import Database
from kit.errors import Invalid, NotFound
from kit.events import utcnow
from kit.config import setting
from kit.metrics import Metrics


def off_the_hub(function, *args):
    """argon2 spends ~0.1 s of CPU on purpose; in a real thread it does not
    freeze the service's other workers meanwhile."""
    return tpool.execute(function, *args)


class IdentityService:
    name = "identity"

    db = Database(Base)
    metrics = Metrics()
    family = RpcProxy("family")
    config = Config()

    @rpc
    def register(self, email, password, child_key):
        data = schemas.registration(email, password, child_key)
        # The clé enfance is checked first: without one, nobody learns which addresses have an account.
        household_id = self._household_for(data["child_key"])
        with self.db.reading() as session:
            if store.account_by_email(session, data["email"]):
                raise errors.email_taken()
        password_hash = off_the_hub(passwords.hash_password, data["password"])
        try:
            with self.db.transaction() as tx:
                account = store.add_account(
                    tx.session, email=data["email"], password_hash=password_hash,
                    role=accounts.FAMILY, household_id=household_id)
                tx.record_events([events.account_created(account)])
        except IntegrityError:  # the same address registered meanwhile
            raise errors.email_taken() from None
        return schemas.account(account)

    @rpc
    def authenticate(self, email, password):
        email, password = schemas.credentials(email, password)
        account = None
        if email:
            with self.db.reading() as session:
                account = store.account_by_email(session, email)
        # One argon2 verification whether the account exists or not, so timing reveals nothing.
        verified = off_the_hub(passwords.verify, account.password_hash if account else None, password)
        if not (verified and account.active):
            raise errors.invalid_credentials()
        upgraded_hash = (off_the_hub(passwords.hash_password, password)
                         if passwords.needs_rehash(account.password_hash) else None)
        token, now = sessions.new_token(), utcnow()
        with self.db.transaction() as tx:
            if upgraded_hash:
                store.replace_password_hash(tx.session, account.id, upgraded_hash)
            login = Session(token_sha256=sessions.digest(token), account_id=account.id,
                            created_at=now, expires_at=sessions.expiry(now))
            tx.session.add(login)
        return {"token": token, "expires_at": login.expires_at.isoformat(), "account": schemas.account(account)}

    @rpc
    def verify_token(self, token):
        if not sessions.is_well_formed(token):
            raise errors.invalid_token()
        with self.db.reading() as session:
            login = store.login_by_token_digest(session, sessions.digest(token))
        if (login is None or not login.account.active
                or sessions.status(login.expires_at, login.revoked_at, utcnow()) != sessions.ACTIVE):
            raise errors.invalid_token()
        return schemas.account(login.account)

    @rpc
    def logout(self, token):
        if not sessions.is_well_formed(token):
            raise errors.invalid_token()
        with self.db.transaction() as tx:
            login = store.login_by_token_digest(tx.session, sessions.digest(token))
            # Logging out twice, or after expiry, is harmless: the session is over either way.
            if login is not None:
                login.revoked_at = sessions.revocation(login.expires_at, login.revoked_at, utcnow())

    @rpc
    def ensure_agent(self, email, password, role=accounts.AGENT):
        data = schemas.agent(email, password, role)
        with self.db.reading() as session:
            account = store.account_by_email(session, data["email"])
        if account is None:
            password_hash = off_the_hub(passwords.hash_password, data["password"])
            try:
                with self.db.transaction() as tx:
                    account = store.add_account(
                        tx.session, email=data["email"], password_hash=password_hash, role=data["role"])
            except IntegrityError:  # another process bootstrapped the same agent meanwhile
                with self.db.reading() as session:
                    account = store.account_by_email(session, data["email"])
        if account.role != data["role"]:
            raise errors.email_taken()
        return schemas.account(account)

    @timer(interval=3600, eager=True)
    def ensure_bootstrap_agent(self):
        """The first agent comes from the deployment's settings, created at start if missing."""
        email = setting(self.config, "PORTAL_BOOTSTRAP_AGENT_EMAIL")
        password = setting(self.config, "PORTAL_BOOTSTRAP_AGENT_PASSWORD")
        if email and password:
            self.ensure_agent(email, password)

    @rpc
    def household_recipients(self, household_id):
        household_id = schemas.household_id(household_id)
        with self.db.reading() as session:
            return schemas.recipients(store.active_family_accounts_of_household(session, household_id))

    @rpc
    def get_account(self, account_id):
        account_id = schemas.account_id(account_id)
        with self.db.reading() as session:
            account = store.account_by_id(session, account_id)
        if account is None:
            raise errors.account_not_found()
        return schemas.account(account)

    def _household_for(self, child_key):
        try:
            found = self.family.household_for_child_key(child_key)
        except Invalid:
            raise errors.invalid_child_key() from None
        except NotFound:
            raise errors.unknown_child_key() from None
        return uuid.UUID(found["household_id"])
