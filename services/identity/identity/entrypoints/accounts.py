"""Family accounts: opened with a clé enfance, their address verified, and
what other parts read of them."""
from nameko.rpc import rpc

from identity import errors, events, journal, links, passwords, schemas, store, throttling
from identity.entrypoints import steps
from kit.caller import GATEWAY, ROLES, allow


class AccountEntrypoints:
    """Over the service's `db` and `family`."""

    @rpc
    @allow(parts=(GATEWAY,))
    def register(self, caller, email, password, child_key, client_ip=None):
        data = schemas.registration(email, password, child_key)
        client_ip, now = schemas.client_ip(client_ip), steps.now()
        # The clé enfance is checked first: without one, nobody learns which addresses have an account.
        household_id = steps.household_for(self.db, self.family, data["child_key"],
                                           (throttling.CHILD_KEY_FAILURES_PER_CLIENT, client_ip), now)
        steps.check_email_free(self.db, data["email"])
        password_hash = steps.off_the_hub(passwords.hash_password, data["password"])
        return schemas.account(steps.open_family_account(self.db, data["email"], household_id, now,
                                                         password_hash=password_hash))

    @rpc
    @allow(parts=(GATEWAY,))
    def verify_email(self, caller, token):
        now = steps.now()
        with self.db.transaction() as tx:
            account = steps.use_link(tx, links.EMAIL_VERIFICATION, token, now).account
            account.email_verified = True
            store.add_security_event(tx.session, now, journal.EMAIL_VERIFIED, account_id=account.id)
        return schemas.account(account)

    @rpc
    @allow(ROLES)
    def resend_verification(self, caller):
        now = steps.now()
        steps.count_request(self.db, now, (throttling.VERIFICATION_PER_ACCOUNT, caller.account_id))
        with self.db.transaction() as tx:
            account = steps.account_in(tx.session, caller.account_id)
            if account.active and not account.email_verified:
                token = steps.new_link(tx, account, links.EMAIL_VERIFICATION, account.email, now)
                tx.record_events([events.email_verification_requested(account, token)])

    @rpc
    @allow(ROLES, parts=("notify",))
    def get_account(self, caller, account_id=None):
        """A person's own account (another one is as absent as one that does not exist); any one for notify."""
        if caller.is_person:
            if account_id is not None and schemas.account_id(account_id) != caller.account_id:
                raise errors.account_not_found()
            account_id = caller.account_id
        account_id = schemas.account_id(account_id)
        with self.db.reading() as session:
            return schemas.account(steps.account_in(session, account_id))

    @rpc
    @allow(parts=("notify",))
    def household_recipients(self, caller, household_id):
        household_id = schemas.household_id(household_id)
        with self.db.reading() as session:
            return schemas.recipients(store.active_family_accounts_of_household(session, household_id))

    @rpc
    @allow(ROLES)
    def account_journal(self, caller, limit=100):
        """A person's own security journal, newest first."""
        return steps.journal_entries(self.db, caller.account_id, limit)
