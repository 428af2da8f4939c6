"""notify in a nameko container against the real broker and PostgreSQL, with
e-mail going to a real SMTP server on loopback (or to a Maildir). identity is
replaced by a stand-in answering in the contract's shape."""
import email
import email.policy
import html
import mailbox
import re
import time
import uuid

import pytest
from nameko.testing.services import entrypoint_waiter, replace_dependencies
from sqlalchemy import select

import loopback
from kit.db import make_engine
from kit.errors import Invalid, NotFound
from kit.caller import CallerKey
from kit.events import new_event
from kit.outbox import sealed_dispatcher
from loopback import smtp_server
from notify import metrics
from notify.mailer import DeliveryFailed
from notify.models import Message
from notify.service import NotifyService

PORTAL = "https://portail.example"
HOUSEHOLD = str(uuid.uuid4())
SUBJECT = "Votre facture d'octobre 2026 est disponible"


class Identity:
    """identity as notify sees it: one household and its family accounts."""

    def __init__(self, *emails):
        self.accounts = [
            {"id": str(uuid.uuid4()), "email": address, "role": "family", "household_id": HOUSEHOLD,
             "created_at": "2026-11-27T10:00:00+00:00"}
            for address in emails]
        self.asked_for = []

    def household_recipients(self, household_id):
        self.asked_for.append(household_id)
        if household_id != HOUSEHOLD:
            return []
        return [{"account_id": account["id"], "email": account["email"]} for account in self.accounts]

    def get_account(self, account_id):
        for account in self.accounts:
            if account["id"] == account_id:
                return account
        raise NotFound("Compte introuvable.", code="account_not_found")


def invoice_ready(number="F-2026-10-0000001"):
    return new_event("invoice_ready", invoice_id=str(uuid.uuid4()), invoice_number=number,
                     household_id=HOUSEHOLD, period="2026-10", total_cents=1280, due_date="2026-11-30")[1]


@pytest.fixture
def start_notify(container_factory, config):
    def start(identity, **settings):
        container = container_factory(NotifyService, dict(config, PORTAL_BASE_URL=PORTAL, **settings))
        replace_dependencies(container, identity=identity)
        container.start()
        return container
    return start


@pytest.fixture
def smtp(tmp_path):
    with smtp_server(tmp_path) as running:
        yield running


@pytest.fixture
def notify(rpc):
    return rpc("notify").as_agent


def publish(container, config, source, event_type, payload, handler):
    with entrypoint_waiter(container, handler, timeout=15):
        sealed_dispatcher(config, CallerKey(config["CALLER_CONTEXT_KEY"]))(source, event_type, payload)


def readable(message):
    """A received e-mail parsed the way a modern mail client would."""
    return email.message_from_bytes(message.as_bytes(), policy=email.policy.default)


def text_of(message):
    return readable(message).get_body(("plain",)).get_content()


def wait_for_status(notify, message_id, status, seconds=10):
    deadline = time.monotonic() + seconds
    while (found := notify.message_status(message_id))["status"] != status and time.monotonic() < deadline:
        time.sleep(0.1)
    return found


def test_the_invoice_email_arrives_once_even_if_the_event_is_replayed(start_notify, smtp, config):
    settings, caught = smtp
    container = start_notify(Identity("parent@example.org"), **settings)
    payload = invoice_ready()
    publish(container, config, "billing", "invoice_ready", payload, "on_invoice_ready")
    publish(container, config, "billing", "invoice_ready", payload, "on_invoice_ready")
    [received] = caught.wait_for(lambda m: m["Subject"] == SUBJECT)
    time.sleep(0.5)  # give a duplicate every chance to show up
    assert len(caught.messages()) == 1
    assert received["To"] == "parent@example.org"
    body = text_of(received)
    assert "12,80\u00a0€" in body and "30/11/2026" in body
    assert f"{PORTAL}/factures/F-2026-10-0000001" in body


def test_each_recipient_of_the_household_gets_the_invoice_email(start_notify, smtp, config, notify):
    settings, caught = smtp
    identity = Identity("parent1@example.org", "parent2@example.org")
    container = start_notify(identity, **settings)
    publish(container, config, "billing", "invoice_ready", invoice_ready(), "on_invoice_ready")
    caught.wait_for(lambda m: True)
    assert sorted(m["To"] for m in caught.messages()) == ["parent1@example.org", "parent2@example.org"]
    assert all(m["Subject"] == SUBJECT for m in caught.messages())
    assert identity.asked_for == [HOUSEHOLD]
    assert {m["recipient"] for m in notify.list_messages()} == {"parent1@example.org", "parent2@example.org"}


def test_message_status_says_delivered_once_the_relay_took_the_email(start_notify, smtp, config, notify):
    settings, caught = smtp
    container = start_notify(Identity("parent@example.org"), **settings)
    publish(container, config, "billing", "invoice_ready", invoice_ready(), "on_invoice_ready")
    caught.wait_for(lambda m: m["Subject"] == SUBJECT)
    [message] = notify.list_messages(recipient="parent@example.org")
    status = wait_for_status(notify, message["id"], "delivered")
    assert status["status"] == "delivered"
    assert status["attempts"] == 1
    assert status["template"] == "invoice_ready"
    assert status["subject"] == SUBJECT
    assert status["sent_at"] is not None and status["last_error"] is None
    [received] = caught.messages()
    assert received["Message-ID"] == f"<{message['id']}@caisse-des-ecoles.example>"


def test_without_smtp_the_email_is_written_to_a_readable_maildir(start_notify, config, tmp_path, monkeypatch):
    monkeypatch.delenv("SMTP_HOST", raising=False)
    folder = tmp_path / "mail"
    container = start_notify(Identity("parent@example.org"), MAILDIR=str(folder))
    publish(container, config, "billing", "invoice_ready", invoice_ready(), "on_invoice_ready")
    [written] = list(mailbox.Maildir(folder, create=False))
    written = readable(written)
    assert written["Subject"] == SUBJECT
    assert written["From"] == "Caisse des écoles <portail@caisse-des-ecoles.example>"
    assert "12,80\u00a0€" in written.get_body(("plain",)).get_content()
    assert "12,80\u00a0€" in written.get_body(("html",)).get_content()


def test_an_email_the_relay_could_not_take_is_delivered_by_a_retry_once_it_is_back(
        start_notify, config, notify, tmp_path, monkeypatch):
    port = loopback.free_port()
    monkeypatch.setattr(loopback, "free_port", lambda: port)  # the relay comes back where it was
    container = start_notify(Identity("parent@example.org"), SMTP_HOST="127.0.0.1", SMTP_PORT=str(port),
                             NOTIFY_RETRY_DELAY="1")
    publish(container, config, "billing", "invoice_ready", invoice_ready(), "on_invoice_ready")
    [message] = notify.list_messages()
    failed = notify.message_status(message["id"])
    assert (failed["status"], failed["attempts"]) == ("temporary-failure", 1)
    assert failed["last_error"].startswith("ConnectionRefusedError")
    with smtp_server(tmp_path) as (settings, caught):
        assert settings["SMTP_PORT"] == str(port)
        caught.wait_for(lambda m: m["Subject"] == SUBJECT, seconds=30)
        assert wait_for_status(notify, message["id"], "delivered")["status"] == "delivered"
    assert len(caught.messages()) == 1


def test_a_new_account_is_welcomed_by_email(start_notify, smtp, config):
    settings, caught = smtp
    identity = Identity("nouveau@example.org")
    container = start_notify(identity, **settings)
    _type, payload = new_event("account_created", account_id=identity.accounts[0]["id"], household_id=HOUSEHOLD)
    publish(container, config, "identity", "account_created", payload, "on_account_created")
    [received] = caught.wait_for(lambda m: m["Subject"] == "Bienvenue sur le Portail famille")
    assert received["To"] == "nouveau@example.org"
    assert PORTAL in text_of(received)


def test_a_malformed_event_is_set_aside_and_sends_nothing(start_notify, smtp, config, notify):
    settings, caught = smtp
    identity = Identity("parent@example.org")
    container = start_notify(identity, **settings)
    payload = dict(invoice_ready(), total_cents="douze euros")
    publish(container, config, "billing", "invoice_ready", payload, "on_invoice_ready")
    assert identity.asked_for == []
    assert notify.list_messages() == []
    assert caught.messages() == []


def test_messages_are_listed_newest_first_and_filtered_by_recipient(start_notify, smtp, config, notify):
    settings, caught = smtp
    container = start_notify(Identity("parent1@example.org", "parent2@example.org"), **settings)
    publish(container, config, "billing", "invoice_ready", invoice_ready("F-2026-10-0000001"), "on_invoice_ready")
    publish(container, config, "billing", "invoice_ready", invoice_ready("F-2026-10-0000002"), "on_invoice_ready")
    listed = notify.list_messages()
    assert len(listed) == 4
    assert [m["created_at"] for m in listed] == sorted((m["created_at"] for m in listed), reverse=True)
    mine = notify.list_messages(recipient="  Parent1@Example.org ", limit=1)
    assert len(mine) == 1 and mine[0]["recipient"] == "parent1@example.org"
    assert set(mine[0]) == {"id", "recipient", "subject", "template", "status", "attempts", "created_at", "sent_at"}


def test_an_unknown_message_is_not_found(start_notify, config, notify, tmp_path):
    start_notify(Identity(), MAILDIR=str(tmp_path))
    with pytest.raises(NotFound) as raised:
        notify.message_status(str(uuid.uuid4()))
    assert raised.value.code == "message_not_found"


@pytest.mark.parametrize("call, code, field", [
    (lambda notify: notify.message_status("pas-un-identifiant"), "invalid_message_id", "message_id"),
    (lambda notify: notify.list_messages(limit=0), "invalid_limit", "limit"),
    (lambda notify: notify.list_messages(limit=1000), "invalid_limit", "limit"),
    (lambda notify: notify.list_messages(recipient="pas une adresse"), "invalid_recipient", "recipient"),
])
def test_bad_input_is_refused_with_a_french_message_and_a_stable_code(
        start_notify, config, notify, tmp_path, call, code, field):
    start_notify(Identity(), MAILDIR=str(tmp_path))
    with pytest.raises(Invalid) as raised:
        call(notify)
    assert raised.value.code == code
    assert set(raised.value.fields) == {field}


# identity's e-mails, sent to the address the event names

ACCOUNT_ID = str(uuid.uuid4())
VERIFY_TOKEN = "Zx9_-aB3cD4eF5gH6iJ7kL8mN9oP0qR1sT2uV3wX4y"
VERIFY = f"{PORTAL}/verifier-courriel?jeton={VERIFY_TOKEN}"
RESET_TOKEN = "Qw8_-eR7tY6uI5oP4aS3dF2gH1jK0lZ9xC8vB7nM6q"
RESET = f"{PORTAL}/nouveau-mot-de-passe?jeton={RESET_TOKEN}"
CONFIRM_TOKEN = "Mn1_-bV2cX3zL4kJ5hG6fD7sA8pO9iU0yT1rE2wQ3e"
CONFIRM = f"{PORTAL}/confirmer-courriel?jeton={CONFIRM_TOKEN}"
VERIFY_SUBJECT = "Confirmez votre adresse e-mail"
RESET_SUBJECT = "Réinitialisation de votre mot de passe"


def identity_event(event_type, **fields):
    return new_event(event_type, account_id=ACCOUNT_ID, **fields)[1]


def verification_requested(token=VERIFY_TOKEN):
    return identity_event("email_verification_requested", email="parent@example.org", token=token)


def reset_requested():
    return identity_event("password_reset_requested", email="parent@example.org", token=RESET_TOKEN)


def links_of(message):
    return re.findall(r'href="([^"]*)"', readable(message).get_body(("html",)).get_content())


@pytest.fixture
def stored(database_url):
    """The messages as notify's own database holds them."""
    engine = make_engine(database_url)

    def messages():
        with engine.connect() as connection:
            return connection.execute(select(Message)).all()
    yield messages
    engine.dispose()


def test_the_verification_email_arrives_once_even_if_the_event_is_replayed(start_notify, smtp, config):
    settings, caught = smtp
    container = start_notify(Identity(), **settings)
    payload = verification_requested()
    publish(container, config, "identity", "email_verification_requested", payload, "on_email_verification_requested")
    publish(container, config, "identity", "email_verification_requested", payload, "on_email_verification_requested")
    [received] = caught.wait_for(lambda m: m["Subject"] == VERIFY_SUBJECT)
    time.sleep(0.5)  # give a duplicate every chance to show up
    assert len(caught.messages()) == 1
    assert received["To"] == "parent@example.org"
    assert VERIFY in text_of(received).splitlines()
    assert [html.unescape(link) for link in links_of(received)] == [VERIFY, PORTAL]


def test_a_reset_link_is_erased_from_notifys_database_once_delivered(start_notify, smtp, config, notify, stored):
    settings, caught = smtp
    container = start_notify(Identity(), **settings)
    payload = reset_requested()
    publish(container, config, "identity", "password_reset_requested", payload, "on_password_reset_requested")
    publish(container, config, "identity", "password_reset_requested", payload, "on_password_reset_requested")
    [received] = caught.wait_for(lambda m: m["Subject"] == RESET_SUBJECT)
    assert received["To"] == "parent@example.org"
    assert RESET in text_of(received).splitlines()
    [message] = notify.list_messages()
    assert wait_for_status(notify, message["id"], "delivered")["status"] == "delivered"
    [row] = stored()
    assert (row.recipient, row.subject, row.template, row.status) == (
        "parent@example.org", RESET_SUBJECT, "password_reset", "delivered")
    assert (row.body_text, row.body_html) == ("", "")
    assert len(caught.messages()) == 1


def test_the_old_address_is_told_of_an_email_change_once_with_the_new_one_masked(start_notify, smtp, config):
    settings, caught = smtp
    container = start_notify(Identity(), **settings)
    payload = identity_event("email_changed", old_email="parent@example.org", new_email="claire.martin@example.org")
    publish(container, config, "identity", "email_changed", payload, "on_email_changed")
    publish(container, config, "identity", "email_changed", payload, "on_email_changed")
    [received] = caught.wait_for(lambda m: m["Subject"] == "Votre adresse e-mail a été modifiée")
    time.sleep(0.5)
    assert len(caught.messages()) == 1
    assert received["To"] == "parent@example.org"
    body = text_of(received)
    assert "c\u2022\u2022\u2022\u2022\u2022@example.org" in body
    assert "claire.martin" not in body
    assert "contactez sans attendre la Caisse des écoles" in body


def test_an_email_change_is_confirmed_from_the_new_address(start_notify, smtp, config):
    settings, caught = smtp
    container = start_notify(Identity(), **settings)
    payload = identity_event("email_change_requested", new_email="claire.martin@example.org", token=CONFIRM_TOKEN)
    publish(container, config, "identity", "email_change_requested", payload, "on_email_change_requested")
    [received] = caught.wait_for(lambda m: m["Subject"] == "Confirmez votre nouvelle adresse e-mail")
    assert received["To"] == "claire.martin@example.org"
    assert CONFIRM in text_of(received).splitlines()


def test_the_account_holder_is_told_the_password_changed_and_that_email_is_kept(
        start_notify, smtp, config, notify, stored):
    settings, caught = smtp
    container = start_notify(Identity(), **settings)
    payload = identity_event("password_changed", email="parent@example.org")
    publish(container, config, "identity", "password_changed", payload, "on_password_changed")
    [received] = caught.wait_for(lambda m: m["Subject"] == "Votre mot de passe a été modifié")
    assert received["To"] == "parent@example.org"
    assert "contactez sans attendre la Caisse des écoles" in text_of(received)
    [message] = notify.list_messages()
    wait_for_status(notify, message["id"], "delivered")
    [row] = stored()
    assert "contactez sans attendre la Caisse des écoles" in row.body_text  # no secret in it: kept for the record


def test_a_verification_link_waits_in_the_database_for_a_retry_and_goes_once_delivered(
        start_notify, config, notify, stored, tmp_path, monkeypatch):
    port = loopback.free_port()
    monkeypatch.setattr(loopback, "free_port", lambda: port)  # the relay comes back where it was
    container = start_notify(Identity(), SMTP_HOST="127.0.0.1", SMTP_PORT=str(port), NOTIFY_RETRY_DELAY="1")
    publish(container, config, "identity", "email_verification_requested", verification_requested(),
            "on_email_verification_requested")
    [message] = notify.list_messages()
    assert notify.message_status(message["id"])["status"] == "temporary-failure"
    [waiting] = stored()
    assert VERIFY in waiting.body_text
    with smtp_server(tmp_path) as (_settings, caught):
        [received] = caught.wait_for(lambda m: m["Subject"] == VERIFY_SUBJECT, seconds=30)
        assert wait_for_status(notify, message["id"], "delivered")["status"] == "delivered"
    assert VERIFY in text_of(received).splitlines()
    [sent] = stored()
    assert (sent.body_text, sent.body_html) == ("", "")


@pytest.mark.parametrize("event_type, handler, payload", [
    ("email_verification_requested", "on_email_verification_requested", verification_requested("javascript:alert(1)")),
    ("password_reset_requested", "on_password_reset_requested",
     dict(reset_requested(), token="x", reset_url="https://evil.example/nouveau-mot-de-passe?jeton=x")),
    ("email_verification_requested", "on_email_verification_requested",
     {key: value for key, value in verification_requested().items() if key != "email"}),
    ("password_reset_requested", "on_password_reset_requested", dict(reset_requested(), email="pas une adresse")),
    ("email_changed", "on_email_changed", identity_event("email_changed", old_email="parent@example.org")),
    ("password_changed", "on_password_changed",
     dict(identity_event("password_changed", email="parent@example.org"), occurred_at="hier")),
])
def test_a_malformed_identity_event_is_dropped_without_its_link_in_the_logs(
        start_notify, smtp, config, notify, caplog, event_type, handler, payload):
    settings, caught = smtp
    container = start_notify(Identity(), **settings)
    publish(container, config, "identity", event_type, payload, handler)
    assert notify.list_messages() == []
    assert caught.messages() == []
    assert payload["event_id"] in caplog.text
    assert "jeton" not in caplog.text


def stuck_in_sending(database_url, recipient="parent@example.org"):
    """A message whose sender died mid-send: `sending`, its lease over."""
    from datetime import timedelta
    from kit.events import utcnow
    engine = make_engine(database_url)
    message_id = uuid.uuid4()
    with engine.begin() as connection:
        connection.execute(Message.__table__.insert().values(
            id=message_id, event_id=str(uuid.uuid4()), template="invoice_ready", recipient=recipient,
            subject=SUBJECT, body_text="Votre facture est disponible.", body_html="<p>Votre facture est disponible.</p>",
            status="sending", attempts=1, next_attempt_at=utcnow() - timedelta(seconds=1), created_at=utcnow()))
    engine.dispose()
    return message_id


def test_a_message_whose_sender_died_mid_send_is_sent_once_its_lease_runs_out(start_notify, smtp, notify,
                                                                              database_url):
    settings, caught = smtp
    message_id = stuck_in_sending(database_url)
    start_notify(Identity(), **settings)
    [received] = caught.wait_for(lambda m: m["Subject"] == SUBJECT, seconds=20)
    assert received["Message-ID"].startswith(f"<{message_id}@")
    status = wait_for_status(notify, str(message_id), "delivered")
    assert (status["status"], status["attempts"]) == ("delivered", 2)
    time.sleep(6)  # the next round of the timer finds nothing more to send
    assert len(caught.messages()) == 1


def test_a_message_already_dropped_before_its_sender_died_is_not_dropped_twice(start_notify, notify, database_url,
                                                                              tmp_path):
    from notify.mailer import DEFAULT_SENDER, MaildirDrop, compose
    message_id = stuck_in_sending(database_url)
    with make_engine(database_url).connect() as connection:
        message = connection.execute(select(Message).where(Message.id == message_id)).one()
    folder = tmp_path / "mail"
    MaildirDrop(folder)(compose(DEFAULT_SENDER, message))  # it got out, then its sender died
    start_notify(Identity(), MAILDIR=str(folder))
    assert wait_for_status(notify, str(message_id), "delivered", seconds=20)["status"] == "delivered"
    assert len(list(mailbox.Maildir(folder, create=False))) == 1


def test_the_family_is_told_when_the_caisse_asks_for_a_document(start_notify, smtp, config):
    settings, caught = smtp
    container = start_notify(Identity("parent1@example.org", "parent2@example.org"), **settings)
    payload = new_event("document_requested", ask_id=str(uuid.uuid4()), household_id=HOUSEHOLD,
                        request_id=str(uuid.uuid4()), reference="D-2026-000123", category="attestation_domicile",
                        category_label="Attestation de domicile")[1]
    publish(container, config, "vault", "document_requested", payload, "on_document_requested")
    publish(container, config, "vault", "document_requested", payload, "on_document_requested")
    received = caught.wait_for(lambda m: "D-2026-000123" in m["Subject"])
    time.sleep(0.5)
    assert sorted(m["To"] for m in caught.messages()) == ["parent1@example.org", "parent2@example.org"]
    body = text_of(received[0])
    assert "la Caisse des écoles a besoin de : attestation de domicile" in body
    assert f"{PORTAL}/coffre-fort" in body


@pytest.mark.parametrize("valid_until, subject, said", [
    ("2999-01-31", "Un document de votre coffre-fort arrive en fin de validité",
     "« avis d'imposition » de votre coffre-fort ne sera plus valable après le 31 janvier 2999"),
    ("2020-01-31", "Un document de votre coffre-fort n'est plus valable",
     "n'est plus valable depuis le 31 janvier 2020"),
])
def test_the_family_is_told_before_a_document_expires(start_notify, smtp, config, valid_until, subject, said):
    settings, caught = smtp
    container = start_notify(Identity("parent@example.org"), **settings)
    payload = new_event("document_expiring", document_id=str(uuid.uuid4()), household_id=HOUSEHOLD,
                        category="avis_imposition", category_label="Avis d'imposition", valid_until=valid_until)[1]
    publish(container, config, "vault", "document_expiring", payload, "on_document_expiring")
    [received] = caught.wait_for(lambda m: m["Subject"] == subject)
    assert said in text_of(received)


def test_the_family_is_told_when_a_place_is_offered_from_the_waiting_list(start_notify, smtp, config):
    settings, caught = smtp
    container = start_notify(Identity("parent@example.org"), **settings)
    payload = new_event("preregistration_status_changed", preregistration_id=str(uuid.uuid4()),
                        household_id=HOUSEHOLD, child_id=str(uuid.uuid4()), child_first_name="Tom",
                        session_id=str(uuid.uuid4()), session_label="Vacances d'hiver, semaine 1", status="offered",
                        status_label="place proposée", rank=None,
                        offer_expires_at="2027-01-12T08:00:00+00:00")[1]
    publish(container, config, "family", "preregistration_status_changed", payload,
            "on_preregistration_status_changed")
    [received] = caught.wait_for(lambda m: m["Subject"] == "Pré-inscription de Tom : place proposée")
    body = text_of(received)
    assert "Acceptez-la avant le 12 janvier 2027 à 09h00 (heure de Paris)" in body
    assert f"{PORTAL}/preinscriptions" in body

def payment_received(**changes):
    return {"event_id": str(uuid.uuid4()), "occurred_at": "2026-11-05T09:00:00+00:00",
            "payment_id": str(uuid.uuid4()), "payment_reference": "P-20261105-0A1B2C3D",
            "invoice_number": "F-2026-10-0000001", "household_id": HOUSEHOLD, "amount_cents": 2000,
            "means": "cheque", "received_on": "2026-11-05", "invoice_status": "paid", "due_cents": 0,
            "excess_cents": 260, **changes}


def test_the_receipt_of_a_payment_arrives_once_and_says_what_to_refund(start_notify, smtp, config):
    settings, caught = smtp
    container = start_notify(Identity("parent@example.org"), **settings)
    payload = payment_received()
    for _ in range(2):
        publish(container, config, "billing", "payment_received", payload, "on_payment_received")
    [received] = caught.wait_for(lambda m: m["Subject"].startswith("Reçu de votre paiement"))
    time.sleep(0.5)
    assert len(caught.messages()) == 1
    body = text_of(received)
    for said in ("P-20261105-0A1B2C3D", "F-2026-10-0000001", "20,00\u00a0€", "chèque", "5 novembre 2026",
                 "2,60\u00a0€ de plus", f"{PORTAL}/factures/F-2026-10-0000001"):
        assert said in body, said


def test_the_family_is_told_of_a_refund_once_even_if_the_event_is_replayed(start_notify, smtp, config):
    settings, caught = smtp
    container = start_notify(Identity("parent@example.org"), **settings)
    payload = {"event_id": str(uuid.uuid4()), "occurred_at": "2026-12-04T09:00:00+00:00",
               "refund_id": str(uuid.uuid4()), "refund_reference": "R-20261204-0A1B2C3D",
               "invoice_number": "F-2026-10-0000001", "household_id": HOUSEHOLD, "amount_cents": 260,
               "means": "virement", "refunded_on": "2026-12-04", "refundable_cents": 0}
    for _ in range(2):
        publish(container, config, "billing", "refund_recorded", payload, "on_refund_recorded")
    [received] = caught.wait_for(lambda m: m["Subject"].startswith("Remboursement de 2,60"))
    time.sleep(0.5)
    assert len(caught.messages()) == 1
    body = text_of(received)
    for said in ("vous a remboursé 2,60\u00a0€ au titre de la facture F-2026-10-0000001", "R-20261204-0A1B2C3D",
                 "virement bancaire", "4 décembre 2026", f"{PORTAL}/factures/F-2026-10-0000001"):
        assert said in body, said
    assert "Il reste" not in body
    publish(container, config, "billing", "refund_recorded", {**payload, "event_id": str(uuid.uuid4()),
                                                               "means": "especes", "refundable_cents": 1440},
            "on_refund_recorded")
    [second] = caught.wait_for(lambda m: "espèces au guichet" in text_of(m))
    assert "Il reste 14,40\u00a0€ à vous rembourser sur cette facture" in text_of(second)


def test_a_rejected_direct_debit_is_told_and_its_taken_back_payment_is_not_a_receipt(start_notify, smtp, config):
    settings, caught = smtp
    container = start_notify(Identity("parent@example.org"), **settings)
    publish(container, config, "billing", "payment_received", payment_received(amount_cents=-1740, means="prelevement"),
            "on_payment_received")
    publish(container, config, "billing", "direct_debit_rejected", {
        "event_id": str(uuid.uuid4()), "occurred_at": "2026-12-03T09:00:00+00:00",
        "invoice_number": "F-2026-10-0000001", "household_id": HOUSEHOLD, "amount_cents": 1740,
        "reason": "Provision insuffisante", "mandate_suspended": True, "due_cents": 1740}, "on_direct_debit_rejected")
    [received] = caught.wait_for(lambda m: True)
    time.sleep(0.5)
    assert len(caught.messages()) == 1
    assert received["Subject"].startswith("Votre prélèvement de 17,40") and received["Subject"].endswith("a été rejeté")
    body = text_of(received)
    assert "Provision insuffisante" in body and "suspendu" in body


def test_an_overdue_invoice_is_recalled_with_what_is_left_to_pay(start_notify, smtp, config):
    settings, caught = smtp
    container = start_notify(Identity("parent@example.org"), **settings)
    publish(container, config, "billing", "invoice_reminder", {
        "event_id": str(uuid.uuid4()), "occurred_at": "2026-12-07T05:00:00+00:00",
        "invoice_number": "F-2026-10-0000001", "household_id": HOUSEHOLD, "period": "2026-10",
        "due_date": "2026-11-30", "due_cents": 740, "kind": "overdue"}, "on_invoice_reminder")
    [received] = caught.wait_for(lambda m: True)
    assert received["Subject"] == "Votre facture d'octobre 2026 n'est pas réglée"
    body = text_of(received)
    assert "devait être réglée le 30 novembre 2026" in body and "7,40\u00a0€" in body


# --- metrics (notify.metrics): what the alerts and the caisse's dashboard read ---

def sample(name, **labels):
    from prometheus_client import REGISTRY
    return REGISTRY.get_sample_value(name, labels) or 0


class Refusing:
    """A relay that refuses every e-mail for good (a 5xx reply)."""

    def send(self, message):
        raise DeliveryFailed("550 mailbox unavailable", permanent=True)


def test_a_delivered_email_is_counted_with_how_long_it_took(start_notify, smtp, config, notify):
    settings, caught = smtp
    delivered, lags = sample("portail_notify_emails_total", status="delivered"), \
        sample("portail_notify_delivery_lag_seconds_count")
    container = start_notify(Identity("parent@example.org"), **settings)
    publish(container, config, "billing", "invoice_ready", invoice_ready(), "on_invoice_ready")
    [message] = notify.list_messages()
    assert wait_for_status(notify, message["id"], "delivered")["status"] == "delivered"
    assert sample("portail_notify_emails_total", status="delivered") == delivered + 1
    assert sample("portail_notify_delivery_lag_seconds_count") == lags + 1


def test_an_email_refused_for_good_is_counted_as_failed(container_factory, config, notify):
    failed = sample("portail_notify_emails_total", status="failed")
    container = container_factory(NotifyService, dict(config, PORTAL_BASE_URL=PORTAL))
    replace_dependencies(container, identity=Identity("parent@example.org"), mailer=Refusing())
    container.start()
    publish(container, config, "billing", "invoice_ready", invoice_ready(), "on_invoice_ready")
    [message] = notify.list_messages()
    assert notify.message_status(message["id"])["status"] == "permanent-failure"
    assert sample("portail_notify_emails_total", status="failed") == failed + 1


def test_the_age_of_the_oldest_email_not_sent_is_measured_while_the_relay_is_away(start_notify, config):
    metrics.OLDEST_UNSENT.set(0)
    port = loopback.free_port()  # nothing listens there
    container = start_notify(Identity("parent@example.org"), SMTP_HOST="127.0.0.1", SMTP_PORT=str(port))
    publish(container, config, "billing", "invoice_ready", invoice_ready(), "on_invoice_ready")
    deadline = time.monotonic() + 15
    while sample("portail_notify_oldest_unsent_age_seconds") == 0 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert sample("portail_notify_oldest_unsent_age_seconds") > 0
