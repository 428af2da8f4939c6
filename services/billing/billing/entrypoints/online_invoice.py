"""Adhérer à la facture en ligne: a household's choice, journaled; without
it invoices go on paper and are not paid online."""
from nameko.rpc import rpc

from kit.caller import AGENTS, FAMILY, allow
from kit.errors import Invalid
from kit.events import utcnow

from billing import store


class OnlineInvoiceEntrypoints:
    @rpc
    @allow(FAMILY + AGENTS)
    def online_invoice(self, caller, household_id=None):
        household_id = caller.household(household_id)
        with self.db.reading() as session:
            choice = store.online_choice(session, household_id)
            journal = store.online_journal(session, household_id)
        return {"opted_in": bool(choice and choice.opted_in),
                "journal": [{"opted_in": entry.opted_in, "at": entry.at.isoformat()} for entry in journal]}

    @rpc
    @allow(FAMILY)
    def set_online_invoice(self, caller, opted_in):
        if not isinstance(opted_in, bool):
            raise Invalid("Indiquez si vous adhérez à la facture en ligne.", code="invalid_choice",
                          fields={"opted_in": "Vrai ou faux attendu."})
        household_id = caller.household()
        with self.db.transaction() as tx:
            store.set_online_choice(tx.session, household_id, opted_in, caller, utcnow())
        return {"opted_in": opted_in}
