"""What a family reads: each event becomes a French e-mail, as plain text and
as HTML, from the Jinja2 templates next to this module. Pure: payloads in,
text out."""
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from urllib.parse import quote
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from babel.numbers import format_currency
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from kit import links
from notify import statuses

LOCALE = "fr_FR"
PARIS = ZoneInfo("Europe/Paris")

# How long identity keeps each link valid (its contract), as the family reads it.
VERIFICATION_VALID_FOR = "48 heures"
RESET_VALID_FOR = "1 heure"
EMAIL_CHANGE_VALID_FOR = "48 heures"

# E-mails whose link opens an account, a password or an address change on its
# own: their body is a key, kept only while it may still have to be sent.
SINGLE_USE_LINKS = frozenset({"email_verification", "password_reset", "email_change_confirmation"})
MASK = "\u2022" * 5

templates = Environment(
    loader=PackageLoader("notify"),
    autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


@dataclass(frozen=True)
class Email:
    template: str
    recipient: str
    subject: str
    text: str
    html: str


def of_month(period):
    """« d'octobre 2026 », « de novembre 2026 »: the month of a period (YYYY-MM), as a French sentence names it."""
    month = format_date(date.fromisoformat(period + "-01"), "LLLL yyyy", locale=LOCALE)
    return f"d'{month}" if month[0] in "aeiouàâéèêîôû" else f"de {month}"


def invoice_ready(payload, recipient, base_url):
    """The e-mail telling a guardian that an invoice (billing's `invoice_ready`) is out."""
    number = payload["invoice_number"]
    return render(
        "invoice_ready", recipient["email"], base_url,
        number=number,
        of_month=of_month(payload["period"]),
        amount=euros(payload["total_cents"]),
        nothing_due=payload["total_cents"] <= 0,  # an avoir, or a month whose avoirs carried cover it all
        due_date=format_date(date.fromisoformat(payload["due_date"]), "dd/MM/yyyy", locale=LOCALE),
        link=f"{base_url}/factures/{quote(number, safe='')}",
    )


def welcome(account, base_url):
    """The e-mail greeting a newly created account (identity's `get_account`)."""
    return render("welcome", account["email"], base_url)


def email_verification(payload, base_url):
    """identity's `email_verification_requested`: the link that verifies the address."""
    return render("email_verification", payload["email"], base_url,
                  link=links.url(base_url, links.EMAIL_VERIFICATION, payload["token"]),
                  valid_for=VERIFICATION_VALID_FOR)


def password_reset(payload, base_url):
    """identity's `password_reset_requested`: the link to choose a new password."""
    return render("password_reset", payload["email"], base_url,
                  link=links.url(base_url, links.PASSWORD_RESET, payload["token"]), valid_for=RESET_VALID_FOR)


def password_changed(payload, base_url):
    """identity's `password_changed`: the account holder is told, in case it was not them."""
    return render("password_changed", payload["email"], base_url, when=paris_time(payload["occurred_at"]))


def email_change_confirmation(payload, base_url):
    """identity's `email_change_requested`: sent to the NEW address, which proves it is reachable."""
    return render("email_change_confirmation", payload["new_email"], base_url,
                  link=links.url(base_url, links.EMAIL_CHANGE, payload["token"]), valid_for=EMAIL_CHANGE_VALID_FOR)


def email_changed(payload, base_url):
    """identity's `email_changed`: the OLD address is told where its mail now goes."""
    return render("email_changed", payload["old_email"], base_url,
                  new_address=masked(payload["new_email"]), when=paris_time(payload["occurred_at"]))


def masked(address):
    """Enough of an address for its owner to recognise it, too little for
    whoever reads the old mailbox to write to it: the first character and
    the domain, the length of the rest hidden too."""
    local, _at, domain = address.rpartition("@")
    return f"{local[:1]}{MASK}@{domain}"


def forgets_body(template, status):
    """Whether a message of `template` reaching `status` has its body erased."""
    return template in SINGLE_USE_LINKS and status in statuses.FINAL


def paris_time(instant):
    return format_datetime(datetime.fromisoformat(instant), "dd/MM/yyyy 'à' HH:mm", tzinfo=PARIS, locale=LOCALE)


def euros(cents):
    # Decimal, not float: 0.29 * 100 is not 29 in binary floating point.
    return format_currency(Decimal(cents) / 100, "EUR", locale=LOCALE)


def render(template, recipient, base_url, **context):
    context.update(recipient=recipient, portal=base_url)
    subject, text, html = (
        templates.get_template(f"{template}.{part}").render(context)
        for part in ("subject.txt", "txt", "html"))
    return Email(template, recipient, " ".join(subject.split()), text, html)
