"""The families' data rights at notify: what it keeps of the e-mails it
sent, for how long, its part of closing an account and of the export, and
the e-mail telling a family its export is ready.

- A message's body is erased once the message is settled (delivered or
  failed for good) for `NOTIFY_BODY_RETENTION_DAYS` (0 by default: at once,
  at the next run); its subject, recipient and status stay
  `NOTIFY_MESSAGE_RETENTION_MONTHS` (12), then the message goes.
- `account_closed`: every message to the closed account's address goes.
"""
import logging

from marshmallow import Schema, fields
from nameko.rpc import rpc
from nameko.timer import timer
from sqlalchemy import delete, select, update

from kit import retention
from kit.caller import allow
from kit.config import portal_base_url
from kit.consumers import Unprocessable, event_handler
from kit.errors import NotFound
from kit.events import utcnow
from notify import rendering, schemas, statuses
from notify.models import Message

log = logging.getLogger(__name__)

BODY_DAYS = 0
MESSAGE_MONTHS = 12
DATA_RIGHTS_PAGE = "/donnees-personnelles"


class AccountClosed(Schema):
    """identity's account_closed, as far as notify reads it."""

    class Meta:
        unknown = "exclude"

    event_id = fields.String(required=True)
    former_email = fields.String(required=True)


class ExportReady(schemas.Event):
    """vault's export_ready."""

    account_id = fields.UUID(required=True)
    expires_at = fields.AwareDateTime(required=True, default_timezone=None)


def export_ready(account, payload, base_url):
    return rendering.render("export_ready", account["email"], base_url,
                            until=rendering.paris_time(payload["expires_at"]), link=base_url + DATA_RIGHTS_PAGE)


class NotifyDataRights:
    """Mixed into NotifyService, over its `db`, `identity` and `config`."""

    @event_handler("identity", "account_closed")
    def on_account_closed(self, payload):
        problems = AccountClosed().validate(payload)
        if problems:
            raise Unprocessable(f"malformed account_closed {payload.get('event_id')}: {sorted(problems)}")
        closed = AccountClosed().load(payload)
        with self.db.transaction() as tx:
            if tx.first_time(closed["event_id"]):
                tx.session.execute(delete(Message).where(Message.recipient == closed["former_email"].lower()))

    @event_handler("vault", "export_ready")
    def on_export_ready(self, payload):
        """Told to the person who asked for it only: the archive holds the whole household's data."""
        self._check_readable(ExportReady(), payload)
        try:
            account = self.identity.get_account(payload["account_id"])
        except NotFound:  # closed meanwhile: nobody to tell
            emails = []
        else:
            emails = [export_ready(account, payload, portal_base_url(self.config))]
        self._record_and_send(payload["event_id"], emails)

    @rpc
    @allow(parts=("vault",))
    def export_messages(self, caller, recipients):
        """The e-mails sent to these addresses (the household's accounts), for the export of its data."""
        addresses = sorted({str(r).strip().lower() for r in recipients or [] if r})[:20]
        with self.db.reading() as session:
            messages = session.scalars(select(Message).where(Message.recipient.in_(addresses))
                                       .order_by(Message.created_at)).all()
            return [dict(schemas.message_summary(m), body_text=m.body_text or None) for m in messages]

    @timer(interval=retention.TICK)
    def notify_retention(self):
        now = utcnow()
        bodies_before = retention.days_ago(now, retention.retention_setting(
            self.config, "NOTIFY_BODY_RETENTION_DAYS", BODY_DAYS))
        messages_before = retention.months_ago(now, retention.retention_setting(
            self.config, "NOTIFY_MESSAGE_RETENTION_MONTHS", MESSAGE_MONTHS))
        settled = Message.status.in_(sorted(statuses.FINAL))
        with self.db.transaction() as tx:
            bodies = tx.session.execute(
                update(Message).where(settled, Message.created_at <= bodies_before, Message.body_text != "")
                .values(body_text="", body_html="")).rowcount
            gone = tx.session.execute(delete(Message).where(settled, Message.created_at < messages_before)).rowcount
            _, handled = retention.forget_published_events(tx.session, tx.tables, retention.days_ago(
                now, retention.retention_setting(self.config, "OUTBOX_RETENTION_DAYS", retention.OUTBOX_DAYS)))
        log.info("notify retention: %d bodies erased, %d messages and %d handled event ids forgotten",
                 bodies, gone, handled)
