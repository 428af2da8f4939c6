"""Logins: browser sessions, mobile tokens, and what the gateway asks to check them."""
from nameko.rpc import rpc

from identity import errors, journal, passwords, schemas, sessions, store, throttling, tokens
from identity.entrypoints import steps
from identity.models import RefreshToken, Session, SigningKey
from kit.caller import GATEWAY, ROLES, allow


class SessionEntrypoints:
    """Over the service's `db`."""

    # Browser sessions

    @rpc
    @allow(parts=(GATEWAY,))
    def authenticate(self, caller, email, password, client_ip=None):
        account, client_ip, now, upgraded_hash = self._check_credentials(email, password, client_ip)
        with self.db.transaction() as tx:
            steps.logged_in(tx, account, now, client_ip, upgraded_hash)
            return steps.open_browser_session(tx, account, now)

    @rpc
    @allow(parts=(GATEWAY,))
    def verify_token(self, caller, token):
        if not sessions.is_well_formed(token):
            raise errors.invalid_token()
        with self.db.reading() as session:
            login = store.login_by_token_digest(session, sessions.digest(token))
        if (login is None or not login.account.active
                or sessions.status(login.expires_at, login.revoked_at, steps.now()) != sessions.ACTIVE):
            raise errors.invalid_token()
        return {**schemas.account(login.account), "session_id": str(login.id)}

    @rpc
    @allow(parts=(GATEWAY,))
    def logout(self, caller, token):
        if not sessions.is_well_formed(token):
            raise errors.invalid_token()
        with self.db.transaction() as tx:
            end(tx, store.login_by_token_digest(tx.session, sessions.digest(token)), steps.now())

    @rpc
    @allow(ROLES)
    def end_session(self, caller):
        """A person logs out of the session they call from, with every token it holds."""
        session_id = steps.caller_session(caller)
        with self.db.transaction() as tx:
            login = store.login_of_account(tx.session, caller.account_id, session_id) if session_id else None
            end(tx, login, steps.now())

    # Mobile tokens

    @rpc
    @allow(parts=(GATEWAY,))
    def issue_tokens(self, caller, email, password, client_ip=None):
        account, client_ip, now, upgraded_hash = self._check_credentials(email, password, client_ip)
        key = self._signing_key(now)
        with self.db.transaction() as tx:
            steps.logged_in(tx, account, now, client_ip, upgraded_hash, method="mobile")
            login = Session(token_sha256=None, account_id=account.id, created_at=now,
                            expires_at=tokens.refresh_expiry(now))
            tx.session.add(login)
            tx.session.flush()
            return token_pair(account, login, now, key, keep_refresh_token(tx, login, sessions.new_token(), now))

    @rpc
    @allow(parts=(GATEWAY,))
    def refresh_tokens(self, caller, refresh_token):
        if not sessions.is_well_formed(refresh_token):
            raise errors.invalid_token()
        now = steps.now()
        key = self._signing_key(now)
        with self.db.transaction() as tx:
            presented = store.refresh_token_by_digest(tx.session, sessions.digest(refresh_token))
            if presented is None:
                raise errors.invalid_token()
            login = presented.session
            outcome, successor = exchange(tx, presented, refresh_token, now)
            if outcome == tokens.REUSED:
                # Whoever holds a copy must lose it: the whole session ends, on every device.
                login.revoked_at = sessions.revocation(login.expires_at, login.revoked_at, now)
                store.add_security_event(tx.session, now, journal.REFRESH_TOKEN_REUSED, account_id=login.account_id,
                                         session_id=str(login.id))
            elif (successor is not None and login.account.active
                  and sessions.status(login.expires_at, login.revoked_at, now) == sessions.ACTIVE):
                return token_pair(login.account, login, now, key, successor)
        raise errors.invalid_token()

    @rpc
    @allow(parts=(GATEWAY,))
    def signing_keys(self, caller):
        with self.db.reading() as session:
            return {"keys": [tokens.public_jwk(key.kid, key.private_pem) for key in store.signing_keys(session)]}

    @rpc
    @allow(parts=(GATEWAY,))
    def revoked_sessions(self, caller, since):
        since, now = schemas.since(since), steps.now()
        with self.db.reading() as session:
            revoked = store.sessions_revoked_since(session, since, now)
        return {"session_ids": [str(session_id) for session_id in revoked], "now": now.isoformat()}

    # Their steps

    def _check_credentials(self, email, password, client_ip):
        """`(account, client_ip, now, upgraded hash or None)` when the credentials open an
        account, throttled per address and per client; else Unauthenticated."""
        client_ip = schemas.client_ip(client_ip)
        email, password = schemas.credentials(email, password)
        keys = [throttling.email_key(email)] if email else []
        keys += [throttling.client_key(client_ip)] if client_ip else []
        now = steps.now()
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
        verified = steps.off_the_hub(passwords.verify, account.password_hash if account else None, password)
        if not (verified and account.active):
            self._count_failure(keys, account, email, client_ip, now)
        upgraded_hash = (steps.off_the_hub(passwords.hash_password, password)
                         if passwords.needs_rehash(account.password_hash) else None)
        return account, client_ip, now, upgraded_hash

    def _count_failure(self, keys, account, email, client_ip, now):
        with self.db.transaction() as tx:
            before = store.throttle_counters(tx.session, keys, for_update=True)
            after = {key: throttling.after_failure(key, before[key], now) for key in keys}
            store.save_throttle_counters(tx.session, after)
            who = {"account_id": account and account.id, "client_ip": client_ip}
            store.add_security_event(tx.session, now, journal.LOGIN_FAILED, email=email, **who)
            locked = [key.split(":", 1)[0] for key in keys if throttling.newly_locked(before[key], after[key], now)]
            if locked:
                store.add_security_event(tx.session, now, journal.LOCKED_OUT, email=email, locked=locked, **who)
        wait = throttling.wait(after.values(), now)
        raise errors.too_many_attempts(throttling.minutes(wait)) if wait else errors.invalid_credentials()

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


def exchange(tx, presented, refresh_token, now):
    """`(outcome, successor)` of presenting the refresh token `presented` (read
    from `refresh_token`): a new refresh token; the one it was just exchanged
    for, unused yet (the answer was lost on the way); or none, when it has
    expired or someone else may hold a copy (tokens.REUSED)."""
    outcome = tokens.refresh_outcome(presented.expires_at, presented.rotated_at, now)
    if outcome == tokens.ROTATE:
        successor = sessions.new_token()
        if store.mark_rotated(tx.session, presented.id, now, tokens.seal_successor(refresh_token, successor)):
            return outcome, keep_refresh_token(tx, presented.session, successor, now)
        tx.session.refresh(presented)  # exchanged by another call at this very moment: as if presented again
        outcome = tokens.refresh_outcome(presented.expires_at, presented.rotated_at, now)
    if outcome == tokens.REPLAY:
        successor = tokens.open_successor(refresh_token, presented.successor_sealed)
        kept = store.refresh_token_by_digest(tx.session, sessions.digest(successor)) if successor else None
        if kept is not None and kept.rotated_at is None:
            return outcome, successor
        outcome = tokens.REUSED  # its successor has been used already: this is a copy
    return outcome, None


def keep_refresh_token(tx, login, token, now):
    """The session lasts as long as its newest refresh token."""
    tx.session.add(RefreshToken(token_sha256=sessions.digest(token), session_id=login.id, created_at=now,
                                expires_at=tokens.refresh_expiry(now)))
    login.expires_at = tokens.refresh_expiry(now)
    return token


def token_pair(account, login, now, key, refresh_token):
    """A freshly signed access token, with `refresh_token`."""
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
