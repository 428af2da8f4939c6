"""The e-mails a family reads, checked word for word where it matters."""
import pytest
from hypothesis import given
from hypothesis import strategies as st
from markupsafe import escape

from notify import rendering

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
    assert invoice().subject == "Votre facture de octobre 2026 est disponible"


@pytest.mark.parametrize("period, month", [("2026-01", "janvier"), ("2026-02", "février"), ("2026-08", "août"),
                                           ("2026-12", "décembre")])
def test_every_month_is_named_in_french(period, month):
    assert invoice(period=period).subject == f"Votre facture de {month} 2026 est disponible"


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

