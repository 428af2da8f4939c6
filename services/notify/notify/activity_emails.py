"""The activities' e-mails: a pre-registration changed status (allotted,
waiting and its rank, a place offered with its deadline, confirmed,
refused). The NotifyService inherits the handler; the rendering is pure
(payload in, French e-mail out)."""
from datetime import datetime

from babel.dates import format_datetime
from marshmallow import fields, validate

from kit.consumers import event_handler
from notify import rendering, schemas

PREREGISTRATION_PAGE = "/preinscriptions"


class PreregistrationStatusChanged(schemas.Event):
    """family's `preregistration_status_changed`."""

    household_id = fields.UUID(required=True)
    child_first_name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    session_label = fields.String(required=True, validate=validate.Length(min=1, max=200))
    status = fields.String(required=True, validate=validate.Length(min=1, max=20))
    status_label = fields.String(required=True, validate=validate.Length(min=1, max=200))
    offer_expires_at = fields.String(allow_none=True, load_default=None)


def preregistration_status_changed(payload, recipient, base_url):
    until = payload.get("offer_expires_at")
    return rendering.render(
        "preregistration_status_changed", recipient["email"], base_url, child=payload["child_first_name"],
        session=payload["session_label"], status=payload["status"], status_label=payload["status_label"],
        until=format_datetime(datetime.fromisoformat(until), "d MMMM y 'à' HH'h'mm", tzinfo=rendering.PARIS,
                              locale=rendering.LOCALE) if until else None,
        link=base_url + PREREGISTRATION_PAGE)


class ActivityEmails:
    """Mixed into NotifyService: each guardian of the household is written to."""

    @event_handler("family", "preregistration_status_changed")
    def on_preregistration_status_changed(self, payload):
        self._check_readable(PreregistrationStatusChanged(), payload)
        self._to_household(payload, preregistration_status_changed)
