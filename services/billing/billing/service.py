"""The billing service: tariffs, monthly billing runs, invoices."""
from datetime import datetime
from zoneinfo import ZoneInfo

from nameko.rpc import rpc

from kit.caller import AGENTS, FAMILY, PARTS, Callers, allow
from kit.db import Database
from kit.errors import NotFound
from kit.events import utcnow
from kit.metrics import Metrics
from kit.rpc import ServiceRpc

from billing import events, invoicing, schemas, store
from billing.data_rights import BillingDataRights
from billing.models import Base
from billing.periods import Period
from billing.pricing import TariffGrid

PARIS = ZoneInfo("Europe/Paris")


class BillingService(BillingDataRights):
    name = "billing"

    db = Database(Base)
    metrics = Metrics()
    callers = Callers()
    family = ServiceRpc("family")

    @rpc
    @allow(parts=PARTS)
    def simulate(self, caller, quotient_familial):
        quotient_familial = schemas.quotient_familial(quotient_familial)
        grid = self._grid_in_force(datetime.now(PARIS).date())
        return schemas.simulation(quotient_familial, grid.bracket(quotient_familial), grid.prices(quotient_familial))

    @rpc
    @allow(AGENTS)
    def run_period(self, caller, period):
        month = Period.parse(period)
        households = schemas.billable_households(self.family.billable_items(month.key))
        drafts = invoicing.draft_invoices(households, self._grid_in_force(month.first_day), month)
        with self.db.transaction() as tx:
            run = store.billing_run_locked(tx.session, month.key)
            numbered = invoicing.number_new_invoices(
                drafts, store.invoiced_households(tx.session, month.key), run.last_sequence)
            invoices = [store.add_invoice(tx.session, draft, number) for number, draft in numbered]
            run.last_sequence += len(invoices)
            store.journal_run(tx.session, month.key, caller, len(invoices), utcnow())
            tx.record_events(events.invoice_ready(invoice) for invoice in invoices)
        return {"period": month.key, "invoices_created": len(invoices),
                "already_invoiced": len(drafts) - len(invoices)}

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
            if invoice is None:  # another family's invoice is as absent as one that does not exist
                raise NotFound("Facture introuvable.", code="invoice_not_found")
            return schemas.InvoiceDetail().dump(invoice)

    def _grid_in_force(self, day):
        with self.db.reading() as session:
            return TariffGrid.in_force(store.tariffs(session), day)
