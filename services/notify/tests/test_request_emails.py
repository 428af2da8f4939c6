"""The e-mails of requests (démarches), rendered without any I/O."""
import uuid

import pytest

from notify import request_emails

BASE = "https://portail.example.fr"


def payload(status, message=None, kind="changement_situation"):
    return {"event_id": str(uuid.uuid4()), "request_id": str(uuid.uuid4()), "household_id": str(uuid.uuid4()),
            "reference": "D-2026-000123", "kind": kind, "status": status, "message": message}


@pytest.mark.parametrize("news, words", [
    ("submitted", "bien reçue"), ("accepted", "acceptée"), ("message", "Nouveau message"),
    ("waiting_for_family", "attend votre réponse")])
def test_every_email_of_a_request_links_to_it(news, words):
    email = request_emails.request_news(news, payload(news), {"email": "anne@example.fr"}, BASE)
    assert words in email.subject and "D-2026-000123" in email.subject
    assert f"{BASE}/demarches/D-2026-000123" in email.text and f"{BASE}/demarches/D-2026-000123" in email.html
    assert email.recipient == "anne@example.fr"


def test_a_refusal_tells_the_reason():
    email = request_emails.request_news("refused", payload("refused", "Justificatif illisible <b>"),
                                        {"email": "anne@example.fr"}, BASE)
    assert "Justificatif illisible <b>" in email.text
    assert "Justificatif illisible &lt;b&gt;" in email.html


def test_the_events_of_requests_are_readable_and_malformed_ones_are_told_apart():
    assert request_emails.RequestEvent().validate(payload("accepted")) == {}
    assert "reference" in request_emails.RequestEvent().validate({**payload("accepted"), "reference": "F-1"})
