"""The billing service in a nameko container against PostgreSQL and RabbitMQ,
with family's billable items played by a stand-in of the contract's shape."""
import base64
import html
import importlib.util
import re
import subprocess
import time
import uuid
from datetime import datetime, timedelta
from unittest.mock import call
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

import eventlet
import requests
import samples
from babel.dates import format_date
import pytest
from nameko.events import event_handler
from nameko.testing.services import entrypoint_hook, entrypoint_waiter, replace_dependencies
from sqlalchemy import func, select

import sepaxml
import xmlschema

from kit.caller import CallerKey
from kit.config import REPOSITORY
from kit.outbox import sealed_dispatcher
from kit.errors import Conflict, Invalid, NotFound

from billing import models
from billing.money import euros
from billing.periods import PARIS
from billing.schedule import due_for_timer
from billing.service import BillingService

MARTIN, DURAND = str(uuid.uuid4()), str(uuid.uuid4())
LEA, TOM, NOE = str(uuid.uuid4()), str(uuid.uuid4()), str(uuid.uuid4())


def booked(child_id, first_name, activity, *dates, status="booked", billable=True):
    return [{"item_id": f"{activity}:{child_id}:{day}", "child_id": child_id, "child_first_name": first_name,
             "activity": activity, "price_basis": "day", "date": day, "end_date": None, "status": status,
             "billable": billable, "reason": ""}
            for day in dates]


def quotient(value, justified=True):
    return [{"value": value, "valid_from": "2026-01-01", "valid_until": None, "justified": justified}]


def household(household_id, qf, items, resident=True):
    return {"household_id": household_id, "resident": resident, "quotient_familial": quotient(qf), "items": items}


def october():
    """Two households: the Martins (QF 650, bracket B) and the Durands (QF 1950, bracket F)."""
    return [
        {"household_id": MARTIN, "resident": True, "quotient_familial": quotient(650), "items": [
            *booked(LEA, "Léa", "restauration_scolaire", "2026-10-01", "2026-10-02", "2026-10-05", "2026-10-06"),
            *booked(TOM, "Tom", "alsh_mercredi", "2026-10-07", "2026-10-14"),
            *booked(LEA, "Léa", "etude", "2026-10-05", "2026-10-06"),
        ]},
        household(DURAND, 1950, booked(NOE, "Noé", "restauration_scolaire", "2026-10-01")),
    ]


def in_pages(households, after, size=None):
    """family's answer: the page of `households` after household `after`, in
    pages of `size` households (all of them when None)."""
    start = 0 if after is None else [h["household_id"] for h in households].index(after) + 1
    page = households[start:start + size] if size else households[start:]
    return {"households": page, "next": page[-1]["household_id"] if start + len(page) < len(households) else None}


def answering(size=None):
    """family's billable_items, played: each month's `answers`, in pages of `size` households."""
    return lambda period, after=None: in_pages(answers.get(period, []), after, size)


announced = []
receipts = []
refunded = []  # the refund_recorded events heard
answers = {}  # what family's stand-in answers, by month
family_container = []  # the billing container of the `family` fixture
SEPA_XSD = Path(sepaxml.__file__).parent / "schemas" / "pain.008.001.02.xsd"


class InvoiceListener:
    """Hears what notify will hear."""

    name = "invoice_listener"

    @event_handler("billing", "invoice_ready")
    def on_invoice_ready(self, payload):
        announced.append(payload)

    @event_handler("billing", "payment_received")
    def on_payment_received(self, payload):
        receipts.append(payload)

    @event_handler("billing", "refund_recorded")
    def on_refund_recorded(self, payload):
        refunded.append(payload)


@pytest.fixture
def family(container_factory, config):
    """Starts billing (and a listener of its events) with family played by a
    mock answering October's billable items; returns the mock."""
    announced.clear()
    receipts.clear()
    refunded.clear()
    listener = container_factory(InvoiceListener, config)
    listener.start()
    container = container_factory(BillingService, config)
    family = replace_dependencies(container, "family")
    answers.clear()
    answers["2026-10"] = october()
    family.billable_items.side_effect = answering()
    container.start()
    family_container[:] = [container]
    return family


@pytest.fixture
def billing(family, rpc):
    return rpc("billing")


def count(look, model):
    with look.connect() as connection:
        return connection.execute(select(func.count()).select_from(model)).scalar_one()


def wait_until(condition, timeout=10):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "waited in vain"
        eventlet.sleep(0.05)


def test_the_simulator_gives_each_activitys_price_at_the_quotient_and_why(billing):
    simulated = billing.as_part("gateway").simulate(650)
    assert (simulated["quotient_familial"], simulated["bracket"]) == (650, "B")
    assert simulated["reason"] == "Quotient familial de 650 € : tranche B (de 401 € à 700 €)"
    prices = {tariff["activity"]: tariff for tariff in simulated["tariffs"]}
    assert len(prices) == 9
    assert prices["restauration_scolaire"] == {
        "activity": "restauration_scolaire", "activity_label": "Restauration scolaire", "unit_price_cents": 160,
        "price_basis": "day", "price_basis_label": "par jour", "rule": "bracket", "bracket": "B",
        "reason": "Quotient familial de 650 € : tranche B (de 401 € à 700 €)."}
    assert prices["alsh_vacances"]["unit_price_cents"] == 780  # 1.20 % of 650 €
    assert prices["alsh_vacances"]["rule"] == "effort_rate"
    assert prices["centre_vacances"]["price_basis_label"] == "par séjour"
    assert billing.as_family(MARTIN).simulate(0)["bracket"] == "A"
    assert billing.as_agent.simulate(1901)["bracket"] == "F"
    unjustified = billing.as_family(MARTIN).simulate(300, justified=False)
    assert {t["rule"] for t in unjustified["tariffs"]} == {"not_justified"}


@pytest.mark.parametrize("quotient_familial", [-1, "650", None, 12.5])
def test_the_simulator_refuses_a_quotient_that_is_not_a_whole_number_of_euros(billing, quotient_familial):
    with pytest.raises(Invalid) as refused:
        billing.as_part("gateway").simulate(quotient_familial)
    assert refused.value.code == "invalid_quotient_familial"
    assert set(refused.value.fields) == {"quotient_familial"}


def test_the_migration_seeds_a_tariff_for_each_of_the_nine_activities(family, look):
    with look.connect() as connection:
        rows = connection.execute(select(models.TariffVersion.activity, models.TariffVersion.kind,
                                         models.TariffVersion.price_basis)).all()
    assert len(rows) == 9
    assert ("alsh_vacances", "effort_rate", "day") in rows
    assert ("centre_vacances", "brackets", "stay") in rows


def test_a_run_bills_each_household_once_with_its_lines_and_total(billing, family):
    assert billing.as_agent.run_period("2026-10") == {
        "period": "2026-10", "invoices_created": 2, "already_invoiced": 0, "total_cents": 2260}
    family.billable_items.assert_called_once_with("2026-10", after=None)

    [summary] = billing.as_family(MARTIN).list_invoices()
    invoice = billing.as_family(MARTIN).get_invoice(summary["number"])
    assert invoice == {**summary, "lines": invoice["lines"], "payments": [], "refunds": []}
    assert (invoice["period"], invoice["due_date"], invoice["status"]) == ("2026-10", "2026-11-30", "issued")
    assert (invoice["paid_cents"], invoice["due_cents"], invoice["online"]) == (0, 1740, False)
    assert invoice["issued_at"].endswith("+00:00")
    assert uuid.UUID(invoice["id"])
    common = {"kind": "charge", "status": "booked", "price_basis": "day", "origin": "2026-10"}
    assert invoice["lines"] == [
        {"child_id": LEA, "child_first_name": "Léa", "activity": "restauration_scolaire",
         "activity_label": "Restauration scolaire", "label": "Restauration scolaire — Léa (4 jours)",
         "dates": ["2026-10-01", "2026-10-02", "2026-10-05", "2026-10-06"],
         "quantity": 4, "unit_price_cents": 160, "amount_cents": 640, **common},
        {"child_id": LEA, "child_first_name": "Léa", "activity": "etude",
         "activity_label": "Étude surveillée", "label": "Étude surveillée — Léa (2 jours)",
         "dates": ["2026-10-05", "2026-10-06"], "quantity": 2, "unit_price_cents": 100, "amount_cents": 200,
         **common},
        {"child_id": TOM, "child_first_name": "Tom", "activity": "alsh_mercredi",
         "activity_label": "Accueil de loisirs du mercredi", "label": "Accueil de loisirs du mercredi — Tom (2 jours)",
         "dates": ["2026-10-07", "2026-10-14"], "quantity": 2, "unit_price_cents": 450, "amount_cents": 900,
         **common},
    ]
    assert invoice["total_cents"] == 1740
    [durand] = billing.as_family(DURAND).list_invoices()
    assert durand["total_cents"] == 520
    assert {summary["number"], durand["number"]} == {"F-2026-10-0000001", "F-2026-10-0000002"}


@pytest.mark.parametrize("size", [None, 2, 1], ids=["one_page", "pages_of_2", "pages_of_1"])
def test_a_month_read_in_pages_is_billed_as_when_read_at_once(billing, family, size):
    more = [household(str(uuid.uuid4()), 650, booked(str(uuid.uuid4()), "Jade", "etude", f"2026-10-0{day}"))
            for day in (1, 2, 5)]
    answers["2026-10"] = month = october() + more
    family.billable_items.side_effect = answering(size)

    assert billing.as_agent.run_period("2026-10") == {
        "period": "2026-10", "invoices_created": 5, "already_invoiced": 0, "total_cents": 2260 + 300}
    firsts = range(0, len(month), size or len(month))
    assert family.billable_items.call_args_list == [
        call("2026-10", after=month[first - 1]["household_id"] if first else None) for first in firsts]
    invoices = {entry["household_id"]: billing.as_family(entry["household_id"]).list_invoices() for entry in month}
    assert [(invoice["number"], invoice["total_cents"]) for entry in month
            for invoice in invoices[entry["household_id"]]] == [
        ("F-2026-10-0000001", 1740), ("F-2026-10-0000002", 520), ("F-2026-10-0000003", 100),
        ("F-2026-10-0000004", 100), ("F-2026-10-0000005", 100)]


def test_a_page_that_fails_stops_the_run_before_anything_is_billed(billing, family, look):
    answers["2026-10"] = october() + [household(str(uuid.uuid4()), 300,
                                                booked(str(uuid.uuid4()), "Jade", "etude", "le 3 octobre"))]
    family.billable_items.side_effect = answering(size=2)
    with pytest.raises(Invalid) as refused:
        billing.as_agent.run_period("2026-10")
    assert refused.value.code == "invalid_billable_items"
    assert refused.value.fields == {"0.items.0.date": "Date au format AAAA-MM-JJ attendue."}
    assert family.billable_items.call_args_list == [call("2026-10", after=None), call("2026-10", after=DURAND)]
    assert_nothing_written(look)


def test_a_month_that_has_not_ended_is_refused_with_a_clear_error(billing, family, look):
    today = datetime.now(PARIS).date()
    with pytest.raises(Invalid) as refused:
        billing.as_agent.run_period(f"{today:%Y-%m}")
    assert refused.value.code == "month_not_over"
    assert "n'est pas terminé : il pourra être facturé à partir du 1er " in refused.value.message
    family.billable_items.assert_not_called()
    assert_nothing_written(look)


def test_each_new_invoice_is_announced_once_with_what_notify_needs(billing, look):
    billing.as_agent.run_period("2026-10")
    wait_until(lambda: len(announced) == 2)
    martin = billing.as_family(MARTIN).list_invoices()[0]
    payload = next(event for event in announced if event["household_id"] == MARTIN)
    assert set(payload) == {"event_id", "occurred_at", "invoice_id", "invoice_number", "household_id", "period",
                            "total_cents", "due_date"}
    assert payload["invoice_id"] == martin["id"]
    assert payload["invoice_number"] == martin["number"]
    assert (payload["period"], payload["total_cents"], payload["due_date"]) == ("2026-10", 1740, "2026-11-30")
    assert len({event["event_id"] for event in announced}) == 2
    assert count(look, models.OutboxEvent) == 2


def test_running_a_month_again_bills_nothing_twice_and_announces_nothing_more(billing, family, look):
    billing.as_agent.run_period("2026-10")
    wait_until(lambda: len(announced) == 2)
    assert billing.as_agent.run_period("2026-10")["invoices_created"] == 0
    eventlet.sleep(0.5)
    assert len(announced) == 2
    assert count(look, models.Invoice) == 2
    assert count(look, models.OutboxEvent) == 2


def test_an_item_booked_after_its_month_was_billed_goes_on_the_next_invoice_once(billing, family):
    billing.as_agent.run_period("2026-10")
    late = booked(LEA, "Léa", "restauration_scolaire", "2026-10-30")
    answers["2026-10"] = [{**october()[0], "items": october()[0]["items"] + late}, october()[1]]
    assert billing.as_agent.run_period("2026-10")["invoices_created"] == 0  # the month's invoice is out
    answers["2026-11"] = [household(MARTIN, 650, booked(LEA, "Léa", "etude", "2026-11-02"))]
    billing.as_agent.run_period("2026-11")
    november = billing.as_family(MARTIN).get_invoice("F-2026-11-0000003")
    assert [(line["label"], line["amount_cents"]) for line in november["lines"]] == [
        ("Régularisation de octobre 2026 : Restauration scolaire — Léa (1 jour)", 160),
        ("Étude surveillée — Léa (1 jour)", 100)]
    answers["2026-12"] = []
    assert family.billable_items.call_args_list[-2:] == [call("2026-10", after=None), call("2026-11", after=None)]


def test_an_absence_justified_after_billing_is_credited_on_the_next_invoice(billing, family):
    billing.as_agent.run_period("2026-10")
    items = october()[0]["items"]
    items[0] = {**items[0], "status": "absence_justified", "billable": False}
    answers["2026-10"] = [{**october()[0], "items": items}]
    answers["2026-11"] = [household(MARTIN, 650, booked(LEA, "Léa", "etude", "2026-11-02"))]
    billing.as_agent.run_period("2026-11")
    [november, _] = billing.as_family(MARTIN).list_invoices()
    detail = billing.as_family(MARTIN).get_invoice(november["number"])
    assert [(line["kind"], line["amount_cents"]) for line in detail["lines"]] == [("credit", -160),
                                                                                  ("charge", 100)]
    assert detail["total_cents"] == -60
    assert detail["status"] == "paid"


# Avoirs carried to the next invoices (billing.carry)

@pytest.fixture
def later(container_factory, config, rpc):
    """Billing whose today is March 2027 (October to February can be billed), family's stand-in answering
    `answers`: the Martins' four Wednesdays of October (18 €) billed and paid."""
    announced.clear()
    refunded.clear()
    container_factory(InvoiceListener, config).start()
    container = container_factory(BillingService, {**config, "BILLING_TODAY": "2027-03-01"})
    family = replace_dependencies(container, "family")
    answers.clear()
    family.billable_items.side_effect = answering()
    container.start()
    billing = rpc("billing")
    answers["2026-10"] = [household(MARTIN, 650, wednesdays())]
    billing.as_agent.run_period("2026-10")
    pay(billing, MARTIN, "F-2026-10-0000001", 1800)
    return billing, family


def wednesdays(**justified):
    return booked(TOM, "Tom", "alsh_mercredi", "2026-10-07", "2026-10-14", "2026-10-21", "2026-10-28", **justified)


def study_days(month, count):
    return booked(LEA, "Léa", "etude", *(f"{month}-{day:02d}" for day in range(1, count + 1)))


def with_an_avoir(billing):
    """October's four Wednesdays justified after they were paid, one day of study in November: an avoir of 17 €."""
    answers["2026-10"] = [household(MARTIN, 650, wednesdays(status="absence_justified", billable=False))]
    answers["2026-11"] = [household(MARTIN, 650, study_days("2026-11", 1))]
    billing.as_agent.run_period("2026-11")
    return billing.as_family(MARTIN).get_invoice("F-2026-11-0000002")


def carried(invoice):
    return [(line["label"], line["amount_cents"]) for line in invoice["lines"] if line["kind"] == "carried_credit"]


def test_an_avoir_lowers_the_next_invoices_to_zero_and_what_is_left_goes_to_the_one_after(later, look, tmp_path):
    billing, _ = later
    november = with_an_avoir(billing)
    assert (november["total_cents"], november["status"], november["credit_left_cents"]) == (-1700, "paid", 1700)
    account = billing.as_agent.household_account(MARTIN)
    assert (account["balance_cents"], account["credit_left_cents"], account["carried_credits"]) == (-1700, 1700, [])

    answers["2026-12"] = [household(MARTIN, 650, study_days("2026-12", 5))]
    billing.as_agent.run_period("2026-12")
    december = billing.as_family(MARTIN).get_invoice("F-2026-12-0000003")
    assert carried(december) == [("Report de l'avoir de la facture F-2026-11-0000002", -500)]
    assert (december["total_cents"], december["due_cents"], december["status"]) == (0, 0, "paid")
    report = december["lines"][-1]
    assert (report["child_id"], report["activity"], report["activity_label"], report["origin"]) == (
        None, None, None, "2026-11")
    account = billing.as_agent.household_account(MARTIN)
    assert (account["balance_cents"], account["credit_left_cents"]) == (-1200, 1200)

    answers["2027-01"] = [household(MARTIN, 650, study_days("2027-01", 15))]
    billing.as_agent.run_period("2027-01")
    january = billing.as_family(MARTIN).get_invoice("F-2027-01-0000001")
    assert carried(january) == [("Report de l'avoir de la facture F-2026-11-0000002", -1200)]
    assert (january["total_cents"], january["due_cents"], january["status"]) == (300, 300, "issued")
    account = billing.as_agent.household_account(MARTIN)
    assert (account["balance_cents"], account["credit_left_cents"]) == (300, 0)
    assert [(entry["avoir_number"], entry["number"], entry["amount_cents"]) for entry in account["carried_credits"]
            ] == [("F-2026-11-0000002", "F-2026-12-0000003", -500), ("F-2026-11-0000002", "F-2027-01-0000001", -1200)]
    assert billing.as_family(MARTIN).get_invoice("F-2026-11-0000002")["carried_cents"] == 1700

    answers["2027-02"] = [household(MARTIN, 650, study_days("2027-02", 2))]
    billing.as_agent.run_period("2027-02")  # nothing is left to carry
    assert carried(billing.as_family(MARTIN).get_invoice("F-2027-02-0000002")) == []

    path = tmp_path / "janvier.pdf"
    path.write_bytes(base64.b64decode(billing.as_family(MARTIN).invoice_pdf("F-2027-01-0000001")["pdf"]))
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    for expected in ("Léa", "Étude surveillée — Léa (15 jours)", "Report",
                     "Report de l'avoir de la facture F-2026-11-0000002", "-12 €", "Reste à payer"):
        assert expected in text, expected
    wait_until(lambda: {event["invoice_number"] for event in announced} >= {"F-2026-12-0000003", "F-2027-01-0000001"})


def test_a_cancelled_invoice_gives_back_the_avoir_it_took_to_the_next_one(later):
    billing, _ = later
    with_an_avoir(billing)
    answers["2026-12"] = [household(MARTIN, 650, study_days("2026-12", 20))]
    billing.as_agent.run_period("2026-12")
    assert billing.as_agent.household_account(MARTIN)["balance_cents"] == 300
    cancelled = billing.as_agent.cancel_invoice(MARTIN, "F-2026-12-0000003", "Erreur de pointage")
    again = billing.as_agent.cancel_invoice(MARTIN, "F-2026-12-0000003", "Erreur de pointage")  # a second click
    assert again["credit_note_number"] == cancelled["credit_note_number"]
    account = billing.as_agent.household_account(MARTIN)
    assert (account["balance_cents"], account["credit_left_cents"], account["carried_credits"]) == (-1700, 1700, [])
    answers["2027-01"] = [household(MARTIN, 650, study_days("2027-01", 20))]
    billing.as_agent.run_period("2027-01")
    assert carried(billing.as_family(MARTIN).get_invoice("F-2027-01-0000001")) == [
        ("Report de l'avoir de la facture F-2026-11-0000002", -1700)]
    assert billing.as_agent.household_account(MARTIN)["balance_cents"] == 300


def test_an_overpayment_is_not_carried_but_stays_to_refund(later):
    billing, _ = later
    pay(billing, MARTIN, "F-2026-10-0000001", 500)  # paid twice over in part
    answers["2026-11"] = [household(MARTIN, 650, study_days("2026-11", 3))]
    billing.as_agent.run_period("2026-11")
    november = billing.as_family(MARTIN).get_invoice("F-2026-11-0000002")
    assert (carried(november), november["total_cents"]) == ([], 300)
    assert billing.as_agent.household_account(MARTIN)["balance_cents"] == 300 - 500


def test_an_avoir_refunded_in_part_is_carried_only_for_the_rest_and_never_refunded_again(later, look):
    billing, _ = later
    with_an_avoir(billing)
    made = refund(billing, MARTIN, "F-2026-11-0000002", 1200, "cheque_tresor", note="Chèque n° 0042")
    assert (made["credit_cents"], made["means_label"], made["note"], made["iban_masked"]) == (
        1200, "Chèque du Trésor public", "Chèque n° 0042", None)
    assert (made["invoice"]["credit_left_cents"], made["invoice"]["refundable_cents"]) == (500, 500)
    assert billing.as_agent.household_account(MARTIN)["balance_cents"] == -500
    answers["2026-12"] = [household(MARTIN, 650, study_days("2026-12", 20))]
    billing.as_agent.run_period("2026-12")
    december = billing.as_family(MARTIN).get_invoice("F-2026-12-0000003")
    assert (carried(december), december["total_cents"]) == (
        [("Report de l'avoir de la facture F-2026-11-0000002", -500)], 1500)
    with pytest.raises(Conflict) as refused:
        refund(billing, MARTIN, "F-2026-11-0000002", 1)
    assert refused.value.code == "nothing_to_refund"
    account = billing.as_agent.household_account(MARTIN)
    assert (account["balance_cents"], account["credit_left_cents"], account["refundable_cents"]) == (1500, 0, 0)
    with look.connect() as connection:
        assert connection.execute(select(models.Invoice.carried_cents, models.Invoice.credit_refunded_cents).where(
            models.Invoice.number == "F-2026-11-0000002")).one() == (500, 1200)
    wait_until(lambda: [event["refundable_cents"] for event in refunded] == [500])


def test_the_table_refuses_an_avoir_carried_beyond_what_was_refunded_of_it(later, look):
    billing, _ = later
    with_an_avoir(billing)
    refund(billing, MARTIN, "F-2026-11-0000002", 1700, "especes")
    from sqlalchemy.exc import IntegrityError
    with pytest.raises(IntegrityError), look.begin() as connection:
        connection.execute(models.Invoice.__table__.update().where(
            models.Invoice.number == "F-2026-11-0000002").values(carried_cents=1))


def test_two_runs_at_once_carry_an_avoir_once_in_all(later, rpc, look):
    billing, family = later
    with_an_avoir(billing)
    answers["2026-12"] = [household(MARTIN, 650, study_days("2026-12", 15))]
    answers["2027-01"] = [household(MARTIN, 650, study_days("2027-01", 15))]

    def slow_family(period, after=None):
        eventlet.sleep(0.2)  # both runs are in flight before either writes
        return in_pages(answers.get(period, []), after)

    family.billable_items.side_effect = slow_family
    runs = [eventlet.spawn(rpc("billing").as_agent.run_period, period) for period in ("2026-12", "2027-01")]
    assert [run.wait()["invoices_created"] for run in runs] == [1, 1]
    lines = [line for number in ("F-2026-12-0000003", "F-2027-01-0000001")
             for line in carried(billing.as_family(MARTIN).get_invoice(number))]
    assert sorted(cents for _, cents in lines) == [-1500, -200]
    with look.connect() as connection:
        assert connection.execute(select(models.Invoice.carried_cents).where(
            models.Invoice.number == "F-2026-11-0000002")).scalar_one() == 1700
    assert billing.as_agent.household_account(MARTIN)["balance_cents"] == -1700 + 3000


@pytest.mark.parametrize("earlier_run", [False, True], ids=["first_run", "after_an_earlier_run"])
def test_two_simultaneous_runs_of_a_month_bill_each_household_once_with_distinct_numbers(
        billing, family, rpc, look, earlier_run):
    if earlier_run:
        billing.as_agent.run_period("2026-10")
    already = 2 if earlier_run else 0
    households = [household(str(uuid.uuid4()), 100 * rank,
                            booked(str(uuid.uuid4()), "Léa", "etude", "2026-10-01", "2026-10-02"))
                  for rank in range(25)]

    def slow_family(period, after=None):
        eventlet.sleep(0.2)  # both runs are in flight before either writes
        return in_pages(october() + households, after, size=10)

    family.billable_items.side_effect = slow_family
    first, second = rpc("billing").as_agent, rpc("billing").as_agent
    runs = [eventlet.spawn(first.run_period, "2026-10"), eventlet.spawn(second.run_period, "2026-10")]
    results = [run.wait() for run in runs]

    created = 27 - already
    assert sorted(result["invoices_created"] for result in results) == [0, created]
    with look.connect() as connection:
        numbers = connection.execute(select(models.Invoice.number)).scalars().all()
        assert connection.execute(select(models.NumberSequence.last)).scalar_one() == 27
    assert sorted(numbers) == [f"F-2026-10-{rank:07d}" for rank in range(1, 28)]
    wait_until(lambda: len(announced) == 27)
    assert len({event["invoice_number"] for event in announced}) == 27


def test_numbers_follow_each_other_through_the_year(billing, family):
    billing.as_agent.run_period("2026-10")
    answers["2026-11"] = [{**entry, "items": [{**item, "item_id": item["item_id"] + "-nov",
                                               "date": item["date"].replace("2026-10", "2026-11")}
                                              for item in entry["items"]]} for entry in october()]
    billing.as_agent.run_period("2026-11")
    numbers = sorted(invoice["number"]
                     for household_id in (MARTIN, DURAND) for invoice in billing.as_family(household_id).list_invoices())
    assert numbers == ["F-2026-10-0000001", "F-2026-10-0000002", "F-2026-11-0000003", "F-2026-11-0000004"]


def test_another_familys_invoice_is_not_found(billing):
    billing.as_agent.run_period("2026-10")
    [durand] = billing.as_family(DURAND).list_invoices()
    assert billing.as_family(DURAND).get_invoice(durand["number"])["total_cents"] == 520
    for household_id, number in [(MARTIN, durand["number"]), (str(uuid.uuid4()), durand["number"]),
                                 (MARTIN, "F-2026-10-0000999")]:
        with pytest.raises(NotFound) as refused:
            billing.as_family(household_id).get_invoice(number)
        assert refused.value.code == "invoice_not_found"
        with pytest.raises(NotFound):
            billing.as_family(household_id).invoice_pdf(number)


def test_malformed_invoice_queries_are_refused(billing):
    with pytest.raises(Invalid) as refused:
        billing.as_family(MARTIN).get_invoice("facture-1")
    assert refused.value.code == "invalid_invoice_number"
    with pytest.raises(NotFound) as refused:
        billing.as_agent.list_invoices("le foyer")
    assert refused.value.code == "household_not_found"


def assert_nothing_written(look):
    for model in (models.Invoice, models.InvoiceLine, models.NumberSequence, models.OutboxEvent, models.BilledItem,
                  models.RunJournalEntry):
        assert count(look, model) == 0, model.__tablename__


@pytest.mark.parametrize("period", ["2026-13", "2026-1", "octobre", "", None, 202610])
def test_a_bad_period_is_refused_and_nothing_is_written(billing, family, look, period):
    with pytest.raises(Invalid) as refused:
        billing.as_agent.run_period(period)
    assert refused.value.code == "invalid_period"
    family.billable_items.assert_not_called()
    assert_nothing_written(look)


def test_an_activity_without_a_price_stops_the_run_before_anything_is_billed(billing, family, look):
    answers["2026-10"] = october() + [household(str(uuid.uuid4()), 300,
                                                booked(str(uuid.uuid4()), "Jade", "piscine", "2026-10-03"))]
    with pytest.raises(Invalid) as refused:
        billing.as_agent.run_period("2026-10")
    assert refused.value.code == "unknown_activity"
    assert "piscine" in refused.value.message
    assert_nothing_written(look)


def test_malformed_billable_items_stop_the_run_before_anything_is_billed(billing, family, look):
    answers["2026-10"] = october() + [household(str(uuid.uuid4()), 300,
                                                booked(str(uuid.uuid4()), "Jade", "etude", "le 3 octobre"))]
    with pytest.raises(Invalid) as refused:
        billing.as_agent.run_period("2026-10")
    assert refused.value.code == "invalid_billable_items"
    assert refused.value.fields == {"2.items.0.date": "Date au format AAAA-MM-JJ attendue."}
    assert_nothing_written(look)


def test_runs_are_journaled_with_the_agent_who_started_them(billing, look):
    billing.as_agent.run_period("2026-10")
    [run] = billing.as_agent.list_runs()
    assert (run["period"], run["started_by"], run["invoices_created"], run["total_cents"], run["automatic"]) == (
        "2026-10", str(billing.agent_id), 2, 2260, False)


def test_the_timer_bills_the_month_that_ended_once_from_its_day_and_hour(container_factory, config, rpc, look):
    ended = due_for_timer(datetime.now(PARIS), 1, 0)
    day = f"{ended.key}-03"
    container = container_factory(BillingService, {**config, "BILLING_RUN_DAY": 1, "BILLING_RUN_HOUR": 0})
    family = replace_dependencies(container, "family")
    family.billable_items.side_effect = lambda period, after=None: in_pages(
        [household(MARTIN, 650, booked(LEA, "Léa", "etude", day))] if period == ended.key else [], after)
    container.start()
    with entrypoint_hook(container, "monthly_run") as tick:
        tick()
        tick()  # the next tick, or another instance: the month is billed already
    [run] = rpc("billing").as_agent.list_runs()
    assert (run["period"], run["automatic"], run["started_by"], run["invoices_created"]) == (
        ended.key, True, None, 1)
    assert count(look, models.Invoice) == 1


def test_the_timer_waits_for_its_day_and_hour(container_factory, config, look):
    now = datetime.now(PARIS)
    container = container_factory(BillingService, {**config, "BILLING_RUN_DAY": 28, "BILLING_RUN_HOUR": 23}
                                  if (now.day, now.hour) < (28, 23) else {**config, "BILLING_RUN_DAY": 31,
                                                                          "BILLING_RUN_HOUR": 24})
    family = replace_dependencies(container, "family")
    container.start()
    with entrypoint_hook(container, "monthly_run") as tick:
        tick()
    family.billable_items.assert_not_called()
    assert count(look, models.RunJournalEntry) == 0


def test_only_agents_run_billing_and_a_family_sees_only_its_invoices(billing, look):
    from kit.errors import Forbidden, Unauthenticated
    for calls, refusal in [(billing.as_family(MARTIN), Forbidden), (billing.as_part("notify"), Forbidden),
                           (billing.unsigned, Unauthenticated)]:
        with pytest.raises(refusal):
            calls.run_period("2026-10")
    assert count(look, models.Invoice) == 0
    billing.as_agent.run_period("2026-10")
    [martin] = billing.as_family(MARTIN).list_invoices()
    with pytest.raises(NotFound):
        billing.as_family(MARTIN).list_invoices(DURAND)
    assert billing.as_agent.list_invoices(MARTIN) == [martin]


# Paying, reading, cancelling

def stay(child_id, first_name, activity, first, last):
    return [{"item_id": f"{activity}:{child_id}:{first}", "child_id": child_id, "child_first_name": first_name,
             "activity": activity, "price_basis": "stay", "date": first, "end_date": last, "status": "booked",
             "billable": True, "reason": ""}]


# The month that ended: its invoices are not due yet, whatever day the tests run.
LAST = due_for_timer(datetime.now(PARIS), 1, 0)


def moved_to_last_month(entries):
    return [{**entry, "items": [{**item, "item_id": item["item_id"].replace("2026-10", LAST.key),
                                 "date": item["date"].replace("2026-10", LAST.key),
                                 "end_date": item["end_date"] and item["end_date"].replace("2026-10", LAST.key)}
                                for item in entry["items"]]} for entry in entries]


@pytest.fixture
def invoices(billing):
    """Last month billed: the Martins' catering and activities (17,40 €), the Durands' catering and a holiday stay."""
    answers[LAST.key] = moved_to_last_month([
        october()[0], household(DURAND, 1950, booked(NOE, "Noé", "restauration_scolaire", "2026-10-01")
                                + stay(NOE, "Noé", "centre_vacances", "2026-10-19", "2026-10-23"))])
    billing.as_agent.run_period(LAST.key)
    return {"martin": billing.as_family(MARTIN).list_invoices()[0]["number"],
            "durand": billing.as_family(DURAND).list_invoices()[0]["number"]}


def pay(billing, household_id, number, amount, means="especes", **details):
    return billing.as_agent.record_counter_payment(household_id, {"number": number, "amount_cents": amount,
                                                                  "means": means, **details})


def test_a_partial_counter_payment_gives_a_receipt_and_leaves_the_invoice_partly_paid(billing, invoices, look):
    receipt = pay(billing, MARTIN, invoices["martin"], 1000, "cheque", cheque_number="1234567", bank="Crédit Mutuel")
    assert receipt["reference"].startswith("P-")
    assert (receipt["amount_cents"], receipt["applied_cents"], receipt["excess_cents"]) == (1000, 1000, 0)
    assert receipt["means_label"] == "Chèque"
    assert receipt["details"] == {"cheque_number": "1234567", "bank": "Crédit Mutuel"}
    assert (receipt["invoice"]["status"], receipt["invoice"]["due_cents"]) == ("partly_paid", 740)
    pay(billing, MARTIN, invoices["martin"], 740, "carte")
    invoice = billing.as_family(MARTIN).get_invoice(invoices["martin"])
    assert (invoice["status"], invoice["paid_cents"], invoice["due_cents"]) == ("paid", 1740, 0)
    assert [p["means"] for p in invoice["payments"]] == ["cheque", "carte"]
    wait_until(lambda: len(receipts) == 2)
    assert {r["means"] for r in receipts} == {"cheque", "carte"}
    assert set(receipts[0]) >= {"event_id", "occurred_at", "payment_id", "invoice_number", "household_id",
                                "amount_cents", "means", "received_on"}


def test_a_payment_beyond_what_is_owed_is_recorded_and_flagged_for_a_refund(billing, invoices):
    receipt = pay(billing, MARTIN, invoices["martin"], 2000)
    assert (receipt["applied_cents"], receipt["excess_cents"]) == (1740, 260)
    account = billing.as_agent.household_account(MARTIN)
    assert account["invoices"][0]["overpaid_cents"] == 260
    assert account["balance_cents"] == -260


def test_bons_caf_are_refused_on_catering_and_accepted_on_a_holiday_stay(billing, invoices, look):
    with pytest.raises(Invalid) as refused:
        pay(billing, MARTIN, invoices["martin"], 500, "bons_caf")
    assert refused.value.code == "bons_caf_not_accepted"
    assert count(look, models.Payment) == 0
    durand = billing.as_family(DURAND).get_invoice(invoices["durand"])
    stay_cents = next(line["amount_cents"] for line in durand["lines"] if line["activity"] == "centre_vacances")
    assert stay_cents == 45000
    with pytest.raises(Invalid) as refused:
        pay(billing, DURAND, invoices["durand"], durand["total_cents"], "bons_caf")
    assert refused.value.code == "bons_caf_exceed_stays"
    receipt = pay(billing, DURAND, invoices["durand"], stay_cents, "bons_caf")
    assert receipt["invoice"]["due_cents"] == 520


def test_a_family_cannot_record_a_counter_payment(billing, invoices):
    from kit.errors import Forbidden
    with pytest.raises(Forbidden):
        billing.as_family(MARTIN).record_counter_payment(MARTIN, {"number": invoices["martin"], "amount_cents": 1,
                                                                  "means": "especes"})


def test_a_retried_counter_payment_with_the_same_key_is_recorded_once(billing, invoices, look):
    retrying = billing.as_agent.with_context(idempotency_key="payment-1")
    payment = {"number": invoices["martin"], "amount_cents": 1000, "means": "especes"}
    first = retrying.record_counter_payment(MARTIN, payment)
    again = retrying.record_counter_payment(MARTIN, payment)
    assert again == first
    assert count(look, models.Payment) == 1
    assert billing.as_family(MARTIN).get_invoice(invoices["martin"])["paid_cents"] == 1000


def test_the_same_key_with_another_counter_payment_is_refused_and_records_nothing(billing, invoices, look):
    retrying = billing.as_agent.with_context(idempotency_key="payment-2")
    retrying.record_counter_payment(MARTIN, {"number": invoices["martin"], "amount_cents": 1000, "means": "especes"})
    with pytest.raises(Invalid) as refused:
        retrying.record_counter_payment(MARTIN, {"number": invoices["martin"], "amount_cents": 740,
                                                 "means": "especes"})
    assert refused.value.code == "idempotency_key_reused"
    assert count(look, models.Payment) == 1
    assert billing.as_family(MARTIN).get_invoice(invoices["martin"])["paid_cents"] == 1000


def refund(billing, household_id, number, amount, means="especes", **details):
    return billing.as_agent.record_refund(household_id, {"number": number, "amount_cents": amount, "means": means,
                                                         **details})


def test_an_overpayment_is_refunded_once_and_the_balance_comes_back_to_zero(billing, invoices, look, tmp_path):
    pay(billing, MARTIN, invoices["martin"], 2000)  # 2,60 € beyond the invoice
    with pytest.raises(Invalid) as refused:
        refund(billing, MARTIN, invoices["martin"], 261)
    assert (refused.value.code, set(refused.value.fields)) == ("refund_exceeds_refundable", {"amount_cents"})
    assert euros(260) in refused.value.message
    assert count(look, models.Refund) == 0
    made = refund(billing, MARTIN, invoices["martin"], 260, "virement", iban="FR76 3000 4000 0312 3456 7890 143")
    assert re.fullmatch(r"R-[0-9]{8}-[0-9A-F]{8}", made["reference"])
    assert (made["amount_cents"], made["credit_cents"], made["means_label"], made["iban_masked"]) == (
        260, 0, "Virement bancaire", "FR76 **** **** 0143")
    assert made["refunded_on"] == datetime.now(PARIS).date().isoformat()
    assert (made["invoice"]["refunded_cents"], made["invoice"]["refundable_cents"]) == (260, 0)
    with pytest.raises(Conflict) as refused:
        refund(billing, MARTIN, invoices["martin"], 260)
    assert refused.value.code == "nothing_to_refund"
    assert count(look, models.Refund) == 1

    account = billing.as_agent.household_account(MARTIN)
    assert (account["balance_cents"], account["refundable_cents"]) == (0, 0)
    assert [(r["reference"], r["invoice_number"], r["amount_cents"]) for r in account["refunds"]] == [
        (made["reference"], invoices["martin"], 260)]
    invoice = billing.as_family(MARTIN).get_invoice(invoices["martin"])
    assert [(r["reference"], r["means"], r["amount_cents"]) for r in invoice["refunds"]] == [
        (made["reference"], "virement", 260)]
    export = billing.as_agent.export_period(LAST.key)["csv"].splitlines()
    assert export[0].endswith(";avoir;rembourse_cents")
    row = next(line for line in export if line.startswith(invoices["martin"]))
    assert row.split(";")[-1] == "260" and row.split(";")[7] == "260"  # overpaid 2,60 €, refunded 2,60 €
    text = pdf_text(billing.as_family(MARTIN).invoice_pdf(invoices["martin"]), tmp_path, flowing=True)
    assert f"Remboursements {format_date(datetime.now(PARIS).date(), 'd MMMM yyyy', locale='fr_FR')} — " \
           f"Virement bancaire ({made['reference']}) -2,60 €" in text

    wait_until(lambda: len(refunded) == 1)
    assert {key: refunded[0][key] for key in ("refund_reference", "invoice_number", "household_id", "amount_cents",
                                              "means", "refundable_cents")} == {
        "refund_reference": made["reference"], "invoice_number": invoices["martin"], "household_id": MARTIN,
        "amount_cents": 260, "means": "virement", "refundable_cents": 0}


def test_a_retried_refund_with_the_same_key_is_recorded_once(billing, invoices, look):
    pay(billing, MARTIN, invoices["martin"], 2000)
    retrying = billing.as_agent.with_context(idempotency_key="refund-1")
    asked = {"number": invoices["martin"], "amount_cents": 100, "means": "especes"}
    first = retrying.record_refund(MARTIN, asked)
    assert retrying.record_refund(MARTIN, asked) == first
    assert count(look, models.Refund) == 1
    with pytest.raises(Invalid) as refused:
        retrying.record_refund(MARTIN, {**asked, "amount_cents": 160})
    assert refused.value.code == "idempotency_key_reused"
    assert billing.as_family(MARTIN).get_invoice(invoices["martin"])["refundable_cents"] == 160


@pytest.mark.parametrize("asked, code", [
    ({"amount_cents": 100, "means": "virement"}, "iban_required"),  # the Martins have no mandate
    ({"amount_cents": 100, "means": "virement", "iban": "FR7630004000031234567890140"}, "invalid_iban"),
    ({"amount_cents": 100, "means": "especes", "iban": "FR7630004000031234567890143"}, "iban_not_expected"),
    ({"amount_cents": 100, "means": "bitcoin"}, "unknown_means"),
    ({"amount_cents": "douze", "means": "especes"}, "invalid_amount"),
    ({"amount_cents": 100, "means": "especes", "refunded_on": "2999-01-01"}, "refund_in_future"),
])
def test_a_refund_badly_asked_is_refused_in_french_and_records_nothing(billing, invoices, look, asked, code):
    pay(billing, MARTIN, invoices["martin"], 2000)
    with pytest.raises(Invalid) as refused:
        billing.as_agent.record_refund(MARTIN, {"number": invoices["martin"], **asked})
    assert refused.value.code == code
    assert count(look, models.Refund) == 0


def test_only_agents_refund_and_another_familys_invoice_is_not_found(billing, invoices):
    from kit.errors import Forbidden
    with pytest.raises(Forbidden):
        billing.as_family(MARTIN).record_refund(MARTIN, {"number": invoices["martin"], "amount_cents": 1,
                                                         "means": "especes"})
    with pytest.raises(NotFound):
        refund(billing, DURAND, invoices["martin"], 1)
    with pytest.raises(Conflict) as refused:  # paid nothing beyond: nothing to refund
        refund(billing, MARTIN, invoices["martin"], 1)
    assert refused.value.code == "nothing_to_refund"


def test_the_invoice_pdf_is_made_once_and_reads_as_the_invoice(billing, invoices, look, tmp_path):
    first = billing.as_family(MARTIN).invoice_pdf(invoices["martin"])
    again = billing.as_agent.invoice_pdf(invoices["martin"], MARTIN)
    assert first == again
    assert first["filename"] == f"{invoices['martin']}.pdf"
    text = pdf_text(first, tmp_path)
    due = format_date(LAST.due_date, "d MMMM yyyy", locale="fr_FR")
    for expected in (f"Facture {invoices['martin']}", f"Prestations de {LAST.label}", "Léa", "Tom",
                     "Restauration scolaire — Léa (4 jours)", "Total de la facture", "17,40 €",
                     f"À payer au plus tard le {due}", "Comment payer"):
        assert expected in text, expected
    assert count(look, models.InvoiceDocument) == 1


def pdf_text(document, folder, flowing=False):
    """The PDF's text as pdftotext reads it: laid out as printed, or `flowing` (words separated by one space)."""
    path = folder / document["filename"]
    path.write_bytes(base64.b64decode(document["pdf"]))
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return " ".join(text.split()) if flowing else text


def shows(text, label, cents):
    """Whether a PDF's text shows an amount after its label (pdftotext spaces the euro sign as it likes)."""
    return f"{label}{euros(cents)}".replace(" ", "") in text.replace(" ", "")


def test_last_years_childcare_attestation_counts_the_care_of_young_children_and_only_theirs(
        billing, family, invoices, tmp_path):
    year = datetime.now(PARIS).year - 1
    invoice = billing.as_family(MARTIN).get_invoice(invoices["martin"])
    pay(billing, MARTIN, invoices["martin"], invoice["total_cents"], "cheque", cheque_number="7654321",
        bank="La Banque Postale", received_on=f"{year}-12-15")
    pay(billing, DURAND, invoices["durand"], 500, received_on=f"{year}-12-15")
    family.household_for_certificates.side_effect = lambda household_id: {
        "guardians": ["Anne Martin", "Paul Martin"],
        "address": {"line1": "12 rue des Lilas", "line2": None, "postal_code": "75011", "city": "Paris"},
        "children": [{"id": LEA, "first_name": "Léa", "last_name": "Martin", "birth_date": "2015-05-01"},
                     {"id": TOM, "first_name": "Tom", "last_name": "Martin", "birth_date": f"{year - 6}-01-01"}]}
    wednesdays = sum(line["amount_cents"] for line in invoice["lines"] if line["activity"] == "alsh_mercredi")
    listed = billing.as_family(MARTIN).list_certificates()
    assert listed["childcare"] == [{"year": year, "total_cents": wednesdays, "children": [{
        "child_id": TOM, "first_name": "Tom", "total_cents": wednesdays,
        "by_activity": [{"activity": "alsh_mercredi", "cents": wednesdays}]}]}]
    text = pdf_text(billing.as_family(MARTIN).childcare_certificate_pdf(year), tmp_path, flowing=True)
    for expected in (f"Attestation de frais de garde {year}", "Famille : Anne Martin et Paul Martin",
                     "Adresse : 12 rue des Lilas, 75011 Paris",
                     f"Tom Martin, né·e le 1er janvier {year - 6}", "Accueil de loisirs du mercredi", "cases 7GA à 7GC"):
        assert expected in text, expected
    assert shows(text, "Accueil de loisirs du mercredi", wednesdays) and "Léa" not in text and "Restauration" not in text
    with pytest.raises(Conflict) as refused:
        billing.as_family(MARTIN).childcare_certificate_pdf(year + 1)
    assert refused.value.code == "year_not_ended"
    with pytest.raises(Conflict) as refused:  # the Durands' child is not in family's answer: nothing counts
        billing.as_agent.childcare_certificate_pdf(year, DURAND)
    assert refused.value.code == "no_childcare_paid"


def test_a_payment_certificate_says_what_each_child_cost_over_the_days_asked(billing, family, invoices, tmp_path):
    year = datetime.now(PARIS).year - 1
    invoice = billing.as_family(MARTIN).get_invoice(invoices["martin"])
    pay(billing, MARTIN, invoices["martin"], invoice["total_cents"], received_on=f"{year}-06-30")
    family.household_for_certificates.side_effect = lambda household_id: {
        "guardians": ["Anne Martin"], "address": None,
        "children": [{"id": LEA, "first_name": "Léa", "last_name": "Martin", "birth_date": "2015-05-01"}]}
    text = pdf_text(billing.as_agent.payment_certificate_pdf(f"{year}-01-01", f"{year}-12-31", MARTIN), tmp_path,
                    flowing=True)
    for expected in ("Attestation de paiement", f"du 1er janvier {year} au 31 décembre {year}", "Léa Martin",
                     "Restauration scolaire", "Étude surveillée", "Tom"):
        assert expected in text, expected
    assert shows(text, "Total", invoice["total_cents"])
    nothing = pdf_text(billing.as_family(MARTIN).payment_certificate_pdf(f"{year}-07-01", f"{year}-07-31"), tmp_path,
                       flowing=True)
    assert "Aucune somme reçue sur cette période." in nothing
    with pytest.raises(Invalid) as refused:
        billing.as_family(MARTIN).payment_certificate_pdf(f"{year}-07-31", f"{year}-07-01")
    assert refused.value.code == "invalid_span"
    with pytest.raises(NotFound):
        billing.as_family(DURAND).payment_certificate_pdf(f"{year}-01-01", f"{year}-12-31", MARTIN)


def test_a_family_opts_in_to_the_online_invoice_and_out_again_journaled(billing, look):
    assert billing.as_family(MARTIN).online_invoice() == {"opted_in": False, "journal": []}
    assert billing.as_family(MARTIN).set_online_invoice(True) == {"opted_in": True}
    billing.as_family(MARTIN).set_online_invoice(True)  # the same choice again changes nothing
    billing.as_family(MARTIN).set_online_invoice(False)
    choice = billing.as_agent.online_invoice(MARTIN)
    assert choice["opted_in"] is False
    assert [entry["opted_in"] for entry in choice["journal"]] == [False, True]
    with pytest.raises(Invalid):
        billing.as_family(MARTIN).set_online_invoice("oui")


def test_an_invoice_issued_after_opting_in_is_online(billing, family):
    billing.as_family(MARTIN).set_online_invoice(True)
    billing.as_agent.run_period("2026-10")
    assert billing.as_family(MARTIN).list_invoices()[0]["online"] is True
    assert billing.as_family(DURAND).list_invoices()[0]["online"] is False


def test_an_agent_cancels_an_unpaid_invoice_with_a_credit_note_but_not_a_paid_one(billing, invoices):
    cancelled = billing.as_agent.cancel_invoice(MARTIN, invoices["martin"], "Erreur de pointage")
    assert cancelled["status"] == "cancelled"
    assert cancelled["credit_note_number"] == f"AV-{datetime.now(PARIS).year}-0000001"
    assert cancelled["due_cents"] == 0
    pay(billing, DURAND, invoices["durand"], 100)
    from kit.errors import Conflict
    with pytest.raises(Conflict) as refused:
        billing.as_agent.cancel_invoice(DURAND, invoices["durand"], "Erreur")
    assert refused.value.code == "invoice_has_payments"


def test_agents_find_invoices_by_period_status_and_household_and_export_the_month(billing, invoices):
    pay(billing, MARTIN, invoices["martin"], 1740)
    assert [i["number"] for i in billing.as_agent.search_invoices(period=LAST.key, status="paid")] == [
        invoices["martin"]]
    assert [i["number"] for i in billing.as_agent.search_invoices(household_id=DURAND)] == [invoices["durand"]]
    assert billing.as_agent.search_invoices(period="2026-09") == []
    with pytest.raises(Invalid):
        billing.as_agent.search_invoices(status="perdue")
    export = billing.as_agent.export_period(LAST.key)
    rows = export["csv"].splitlines()
    assert rows[0].startswith("numero;foyer;periode")
    assert len(rows) == 3
    assert f"{invoices['martin']};{MARTIN};{LAST.key};" in export["csv"]


def test_agents_add_a_tariff_version_that_applies_from_its_date(billing, family, look):
    brackets = [{"qf_min": 0, "qf_max": 999, "price_cents": 90}, {"qf_min": 1000, "qf_max": None,
                                                                     "price_cents": 300}]
    added = billing.as_agent.add_tariff({"activity": "etude", "effective_from": "2026-10-15", "price_basis": "day",
                                         "kind": "brackets", "brackets": brackets, "non_resident_cents": 400})
    assert (added["version"], added["school_year"]) == (2, "2026-2027")
    answers["2026-10"] = [household(MARTIN, 650, booked(LEA, "Léa", "etude", "2026-10-14", "2026-10-15"))]
    billing.as_agent.run_period("2026-10")
    [invoice] = billing.as_family(MARTIN).list_invoices()
    assert [(l["quantity"], l["unit_price_cents"]) for l in billing.as_family(MARTIN).get_invoice(
        invoice["number"])["lines"]] == [(1, 100), (1, 90)]
    versions = billing.as_agent.list_tariffs(on="2026-10-20")
    assert next(t for t in versions["in_force"] if t["activity"] == "etude")["version"] == 2
    etude = [v for v in versions["versions"] if v["activity"] == "etude"]
    assert [(v["version"], v["standing"], v["added_by"]) for v in etude] == [
        (1, "superseded", None), (2, "in_force", str(billing.agent_id))]
    assert versions["versions"][0]["activity"] == "restauration_scolaire"  # the nine activities in their order
    with pytest.raises(Invalid) as refused:
        billing.as_agent.add_tariff({"activity": "etude", "effective_from": "2026-11-01", "price_basis": "day",
                                     "kind": "brackets", "brackets": brackets[1:]})
    assert refused.value.code == "invalid_tariff"
    assert refused.value.fields == {"brackets.0.qf_min": refused.value.message}
    with pytest.raises(Invalid) as refused:  # October is billed: its late items keep October's prices
        billing.as_agent.add_tariff({"activity": "etude", "effective_from": "2026-10-31", "price_basis": "day",
                                     "kind": "brackets", "brackets": brackets})
    assert (refused.value.code, list(refused.value.fields)) == ("month_already_billed", ["effective_from"])
    assert count(look, models.TariffVersion) == 10
    assert billing.as_agent.add_tariff({"activity": "etude", "effective_from": "2026-11-01", "price_basis": "day",
                                        "kind": "brackets", "brackets": brackets})["version"] == 3
    from kit.errors import Forbidden
    with pytest.raises(Forbidden):
        billing.as_family(MARTIN).add_tariff({})


def test_an_unpaid_invoice_past_its_due_date_becomes_overdue(billing, invoices, container_factory, config, look):
    with look.begin() as connection:
        connection.execute(models.Invoice.__table__.update().values(due_date=datetime(2026, 11, 1).date()))
    pay(billing, DURAND, invoices["durand"], 100_000)
    container = container_factory(BillingService, config)
    container.start()
    with entrypoint_hook(container, "mark_overdue") as sweep:
        sweep()
    assert billing.as_family(MARTIN).get_invoice(invoices["martin"])["status"] == "overdue"
    assert billing.as_family(DURAND).get_invoice(invoices["durand"])["status"] == "paid"


# Paying online through the PayFiP simulator

@pytest.fixture(scope="module")
def payfip():
    spec = importlib.util.spec_from_file_location("payfip_simulator", REPOSITORY / "deploy" / "payfip_simulator.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    server, simulator = module.start()
    yield f"http://127.0.0.1:{server.server_port}/tpa/paiement.web", simulator
    server.shutdown()


@pytest.fixture
def online(container_factory, config, payfip, rpc):
    """Billing with PayFiP at the simulator, last month billed, the Martins opted in."""
    url, simulator = payfip
    simulator.notifications.clear()
    receipts.clear()
    container_factory(InvoiceListener, config).start()
    container = container_factory(BillingService, {**config, "PAYFIP_URL": url, "PAYFIP_CLIENT_ID": "654321",
                                                   "PORTAL_BASE_URL": "http://127.0.0.1:9"})
    family = replace_dependencies(container, "family")
    answers.clear()
    answers[LAST.key] = moved_to_last_month(october())
    family.billable_items.side_effect = answering()
    container.start()
    billing = rpc("billing")
    billing.as_agent.run_period(LAST.key)
    billing.as_family(MARTIN).set_online_invoice(True)
    return billing, simulator, billing.as_family(MARTIN).list_invoices()[0]["number"]


def pay_on_simulator(url, card="4970100000000000", choice="payer"):
    """What a family does on PayFiP's pages; returns the query string of the link back to the portal."""
    page = requests.get(url, timeout=10)
    assert page.status_code == 200 and "Montant à payer" in page.text
    form = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', page.text))
    form = {name: html.unescape(value) for name, value in form.items()}
    result = requests.post(url.split("?")[0] + "/resultat", data={**form, "carte": card, "expiration": "12/30",
                                                    "cryptogramme": "123", "choix": choice}, timeout=10)
    back = html.unescape(re.search(r'href="([^"]+)">Retour au site', result.text)[1])
    return back.split("?", 1)[1]


def test_a_family_pays_its_invoice_online_and_a_replayed_notification_changes_nothing(online, look):
    billing, simulator, number = online
    started = billing.as_family(MARTIN).start_online_payment(number, "parent@example.org")
    assert started["amount_cents"] == 1740
    query = dict(parse_qsl(started["url"].split("?", 1)[1]))
    assert (query["numcli"], query["montant"], query["refdet"], query["saisie"]) == (
        "654321", "1740", started["transaction_id"], "T")
    assert query["urlcl"] == "http://127.0.0.1:9/paiement/payfip/notification"
    back = pay_on_simulator(started["url"])
    [(urlcl, notified)] = simulator.notifications
    assert notified == back
    first = billing.as_part("gateway").payfip_notification(notified)
    assert (first["state"], first["invoice_status"], first["invoice_number"]) == ("paid", "paid", number)
    for _ in range(2):  # the family's return, then PayFiP's notification once more
        assert billing.as_part("gateway").payfip_notification(back) == first
    invoice = billing.as_family(MARTIN).get_invoice(number)
    [payment] = invoice["payments"]
    assert (payment["means"], payment["amount_cents"], invoice["paid_cents"]) == ("carte_en_ligne", 1740, 1740)
    assert count(look, models.Payment) == 1
    wait_until(lambda: len(receipts) == 1)


def test_a_refused_card_or_a_cancelled_payment_pays_nothing(online, look):
    billing, _, number = online
    for card, choice in (("4970100000000002", "payer"), ("4970100000000000", "annuler")):
        started = billing.as_family(MARTIN).start_online_payment(number, "parent@example.org")
        outcome = billing.as_part("gateway").payfip_notification(pay_on_simulator(started["url"], card, choice))
        assert outcome["state"] == ("refused" if choice == "payer" else "cancelled")
    assert count(look, models.Payment) == 0
    assert billing.as_family(MARTIN).get_invoice(number)["status"] == "issued"


def test_a_forged_or_altered_notification_is_refused(online, look):
    billing, _, number = online
    started = billing.as_family(MARTIN).start_online_payment(number, "parent@example.org")
    back = dict(parse_qsl(pay_on_simulator(started["url"])))
    for changes, code in (({"montant": "100"}, "notification_mismatch"), ({"numcli": "111111"}, "notification_mismatch"),
                          ({"refdet": "PF0000000000"}, "payment_unknown")):
        with pytest.raises((Invalid, NotFound)) as refused:
            billing.as_part("gateway").payfip_notification(urlencode({**back, **changes}))
        assert refused.value.code == code
    with pytest.raises(Invalid):
        billing.as_part("gateway").payfip_notification("bonjour")
    from kit.errors import Forbidden
    with pytest.raises(Forbidden):
        billing.as_family(MARTIN).payfip_notification(urlencode(back))
    assert count(look, models.Payment) == 0


def test_a_second_online_payment_of_a_paid_invoice_is_recorded_and_flagged(online):
    billing, _, number = online
    first = billing.as_family(MARTIN).start_online_payment(number, "parent@example.org")
    second = billing.as_family(MARTIN).start_online_payment(number, "parent@example.org")  # another tab
    for started in (first, second):
        billing.as_part("gateway").payfip_notification(pay_on_simulator(started["url"]))
    invoice = billing.as_family(MARTIN).get_invoice(number)
    assert (invoice["paid_cents"], invoice["overpaid_cents"], invoice["status"]) == (1740, 1740, "paid")
    assert [p["excess_cents"] for p in invoice["payments"]] == [0, 1740]
    from kit.errors import Conflict
    with pytest.raises(Conflict) as refused:
        billing.as_family(MARTIN).start_online_payment(number, "parent@example.org")
    assert refused.value.code == "nothing_to_pay"


def test_online_payment_needs_the_online_invoice(online):
    billing, _, number = online
    billing.as_family(MARTIN).set_online_invoice(False)
    from kit.errors import Conflict
    with pytest.raises(Conflict) as refused:
        billing.as_family(MARTIN).start_online_payment(number, "parent@example.org")
    assert refused.value.code == "online_invoice_required"
    with pytest.raises(Invalid):
        billing.as_family(DURAND).start_online_payment(number, "pas-une-adresse")


# SEPA direct debit

IBAN = "FR7630006000011234567890189"


@pytest.fixture
def debits(billing, family, config, invoices):
    """The Martins' direct debit accepted by an agent: family's event, then its details."""
    request_id = str(uuid.uuid4())
    family.direct_debit_details.return_value = {
        "household_id": MARTIN, "request_reference": "DEM-2026-00042", "account_holder": "Camille Martin",
        "iban": IBAN, "bic": "AGRIFRPP", "signed_on": "2026-09-12"}
    dispatch = sealed_dispatcher(config, CallerKey(config["CALLER_CONTEXT_KEY"]))
    with entrypoint_waiter(family_container[0], "on_direct_debit_accepted", timeout=10):
        dispatch("family", "direct_debit_accepted", {"event_id": str(uuid.uuid4()), "occurred_at": "2026-11-02T08:00:00+00:00",
                                                      "household_id": MARTIN, "request_id": request_id,
                                                      "request_reference": "DEM-2026-00042"})
    family.direct_debit_details.assert_called_once_with(request_id)
    return invoices


def test_an_accepted_direct_debit_request_makes_a_mandate(billing, debits):
    mandate = billing.as_agent.mandate(MARTIN)
    assert mandate["rum"].startswith("RUM-DEM-2026-00042-")
    assert (mandate["iban"], mandate["status"], mandate["sequence_type"]) == (IBAN, "active", "FRST")
    assert billing.as_family(MARTIN).mandate()["iban"] == "FR76 **** **** 0189"
    assert billing.as_family(DURAND).mandate() is None


def test_a_batch_collects_what_is_owed_then_a_rejection_reopens_the_invoice(billing, debits, look):
    batch = billing.as_agent.generate_debit_batch(LAST.due_date.isoformat())
    assert (batch["count"], batch["total_cents"], batch["status"]) == (1, 1740, "generated")
    xml = base64.b64decode(billing.as_agent.debit_batch_file(batch["id"])["xml"])
    xmlschema.XMLSchema(SEPA_XSD).validate(xml.decode())
    assert b"<SeqTp>FRST</SeqTp>" in xml
    from kit.errors import Conflict
    with pytest.raises(Conflict) as refused:  # nothing twice
        billing.as_agent.generate_debit_batch(LAST.due_date.isoformat())
    assert refused.value.code == "nothing_to_debit"
    billing.as_agent.mark_debit_batch_sent(batch["id"])
    assert billing.as_family(MARTIN).get_invoice(debits["martin"])["status"] == "paid"
    assert billing.as_agent.mandate(MARTIN)["sequence_type"] == "RCUR"

    with look.connect() as connection:
        end_to_end = connection.execute(select(models.DebitCollection.end_to_end_id)).scalar_one()
    rejected = billing.as_agent.record_debit_rejection(end_to_end, "AM04")
    assert (rejected["mandate_status"], rejected["invoice"]["status"], rejected["invoice"]["due_cents"]) == (
        "active", "issued", 1740)
    assert billing.as_agent.record_debit_rejection(end_to_end, "AM04")["status"] == "rejected"  # replayed
    assert billing.as_family(MARTIN).get_invoice(debits["martin"])["paid_cents"] == 0

    again = billing.as_agent.generate_debit_batch(LAST.due_date.isoformat())
    billing.as_agent.mark_debit_batch_sent(again["id"])
    with look.connect() as connection:
        second = connection.execute(select(models.DebitCollection.end_to_end_id).where(
            models.DebitCollection.status == "collected")).scalar_one()
    assert billing.as_agent.record_debit_rejection(second, "AC04")["mandate_status"] == "suspended"
    with pytest.raises(Conflict):
        billing.as_agent.generate_debit_batch(LAST.due_date.isoformat())



# The bank's return file

def sent_batch(billing, look):
    """Last month's batch generated and marked sent: its id, its pain.008 message id and the Martins' debit."""
    batch = billing.as_agent.generate_debit_batch(LAST.due_date.isoformat())
    billing.as_agent.mark_debit_batch_sent(batch["id"])
    with look.connect() as connection:
        end_to_end = connection.execute(select(models.DebitCollection.end_to_end_id).where(
            models.DebitCollection.batch_id == uuid.UUID(batch["id"]))).scalar_one()
    return batch["message_id"], end_to_end


def import_returns(billing, content, filename="retour.xml"):
    return billing.as_agent.import_debit_returns(filename, base64.b64encode(content).decode())


def rejected_events(look):
    with look.connect() as connection:
        return [row.payload for row in connection.execute(select(models.OutboxEvent.payload).where(
            models.OutboxEvent.event_type == "direct_debit_rejected"))]


def test_the_banks_return_file_reopens_each_rejected_invoice_and_a_second_import_changes_nothing(
        billing, debits, look):
    message_id, end_to_end = sent_batch(billing, look)
    returned = samples.pain002(message_id, [(end_to_end, "AM04"), ("PRLV-D-UN-AUTRE", "AC04")], accepted=["PRLV-OK"])
    report = import_returns(billing, returned, "C:\\Banque\\pain002_retour.xml")
    assert report["already_imported"] is False
    [applied] = report["applied"]
    assert (applied["end_to_end_id"], applied["reason"], applied["reason_label"], applied["invoice_number"],
            applied["household_id"], applied["amount_cents"], applied["mandate_status"]) == (
        end_to_end, "AM04", "Provision insuffisante", debits["martin"], MARTIN, 1740, "active")
    assert [(u["end_to_end_id"], u["invoice_number"]) for u in report["unknown"]] == [("PRLV-D-UN-AUTRE", None)]
    assert report["already_recorded"] == report["not_sent"] == []
    assert {key: report["file"][key] for key in ("filename", "kind", "message_id", "original_message_id", "rejections",
                                                 "applied", "already_recorded", "unknown", "not_sent")} == {
        "filename": "pain002_retour.xml", "kind": "pain.002", "message_id": "RETOUR-20261203-0001",
        "original_message_id": message_id, "rejections": 2, "applied": 1, "already_recorded": 0, "unknown": 1,
        "not_sent": 0}
    invoice = billing.as_family(MARTIN).get_invoice(debits["martin"])
    assert (invoice["status"], invoice["paid_cents"], invoice["due_cents"]) == ("issued", 0, 1740)
    assert [(p["means"], p["amount_cents"]) for p in billing.as_family(MARTIN).list_payments()] == [
        ("prelevement", -1740), ("prelevement", 1740)]  # newest first
    assert billing.as_agent.mandate(MARTIN)["rejections"] == 1
    [told] = rejected_events(look)
    assert (told["invoice_number"], told["reason"], told["due_cents"], told["mandate_suspended"]) == (
        debits["martin"], "Provision insuffisante", 1740, False)

    again = import_returns(billing, returned, "pain002_retour.xml")
    assert again["already_imported"] is True
    assert again["applied"] == again["not_sent"] == []
    assert [r["end_to_end_id"] for r in again["already_recorded"]] == [end_to_end]
    assert again["file"] == report["file"]
    assert billing.as_family(MARTIN).get_invoice(debits["martin"]) == invoice
    assert len(billing.as_family(MARTIN).list_payments()) == 2
    assert billing.as_agent.mandate(MARTIN)["rejections"] == 1
    assert len(rejected_events(look)) == 1
    assert billing.as_agent.list_debit_return_files() == [report["file"]]
    with pytest.raises(NotFound):  # recorded by hand after the file: the same debit, not found twice
        billing.as_agent.record_debit_rejection("PRLV-D-UN-AUTRE", "AM04")
    assert billing.as_agent.record_debit_rejection(end_to_end, "AM04")["status"] == "rejected"
    assert len(rejected_events(look)) == 1


def test_a_debit_the_file_rejects_before_its_batch_is_marked_sent_is_applied_when_it_is_imported_again(
        billing, debits, look):
    batch = billing.as_agent.generate_debit_batch(LAST.due_date.isoformat())
    with look.connect() as connection:
        end_to_end = connection.execute(select(models.DebitCollection.end_to_end_id)).scalar_one()
    returned = samples.camt054([(end_to_end, "ZZ99")])
    report = import_returns(billing, returned)
    assert [(r["end_to_end_id"], r["invoice_number"]) for r in report["not_sent"]] == [(end_to_end, debits["martin"])]
    assert (report["file"]["applied"], report["file"]["not_sent"]) == (0, 1)
    assert rejected_events(look) == []

    billing.as_agent.mark_debit_batch_sent(batch["id"])
    again = import_returns(billing, returned)
    assert again["already_imported"] is True
    assert [(r["end_to_end_id"], r["reason_label"]) for r in again["applied"]] == [(end_to_end, "Motif ZZ99")]
    assert (again["file"]["applied"], again["file"]["not_sent"], again["file"]["already_recorded"]) == (1, 0, 0)
    assert [told["reason"] for told in rejected_events(look)] == ["Motif ZZ99"]
    assert billing.as_family(MARTIN).get_invoice(debits["martin"])["due_cents"] == 1740
    assert count(look, models.DebitReturnFile) == 1


def test_the_second_rejection_a_file_brings_suspends_the_mandate(billing, debits, look):
    message_id, first = sent_batch(billing, look)
    billing.as_agent.record_debit_rejection(first, "AM04")  # by hand
    second_batch, second = sent_batch(billing, look)
    report = import_returns(billing, samples.pain002(second_batch, [(second, "MS02")]))
    assert report["applied"][0]["mandate_status"] == "suspended"
    assert billing.as_agent.mandate(MARTIN)["status"] == "suspended"
    assert rejected_events(look)[-1]["mandate_suspended"] is True


def test_a_return_file_that_fails_midway_leaves_nothing_applied(billing, debits, look, monkeypatch):
    from billing import store
    message_id, end_to_end = sent_batch(billing, look)

    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")
    monkeypatch.setattr(store, "remember_debit_return_file", broken)
    with pytest.raises(Exception):
        import_returns(billing, samples.pain002(message_id, [(end_to_end, "AM04")]))
    assert billing.as_family(MARTIN).get_invoice(debits["martin"])["status"] == "paid"
    assert (count(look, models.DebitReturnFile), len(rejected_events(look))) == (0, 0)
    assert billing.as_agent.mandate(MARTIN)["rejections"] == 0


def test_an_unreadable_file_or_another_file_with_the_same_message_id_is_refused_and_nothing_applied(
        billing, debits, look):
    from kit.errors import Conflict, Forbidden
    message_id, end_to_end = sent_batch(billing, look)
    with pytest.raises(Invalid) as refused:
        import_returns(billing, b"<html>Ceci n'est pas un retour</html>")
    assert refused.value.code == "unreadable_return_file"
    with pytest.raises(Invalid) as refused:
        import_returns(billing, bytes(3 * 1024 * 1024))
    assert refused.value.code == "return_file_too_large"
    with pytest.raises(Forbidden):
        billing.as_family(MARTIN).import_debit_returns("retour.xml", base64.b64encode(b"<x/>").decode())
    import_returns(billing, samples.pain002(message_id, [("PRLV-D-UN-AUTRE", "AC04")]))
    with pytest.raises(Conflict) as refused:  # the same message id, other content
        import_returns(billing, samples.pain002(message_id, [(end_to_end, "AM04")]))
    assert refused.value.code == "return_file_conflict"
    assert billing.as_family(MARTIN).get_invoice(debits["martin"])["status"] == "paid"
    assert count(look, models.DebitReturnFile) == 1
    assert rejected_events(look) == []


def test_agents_read_the_reasons_of_a_rejection_from_billing(billing):
    reasons = billing.as_agent.debit_rejection_reasons()
    assert reasons[0] == {"code": "AM04", "label": "Provision insuffisante"}
    assert {"code": "MD07", "label": "Débiteur décédé"} in reasons
    assert len({reason["code"] for reason in reasons}) == len(reasons)


def test_a_test_stack_may_say_which_day_billing_takes_for_today(container_factory, config, rpc):
    container = container_factory(BillingService, {**config, "BILLING_TODAY": "2027-01-01"})
    family = replace_dependencies(container, "family")
    family.billable_items.return_value = {"households": [], "next": None}
    container.start()
    assert rpc("billing").as_agent.run_period("2026-12")["invoices_created"] == 0
    with pytest.raises(Invalid):
        rpc("billing").as_agent.run_period("2027-01")


def test_an_unpaid_invoice_is_recalled_before_and_after_its_due_date_once_each(billing, invoices, look,
                                                                                container_factory, config):
    reminded = []

    class ReminderListener:
        name = "reminder_listener"

        @event_handler("billing", "invoice_reminder")
        def on_invoice_reminder(self, payload):
            reminded.append(payload)

    container_factory(ReminderListener, config).start()
    pay(billing, DURAND, invoices["durand"], 100_000)
    today = datetime.now(PARIS).date()
    with look.begin() as connection:
        connection.execute(models.Invoice.__table__.update().values(due_date=today + timedelta(days=3)))
    container = container_factory(BillingService, config)
    container.start()
    with entrypoint_hook(container, "send_reminders") as sweep:
        sweep()
        sweep()
    wait_until(lambda: len(reminded) == 1)
    assert (reminded[0]["invoice_number"], reminded[0]["kind"], reminded[0]["due_cents"]) == (
        invoices["martin"], "before_due", 1740)
    with look.begin() as connection:
        connection.execute(models.Invoice.__table__.update().values(due_date=today - timedelta(days=8)))
    with entrypoint_hook(container, "send_reminders") as sweep:
        sweep()
        sweep()
    wait_until(lambda: len(reminded) == 2)
    eventlet.sleep(0.3)
    assert [r["kind"] for r in reminded] == ["before_due", "overdue"]


def test_the_familys_return_from_payfip_only_reads_where_the_payment_stands(online, look):
    billing, _, number = online
    started = billing.as_family(MARTIN).start_online_payment(number, "parent@example.org")
    gateway = billing.as_part("gateway")
    assert gateway.online_payment_outcome(started["transaction_id"]) == {"invoice_number": number, "state": "started"}
    gateway.payfip_notification(pay_on_simulator(started["url"]))
    assert gateway.online_payment_outcome(started["transaction_id"])["state"] == "paid"
    with pytest.raises(NotFound):
        gateway.online_payment_outcome("PFINCONNU")
    from kit.errors import Forbidden
    with pytest.raises(Forbidden):
        billing.as_family(MARTIN).online_payment_outcome(started["transaction_id"])


# --- metrics (billing.metrics): what the alerts and the caisse's dashboard read ---

def sample(name, **labels):
    from prometheus_client import REGISTRY
    return REGISTRY.get_sample_value(name, labels) or 0


def test_a_run_counts_its_success_its_invoices_and_its_time(billing, family):
    before = {name: sample(name) for name in ("portail_billing_invoices_issued_total",
                                              "portail_billing_run_duration_seconds_count")}
    successes, started = sample("portail_billing_runs_total", outcome="success"), time.time()
    billing.as_agent.run_period("2026-10")
    assert sample("portail_billing_runs_total", outcome="success") == successes + 1
    assert sample("portail_billing_invoices_issued_total") == before["portail_billing_invoices_issued_total"] + 2
    assert sample("portail_billing_run_duration_seconds_count") == \
        before["portail_billing_run_duration_seconds_count"] + 1
    assert sample("portail_billing_last_run_success_timestamp_seconds") >= int(started)


def test_a_failed_run_is_counted_as_failed_and_is_not_a_success(billing, family):
    answers["2026-10"] = october() + [household(str(uuid.uuid4()), 300,
                                                booked(str(uuid.uuid4()), "Jade", "piscine", "2026-10-03"))]
    failures, successes = (sample("portail_billing_runs_total", outcome=outcome) for outcome in ("failed", "success"))
    with pytest.raises(Invalid):
        billing.as_agent.run_period("2026-10")
    assert sample("portail_billing_runs_total", outcome="failed") == failures + 1
    assert sample("portail_billing_runs_total", outcome="success") == successes


def test_a_counter_payment_counts_once_under_its_means_and_a_refused_one_not_at_all(billing, invoices):
    cheques, vouchers = sample("portail_payments_total", means="cheque"), sample("portail_payments_total",
                                                                                  means="bons_caf")
    pay(billing, MARTIN, invoices["martin"], 1000, "cheque", cheque_number="1234567", bank="Crédit Mutuel")
    with pytest.raises(Invalid):
        pay(billing, MARTIN, invoices["martin"], 500, "bons_caf")
    assert sample("portail_payments_total", means="cheque") == cheques + 1
    assert sample("portail_payments_total", means="bons_caf") == vouchers


def test_payfip_callbacks_are_counted_by_outcome_and_the_payment_once(online):
    billing, simulator, number = online
    before = {outcome: sample("portail_payment_callbacks_total", outcome=outcome)
              for outcome in ("paid", "denied", "mismatch", "unknown", "unreadable")}
    online_payments = sample("portail_payments_total", means="carte_en_ligne")
    refused = billing.as_family(MARTIN).start_online_payment(number, "parent@example.org")
    billing.as_part("gateway").payfip_notification(pay_on_simulator(refused["url"], "4970100000000002"))
    started = billing.as_family(MARTIN).start_online_payment(number, "parent@example.org")
    back = pay_on_simulator(started["url"])
    for _ in range(2):
        billing.as_part("gateway").payfip_notification(back)
    for forged, error in (({"montant": "100"}, Invalid), ({"refdet": "PF0000000000"}, NotFound)):
        with pytest.raises(error):
            billing.as_part("gateway").payfip_notification(urlencode({**dict(parse_qsl(back)), **forged}))
    with pytest.raises(Invalid):
        billing.as_part("gateway").payfip_notification("bonjour")
    assert {outcome: sample("portail_payment_callbacks_total", outcome=outcome) - before[outcome]
            for outcome in before} == {"paid": 2, "denied": 1, "mismatch": 1, "unknown": 1, "unreadable": 1}
    assert sample("portail_payments_total", means="carte_en_ligne") == online_payments + 1
