"""Counter payments recorded by agents, and what every payment does to its
invoice: the money goes to what is owed, any excess is flagged for a refund,
the status follows, `payment_received` tells notify (the receipt)."""
from datetime import datetime

from nameko.rpc import rpc

from kit.caller import AGENTS, FAMILY, allow
from kit.metrics import count_after_commit

from billing import allocation, events, metrics, schemas, statuses, store
from billing.periods import PARIS
from billing.entrypoints.invoices import not_found


def take_payment(tx, invoice, amount_cents, means, details, received_on, caller, transaction_id=None):
    """Apply a payment to a locked invoice; its row, the invoice's new state and the event, in `tx`."""
    owed = max(invoice.total_cents - invoice.paid_cents, 0)
    if invoice.status == statuses.InvoiceStatus.CANCELLED:
        owed = 0
    spread = allocation.allocate(amount_cents, [allocation.OpenInvoice(invoice.id, owed)])
    payment = store.add_payment(tx.session, invoice, amount_cents, spread.applied_cents, spread.excess_cents,
                                means, details, received_on, caller, transaction_id)
    invoice.paid_cents += spread.applied_cents
    invoice.overpaid_cents += spread.excess_cents
    invoice.status = statuses.settle(invoice.status, invoice.total_cents, invoice.paid_cents, invoice.due_date,
                                     datetime.now(PARIS).date())
    tx.record_events([events.payment_received(payment, invoice)])
    count_after_commit(tx.session, metrics.PAYMENTS.labels(means))
    return payment


def receipt(payment, invoice):
    return {**schemas.PaymentView().dump(payment), "invoice": schemas.InvoiceSummary().dump(invoice)}


class PaymentEntrypoints:
    @rpc
    @allow(AGENTS)
    def record_counter_payment(self, caller, household_id, payment):
        """A payment at the counter; answers the receipt."""
        household_id = caller.household(household_id)
        data = schemas.counter_payment(payment if isinstance(payment, dict) else {})
        details = {key: data[key] for key in ("cheque_number", "bank") if data[key]}
        with self.db.transaction() as tx:
            made_before = tx.made_before(caller, [str(household_id), payment])
            if made_before:
                return receipt(*store.payment_of_household(tx.session, household_id, made_before))
            invoice = store.invoice_of_household(tx.session, household_id, data["number"], lock=True)
            if invoice is None:
                raise not_found()
            allocation.check_means(data["means"], data["amount_cents"], invoice.lines, store.vouchers_paid(invoice))
            received = take_payment(tx, invoice, data["amount_cents"], data["means"], details,
                                    data["received_on"] or datetime.now(PARIS).date(), caller)
            tx.made(received.id)
            return receipt(received, invoice)

    @rpc
    @allow(FAMILY + AGENTS)
    def list_payments(self, caller, household_id=None):
        household_id = caller.household(household_id)
        with self.db.reading() as session:
            return schemas.PaymentView(many=True).dump(store.payments_of_household(session, household_id))
