"""Passwords: reset through a link e-mailed, or changed by a person logged in."""
from nameko.rpc import rpc

from identity import errors, events, journal, links, passwords, schemas, store, throttling
from identity.entrypoints import steps
from kit.caller import GATEWAY, ROLES, allow


class PasswordEntrypoints:
    """Over the service's `db`."""

    @rpc
    @allow(parts=(GATEWAY,))
    def request_password_reset(self, caller, email, client_ip=None):
        email, client_ip, now = schemas.email(email), schemas.client_ip(client_ip), steps.now()
        # Whether or not the address has an account, the same answer: nothing, or the same refusal.
        steps.count_request(self.db, now, (throttling.RESET_PER_EMAIL, email),
                            (throttling.RESET_PER_CLIENT, client_ip))
        with self.db.transaction() as tx:
            account = store.account_by_email(tx.session, email)
            if account is not None and account.active:
                token = steps.new_link(tx, account, links.PASSWORD_RESET, account.email, now)
                store.add_security_event(tx.session, now, journal.PASSWORD_RESET_REQUESTED, account_id=account.id,
                                         client_ip=client_ip)
                tx.record_events([events.password_reset_requested(account, token)])

    @rpc
    @allow(parts=(GATEWAY,))
    def reset_password(self, caller, token, new_password):
        password = schemas.new_password(new_password)
        with self.db.reading() as session:
            steps.usable_link(session, links.PASSWORD_RESET, token, steps.now())
        password_hash = steps.off_the_hub(passwords.hash_password, password)
        now = steps.now()
        with self.db.transaction() as tx:
            account = steps.use_link(tx, links.PASSWORD_RESET, token, now).account
            account.password_hash = password_hash
            account.email_verified = True  # the link reached that mailbox
            store.revoke_sessions(tx.session, account.id, now)
            store.forget_failures(tx.session, throttling.email_key(account.email))
            store.add_security_event(tx.session, now, journal.PASSWORD_CHANGED, account_id=account.id, by="reset")
            tx.record_events([events.password_changed(account)])

    @rpc
    @allow(ROLES)
    def change_password(self, caller, current_password, new_password):
        """The person's other sessions end; the one they change it from goes on."""
        data = schemas.password_change(current_password, new_password)
        with self.db.reading() as session:
            account = steps.account_in(session, caller.account_id)
        if not steps.off_the_hub(passwords.verify, account.password_hash, data["current_password"]):
            raise errors.wrong_current_password()
        password_hash = steps.off_the_hub(passwords.hash_password, data["new_password"])
        now = steps.now()
        with self.db.transaction() as tx:
            store.replace_password_hash(tx.session, account.id, password_hash)
            store.revoke_sessions(tx.session, account.id, now, keep_session_id=steps.caller_session(caller))
            store.add_security_event(tx.session, now, journal.PASSWORD_CHANGED, account_id=account.id, by="account")
            tx.record_events([events.password_changed(account)])
