"""What a family reads: each event becomes a French e-mail, as plain text and
as HTML, from the Jinja2 templates next to this module. Pure: payloads in,
text out."""
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from urllib.parse import quote

from babel.dates import format_date
from babel.numbers import format_currency
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

LOCALE = "fr_FR"

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


def invoice_ready(payload, recipient, base_url):
    """The e-mail telling a guardian that an invoice (billing's `invoice_ready`) is out."""
    number = payload["invoice_number"]
    return render(
        "invoice_ready", recipient["email"], base_url,
        number=number,
        month=format_date(date.fromisoformat(payload["period"] + "-01"), "LLLL yyyy", locale=LOCALE),
        amount=euros(payload["total_cents"]),
        due_date=format_date(date.fromisoformat(payload["due_date"]), "dd/MM/yyyy", locale=LOCALE),
        link=f"{base_url}/factures/{quote(number, safe='')}",
    )


def welcome(account, base_url):
    """The e-mail greeting a newly created account (identity's `get_account`)."""
    return render("welcome", account["email"], base_url)


def euros(cents):
    # Decimal, not float: 0.29 * 100 is not 29 in binary floating point.
    return format_currency(Decimal(cents) / 100, "EUR", locale=LOCALE)


def render(template, recipient, base_url, **context):
    context.update(recipient=recipient, portal=base_url)
    subject, text, html = (
        templates.get_template(f"{template}.{part}").render(context)
        for part in ("subject.txt", "txt", "html"))
    return Email(template, recipient, " ".join(subject.split()), text, html)
