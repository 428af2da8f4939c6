"""Refunds recorded by agents: what the Caisse gave back to a household for an
invoice, its overpayment then its avoir (billing.refunds); `refund_recorded`
tells notify (the family's e-mail)."""
from nameko.rpc import rpc

from kit.caller import AGENTS, allow

from billing import events, refunds, schemas, store
from billing.entrypoints.invoices import not_found


def refund_view(refund, invoice):
    return {**schemas.RefundView().dump(refund), "invoice": schemas.InvoiceSummary().dump(invoice)}


class RefundEntrypoints:
    @rpc
    @allow(AGENTS)
    def record_refund(self, caller, household_id, refund):
        """A refund made to the household; answers it with its invoice as it stands after."""
        household_id = caller.household(household_id)
        data = schemas.refund(refund if isinstance(refund, dict) else {})
        today = self.settings.today()
        refunded_on = data["refunded_on"] or today
        refunds.check_day(refunded_on, today)
        with self.db.transaction() as tx:
            made_before = tx.made_before(caller, [str(household_id), refund])
            if made_before:
                return refund_view(*store.refund_of_household(tx.session, household_id, made_before))
            invoice = store.invoice_of_household(tx.session, household_id, data["number"], lock=True)
            if invoice is None:
                raise not_found()
            share = refunds.take(data["amount_cents"], refunds.refundable(invoice))
            mandate = store.mandate_of(tx.session, household_id) if data["means"] == refunds.TRANSFER else None
            iban_masked = refunds.account(data["means"], data["iban"], mandate and mandate.iban)
            made = store.add_refund(tx.session, invoice, share, data["means"], iban_masked, data["note"],
                                    refunded_on, caller)
            tx.record_events([events.refund_recorded(made, invoice, refunds.refundable(invoice).cents)])
            tx.made(made.id)
            return refund_view(made, invoice)
