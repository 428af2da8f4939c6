"""IdentityService: accounts, credentials, login sessions and tokens of the portal,
the links it e-mails, FranceConnect identities, and the security journal."""
import uuid

from eventlet import tpool
from nameko.dependency_providers import Config
from nameko.rpc import RpcProxy, rpc
from nameko.timer import timer
from sqlalchemy.exc import IntegrityError

from identity import (accounts, contact, errors, events, journal, links, passwords, permissions, schemas, sessions,
                      store, throttling, tokens)
from identity.models import Base, FranceConnectLink, LinkToken, RefreshToken, Session, SigningKey
from kit.config import portal_base_url, setting
from kit.db import Database
from kit.errors import Invalid, NotFound
from kit.events import utcnow
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

    # Accounts

    @rpc
    def register(self, email, password, child_key):
        data = schemas.registration(email, password, child_key)
        # The clé enfance is checked first: without one, nobody learns which addresses have an account.
        household_id = self._household_for(data["child_key"])
        self._check_email_free(data["email"])
        password_hash = off_the_hub(passwords.hash_password, data["password"])
        return schemas.account(self._open_family_account(data["email"], household_id, password_hash=password_hash))

    @rpc
    def register_with_franceconnect(self, sub, email, child_key, given_name, family_name):
        data = schemas.franceconnect_registration(sub, email, child_key, given_name, family_name)
        household_id = self._household_for(data["child_key"])
        self._check_email_free(data["email"])
        with self.db.reading() as session:
            if store.franceconnect_link_by_sub(session, data["sub"]):
                raise errors.franceconnect_already_linked()
        link = FranceConnectLink(sub=data["sub"], given_name=data["given_name"], family_name=data["family_name"],
                                 linked_at=utcnow())
        return schemas.account(self._open_family_account(data["email"], household_id, franceconnect=link))

    @rpc
    def verify_email(self, token):
        now = utcnow()
        with self.db.transaction() as tx:
            account = self._use_link(tx, links.EMAIL_VERIFICATION, token, now).account
            account.email_verified = True
            store.add_security_event(tx.session, now, journal.EMAIL_VERIFIED, account_id=account.id)
        return schemas.account(account)

    @rpc
    def resend_verification(self, account_id):
        account_id = schemas.account_id(account_id)
        now = utcnow()
        with self.db.transaction() as tx:
            account = self._account_in(tx.session, account_id)
            if account.active and not account.email_verified:
                url = self._new_link(tx, account, links.EMAIL_VERIFICATION, account.email, now)
                tx.record_events([events.email_verification_requested(account, url)])

    @rpc
    def get_account(self, account_id):
        account_id = schemas.account_id(account_id)
        with self.db.reading() as session:
            return schemas.account(self._account_in(session, account_id))

    @rpc
    def household_recipients(self, household_id):
        household_id = schemas.household_id(household_id)
        with self.db.reading() as session:
            return schemas.recipients(store.active_family_accounts_of_household(session, household_id))

    @rpc
    def household_accounts(self, household_id):
        household_id = schemas.household_id(household_id)
        with self.db.reading() as session:
            return schemas.account_list(store.family_accounts_of_household(session, household_id))

    @rpc
    def list_accounts(self, role=None):
        role = schemas.role_filter(role)
        with self.db.reading() as session:
            return schemas.account_list(store.accounts_with_role(session, role))

    # Browser sessions

    @rpc
    def authenticate(self, email, password, client_ip=None):
        account, client_ip, now, upgraded_hash = self._check_credentials(email, password, client_ip)
        with self.db.transaction() as tx:
            self._logged_in(tx, account, now, client_ip, upgraded_hash)
            return self._open_browser_session(tx, account, now)

    @rpc
    def login_with_franceconnect(self, sub, client_ip=None):
        client_ip = schemas.client_ip(client_ip)
        sub, now = schemas.franceconnect_sub(sub), utcnow()
        with self.db.transaction() as tx:
            link = store.franceconnect_link_by_sub(tx.session, sub) if sub else None
            if link is None:
                raise errors.franceconnect_not_linked()
            if not link.account.active:
                raise errors.invalid_credentials()
            self._logged_in(tx, link.account, now, client_ip, method="franceconnect")
            return self._open_browser_session(tx, link.account, now)

    @rpc
    def verify_token(self, token):
        if not sessions.is_well_formed(token):
            raise errors.invalid_token()
        with self.db.reading() as session:
            login = store.login_by_token_digest(session, sessions.digest(token))
        if (login is None or not login.account.active
                or sessions.status(login.expires_at, login.revoked_at, utcnow()) != sessions.ACTIVE):
            raise errors.invalid_token()
        return {**schemas.account(login.account), "session_id": str(login.id)}

    @rpc
    def logout(self, token):
        if not sessions.is_well_formed(token):
            raise errors.invalid_token()
        with self.db.transaction() as tx:
            end(tx, store.login_by_token_digest(tx.session, sessions.digest(token)), utcnow())

    @rpc
    def end_session(self, account_id, session_id):
        """A mobile app logs out: its session ends, with every token it holds."""
        data = schemas.session_end(account_id, session_id)
        with self.db.transaction() as tx:
            end(tx, store.login_of_account(tx.session, data["account_id"], data["session_id"]), utcnow())

    # Mobile tokens

    @rpc
    def issue_tokens(self, email, password, client_ip=None):
        account, client_ip, now, upgraded_hash = self._check_credentials(email, password, client_ip)
        key = self._signing_key(now)
        with self.db.transaction() as tx:
            self._logged_in(tx, account, now, client_ip, upgraded_hash, method="mobile")
            login = Session(token_sha256=None, account_id=account.id, created_at=now,
                            expires_at=tokens.refresh_expiry(now))
            tx.session.add(login)
            tx.session.flush()
            return self._token_pair(tx, login, account, now, key)

    @rpc
    def refresh_tokens(self, refresh_token):
        if not sessions.is_well_formed(refresh_token):
            raise errors.invalid_token()
        now = utcnow()
        key = self._signing_key(now)
        with self.db.transaction() as tx:
            presented = store.refresh_token_by_digest(tx.session, sessions.digest(refresh_token))
            if presented is None:
                raise errors.invalid_token()
            login, outcome = presented.session, tokens.refresh_outcome(presented.expires_at, presented.rotated_at, now)
            if outcome == tokens.ROTATE and not store.mark_rotated(tx.session, presented.id, now):
                outcome = tokens.REUSED  # exchanged by another call at this very moment
            if outcome == tokens.REUSED:
                # Whoever holds a copy must lose it: the whole session ends, on every device.
                login.revoked_at = sessions.revocation(login.expires_at, login.revoked_at, now)
                store.add_security_event(tx.session, now, journal.REFRESH_TOKEN_REUSED, account_id=login.account_id,
                                         session_id=str(login.id))
            elif (outcome == tokens.ROTATE and login.account.active
                  and sessions.status(login.expires_at, login.revoked_at, now) == sessions.ACTIVE):
                return self._token_pair(tx, login, login.account, now, key)
        raise errors.invalid_token()

    @rpc
    def signing_keys(self):
        with self.db.reading() as session:
            return {"keys": [tokens.public_jwk(key.kid, key.private_pem) for key in store.signing_keys(session)]}

    @rpc
    def revoked_sessions(self, since):
        since, now = schemas.since(since), utcnow()
        with self.db.reading() as session:
            revoked = store.sessions_revoked_since(session, since, now)
        return {"session_ids": [str(session_id) for session_id in revoked], "now": now.isoformat()}

    # Passwords

    @rpc
    def request_password_reset(self, email, client_ip=None):
        email, client_ip, now = schemas.email(email), schemas.client_ip(client_ip), utcnow()
        # Whether or not the address has an account, the same answer: nothing.
        with self.db.transaction() as tx:
            account = store.account_by_email(tx.session, email)
            if account is not None and account.active:
                url = self._new_link(tx, account, links.PASSWORD_RESET, account.email, now)
                store.add_security_event(tx.session, now, journal.PASSWORD_RESET_REQUESTED, account_id=account.id,
                                         client_ip=client_ip)
                tx.record_events([events.password_reset_requested(account, url)])

    @rpc
    def reset_password(self, token, new_password):
        password = schemas.new_password(new_password)
        with self.db.reading() as session:
            self._usable_link(session, links.PASSWORD_RESET, token, utcnow())
        password_hash = off_the_hub(passwords.hash_password, password)
        now = utcnow()
        with self.db.transaction() as tx:
            account = self._use_link(tx, links.PASSWORD_RESET, token, now).account
            account.password_hash = password_hash
            account.email_verified = True  # the link reached that mailbox
            store.revoke_sessions(tx.session, account.id, now)
            store.forget_failures(tx.session, throttling.email_key(account.email))
            store.add_security_event(tx.session, now, journal.PASSWORD_CHANGED, account_id=account.id, by="reset")
            tx.record_events([events.password_changed(account)])

    @rpc
    def change_password(self, account_id, current_password, new_password, keep_session_id=None):
        account_id = schemas.account_id(account_id)
        data = schemas.password_change(current_password, new_password, keep_session_id)
        with self.db.reading() as session:
            account = self._account_in(session, account_id)
        if not off_the_hub(passwords.verify, account.password_hash, data["current_password"]):
            raise errors.wrong_current_password()
        password_hash = off_the_hub(passwords.hash_password, data["new_password"])
        now = utcnow()
        with self.db.transaction() as tx:
            store.replace_password_hash(tx.session, account.id, password_hash)
            store.revoke_sessions(tx.session, account.id, now, keep_session_id=data["keep_session_id"])
            store.add_security_event(tx.session, now, journal.PASSWORD_CHANGED, account_id=account.id, by="account")
            tx.record_events([events.password_changed(account)])

    # Contact details

    @rpc
    def get_contact(self, account_id):
        account_id = schemas.account_id(account_id)
        with self.db.reading() as session:
            return schemas.contact_of(self._account_in(session, account_id))

    @rpc
    def update_contact(self, account_id, phone=None, address=None):
        account_id = schemas.account_id(account_id)
        data = schemas.contact_details(phone, address)
        now = utcnow()
        with self.db.transaction() as tx:
            account = self._account_in(tx.session, account_id)
            before = schemas.contact_of(account)
            address = data["address"] or {"street": None, "postal_code": None, "city": None}
            account.phone, account.street, account.postal_code, account.city = (
                data["phone"], address["street"], address["postal_code"], address["city"])
            after = schemas.contact_of(account)
            changed = contact.changes(before, after)
            if changed:
                store.add_security_event(tx.session, now, journal.CONTACT_DETAILS_CHANGED, account_id=account.id,
                                         changed=changed)
                tx.record_events([events.contact_details_changed(account, changed)])
        return after

    @rpc
    def request_email_change(self, account_id, new_email, password):
        account_id = schemas.account_id(account_id)
        data = schemas.email_change(new_email, password)
        with self.db.reading() as session:
            account = self._account_in(session, account_id)
        if account.password_hash is None:
            raise errors.password_required()
        if not off_the_hub(passwords.verify, account.password_hash, data["password"]):
            raise errors.wrong_password()
        if data["new_email"] == account.email:
            raise errors.same_email()
        self._check_email_free(data["new_email"])
        now = utcnow()
        with self.db.transaction() as tx:
            url = self._new_link(tx, account, links.EMAIL_CHANGE, data["new_email"], now)
            store.add_security_event(tx.session, now, journal.EMAIL_CHANGE_REQUESTED, account_id=account.id,
                                     new_email=data["new_email"])
            tx.record_events([events.email_change_requested(account, data["new_email"], url)])

    @rpc
    def confirm_email_change(self, token):
        now = utcnow()
        try:
            with self.db.transaction() as tx:
                link = self._use_link(tx, links.EMAIL_CHANGE, token, now)
                if store.account_by_email(tx.session, link.email):
                    raise errors.email_taken()
                account, old_email = link.account, link.account.email
                account.email, account.email_verified = link.email, True
                store.add_security_event(tx.session, now, journal.EMAIL_CHANGED, account_id=account.id,
                                         old_email=old_email, new_email=account.email)
                tx.record_events([events.email_changed(account, old_email)])
        except IntegrityError:  # the new address registered meanwhile
            raise errors.email_taken() from None
        return schemas.account(account)

    # FranceConnect links

    @rpc
    def link_franceconnect(self, account_id, sub, given_name, family_name):
        account_id = schemas.account_id(account_id)
        data = schemas.franceconnect_identity(sub, given_name, family_name)
        now = utcnow()
        try:
            with self.db.transaction() as tx:
                account = self._account_in(tx.session, account_id)
                holder = store.franceconnect_link_by_sub(tx.session, data["sub"])
                if holder is not None and holder.account_id != account.id:
                    raise errors.franceconnect_already_linked()
                if account.franceconnect is None:
                    account.franceconnect = FranceConnectLink(linked_at=now, **data)
                else:  # another FranceConnect identity of the same person replaces the first
                    for name, value in dict(data, linked_at=now).items():
                        setattr(account.franceconnect, name, value)
                store.add_security_event(tx.session, now, journal.FRANCECONNECT_LINKED, account_id=account.id)
        except IntegrityError:  # linked to another account meanwhile
            raise errors.franceconnect_already_linked() from None
        return schemas.account(account)

    @rpc
    def unlink_franceconnect(self, account_id):
        account_id = schemas.account_id(account_id)
        now = utcnow()
        with self.db.transaction() as tx:
            account = self._account_in(tx.session, account_id)
            if account.password_hash is None:
                raise errors.password_required()
            if account.franceconnect is not None:
                account.franceconnect = None
                store.add_security_event(tx.session, now, journal.FRANCECONNECT_UNLINKED, account_id=account.id)
        return schemas.account(account)

    # The back office

    @rpc
    def ensure_agent(self, email, password, role=accounts.AGENT):
        data = schemas.agent(email, password, role)
        with self.db.reading() as session:
            account = store.account_by_email(session, data["email"])
        if account is None:
            password_hash = off_the_hub(passwords.hash_password, data["password"])
            try:
                with self.db.transaction() as tx:
                    account = self._add_staff(tx, data, password_hash, actor_id=None)
            except IntegrityError:  # another process bootstrapped the same agent meanwhile
                with self.db.reading() as session:
                    account = store.account_by_email(session, data["email"])
        if account.role != data["role"]:
            raise errors.email_taken()
        return schemas.account(account)

    @timer(interval=3600, eager=True)
    def ensure_bootstrap_agent(self):
        """The first agent comes from the deployment's settings, created at start if missing.
        It is an admin, so that it can create the other agents."""
        email = setting(self.config, "PORTAL_BOOTSTRAP_AGENT_EMAIL")
        password = setting(self.config, "PORTAL_BOOTSTRAP_AGENT_PASSWORD")
        if email and password:
            self.ensure_agent(email, password, accounts.ADMIN)

    @rpc
    def create_agent(self, actor_id, email, password, role):
        # Who asks is checked before what is asked: a family learns nothing from its input.
        actor_id = schemas.actor_id(actor_id)
        with self.db.reading() as session:
            self._check(permissions.refusal_to_create_staff(store.account_by_id(session, actor_id)))
        data = schemas.agent(email, password, role)
        self._check_email_free(data["email"])
        password_hash = off_the_hub(passwords.hash_password, data["password"])
        try:
            with self.db.transaction() as tx:
                account = self._add_staff(tx, data, password_hash, actor_id=actor_id)
        except IntegrityError:
            raise errors.email_taken() from None
        return schemas.account(account)

    @rpc
    def set_account_active(self, actor_id, account_id, active):
        data = schemas.account_status(actor_id, account_id, active)
        now = utcnow()
        with self.db.transaction() as tx:
            actor = store.account_by_id(tx.session, data["actor_id"])
            self._check(permissions.refusal_to_act_on_accounts(actor))
            account = self._account_in(tx.session, data["account_id"])
            self._check(permissions.refusal_to_set_active(actor, account))
            if account.active != data["active"]:
                account.active = data["active"]
                if not account.active:
                    store.revoke_sessions(tx.session, account.id, now)
                action = journal.ACCOUNT_REACTIVATED if account.active else journal.ACCOUNT_DEACTIVATED
                store.add_security_event(tx.session, now, action, account_id=account.id, actor_id=actor.id)
        return schemas.account(account)

    @rpc
    def detach_account(self, actor_id, account_id):
        actor_id, account_id = schemas.actor_id(actor_id), schemas.account_id(account_id)
        now = utcnow()
        with self.db.transaction() as tx:
            actor = store.account_by_id(tx.session, actor_id)
            self._check(permissions.refusal_to_act_on_accounts(actor))
            account = self._account_in(tx.session, account_id)
            self._check(permissions.refusal_to_detach(actor, account))
            if account.household_id is not None:
                household_id, account.household_id = account.household_id, None
                store.revoke_sessions(tx.session, account.id, now)
                store.add_security_event(tx.session, now, journal.ACCOUNT_DETACHED, account_id=account.id,
                                         actor_id=actor.id, household_id=str(household_id))
        return schemas.account(account)

    @rpc
    def security_journal(self, account_id=None, limit=100):
        query = schemas.journal_query(account_id, limit)
        with self.db.reading() as session:
            return schemas.journal(store.security_events(session, query["account_id"], query["limit"]))

    # Shared steps

    def _account_in(self, session, account_id):
        account = store.account_by_id(session, account_id)
        if account is None:
            raise errors.account_not_found()
        return account

    def _check(self, refusal):
        if refusal is not None:
            raise errors.forbidden(refusal)

    def _check_email_free(self, email):
        with self.db.reading() as session:
            if store.account_by_email(session, email):
                raise errors.email_taken()

    def _household_for(self, child_key):
        try:
            found = self.family.household_for_child_key(child_key)
        except Invalid:
            raise errors.invalid_child_key() from None
        except NotFound:
            raise errors.unknown_child_key() from None
        return uuid.UUID(found["household_id"])

    def _open_family_account(self, email, household_id, password_hash=None, franceconnect=None):
        """A new family account, waiting for its address to be verified."""
        now = utcnow()
        try:
            with self.db.transaction() as tx:
                account = store.add_account(
                    tx.session, email=email, password_hash=password_hash, role=accounts.FAMILY,
                    household_id=household_id, franceconnect=franceconnect)
                url = self._new_link(tx, account, links.EMAIL_VERIFICATION, account.email, now)
                store.add_security_event(tx.session, now, journal.ACCOUNT_CREATED, account_id=account.id,
                                         method="franceconnect" if franceconnect else "password")
                tx.record_events([events.account_created(account), events.email_verification_requested(account, url)])
        except IntegrityError:  # the same address (or FranceConnect identity) registered meanwhile
            raise errors.email_taken() from None
        return account

    def _add_staff(self, tx, data, password_hash, actor_id):
        # The deployment or an admin gave the address: nobody has to prove it.
        account = store.add_account(tx.session, email=data["email"], password_hash=password_hash,
                                    role=data["role"], email_verified=True)
        store.add_security_event(tx.session, utcnow(), journal.AGENT_CREATED, account_id=account.id,
                                 actor_id=actor_id, role=account.role)
        return account

    def _new_link(self, tx, account, purpose, email, now):
        """A new single-use link to `email`, voiding the previous ones of that purpose; its URL."""
        store.spend_links(tx.session, account.id, purpose, now)
        token = sessions.new_token()
        tx.session.add(LinkToken(token_sha256=sessions.digest(token), purpose=purpose, account_id=account.id,
                                 email=email, created_at=now, expires_at=links.expiry(purpose, now)))
        return links.url(portal_base_url(self.config), purpose, token)

    def _usable_link(self, session, purpose, token, now):
        link = store.link_by_digest(session, purpose, sessions.digest(token)) if sessions.is_well_formed(token) else None
        # A verification or reset link names the address it was sent to: after a change of address, it is void.
        if (link is None or not links.is_usable(link.expires_at, link.spent_at, now) or not link.account.active
                or (purpose != links.EMAIL_CHANGE and link.email != link.account.email)):
            raise errors.invalid_link()
        return link

    def _use_link(self, tx, purpose, token, now):
        link = self._usable_link(tx.session, purpose, token, now)
        if not store.spend_link(tx.session, link.id, now):  # used by another call at this very moment
            raise errors.invalid_link()
        return link

    def _check_credentials(self, email, password, client_ip):
        """`(account, client_ip, now, upgraded hash or None)` when the credentials open an
        account, throttled per address and per client; else Unauthenticated."""
        client_ip = schemas.client_ip(client_ip)
        email, password = schemas.credentials(email, password)
        keys = [throttling.email_key(email)] if email else []
        keys += [throttling.client_key(client_ip)] if client_ip else []
        now = utcnow()
        with self.db.reading() as session:
            account = store.account_by_email(session, email) if email else None
            counters = store.throttle_counters(session, keys)
        wait = throttling.wait(counters.values(), now)
        if wait is not None:
            # Locked: the password is not even checked, for an existing address or not.
            with self.db.transaction() as tx:
                store.add_security_event(tx.session, now, journal.LOGIN_FAILED, account_id=account and account.id,
                                         client_ip=client_ip, email=email, reason="locked")
            raise errors.too_many_attempts(throttling.minutes(wait))
        # One argon2 verification whether the account exists or not, so timing reveals nothing.
        verified = off_the_hub(passwords.verify, account.password_hash if account else None, password)
        if not (verified and account.active):
            self._count_failure(keys, account, email, client_ip, now)
        upgraded_hash = (off_the_hub(passwords.hash_password, password)
                         if passwords.needs_rehash(account.password_hash) else None)
        return account, client_ip, now, upgraded_hash

    def _count_failure(self, keys, account, email, client_ip, now, retry=True):
        try:
            with self.db.transaction() as tx:
                before = store.throttle_counters(tx.session, keys, for_update=True)
                after = {key: throttling.after_failure(key, before[key], now) for key in keys}
                store.save_throttle_counters(tx.session, after)
                who = {"account_id": account and account.id, "client_ip": client_ip}
                store.add_security_event(tx.session, now, journal.LOGIN_FAILED, email=email, **who)
                locked = [key.split(":", 1)[0] for key in keys if throttling.newly_locked(before[key], after[key], now)]
                if locked:
                    store.add_security_event(tx.session, now, journal.LOCKED_OUT, email=email, locked=locked, **who)
        except IntegrityError:  # a first failure of the same key counted meanwhile
            if not retry:
                raise
            self._count_failure(keys, account, email, client_ip, now, retry=False)
        wait = throttling.wait(after.values(), now)
        raise errors.too_many_attempts(throttling.minutes(wait)) if wait else errors.invalid_credentials()

    def _logged_in(self, tx, account, now, client_ip, upgraded_hash=None, method="password"):
        if upgraded_hash:
            store.replace_password_hash(tx.session, account.id, upgraded_hash)
        store.forget_failures(tx.session, throttling.email_key(account.email))
        store.add_security_event(tx.session, now, journal.LOGIN_SUCCEEDED, account_id=account.id,
                                 client_ip=client_ip, method=method)

    def _open_browser_session(self, tx, account, now):
        token = sessions.new_token()
        login = Session(token_sha256=sessions.digest(token), account_id=account.id, created_at=now,
                        expires_at=sessions.expiry(now))
        tx.session.add(login)
        tx.session.flush()
        return {"token": token, "session_id": str(login.id), "expires_at": login.expires_at.isoformat(),
                "account": schemas.account(account)}

    def _signing_key(self, now):
        """`(kid, private PEM)` of the key signing access tokens, made on first need."""
        with self.db.reading() as session:
            key = store.newest_signing_key(session)
        if key is None:
            kid, pem = tokens.new_signing_key()
            with self.db.transaction() as tx:
                tx.session.add(SigningKey(kid=kid, private_pem=pem, created_at=now))
            return kid, pem
        return key.kid, key.private_pem

    def _token_pair(self, tx, login, account, now, key):
        """A new access token and a new refresh token for the session, which lasts as long as the latter."""
        refresh_token = sessions.new_token()
        tx.session.add(RefreshToken(token_sha256=sessions.digest(refresh_token), session_id=login.id,
                                    created_at=now, expires_at=tokens.refresh_expiry(now)))
        login.expires_at = tokens.refresh_expiry(now)
        kid, private_pem = key
        return {"access_token": tokens.sign(tokens.access_claims(account, login.id, now), kid, private_pem),
                "refresh_token": refresh_token, "expires_in": int(tokens.ACCESS_LIFETIME.total_seconds()),
                "session_id": str(login.id), "account": schemas.account(account)}


def end(tx, login, now):
    # Logging out twice, or after expiry, is harmless: the session is over either way.
    if login is not None and login.revoked_at is None:
        login.revoked_at = sessions.revocation(login.expires_at, login.revoked_at, now)
        if login.revoked_at is not None:
            store.add_security_event(tx.session, now, journal.LOGGED_OUT, account_id=login.account_id)
