"""Invoices as families and agents read them; an agent's cancellation with
its credit note; the invoice's PDF, made once; the period's CSV export."""
import base64
import csv
import io
from datetime import datetime

from nameko.rpc import rpc
from nameko.timer import timer

from kit.caller import AGENTS, FAMILY, allow
from kit.errors import NotFound
from kit.events import utcnow

from billing import carry, events, numbering, pdf, schedule, schemas, statuses, store
from billing.periods import PARIS, Period


OVERDUE_TICK = 3600  # seconds between two looks at due dates


def not_found():
    # another family's invoice is as absent as one that does not exist
    return NotFound("Facture introuvable.", code="invoice_not_found")


class InvoiceEntrypoints:
    @rpc
    @allow(FAMILY + AGENTS)
    def list_invoices(self, caller, household_id=None):
        household_id = caller.household(household_id)
        with self.db.reading() as session:
            return schemas.InvoiceSummary(many=True).dump(store.invoices_of_household(session, household_id))

    @rpc
    @allow(FAMILY + AGENTS)
    def get_invoice(self, caller, number, household_id=None):
        household_id, number = caller.household(household_id), schemas.invoice_number(number)
        with self.db.reading() as session:
            invoice = store.invoice_of_household(session, household_id, number)
            if invoice is None:
                raise not_found()
            return schemas.InvoiceDetail().dump(invoice)

    @rpc
    @allow(AGENTS)
    def search_invoices(self, caller, period=None, status=None, household_id=None):
        wanted = schemas.invoice_filter(period=period, status=status, household_id=household_id)
        with self.db.reading() as session:
            return schemas.InvoiceSummary(many=True).dump(store.search_invoices(session, **wanted))

    @rpc
    @allow(AGENTS)
    def household_account(self, caller, household_id):
        """One household's invoices, payments and balance (positive: it owes; negative: to refund), the
        avoirs carried to later invoices and what is left of them, the refunds and what is left to refund."""
        household_id = caller.household(household_id)
        with self.db.reading() as session:
            invoices = store.invoices_of_household(session, household_id)
            payments = store.payments_of_household(session, household_id)
            refunds = store.refunds_of_household(session, household_id)
            choice = store.online_choice(session, household_id)
            carried = store.carried_credits_of_household(session, household_id)
        summaries = schemas.InvoiceSummary(many=True).dump(invoices)
        return {
            "household_id": str(household_id),
            "invoices": summaries,
            "payments": schemas.PaymentView(many=True).dump(payments),
            "balance_cents": carry.balance_cents(invoices),
            "credit_left_cents": sum(invoice["credit_left_cents"] for invoice in summaries),
            "carried_credits": schemas.CarriedCreditView(many=True).dump(carried),
            "refunds": schemas.RefundView(many=True).dump(refunds),
            "refundable_cents": sum(invoice["refundable_cents"] for invoice in summaries),
            "online_invoice": bool(choice and choice.opted_in),
        }

    @rpc
    @allow(AGENTS)
    def cancel_invoice(self, caller, household_id, number, reason):
        household_id, number = caller.household(household_id), schemas.invoice_number(number)
        reason = schemas.cancel_reason(reason)
        with self.db.transaction() as tx:
            invoice = store.invoice_of_household(tx.session, household_id, number, lock=True)
            if invoice is None:
                raise not_found()
            if invoice.status == statuses.InvoiceStatus.CANCELLED:  # asked again: one credit note, one give-back
                return schemas.InvoiceDetail().dump(invoice)
            invoice.status = statuses.cancel(invoice.status, invoice.paid_cents)
            store.give_back_carried(tx.session, invoice)
            now = utcnow()
            sequence = store.sequence_locked(tx.session, now.astimezone(PARIS).year, numbering.CREDIT_NOTE)
            sequence.last += 1
            invoice.credit_note_number = numbering.credit_note_number(sequence.year, sequence.last)
            invoice.cancelled_at, invoice.cancelled_by, invoice.cancel_reason = now, caller.account_id, reason
            tx.record_events([events.invoice_cancelled(invoice)])
            return schemas.InvoiceDetail().dump(invoice)

    @rpc
    @allow(FAMILY + AGENTS)
    def invoice_pdf(self, caller, number, household_id=None):
        """The invoice as a PDF (base64): made on first asking, then the same bytes every time."""
        household_id, number = caller.household(household_id), schemas.invoice_number(number)
        with self.db.reading() as session:
            invoice = store.invoice_of_household(session, household_id, number)
            if invoice is None:
                raise not_found()
            kept = store.invoice_document(session, invoice.id)
            if kept is not None:
                return {"filename": f"{number}.pdf", "pdf": base64.b64encode(kept.pdf).decode()}
            made = pdf.invoice_pdf(invoice, self.settings)
        with self.db.transaction() as tx:
            kept = store.keep_invoice_document(tx.session, invoice.id, made, utcnow())
        return {"filename": f"{number}.pdf", "pdf": base64.b64encode(kept).decode()}

    @rpc
    @allow(AGENTS)
    def export_period(self, caller, period):
        """The month's invoices as the accounting's CSV (titres de recettes), one row per invoice."""
        month = Period.parse(period)
        with self.db.reading() as session:
            invoices = store.search_invoices(session, period=month.key, limit=None)
        out = io.StringIO()
        writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
        writer.writerow(["numero", "foyer", "periode", "emise_le", "echeance", "montant_cents", "paye_cents",
                         "trop_percu_cents", "statut", "avoir", "rembourse_cents"])
        for invoice in sorted(invoices, key=lambda invoice: invoice.number):
            writer.writerow([invoice.number, invoice.household_id, invoice.period,
                             invoice.issued_at.astimezone(PARIS).date().isoformat(), invoice.due_date.isoformat(),
                             invoice.total_cents, invoice.paid_cents, invoice.overpaid_cents, invoice.status,
                             invoice.credit_note_number or "", invoice.refunded_cents])
        return {"filename": f"factures-{month.key}.csv", "csv": out.getvalue()}

    @timer(interval=OVERDUE_TICK)
    def send_reminders(self):
        """Unpaid invoices are recalled to the family before their due date and after it, each reminder once."""
        today = datetime.now(PARIS).date()
        settings = self.settings
        now, reminders = utcnow(), []
        with self.db.transaction() as tx:
            for invoice in store.unpaid_to_remind(tx.session, today, settings.reminder_days_before):
                kind = schedule.reminder_due(invoice.due_date, invoice.reminded_before_at, invoice.reminded_after_at,
                                             today, settings.reminder_days_before, settings.reminder_days_after)
                if kind == schedule.OVERDUE:  # past its due date, no reminder before it is needed any more
                    invoice.reminded_after_at, invoice.reminded_before_at = now, invoice.reminded_before_at or now
                elif kind == schedule.BEFORE_DUE:
                    invoice.reminded_before_at = now
                if kind:
                    reminders.append(events.invoice_reminder(invoice, kind))
            tx.record_events(reminders)

    @timer(interval=OVERDUE_TICK)
    def mark_overdue(self):
        """Unpaid invoices past their due date become overdue."""
        today = datetime.now(PARIS).date()
        with self.db.transaction() as tx:
            for invoice in store.open_invoices_past_due(tx.session, today):
                invoice.status = statuses.settle(invoice.status, invoice.total_cents, invoice.paid_cents,
                                                 invoice.due_date, today)
