"""What the vault does on its own: tells families before a document
expires, applies the retention periods, sweeps the store, and does its part
when a family closes its account.

The timer ticks on every replica; the one that locks the job's row (and
finds the last run old enough) does the work, the others skip it.
"""
import logging
from datetime import datetime, timedelta

from kit.consumers import Unprocessable, event_handler
from nameko.timer import timer

from kit.caller import Caller
from kit.events import utcnow
from vault import categories, events, journal, objects, retention, schemas, store

log = logging.getLogger(__name__)

TICK = 60  # seconds between two looks at whether the job is due
VAULT = Caller(part="vault")


class Housekeeping:
    @timer(interval=TICK)
    def housekeeping(self):
        now = utcnow()
        with self.db.transaction() as tx:
            due = store.lock_job(tx.session, "housekeeping", now, timedelta(seconds=self.settings.housekeeping_seconds))
        if not due:
            return
        for step in (self.tell_expiring, self.apply_retention, self.forget_exports, self.sweep_store):
            try:
                step(now)
            except Exception:  # one step failing (a store away) does not stop the others
                log.exception("vault housekeeping: %s failed", step.__name__)

    def tell_expiring(self, now):
        """One e-mail per document, some days before its validity ends."""
        notice_before = categories.paris_day(now) + timedelta(days=self.settings.expiry_notice_days)
        with self.db.transaction() as tx:
            due = store.documents_to_notify(tx.session, notice_before)
            for document in due:
                document.expiry_notified_at = now
            tx.record_events([events.document_expiring(d) for d in due])

    def apply_retention(self, now):
        periods = self.settings.retention
        today = categories.paris_day(now)
        removed = []
        with self.db.transaction() as tx:
            for document in store.documents_expired_before(
                    tx.session, retention.expired_documents_before(today, periods)):
                shares = store.shares_of_documents(tx.session, [document.id])
                requests = store.requests_by_id(tx.session, [s.request_id for s in shares])
                if retention.kept_for_request(shares, requests):
                    continue
                self._shred(tx.session, document, shares, VAULT, journal.RETENTION_DELETE, now)
                removed.append(document.storage_key)
            forgotten = store.forget_journal_before(tx.session, retention.journal_before(now, periods))
            published = store.forget_published_before(tx.session, retention.outbox_before(now, periods))
            store.forget_processed_before(tx.session, retention.outbox_before(now, periods))
        for key in removed:
            self._remove_object(key)
        log.info("vault retention: %d expired documents deleted, %d journal lines and %d published events forgotten",
                 len(removed), forgotten, published)

    def sweep_store(self, now):
        """Objects no live row names (an upload that failed halfway, a deleted
        document whose object stayed) are removed once older than the grace
        period; live rows whose object is missing are reported."""
        grace = now - timedelta(hours=self.settings.retention.orphan_grace_hours)
        stored = dict(self.storage.keys())
        with self.db.reading() as session:
            rows = store.keys_of_rows(session, stored)
            live = store.live_keys(session)
            exports = store.live_export_keys(session)
        for key, modified in stored.items():
            if key not in exports and retention.is_orphan(rows.get(key)) and _aware(modified) < grace:
                self.storage.remove(key)
                objects.ORPHANS_REMOVED.inc()
        missing = live - set(stored)
        objects.MISSING_OBJECTS.set(len(missing))
        for key in sorted(missing)[:50]:
            log.error("vault sweep: the object %s of a live document is missing from the store", key)

    @event_handler("identity", "account_closed")
    def on_account_closed(self, payload):
        """The vault's part of closing an account: when it was the household's
        last account, every document is shredded and every row of the household
        erased; otherwise the other guardians keep the safe and the closed
        account's id leaves every row."""
        problems = schemas.AccountClosed().validate(payload)
        if problems:
            raise Unprocessable(f"malformed account_closed {payload.get('event_id')}: {sorted(problems)}")
        closed = schemas.AccountClosed().load(payload)
        removed = []
        with self.db.transaction() as tx:
            if not tx.first_time(closed["event_id"]):
                return
            store.anonymise_account(tx.session, closed["account_id"])
            removed = store.erase_exports(tx.session, closed["account_id"])
            if closed["last_of_household"] and closed["household_id"] is not None:
                removed += [d.storage_key for d in store.household_documents(tx.session, closed["household_id"])]
                removed += store.erase_exports(tx.session, None, closed["household_id"])
                store.erase_household(tx.session, closed["household_id"])
        for key in removed:
            self._remove_object(key)


def _aware(moment):
    return moment if moment.tzinfo else moment.replace(tzinfo=datetime.now().astimezone().tzinfo)
