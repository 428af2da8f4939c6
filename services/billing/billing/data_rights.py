"""The families' data rights at billing.

Invoices are accounting documents: the Caisse des écoles keeps them, as they
were issued, ten years (`BILLING_RETENTION_YEARS`), whoever closes an account
meanwhile. They name the household by its id and the children by the first
name the invoice was issued with, nothing more; closing an account changes
none of it, so billing does not listen to `account_closed`. Payments, the PDF,
direct debits and refunds of an invoice go with it.
"""
import logging

from nameko.dependency_providers import Config
from nameko.rpc import rpc
from nameko.timer import timer
from sqlalchemy import delete, select

from kit import retention
from kit.caller import allow
from kit.events import utcnow

from billing import schemas, store
from billing.entrypoints.direct_debit import mandate_view
from billing.models import DebitCollection, Invoice, InvoiceDocument, OnlinePayment, Payment, Refund

log = logging.getLogger(__name__)

YEARS = 10


def kept_since(now, years):
    """Invoices issued before this instant have been kept long enough."""
    return retention.months_ago(now, float(years) * 12)


class BillingDataRights(retention.OutboxRetention):
    """Over the service's `db`."""

    config = Config()

    @rpc
    @allow(parts=("vault",))
    def export_household(self, caller, household_id):
        """Every invoice of a household with its lines, payments and refunds, and its SEPA mandate (the IBAN
        in full: it is the family's own), for the export of all its data (the vault assembles it)."""
        household_id = caller.household(household_id)
        with self.db.reading() as session:
            invoices = store.invoices_of_household(session, household_id)
            return {"factures": schemas.InvoiceDetail(many=True).dump(invoices),
                    "mandat_prelevement": mandate_view(store.mandate_of(session, household_id), full=True)}

    @timer(interval=retention.TICK)
    def billing_retention(self):
        before = kept_since(utcnow(), retention.retention_setting(self.config, "BILLING_RETENTION_YEARS", YEARS))
        with self.db.transaction() as tx:
            old = tx.session.scalars(select(Invoice.id).where(Invoice.issued_at < before)).all()
            if old:  # with what hangs on them: payments, the PDF, direct debits, refunds (lines go with their invoice)
                for kept_with in (Payment, OnlinePayment, InvoiceDocument, DebitCollection, Refund):
                    tx.session.execute(delete(kept_with).where(kept_with.invoice_id.in_(old)))
                tx.session.execute(delete(Invoice).where(Invoice.id.in_(old)))
        log.info("billing retention: %d invoices older than the legal period removed", len(old))
