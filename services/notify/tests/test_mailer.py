"""How a message is written out as MIME, and how a refusal is sorted."""
import email
import email.policy
import smtplib
import uuid
from types import SimpleNamespace

import pytest

from notify import mailer

MESSAGE = SimpleNamespace(
    id=uuid.UUID("5e7c1c52-1d7a-4d5f-9b51-4f0f3b0a9d11"), recipient="parent@example.org",
    subject="Votre facture d'octobre 2026 est disponible",
    body_text="Montant : 12,80\u00a0€\n", body_html="<p>Montant : <strong>12,80\u00a0€</strong></p>\n")


def written(message=MESSAGE):
    raw = mailer.compose(mailer.DEFAULT_SENDER, message).as_bytes()
    return email.message_from_bytes(raw, policy=email.policy.default)


def test_an_email_offers_its_text_and_html_versions_as_alternatives():
    sent = written()
    assert sent.get_content_type() == "multipart/alternative"
    assert sent.get_body(("plain",)).get_content() == MESSAGE.body_text
    assert sent.get_body(("html",)).get_content() == MESSAGE.body_html


def test_an_email_comes_from_the_caisse_des_ecoles_with_date_and_message_id():
    sent = written()
    assert str(sent["From"]) == "Caisse des écoles <portail@caisse-des-ecoles.example>"
    assert str(sent["To"]) == "parent@example.org"
    assert str(sent["Subject"]) == MESSAGE.subject
    assert sent["Date"].datetime is not None
    assert sent["Message-ID"] == f"<{MESSAGE.id}@caisse-des-ecoles.example>"


def test_a_retried_message_keeps_its_message_id():
    assert written()["Message-ID"] == written()["Message-ID"]


@pytest.mark.parametrize("error, permanent", [
    (smtplib.SMTPResponseException(421, b"Service not available"), False),
    (smtplib.SMTPDataError(451, b"Local error in processing"), False),
    (smtplib.SMTPSenderRefused(452, b"Insufficient storage", "portail@caisse-des-ecoles.example"), False),
    (smtplib.SMTPDataError(554, b"Transaction failed"), True),
    (smtplib.SMTPSenderRefused(553, b"Sender not allowed", "portail@caisse-des-ecoles.example"), True),
    (smtplib.SMTPRecipientsRefused({"parent@example.org": (550, b"No such user")}), True),
    (smtplib.SMTPRecipientsRefused({"parent@example.org": (450, b"Mailbox busy")}), False),
    (smtplib.SMTPServerDisconnected("Connection unexpectedly closed"), False),
    (ConnectionRefusedError(111, "Connection refused"), False),
    (TimeoutError("timed out"), False),
])
def test_4xx_replies_and_lost_connections_are_temporary_and_5xx_replies_permanent(error, permanent):
    def relay(_email):
        raise error

    with pytest.raises(mailer.DeliveryFailed) as failed:
        mailer.Postman(mailer.DEFAULT_SENDER, relay).send(MESSAGE)
    assert failed.value.permanent is permanent


def test_the_reason_of_a_refusal_keeps_the_servers_reply():
    assert mailer.describe(smtplib.SMTPDataError(554, b"5.7.1 Rejected")) == "554 5.7.1 Rejected"


def test_an_address_that_cannot_be_written_in_a_header_fails_for_good():
    hostile = SimpleNamespace(**dict(vars(MESSAGE), recipient="parent@example.org\r\nBcc: all@example.org"))
    with pytest.raises(mailer.DeliveryFailed) as failed:
        mailer.Postman(mailer.DEFAULT_SENDER, lambda _email: None).send(hostile)
    assert failed.value.permanent is True
