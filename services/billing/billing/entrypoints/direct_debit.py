"""SEPA direct debit: the mandate from an accepted request (family's event,
then the details asked to family, never riding the event), the pain.008 file
of a due date for the invoices of households with an active mandate, the
file sent, the rejections that reopen invoices and suspend a mandate after
two, recorded by hand or brought by the bank's return file."""
import base64
import secrets
from datetime import datetime

from nameko.rpc import rpc

from kit.caller import AGENTS, FAMILY, allow
from kit.consumers import Unprocessable, event_handler
from kit.errors import Conflict, Invalid, NotFound
from kit.events import utcnow

from billing import events, schemas, sepa, sepa_returns, statuses, store
from billing.entrypoints.payments import take_payment
from billing.periods import PARIS

PRELEVEMENT = "prelevement"
# What a rejection finds: a debit sent that it reverses, one rejected before, one not ours, one not sent yet.
APPLIED, ALREADY_RECORDED, UNKNOWN, NOT_SENT = "applied", "already_recorded", "unknown", "not_sent"


def mandate_view(mandate, full):
    if mandate is None:
        return None
    return {"rum": mandate.rum, "request_reference": mandate.request_reference,
            "account_holder": mandate.account_holder,
            "iban": mandate.iban if full else sepa.masked_iban(mandate.iban),
            "bic": mandate.bic, "signed_on": mandate.signed_on.isoformat(), "status": mandate.status,
            "rejections": mandate.rejections, "sequence_type": sepa.sequence_type(mandate.collected)}


def _batch_view(batch):
    return {"id": str(batch.id), "message_id": batch.message_id, "due_date": batch.due_date.isoformat(),
            "status": batch.status, "count": batch.count, "total_cents": batch.total_cents,
            "created_at": batch.created_at.isoformat(), "sent_at": batch.sent_at.isoformat() if batch.sent_at else None}


def reject_debit(tx, end_to_end_id, reason, caller, today):
    """The bank rejected the debit `end_to_end_id` (an agent records it, or a return file brings it): once it
    was sent, its payment is reversed, its invoice owed again, the family told, its mandate suspended at the
    second rejection. Answers what it found and the debit (None when it is not ours)."""
    collection = store.collection(tx.session, end_to_end_id, lock=True)
    if collection is None:
        return UNKNOWN, None
    if collection.status == "rejected":
        return ALREADY_RECORDED, collection
    if collection.status != "collected":
        return NOT_SENT, collection
    invoice = store.invoice_by_id(tx.session, collection.invoice_id, lock=True)
    store.reverse_payment(tx.session, invoice, collection, reason, caller, today)
    invoice.status = statuses.settle(invoice.status, invoice.total_cents, invoice.paid_cents, invoice.due_date, today)
    mandate = collection.mandate
    mandate.rejections += 1
    mandate.status = sepa.after_rejection(mandate.rejections)
    collection.status, collection.rejection_reason = "rejected", reason
    tx.record_events([events.direct_debit_rejected(invoice, collection, sepa.rejection_label(reason),
                                                   mandate.status)])
    return APPLIED, collection


def _rejection_view(rejection, collection):
    invoice = collection.invoice if collection is not None else None
    return {"end_to_end_id": rejection.end_to_end_id, "reason": rejection.reason,
            "reason_label": sepa.rejection_label(rejection.reason),
            "invoice_number": invoice.number if invoice else None,
            "household_id": str(invoice.household_id) if invoice else None,
            "amount_cents": collection.amount_cents if collection is not None else None,
            "mandate_status": collection.mandate.status if collection is not None else None}


def _return_file_view(return_file):
    return {"id": str(return_file.id), "filename": return_file.filename, "kind": return_file.kind,
            "message_id": return_file.message_id, "original_message_id": return_file.original_message_id,
            "imported_at": return_file.imported_at.isoformat(),
            "imported_by": str(return_file.imported_by) if return_file.imported_by else None,
            "rejections": return_file.rejections, "applied": return_file.applied,
            "already_recorded": return_file.already_recorded, "unknown": return_file.unknown,
            "not_sent": return_file.not_sent}


class DirectDebitEntrypoints:
    @event_handler("family", "direct_debit_accepted")
    def on_direct_debit_accepted(self, payload):
        accepted = schemas.direct_debit_accepted(payload)
        if accepted is None:
            raise Unprocessable(f"malformed direct_debit_accepted {payload.get('event_id')}")
        details = schemas.direct_debit_details(self.family.direct_debit_details(accepted["request_id"]))
        if details is None or str(details["household_id"]) != str(accepted["household_id"]):
            raise Unprocessable(f"direct debit details of {accepted['request_id']} do not match the event")
        iban, bic = sepa.check_account(details["iban"], details["bic"])
        with self.db.transaction() as tx:
            if not tx.first_time(accepted["event_id"]):
                return
            store.set_mandate(tx.session, accepted["household_id"], sepa.rum(details["request_reference"],
                                                                              accepted["household_id"]),
                              details["request_reference"], details["account_holder"], iban, bic,
                              details["signed_on"], utcnow())

    @rpc
    @allow(FAMILY + AGENTS)
    def mandate(self, caller, household_id=None):
        """The household's SEPA mandate, or None; a family reads its IBAN masked."""
        household_id = caller.household(household_id)
        with self.db.reading() as session:
            return mandate_view(store.mandate_of(session, household_id), full=caller.role != "family")

    @rpc
    @allow(AGENTS)
    def generate_debit_batch(self, caller, due_date):
        """The pain.008 of a due date: what is owed on its invoices, for households with an active mandate."""
        due_date = schemas.day(due_date, "due_date")
        with self.db.transaction() as tx:
            store.lock_debits(tx.session)
            owed = store.invoices_to_debit(tx.session, due_date)
            if not owed:
                raise Conflict("Aucune facture à prélever pour cette échéance.", code="nothing_to_debit")
            collections = [
                sepa.Collection(f"PRLV{secrets.token_hex(8).upper()}", invoice.total_cents - invoice.paid_cents,
                                sepa.sequence_type(mandate.collected), mandate.rum, mandate.signed_on,
                                mandate.account_holder, mandate.iban, mandate.bic, f"Facture {invoice.number}")
                for invoice, mandate in owed]
            message_id, xml = sepa.pain008(self.settings, due_date, collections)
            batch = store.add_debit_batch(tx.session, message_id, due_date, collections, owed, xml, caller, utcnow())
            return _batch_view(batch)

    @rpc
    @allow(AGENTS)
    def list_debit_batches(self, caller):
        with self.db.reading() as session:
            return [_batch_view(batch) for batch in store.debit_batches(session)]

    @rpc
    @allow(AGENTS)
    def debit_batch_file(self, caller, batch_id):
        with self.db.reading() as session:
            batch = store.debit_batch(session, schemas.uuid_of(batch_id, "batch_id"))
            if batch is None:
                raise NotFound("Lot de prélèvements introuvable.", code="batch_not_found")
            return {"filename": f"{batch.message_id}.xml", "xml": base64.b64encode(batch.xml).decode()}

    @rpc
    @allow(AGENTS)
    def mark_debit_batch_sent(self, caller, batch_id):
        """The file went to the bank: each debit counts as paid, until the bank rejects it."""
        with self.db.transaction() as tx:
            store.lock_debits(tx.session)  # never beside a rejection of its debits, which locks in another order
            batch = store.debit_batch(tx.session, schemas.uuid_of(batch_id, "batch_id"), lock=True)
            if batch is None:
                raise NotFound("Lot de prélèvements introuvable.", code="batch_not_found")
            if batch.status == "sent":
                return _batch_view(batch)
            for collection in store.collections_of(tx.session, batch.id):
                invoice = store.invoice_by_id(tx.session, collection.invoice_id, lock=True)
                payment = take_payment(tx, invoice, collection.amount_cents, PRELEVEMENT,
                                       {"rum": collection.mandate.rum, "end_to_end_id": collection.end_to_end_id},
                                       batch.due_date, caller)
                collection.status, collection.payment_id = "collected", payment.id
                collection.mandate.collected = True
            batch.status, batch.sent_at = "sent", utcnow()
            return _batch_view(batch)

    @rpc
    @allow(AGENTS)
    def debit_rejection_reasons(self, caller):
        """The reasons an agent may record a rejection with, in the order the form offers them."""
        return [{"code": code, "label": label} for code, label in sepa.REJECTION_REASONS.items()]

    @rpc
    @allow(AGENTS)
    def record_debit_rejection(self, caller, end_to_end_id, reason):
        """The bank rejected a debit (R-transaction), as an agent reads it: see `reject_debit`."""
        if reason not in sepa.REJECTION_REASONS:
            raise Invalid("Motif de rejet inconnu.", code="unknown_rejection_reason",
                          fields={"reason": "Motif de rejet inconnu."})
        with self.db.transaction() as tx:
            store.lock_debits(tx.session)
            outcome, collection = reject_debit(tx, str(end_to_end_id), reason, caller, datetime.now(PARIS).date())
            if outcome == UNKNOWN:
                raise NotFound("Prélèvement introuvable.", code="collection_not_found")
            if outcome == NOT_SENT:
                raise Conflict("Ce prélèvement n'a pas encore été envoyé à la banque.", code="collection_not_sent")
            rejected = {"end_to_end_id": collection.end_to_end_id, "status": "rejected",
                        "mandate_status": collection.mandate.status}
            if outcome == APPLIED:
                rejected["invoice"] = schemas.InvoiceSummary().dump(collection.invoice)
            return rejected

    @rpc
    @allow(AGENTS)
    def import_debit_returns(self, caller, filename, content_b64):
        """The bank's return file (pain.002 or camt.054, base64): each rejection in it does what
        `record_debit_rejection` does, all in one transaction. A file imported again applies only what it
        could not before (a debit whose batch has been marked sent since); another file with the same
        message id is refused. Answers the file's standing and its rejections by outcome."""
        returned = sepa_returns.read(sepa_returns.decode(content_b64))
        today = datetime.now(PARIS).date()
        with self.db.transaction() as tx:
            store.lock_debits(tx.session)
            known = store.debit_return_file(tx.session, returned.sha256)
            if known is None and store.debit_return_file_of_message(tx.session, returned.kind, returned.message_id):
                raise Conflict(f"Un autre fichier de retour portant le même identifiant de message "
                               f"({returned.message_id}) a déjà été importé : voyez avec la banque lequel fait foi.",
                               code="return_file_conflict")
            outcomes = {outcome: [] for outcome in (APPLIED, ALREADY_RECORDED, UNKNOWN, NOT_SENT)}
            for rejection in returned.rejections:
                outcome, collection = reject_debit(tx, rejection.end_to_end_id, rejection.reason, caller, today)
                outcomes[outcome].append(_rejection_view(rejection, collection))
            remembered = store.remember_debit_return_file(tx.session, known, returned,
                                                          sepa_returns.file_label(filename), outcomes, caller,
                                                          utcnow())
            return {"file": _return_file_view(remembered), "already_imported": known is not None, **outcomes}

    @rpc
    @allow(AGENTS)
    def list_debit_return_files(self, caller):
        """The bank's return files imported, newest first, with where their rejections stand."""
        with self.db.reading() as session:
            return [_return_file_view(return_file) for return_file in store.debit_return_files(session)]
