"""The families' data rights at family: its part of closing an account, of
the export of a household's data, and its retention of published events."""
from marshmallow import Schema, fields
from nameko.dependency_providers import Config
from nameko.rpc import rpc

from kit import retention
from kit.caller import Caller, allow
from kit.consumers import Unprocessable, event_handler
from kit.events import utcnow

from family import activity_store, child_keys, erasure, request_store, request_views, schemas, store

ACCOUNT_CLOSED, GUARDIAN_LEFT, HOUSEHOLD_ANONYMISED = "account_closed", "guardian_left", "household_anonymised"
FAMILY = Caller(part="family")


class FamilyDataRights(retention.OutboxRetention):
    """Over the service's `db`."""

    config = Config()

    @event_handler("identity", ACCOUNT_CLOSED)
    def on_account_closed(self, payload):
        """When the household's last account closed, who its people were goes
        (erasure.py) and its clé enfance stops working; otherwise only the
        guardian known under the closed account's address leaves the household."""
        problems = AccountClosed().validate(payload)
        if problems:
            raise Unprocessable(f"malformed account_closed {payload.get('event_id')}: {sorted(problems)}")
        closed = AccountClosed().load(payload)
        with self.db.transaction() as tx:
            if not tx.first_time(closed["event_id"]) or closed["household_id"] is None:
                return
            household = store.household_or_none(tx.session, closed["household_id"])
            if household is None:
                return
            now = utcnow()
            if closed["last_of_household"]:
                household.guardians.clear()
                erasure.anonymise_children(household.children)
                store.give_new_child_key(tx.session, household, child_keys.generate)
                store.forget_journal_details(tx.session, household.id)
                request_store.forget_requests_details(tx.session, household.id)
                activity_store.forget_absence_reasons(tx.session, household.id)
                store.journal(tx.session, household, FAMILY, HOUSEHOLD_ANONYMISED, now)
            else:
                for guardian in erasure.guardians_named(household.guardians, closed["former_email"]):
                    household.guardians.remove(guardian)
                    store.journal(tx.session, household, FAMILY, GUARDIAN_LEFT, now)

    @rpc
    @allow(parts=("vault",))
    def export_household(self, caller, household_id):
        """What family holds of a household, for the export of all its data
        (the vault assembles it): the household, its address and quotient
        familial, its requests with their timelines, every booking, the journal."""
        with self.db.reading() as session:
            household = store.household(session, caller.household(household_id))
            bookings = store.all_bookings_of_household(session, household.id)
            entries = store.journal_of_household(session, household.id)
            requests = request_store.requests_of_household(session, household.id)
            return {
                "foyer": schemas.household_view(household),
                "adresse": request_store.current_address(session, household.id),
                "quotient_familial": [request_views.period_view(p)
                                      for p in request_store.quotient_history(session, household)],
                "demarches": [request_views.detail(r) for r in requests],
                "reservations": [schemas.booking_view(b) for b in bookings],
                "journal": JournalEntryView(many=True).dump(entries),
            }


class AccountClosed(Schema):
    """identity's account_closed, as far as family reads it."""

    class Meta:
        unknown = "exclude"

    event_id = fields.String(required=True)
    household_id = fields.UUID(required=True, allow_none=True)
    last_of_household = fields.Boolean(required=True)
    former_email = fields.String(load_default=None)


class JournalEntryView(Schema):
    action = fields.String()
    occurred_at = fields.DateTime()
    by_agent = fields.Function(lambda entry: entry.actor_id is not None)
