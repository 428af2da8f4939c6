"""The e-mails of requests (démarches): received, a question or a document
the Caisse waits for, accepted, refused with its reason, a reply of the
Caisse. Each links to the request's page, built from PORTAL_BASE_URL. The
NotifyService inherits these handlers; the rendering is pure."""
from urllib.parse import quote

from marshmallow import fields, validate
from kit.consumers import event_handler

from notify import rendering, schemas

KINDS = {
    "changement_situation": "changement de situation familiale",
    "prelevement_automatique": "demande de prélèvement automatique",
    "contact": "message à la Caisse des écoles",
    "document_demande": "document demandé",
}
# What the family reads for each status it is told about; other moves (taken in review, withdrawn by itself) are silent.
NEWS = {
    "submitted": ("Votre demande est bien reçue",
                  "La Caisse des écoles a bien reçu votre demande. Elle vous répondra ici et par e-mail."),
    "waiting_for_family": ("La Caisse des écoles attend votre réponse",
                           "Pour traiter votre demande, la Caisse des écoles a besoin d'une réponse de votre part :"),
    "accepted": ("Votre demande est acceptée", "La Caisse des écoles a accepté votre demande."),
    "refused": ("Votre demande est refusée",
                "La Caisse des écoles n'a pas pu accepter votre demande, pour le motif suivant :"),
    "message": ("Nouveau message de la Caisse des écoles",
                "La Caisse des écoles vous a écrit au sujet de votre demande. Lisez son message sur le portail."),
}


class RequestEvent(schemas.Event):
    """family's `request_submitted`, `request_status_changed`, `request_message_posted`."""

    request_id = fields.UUID(required=True)
    household_id = fields.UUID(required=True)
    reference = fields.String(required=True, validate=validate.Regexp(r"D-[0-9]{4}-[0-9]{6}"))
    kind = fields.String(required=True, validate=validate.OneOf(list(KINDS)))
    status = fields.String(required=True, validate=validate.Length(min=1, max=24))
    message = fields.String(load_default=None, allow_none=True)
    author = fields.String(load_default=None, allow_none=True)


def request_news(news, payload, recipient, base_url):
    """The e-mail telling a guardian what became of a request."""
    headline, sentence = NEWS[news]
    return rendering.render("request_news", recipient["email"], base_url, headline=headline, sentence=sentence,
                            reference=payload["reference"], kind=KINDS[payload["kind"]],
                            detail=payload.get("message") if news in ("waiting_for_family", "refused") else None,
                            link=f"{base_url}/demarches/{quote(payload['reference'], safe='')}")


class RequestEmails:
    """Mixed into NotifyService: each guardian of the household is written to."""

    @event_handler("family", "request_submitted")
    def on_request_submitted(self, payload):
        self._check_readable(RequestEvent(), payload)
        if payload["kind"] != "document_demande":  # vault's document_requested tells the family already
            self._tell_household("submitted", payload)

    @event_handler("family", "request_status_changed")
    def on_request_status_changed(self, payload):
        self._check_readable(RequestEvent(), payload)
        if payload["status"] in NEWS:
            self._tell_household(payload["status"], payload)

    @event_handler("family", "request_message_posted")
    def on_request_message_posted(self, payload):
        self._check_readable(RequestEvent(), payload)
        if payload.get("author") == "agent":
            self._tell_household("message", payload)

    def _tell_household(self, news, payload):
        self._to_household(payload, lambda p, recipient, base: request_news(news, p, recipient, base))
