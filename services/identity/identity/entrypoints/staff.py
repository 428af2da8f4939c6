"""The back office: agents act on family accounts, admins on agents' too.

The caller's role is checked at the door (`allow`); the rules of
permissions.py are checked again against the actor's account as stored, so
that an agent closed a moment ago can do nothing more.
"""
from nameko.rpc import rpc
from sqlalchemy.exc import IntegrityError

from identity import errors, journal, passwords, permissions, schemas, store
from identity.entrypoints import steps
from kit.caller import ADMINS, AGENTS, allow


class StaffEntrypoints:
    """Over the service's `db`."""

    @rpc
    @allow(ADMINS)
    def create_agent(self, caller, email, password, role):
        # Who asks is checked before what is asked: nobody learns anything from their input.
        with self.db.reading() as session:
            check(permissions.refusal_to_create_staff(store.account_by_id(session, caller.account_id)))
        data = schemas.agent(email, password, role)
        steps.check_email_free(self.db, data["email"])
        password_hash = steps.off_the_hub(passwords.hash_password, data["password"])
        try:
            with self.db.transaction() as tx:
                account = steps.add_staff(tx.session, data["email"], password_hash, data["role"], steps.now(),
                                          actor_id=caller.account_id)
        except IntegrityError:
            raise errors.email_taken() from None
        return schemas.account(account)

    @rpc
    @allow(AGENTS)
    def set_account_active(self, caller, account_id, active):
        data, now = schemas.account_status(account_id, active), steps.now()
        with self.db.transaction() as tx:
            actor, account = self._actor_and_account(tx.session, caller, data["account_id"])
            check(permissions.refusal_to_set_active(actor, account))
            if account.active != data["active"]:
                account.active = data["active"]
                if not account.active:
                    store.revoke_sessions(tx.session, account.id, now)
                action = journal.ACCOUNT_REACTIVATED if account.active else journal.ACCOUNT_DEACTIVATED
                store.add_security_event(tx.session, now, action, account_id=account.id, actor_id=actor.id)
        return schemas.account(account)

    @rpc
    @allow(AGENTS)
    def detach_account(self, caller, account_id):
        account_id, now = schemas.account_id(account_id), steps.now()
        with self.db.transaction() as tx:
            actor, account = self._actor_and_account(tx.session, caller, account_id)
            check(permissions.refusal_to_detach(actor, account))
            if account.household_id is not None:
                household_id, account.household_id = account.household_id, None
                store.revoke_sessions(tx.session, account.id, now)
                store.add_security_event(tx.session, now, journal.ACCOUNT_DETACHED, account_id=account.id,
                                         actor_id=actor.id, household_id=str(household_id))
        return schemas.account(account)

    @rpc
    @allow(AGENTS)
    def household_accounts(self, caller, household_id):
        household_id = schemas.household_id(household_id)
        with self.db.reading() as session:
            return schemas.account_list(store.family_accounts_of_household(session, household_id))

    @rpc
    @allow(ADMINS)
    def list_accounts(self, caller, role=None):
        role = schemas.role_filter(role)
        with self.db.reading() as session:
            return schemas.account_list(store.accounts_with_role(session, role))

    @rpc
    @allow(ADMINS)
    def security_journal(self, caller, account_id=None, limit=100):
        """One account's journal, or everyone's, newest first."""
        return steps.journal_entries(self.db, account_id, limit)

    def _actor_and_account(self, session, caller, account_id):
        actor = store.account_by_id(session, caller.account_id)
        # Checked before the target is even looked up.
        check(permissions.refusal_to_act_on_accounts(actor))
        return actor, steps.account_in(session, account_id)


def check(refusal):
    if refusal is not None:
        raise errors.forbidden(refusal)
