"""NotifyService: the portal's events become e-mails.

Each message is recorded in the same transaction that marks its event as
handled, and only then sent: a replayed event sends nothing twice, and a
message whose sending failed is still there for the retry timer.
"""
import logging

from nameko.dependency_providers import Config
from nameko.rpc import rpc
from nameko.timer import timer

from kit.caller import AGENTS, Callers, allow
from kit.consumers import Unprocessable, event_handler
from kit.config import portal_base_url, setting
from kit.db import Database
from kit.errors import NotFound
from kit.events import utcnow
from kit.metrics import Metrics
from kit.rpc import ServiceRpc
from notify import metrics, rendering, schemas, statuses, store
from notify.mailer import DeliveryFailed, Mailer
from notify.models import Base
from notify import safe_emails  # the module, not its class: `nameko run notify.service` finds one service here
from notify import request_emails  # the same
from notify import activity_emails  # the same
from notify import billing_emails  # the same
from notify import data_rights  # the same

log = logging.getLogger(__name__)

RETRY_INTERVAL = 5  # seconds between two looks for messages due again
RETRY_BATCH = 50
DEFAULT_SENDING_LEASE = 120  # seconds; well over what an SMTP exchange may take (mailer.SMTP_TIMEOUT)


class NotifyService(safe_emails.SafeEmails, request_emails.RequestEmails, activity_emails.ActivityEmails,
                    billing_emails.BillingEmails, data_rights.NotifyDataRights):
    name = "notify"

    db = Database(Base)
    metrics = Metrics()
    mailer = Mailer()
    callers = Callers()
    identity = ServiceRpc("identity")
    config = Config()

    # An event whose handling failed (identity or the database away) is tried
    # again later (kit.consumers); a malformed one is parked at once, since no
    # retry would ever make it readable.
    @event_handler("billing", "invoice_ready")
    def on_invoice_ready(self, payload):
        self._check_readable(schemas.InvoiceReady(), payload)
        base_url = portal_base_url(self.config)
        recipients = self.identity.household_recipients(payload["household_id"])
        self._record_and_send(
            payload["event_id"], [rendering.invoice_ready(payload, r, base_url) for r in recipients])

    @event_handler("identity", "account_created")
    def on_account_created(self, payload):
        self._check_readable(schemas.AccountCreated(), payload)
        try:
            account = self.identity.get_account(payload["account_id"])
        except NotFound:  # closed before we could greet it: nobody to write to
            emails = []
        else:
            emails = [rendering.welcome(account, portal_base_url(self.config))]
        self._record_and_send(payload["event_id"], emails)

    @event_handler("identity", "email_verification_requested")
    def on_email_verification_requested(self, payload):
        self._send_one(schemas.EmailVerificationRequested(), rendering.email_verification, payload)

    @event_handler("identity", "password_reset_requested")
    def on_password_reset_requested(self, payload):
        self._send_one(schemas.PasswordResetRequested(), rendering.password_reset, payload)

    @event_handler("identity", "password_changed")
    def on_password_changed(self, payload):
        self._send_one(schemas.PasswordChanged(), rendering.password_changed, payload)

    @event_handler("identity", "email_change_requested")
    def on_email_change_requested(self, payload):
        self._send_one(schemas.EmailChangeRequested(), rendering.email_change_confirmation, payload)

    @event_handler("identity", "email_changed")
    def on_email_changed(self, payload):
        self._send_one(schemas.EmailChanged(), rendering.email_changed, payload)

    @timer(interval=RETRY_INTERVAL)
    def send_due_messages(self):
        with self.db.reading() as session:
            due = store.due_message_ids(session, utcnow(), RETRY_BATCH)
            metrics.measure_unsent(store.oldest_unsent(session), utcnow())
        for message_id in due:
            self._deliver(message_id)

    @rpc
    @allow(AGENTS)
    def message_status(self, caller, message_id):
        message_id = schemas.message_id(message_id)
        with self.db.reading() as session:
            message = store.message(session, message_id)
        if message is None:
            raise NotFound("Message introuvable.", code="message_not_found")
        return schemas.message_status(message)

    @rpc
    @allow(AGENTS)
    def list_messages(self, caller, recipient=None, limit=50):
        query = schemas.message_query(recipient, limit)
        with self.db.reading() as session:
            return [schemas.message_summary(message) for message in store.latest_messages(session, **query)]

    def _check_readable(self, schema, payload):
        problems = schema.validate(payload)
        if problems:
            # Named, not shown: a payload may carry a single-use token, which
            # has no place in the logs.
            event_id, names = (payload.get("event_id"), sorted(payload)) if isinstance(payload, dict) else (None, [])
            log.error("notify parks a malformed event %s with fields %s: %s", event_id, names, problems)
            raise Unprocessable(f"malformed event {event_id}")

    def _send_one(self, schema, render, payload):
        """The e-mail of an event that names its own recipient."""
        self._check_readable(schema, payload)
        self._record_and_send(payload["event_id"], [render(payload, portal_base_url(self.config))])

    def _record_and_send(self, event_id, emails):
        with self.db.transaction() as tx:
            if not tx.first_time(event_id):
                return
            message_ids = store.add_messages(tx.session, event_id, emails, utcnow())
        for message_id in message_ids:
            self._deliver(message_id)

    def _deliver(self, message_id):
        now = utcnow()
        lease = float(setting(self.config, "NOTIFY_SENDING_LEASE", DEFAULT_SENDING_LEASE))
        with self.db.transaction() as tx:
            message = store.claim_for_sending(tx.session, message_id, now, statuses.lease_end(now, lease))
        if message is None:
            return
        try:
            self.mailer.send(message)
        except DeliveryFailed as failure:
            log.warning("message %s not delivered (attempt %d): %s", message_id, message.attempts, failure.reason)
            status, next_attempt_at = statuses.after_failure(
                message.attempts, failure.permanent, utcnow(), float(setting(self.config, "NOTIFY_RETRY_DELAY", 60)))
            outcome = {"status": status, "next_attempt_at": next_attempt_at, "last_error": failure.reason}
        else:
            outcome = {"status": statuses.DELIVERED, "sent_at": utcnow(), "next_attempt_at": None}
        if rendering.forgets_body(message.template, outcome["status"]):
            outcome.update(body_text="", body_html="")
        with self.db.transaction() as tx:
            store.settle(tx.session, message_id, **outcome)
        metrics.settled(message, outcome["status"], outcome.get("sent_at"))
