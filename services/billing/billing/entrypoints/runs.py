"""The monthly run: bills the month that ended, by itself early in the next
month (one instance, under a PostgreSQL advisory lock) or when an agent
starts it; an item that arrived late goes on the next invoice, and so does
what is left of a household's avoirs (billing.carry)."""
import logging
import time
from datetime import datetime

from nameko.rpc import rpc
from nameko.timer import timer

from kit.caller import AGENTS, allow
from kit.events import utcnow

from billing import carry, events, lines, metrics, numbering, schedule, schemas, store
from billing.periods import PARIS, Period
from billing.tariffs import TariffBook

log = logging.getLogger(__name__)

TICK = 300  # seconds between two looks at whether the month is due


class RunEntrypoints:
    @rpc
    @allow(AGENTS)
    def run_period(self, caller, period):
        month = Period.parse(period)
        schedule.check_month_over(month, self.settings.today())
        return metrics.measured_run(self._run, month, caller, automatic=False)

    @rpc
    @allow(AGENTS)
    def list_runs(self, caller):
        with self.db.reading() as session:
            return schemas.RunView(many=True).dump(store.runs(session))

    @timer(interval=TICK)
    def monthly_run(self):
        due = schedule.due_for_timer(datetime.now(PARIS), self.settings.run_day, self.settings.run_hour)
        if due is None:
            return
        with self.db.transaction() as tx:  # held while the run goes: the other instances skip it
            if not store.try_timer_lock(tx.session) or store.automatic_run_done(tx.session, due.key):
                return
            result = metrics.measured_run(self._run, due, None, automatic=True)
        log.info("billing: the run of %s made %d invoices", due.key, result["invoices_created"])

    def _billable_month(self, key):
        """family's billable_items of a month, read page by page (each within the RPC timeout)."""
        return schemas.billable_month(lambda after: self.family.billable_items(key, after=after))

    def _run(self, month, caller, automatic):
        started = time.monotonic()
        with self.db.reading() as session:
            earlier = sorted(store.billed_periods(session, schedule.lookback(month, self.settings.lookback_months)))
        answers = [self._billable_month(key) for key in [*earlier, month.key]]
        households = schemas.merge_months(answers)
        with self.db.transaction() as tx:
            sequence = store.lock_runs(tx.session, month.year)
            book = TariffBook(store.tariffs(tx.session))
            invoiced = store.invoiced_households(tx.session, month.key)
            credits = store.open_credits(tx.session)  # under the lock: no other run carries them meanwhile
            billed = store.billed_items(tx.session, (i.item_id for h in households for i in h.items))
            drafts, ledger = [], []
            for household in households:
                if household.household_id in invoiced:
                    continue  # its items that came since go on next month's invoice
                draft = lines.draft_invoice(household, month, book, billed)
                if draft is None:
                    continue
                ledger += [(household.household_id, entry) for entry in draft.ledger]
                if draft.lines:
                    drafts.append(carry.carried_onto(draft, credits.get(household.household_id, ())))
            numbered = numbering.number_in_turn(drafts, sequence.last, month)
            sequence.last += len(numbered)
            now = utcnow()
            invoices = store.save_invoices(tx.session, numbered, ledger, store.online_households(tx.session), now)
            total = sum(draft.total_cents for draft in drafts)
            store.journal_run(tx.session, month.key, caller, len(invoices), total, automatic, now,
                              int((time.monotonic() - started) * 1000))
            # a month of credits only owes nothing: the family reads it on the portal, no e-mail asks to pay
            tx.record_events(events.invoice_ready(invoice) for invoice in invoices if invoice["total_cents"] >= 0)
        return {"period": month.key, "invoices_created": len(invoices),
                "already_invoiced": len(invoiced & {h.household_id for h in households}), "total_cents": total}
