"""How an e-mail leaves: to an SMTP relay when `SMTP_HOST` is set (Mailpit in
development, the commune's relay in production), else into a local Maildir so
that `make run` works on a fresh machine and its mail can still be read.

Failures are sorted the way SMTP itself sorts them: a 4xx reply or a lost
connection may succeed later (temporary), a 5xx reply will not (permanent).
"""
import mailbox
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from pathlib import Path

from nameko.extensions import DependencyProvider

from kit.config import setting, var_dir
from kit.events import utcnow

DEFAULT_SENDER = "Caisse des écoles <portail@caisse-des-ecoles.example>"
SMTP_TIMEOUT = 30  # seconds; a relay that hangs longer is treated as down


class DeliveryFailed(Exception):
    def __init__(self, reason, permanent):
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent


def compose(sender, message):
    """The MIME message of a stored `Message`: text and HTML as alternatives."""
    email = EmailMessage()
    email["From"] = sender
    email["To"] = message.recipient
    email["Subject"] = message.subject
    email["Date"] = format_datetime(utcnow())
    # Derived from the message id, so a retried message keeps its Message-ID
    # and a mailbox that received it twice can tell.
    email["Message-ID"] = f"<{message.id}@{parseaddr(sender)[1].rpartition('@')[2] or 'localhost'}>"
    email["Auto-Submitted"] = "auto-generated"
    email["Content-Language"] = "fr"
    email.set_content(message.body_text)
    email.add_alternative(message.body_html, subtype="html")
    return email


def is_permanent(error):
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(500 <= code <= 599 for code, _reply in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        return 500 <= error.smtp_code <= 599
    return False


def describe(error):
    if isinstance(error, smtplib.SMTPResponseException):
        reply = error.smtp_error.decode(errors="replace") if isinstance(error.smtp_error, bytes) else error.smtp_error
        return f"{error.smtp_code} {reply}"
    return f"{type(error).__name__}: {error}"


class SmtpRelay:
    def __init__(self, host, port, user=None, password=None, starttls=False):
        self.host, self.port = host, port
        self.user, self.password = user, password
        self.starttls = starttls

    def __call__(self, email):
        with smtplib.SMTP(self.host, self.port, timeout=SMTP_TIMEOUT) as smtp:
            if self.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if self.user:
                smtp.login(self.user, self.password or "")
            smtp.send_message(email)


class MaildirDrop:
    def __init__(self, folder):
        self.folder = Path(folder)

    def __call__(self, email):
        box = mailbox.Maildir(self.folder, create=True)
        # a message taken again after its sender died may have been dropped already
        if not any(held["Message-ID"] == email["Message-ID"] for held in box):
            box.add(email)


class Postman:
    """What an entrypoint gets: `send(message)`, or DeliveryFailed saying why not."""

    def __init__(self, sender, transport):
        self.sender = sender
        self.transport = transport

    def send(self, message):
        try:
            email = compose(self.sender, message)
        except ValueError as error:  # e.g. an address with a line break: it never will be sendable
            raise DeliveryFailed(describe(error), permanent=True) from error
        try:
            self.transport(email)
        except (smtplib.SMTPException, OSError) as error:
            raise DeliveryFailed(describe(error), permanent=is_permanent(error)) from error


def enabled(value):
    return str(value).strip().lower() in ("1", "true", "yes", "on")


class Mailer(DependencyProvider):
    def setup(self):
        config = self.container.config
        host = setting(config, "SMTP_HOST")
        if host:
            transport = SmtpRelay(
                host, int(setting(config, "SMTP_PORT", 25)),
                user=setting(config, "SMTP_USER"), password=setting(config, "SMTP_PASSWORD"),
                starttls=enabled(setting(config, "SMTP_STARTTLS", "false")))
        else:
            transport = MaildirDrop(setting(config, "MAILDIR") or var_dir() / "mail")
        self.postman = Postman(setting(config, "MAIL_FROM", DEFAULT_SENDER), transport)

    def get_dependency(self, worker_ctx):
        return self.postman
