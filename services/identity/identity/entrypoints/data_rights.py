"""The families' data rights at identity: closing one's account, and the
retention periods of what identity keeps (README, "Données personnelles").

Closing revokes every session, erases the credentials, contact details,
links and FranceConnect identity, and tells the other services through
`account_closed`; the other guardians of the household keep their access.
"""
import logging

from nameko.dependency_providers import Config
from nameko.rpc import rpc
from nameko.timer import timer

from identity import closing, events, journal, schemas, store
from identity.entrypoints import steps
from kit import retention
from kit.caller import FAMILY, allow

log = logging.getLogger(__name__)

UNVERIFIED_ACCOUNT_DAYS = 30
THROTTLE_MONTHS = 1
JOURNAL_MONTHS = 12


class DataRightsEntrypoints(retention.OutboxRetention):
    """Over the service's `db`."""

    config = Config()

    @rpc
    @allow(FAMILY)
    def close_account(self, caller):
        now = steps.now()
        with self.db.transaction() as tx:
            account = steps.account_in(tx.session, caller.account_id)
            # An address never confirmed proves nobody: such an account never speaks for the whole household.
            last = account.email_verified and not store.other_family_accounts(
                tx.session, account.household_id, account.id)
            closed = events.account_closed(account, last_of_household=last)
            store.revoke_sessions(tx.session, account.id, now)
            store.erase_account_traces(tx.session, account, closing.throttle_keys(account))
            closing.anonymise(account, now)
            store.add_security_event(tx.session, now, journal.ACCOUNT_CLOSED, account_id=account.id)
            tx.record_events([closed])
        return {"account_id": str(account.id), "last_of_household": last}

    @rpc
    @allow(parts=("vault",))
    def export_household(self, caller, household_id):
        """The household's accounts, with their contact details and security
        journal, for the export of all its data (the vault assembles it)."""
        household_id = schemas.household_id(household_id)
        with self.db.reading() as session:
            accounts = store.family_accounts_of_household(session, household_id)
            return {"comptes": [
                dict(schemas.account(account), coordonnees=schemas.contact_of(account),
                     franceconnect=({"given_name": account.franceconnect.given_name,
                                     "family_name": account.franceconnect.family_name}
                                    if account.franceconnect else None),
                     journal=schemas.journal(store.security_events(session, account.id, journal.MAX_ENTRIES)))
                for account in accounts]}

    @timer(interval=retention.TICK)
    def identity_retention(self):
        """Unverified accounts, old limit counters and old journal lines."""
        now = steps.now()
        unverified_before = retention.days_ago(now, retention.retention_setting(
            self.config, "IDENTITY_UNVERIFIED_ACCOUNT_DAYS", UNVERIFIED_ACCOUNT_DAYS))
        with self.db.transaction() as tx:
            unverified = store.unverified_family_accounts_before(tx.session, unverified_before)
            for account in unverified:
                store.erase_account_traces(tx.session, account, closing.throttle_keys(account))
                store.delete_account(tx.session, account)
            throttles = store.forget_throttles_before(tx.session, retention.months_ago(now, retention.retention_setting(
                self.config, "IDENTITY_THROTTLE_RETENTION_MONTHS", THROTTLE_MONTHS)))
            lines = store.forget_journal_before(tx.session, retention.months_ago(now, retention.retention_setting(
                self.config, "IDENTITY_JOURNAL_RETENTION_MONTHS", JOURNAL_MONTHS)))
        log.info("identity retention: %d unverified accounts, %d counters, %d journal lines removed",
                 len(unverified), throttles, lines)
