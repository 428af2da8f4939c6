"""The e-mails a family reads, checked word for word where it matters."""
from html.parser import HTMLParser

import pytest
from hypothesis import given
from hypothesis import strategies as st
from markupsafe import escape

from notify import rendering, statuses

PORTAL = "https://portail.example"
PARENT = {"account_id": "6f1d0c1e-2f57-4a7e-9c55-0d6f8f9a1b2c", "email": "parent@example.org"}


def invoice(**changes):
    payload = {
        "event_id": "0b8f6a8e-6d0c-4c1b-9f8e-3a1d2c4b5e6f",
        "occurred_at": "2026-11-01T03:00:00+00:00",
        "invoice_id": "d6a3c1b2-7e8f-4a9b-8c7d-6e5f4a3b2c1d",
        "invoice_number": "F-2026-10-0000001",
        "household_id": "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d",
        "period": "2026-10",
        "total_cents": 1280,
        "due_date": "2026-11-30",
    }
    payload.update(changes)
    return rendering.invoice_ready(payload, PARENT, PORTAL)


def test_the_invoice_subject_names_the_month_in_french():
    assert invoice().subject == "Votre facture d'octobre 2026 est disponible"


@pytest.mark.parametrize("period, month", [("2026-01", "de janvier"), ("2026-02", "de février"), ("2026-04", "d'avril"),
                                           ("2026-08", "d'août"), ("2026-12", "de décembre")])
def test_every_month_is_named_in_french(period, month):
    assert invoice(period=period).subject == f"Votre facture {month} 2026 est disponible"


def test_the_amount_is_written_the_french_way_with_its_no_break_spaces():
    email = invoice()
    assert "12,80\u00a0€" in email.text
    assert "12,80\u00a0€" in email.html


def test_thousands_are_grouped_with_a_narrow_no_break_space():
    assert "1\u202f234,56\u00a0€" in invoice(total_cents=123456).text


@given(st.integers(min_value=0, max_value=10**9))
def test_the_amount_shown_is_the_amount_billed_to_the_cent(cents):
    shown = rendering.euros(cents)
    digits = shown.replace("\u202f", "").replace("\u00a0€", "").replace(",", ".")
    assert round(float(digits) * 100) == cents
    assert shown.endswith("\u00a0€")


def test_the_due_date_is_written_day_first():
    email = invoice()
    assert "30/11/2026" in email.text
    assert "30/11/2026" in email.html


@pytest.mark.parametrize("cents", [0, -1500])
def test_an_invoice_with_nothing_to_pay_says_so_and_asks_for_no_payment(cents):
    email = invoice(total_cents=cents)
    for body in (email.text, email.html):
        assert "Rien à régler pour ce mois-ci." in body
        assert "régler avant" not in body and "régler ma facture" not in body and "régler en ligne" not in body
    assert "À régler avant le" in invoice().text


def test_the_email_links_to_the_invoice_on_the_portal():
    email = invoice()
    link = "https://portail.example/factures/F-2026-10-0000001"
    assert link in email.text
    assert f'href="{link}"' in email.html


def test_the_layout_names_the_caisse_des_ecoles_and_ends_with_a_footer():
    email = invoice()
    assert email.text.startswith("Caisse des écoles")
    footer = email.text.split("\n-- \n", 1)[1]
    assert "Caisse des écoles" in footer and "parent@example.org" in footer
    assert "<strong style=\"font-size:18px;\">Caisse des écoles</strong>" in email.html
    assert email.html.index("Consulter et régler ma facture") < email.html.index("merci de ne pas y répondre")
    assert '<html lang="fr">' in email.html


def test_the_email_is_addressed_to_the_recipient():
    email = invoice()
    assert (email.recipient, email.template) == ("parent@example.org", "invoice_ready")


def test_hostile_strings_are_escaped_in_the_html_version():
    hostile = '<script>alert("x")</script>'
    email = invoice(invoice_number=hostile)
    assert "<script>" not in email.html
    assert str(escape(hostile)) in email.html
    assert hostile in email.text  # plain text is not HTML: it shows the string as it is


def test_a_hostile_invoice_number_cannot_leave_the_invoice_path_of_the_link():
    email = invoice(invoice_number="../../compte?x=1")
    assert f"{PORTAL}/factures/..%2F..%2Fcompte%3Fx%3D1" in email.text


def test_a_hostile_recipient_address_is_escaped_in_the_html_version():
    email = rendering.welcome({"email": '"><img src=x onerror=alert(1)>@example.org'}, PORTAL)
    assert "<img" not in email.html
    assert "&lt;img src=x onerror=alert(1)&gt;" in email.html


@given(st.text(min_size=1, max_size=40))
def test_no_invoice_number_can_add_markup_to_the_html_version(number):
    html = invoice(invoice_number=number).html
    assert str(escape(number)) in html
    assert html.count("<") == invoice(invoice_number="F-2026-10-0000001").html.count("<")


def test_a_new_account_is_welcomed_in_french_with_a_link_to_the_portal():
    email = rendering.welcome(
        {"id": PARENT["account_id"], "email": "parent@example.org", "role": "family",
         "household_id": "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d", "created_at": "2026-11-27T10:00:00+00:00"},
        PORTAL)
    assert email.subject == "Bienvenue sur le Portail famille"
    assert "parent@example.org" in email.text and PORTAL in email.text
    assert f'href="{PORTAL}"' in email.html
    assert email.template == "welcome"



# identity's e-mails: each goes to the address its event names

class Links(HTMLParser):
    """The targets of the links of an HTML e-mail, as a mail client reads them."""

    def __init__(self, html):
        super().__init__()
        self.targets = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.targets.append(dict(attrs)["href"])


ACCOUNT_ID = PARENT["account_id"]
OCCURRED_AT = "2026-11-27T10:05:00+00:00"  # 11:05 in Paris
VERIFY_TOKEN = "Zx9_-aB3cD4eF5gH6iJ7kL8mN9oP0qR1sT2uV3wX4y"
VERIFY = f"{PORTAL}/verifier-courriel?jeton={VERIFY_TOKEN}"
RESET_TOKEN = "Qw8_-eR7tY6uI5oP4aS3dF2gH1jK0lZ9xC8vB7nM6q"
RESET = f"{PORTAL}/nouveau-mot-de-passe?jeton={RESET_TOKEN}"
CONFIRM_TOKEN = "Mn1_-bV2cX3zL4kJ5hG6fD7sA8pO9iU0yT1rE2wQ3e"
CONFIRM = f"{PORTAL}/confirmer-courriel?jeton={CONFIRM_TOKEN}"


def event(**fields):
    return {"event_id": "0b8f6a8e-6d0c-4c1b-9f8e-3a1d2c4b5e6f", "occurred_at": OCCURRED_AT,
            "account_id": ACCOUNT_ID, **fields}


def verification(token=VERIFY_TOKEN):
    return rendering.email_verification(event(email="parent@example.org", token=token), PORTAL)


def reset(token=RESET_TOKEN):
    return rendering.password_reset(event(email="parent@example.org", token=token), PORTAL)


def password_changed():
    return rendering.password_changed(event(email="parent@example.org"), PORTAL)


def email_change_confirmation(token=CONFIRM_TOKEN):
    return rendering.email_change_confirmation(event(new_email="claire.martin@example.org", token=token), PORTAL)


def email_changed(new_email="claire.martin@example.org"):
    return rendering.email_changed(event(old_email="parent@example.org", new_email=new_email), PORTAL)


LINKED = [(verification, VERIFY), (reset, RESET), (email_change_confirmation, CONFIRM)]


def test_the_verification_email_asks_to_confirm_the_address_within_48_hours():
    email = verification()
    assert (email.template, email.recipient) == ("email_verification", "parent@example.org")
    assert email.subject == "Confirmez votre adresse e-mail"
    assert f"\n{VERIFY}\n" in email.text
    assert "valable 48 heures" in email.text and "valable 48 heures" in email.html


def test_the_reset_email_gives_the_link_for_one_hour_and_reassures_who_did_not_ask():
    email = reset()
    assert (email.template, email.recipient) == ("password_reset", "parent@example.org")
    assert email.subject == "Réinitialisation de votre mot de passe"
    assert f"\n{RESET}\n" in email.text
    for body in (email.text, email.html):
        assert "valable 1 heure" in body
    assert "Si vous n'avez pas fait cette demande, ignorez ce message : votre mot de passe ne change pas." in email.text
    assert "ignorez ce message&nbsp;: votre mot de passe ne change pas." in email.html


def test_the_password_changed_email_says_when_and_whom_to_call_if_it_was_not_you():
    email = password_changed()
    assert (email.template, email.recipient) == ("password_changed", "parent@example.org")
    assert email.subject == "Votre mot de passe a été modifié"
    for body in (email.text, email.html):
        assert "modifié le 27/11/2026 à 11:05" in body
        assert "Si vous n'êtes pas à l'origine de cette modification" in body
        assert "contactez sans attendre la Caisse des écoles" in body
    assert Links(email.html).targets == [PORTAL]  # nothing to click but the portal itself


def test_the_email_change_is_confirmed_from_the_new_address():
    email = email_change_confirmation()
    assert (email.template, email.recipient) == ("email_change_confirmation", "claire.martin@example.org")
    assert email.subject == "Confirmez votre nouvelle adresse e-mail"
    assert f"\n{CONFIRM}\n" in email.text
    assert "valable 48 heures" in email.text
    assert "l'ancienne adresse reste celle du compte" in email.text


def test_the_old_address_is_told_of_the_change_with_the_new_one_masked():
    email = email_changed()
    assert (email.template, email.recipient) == ("email_changed", "parent@example.org")
    assert email.subject == "Votre adresse e-mail a été modifiée"
    for body in (email.text, email.html):
        assert "remplacée par c\u2022\u2022\u2022\u2022\u2022@example.org" in body.replace("<strong>", "")
        assert "claire" not in body and "martin" not in body
        assert "Si vous n'êtes pas à l'origine de ce changement" in body
        assert "contactez sans attendre la Caisse des écoles" in body
    assert "Le 27/11/2026 à 11:05" in email.text


@pytest.mark.parametrize("address, shown", [
    ("claire.martin@example.org", "c\u2022\u2022\u2022\u2022\u2022@example.org"),
    ("c@example.org", "c\u2022\u2022\u2022\u2022\u2022@example.org"),
    ("\"a@b\"@example.org", "\"\u2022\u2022\u2022\u2022\u2022@example.org"),
])
def test_a_masked_address_keeps_its_first_character_and_its_domain(address, shown):
    assert rendering.masked(address) == shown


@given(st.emails())
def test_a_masked_address_hides_the_length_and_all_but_one_character_of_its_mailbox(address):
    local, _, domain = address.rpartition("@")
    assert rendering.masked(address) == local[0] + "\u2022" * 5 + "@" + domain


@pytest.mark.parametrize("render, url", LINKED)
def test_the_link_of_the_html_version_is_exactly_the_one_identity_sent(render, url):
    assert Links(render().html).targets == [url, PORTAL]


@pytest.mark.parametrize("render, url", LINKED)
def test_a_link_with_markup_in_it_stays_a_link_in_the_html_version(render, url):
    suffix = '&next="><script>alert(1)</script>'
    hostile = url + suffix
    email = render(url.split("jeton=")[1] + suffix)
    assert "<script>" not in email.html
    assert Links(email.html).targets == [hostile, PORTAL]
    assert f"\n{hostile}\n" in email.text


@pytest.mark.parametrize("template", sorted(rendering.SINGLE_USE_LINKS))
def test_a_single_use_link_is_forgotten_once_the_message_is_settled_for_good(template):
    assert all(rendering.forgets_body(template, status) for status in statuses.FINAL)
    assert not any(rendering.forgets_body(template, status) for status in statuses.STATUSES - statuses.FINAL)


def test_only_the_emails_carrying_a_single_use_link_are_forgotten():
    assert rendering.SINGLE_USE_LINKS == {render().template for render, _url in LINKED}
    for render in (password_changed, email_changed, invoice, lambda: rendering.welcome(PARENT, PORTAL)):
        assert not rendering.forgets_body(render().template, statuses.DELIVERED)
