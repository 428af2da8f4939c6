"""Paying an invoice online by card through PayFiP (TIPI protocol, with
eopayment's `tipi` backend): the family is sent to PayFiP with the amount
due, PayFiP tells the portal how it ended server to server (the gateway
takes it only from PayFiP's addresses), then sends the family back. TIPI
signs nothing: the notification is checked against the payment started
(reference, régie, amount), may come twice or out of order, and only the
first result that takes money counts; the family's return only reads."""
import logging
import secrets
from datetime import datetime
from decimal import Decimal

import eopayment
from eopayment.tipi import TIPI_URL
from nameko.rpc import rpc

from kit.caller import FAMILY, GATEWAY, allow
from kit.errors import Conflict, Forbidden, Invalid, NotFound
from kit.metrics import count_after_commit

from billing import metrics, schemas, statuses, store
from billing.entrypoints.invoices import not_found
from billing.entrypoints.payments import take_payment
from billing.periods import PARIS

log = logging.getLogger(__name__)

STARTED, PAID, REFUSED, CANCELLED = "started", "paid", "refused", "cancelled"
RESULTS = {eopayment.PAID: PAID, eopayment.DENIED: REFUSED, eopayment.CANCELLED: CANCELLED}


def _backend(settings, notification_url):
    return eopayment.Payment("tipi", {"numcli": settings.payfip_client_id, "saisie": settings.payfip_mode,
                                      "automatic_return_url": notification_url})


def notification_url(settings):
    return f"{settings.portal_base_url}/paiement/payfip/notification"


class OnlinePaymentEntrypoints:
    @rpc
    @allow(FAMILY)
    def start_online_payment(self, caller, number, email):
        """The address to send the family to, to pay what is due on one of its invoices."""
        household_id, number = caller.household(), schemas.invoice_number(number)
        email = schemas.payer_email(email)
        with self.db.transaction() as tx:
            choice = store.online_choice(tx.session, household_id)
            if not (choice and choice.opted_in):
                raise Conflict("Pour payer en ligne, adhérez d'abord à la facture en ligne.",
                               code="online_invoice_required")
            invoice = store.invoice_of_household(tx.session, household_id, number, lock=True)
            if invoice is None:
                raise not_found()
            due = invoice.total_cents - invoice.paid_cents
            if invoice.status == statuses.InvoiceStatus.CANCELLED or due <= 0:
                raise Conflict("Cette facture n'a plus rien à payer.", code="nothing_to_pay")
            reference = f"PF{secrets.token_hex(10).upper()}"
            _, _, url = _backend(self.settings, notification_url(self.settings)).request(
                Decimal(due) / 100, email=email, refdet=reference, exer=invoice.issued_at.astimezone(PARIS).year,
                objet=f"Facture {number}")
            store.add_online_payment(tx.session, reference, invoice, due)
        return {"transaction_id": reference, "amount_cents": due,
                "url": url.replace(TIPI_URL, self.settings.payfip_url, 1)}

    @rpc
    @allow(parts=(GATEWAY,))
    def payfip_notification(self, caller, query_string):
        """PayFiP's word on a payment (its notification or the family's return), verified and idempotent.
        The gateway hands it over as itself: no person's session vouches for what PayFiP says."""
        _the_gateway_itself(caller)
        if not isinstance(query_string, str) or len(query_string) > 4000:
            raise Invalid("Notification de paiement illisible.", code="invalid_notification")
        try:
            response = _backend(self.settings, notification_url(self.settings)).response(query_string)
        except eopayment.ResponseError:
            metrics.PAYMENT_CALLBACKS.labels("unreadable").inc()
            raise Invalid("Notification de paiement illisible.", code="invalid_notification") from None
        data = response.bank_data
        with self.db.transaction() as tx:
            started = store.online_payment(tx.session, response.transaction_id, lock=True)
            if started is None:
                metrics.PAYMENT_CALLBACKS.labels("unknown").inc()
                raise NotFound("Paiement en ligne inconnu.", code="payment_unknown")
            if data.get("numcli") != self.settings.payfip_client_id or data.get("montant") != str(
                    started.amount_cents).zfill(3):
                log.error("payfip: notification for %s does not match the payment started", started.transaction_id)
                metrics.PAYMENT_CALLBACKS.labels("mismatch").inc()
                raise Invalid("La notification ne correspond pas au paiement demandé.", code="notification_mismatch")
            invoice = store.invoice_by_id(tx.session, started.invoice_id, lock=True)
            result = RESULTS.get(response.result)
            if result == PAID and started.state != PAID:
                take_payment(tx, invoice, started.amount_cents, "carte_en_ligne",
                             {"numauto": data.get("numauto", ""), "dattrans": data.get("dattrans", ""),
                              "heurtrans": data.get("heurtrans", "")},
                             _paid_on(data.get("dattrans")), None, transaction_id=started.transaction_id)
                store.end_online_payment(started, PAID)
            elif result in (REFUSED, CANCELLED) and started.state == STARTED:
                store.end_online_payment(started, result)
            count_after_commit(tx.session, metrics.callback_answered(response.result))
            return {"invoice_number": invoice.number, "household_id": str(invoice.household_id),
                    "state": started.state, "invoice_status": invoice.status}

    @rpc
    @allow(parts=(GATEWAY,))
    def online_payment_outcome(self, caller, transaction_id):
        """Where a payment stands, for the family's return from PayFiP. Read only: the return passes
        through the family's browser, so only PayFiP's server-to-server notification records money."""
        _the_gateway_itself(caller)
        with self.db.reading() as session:
            started = store.online_payment(session, str(transaction_id)[:64])
            if started is None:
                raise NotFound("Paiement en ligne inconnu.", code="payment_unknown")
            invoice = store.invoice_by_id(session, started.invoice_id)
            return {"invoice_number": invoice.number, "state": started.state}


def _the_gateway_itself(caller):
    """What PayFiP says reaches billing through the gateway acting on its own, never under a person's session."""
    if caller.is_person:
        raise Forbidden("Vous n'avez pas accès à cette action.", code="caller_not_allowed")


def _paid_on(dattrans):
    """TIPI's day of the transaction (JJMMAAAA), or today when it says none."""
    try:
        return datetime.strptime(dattrans, "%d%m%Y").date()
    except (TypeError, ValueError):
        return datetime.now(PARIS).date()
