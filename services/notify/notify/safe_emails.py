"""The safe's e-mails: the Caisse asks for a document, a document's validity
ends soon. The NotifyService inherits these handlers; the rendering is pure
(payload in, French e-mail out)."""
from datetime import date

from babel.dates import format_date
from marshmallow import fields, validate
from kit.consumers import event_handler

from kit.config import portal_base_url
from notify import rendering, schemas

SAFE_PAGE = "/coffre-fort"


class DocumentRequested(schemas.Event):
    """vault's `document_requested`."""

    household_id = fields.UUID(required=True)
    reference = fields.String(required=True, validate=validate.Length(min=1, max=40))
    category_label = fields.String(required=True, validate=validate.Length(min=1, max=80))


class DocumentExpiring(schemas.Event):
    """vault's `document_expiring`."""

    household_id = fields.UUID(required=True)
    category_label = fields.String(required=True, validate=validate.Length(min=1, max=80))
    valid_until = fields.Date(required=True)


def document_requested(payload, recipient, base_url):
    return rendering.render("document_requested", recipient["email"], base_url,
                            document=payload["category_label"].lower(), reference=payload["reference"],
                            link=base_url + SAFE_PAGE)


def document_expiring(payload, recipient, base_url, today):
    until = date.fromisoformat(payload["valid_until"])
    return rendering.render("document_expiring", recipient["email"], base_url,
                            document=payload["category_label"].lower(), expired=until < today,
                            until=format_date(until, "d MMMM y", locale=rendering.LOCALE), link=base_url + SAFE_PAGE)


class SafeEmails:
    """Mixed into NotifyService: each guardian of the household is written to."""

    @event_handler("vault", "document_requested")
    def on_document_requested(self, payload):
        self._check_readable(DocumentRequested(), payload)
        self._to_household(payload, document_requested)

    @event_handler("vault", "document_expiring")
    def on_document_expiring(self, payload):
        self._check_readable(DocumentExpiring(), payload)
        today = date.today()
        self._to_household(payload, lambda p, r, base: document_expiring(p, r, base, today))

    def _to_household(self, payload, render):
        base_url = portal_base_url(self.config)
        recipients = self.identity.household_recipients(payload["household_id"])
        self._record_and_send(payload["event_id"], [render(payload, r, base_url) for r in recipients])
