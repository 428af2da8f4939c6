"""The billing service in a nameko container against PostgreSQL and RabbitMQ,
with family's billable items played by a stand-in of the contract's shape."""
import time
import uuid

import eventlet
import pytest
from nameko.events import event_handler
from nameko.testing.services import replace_dependencies
from sqlalchemy import func, select

from kit.errors import Invalid, NotFound

from billing import models
from billing.service import BillingService

MARTIN, DURAND = str(uuid.uuid4()), str(uuid.uuid4())
LEA, TOM, NOE = str(uuid.uuid4()), str(uuid.uuid4()), str(uuid.uuid4())


def booked(child_id, first_name, activity, *dates):
    return [{"child_id": child_id, "child_first_name": first_name, "activity": activity, "date": day}
            for day in dates]


def october():
    """Two households: the Martins (QF 650, bracket B) and the Durands (QF 1950, bracket F)."""
    return [
        {"household_id": MARTIN, "quotient_familial": 650, "items": [
            *booked(LEA, "Léa", "restauration_scolaire", "2026-10-01", "2026-10-02", "2026-10-05", "2026-10-06"),
            *booked(TOM, "Tom", "alsh_mercredi", "2026-10-07", "2026-10-14"),
            *booked(LEA, "Léa", "etude", "2026-10-05", "2026-10-06"),
        ]},
        {"household_id": DURAND, "quotient_familial": 1950, "items": booked(
            NOE, "Noé", "restauration_scolaire", "2026-10-01")},
    ]


announced = []


class InvoiceListener:
    """Hears what notify will hear."""

    name = "invoice_listener"

    @event_handler("billing", "invoice_ready")
    def on_invoice_ready(self, payload):
        announced.append(payload)


@pytest.fixture
def family(container_factory, config):
    """Starts billing (and a listener of its events) with family played by a
    mock answering October's billable items; returns the mock."""
    announced.clear()
    listener = container_factory(InvoiceListener, config)
    listener.start()
    container = container_factory(BillingService, config)
    family = replace_dependencies(container, "family")
    family.billable_items.return_value = october()
    container.start()
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


def test_the_simulator_gives_the_prices_of_the_households_bracket(billing):
    assert billing.as_part("gateway").simulate(650) == {
        "quotient_familial": 650,
        "bracket": "B",
        "reason": "Quotient familial de 650 € : tranche B (de 401 € à 700 €)",
        "tariffs": [
            {"activity": "restauration_scolaire", "activity_label": "Restauration scolaire", "unit_price_cents": 160},
            {"activity": "accueil_du_soir", "activity_label": "Accueil du soir", "unit_price_cents": 120},
            {"activity": "etude", "activity_label": "Étude surveillée", "unit_price_cents": 100},
            {"activity": "alsh_mercredi", "activity_label": "Accueil de loisirs du mercredi", "unit_price_cents": 450},
        ],
    }
    assert billing.as_part("gateway").simulate(0)["bracket"] == "A"
    assert billing.as_part("gateway").simulate(1901)["bracket"] == "F"


@pytest.mark.parametrize("quotient_familial", [-1, "650", None, 12.5])
def test_the_simulator_refuses_a_quotient_that_is_not_a_whole_number_of_euros(billing, quotient_familial):
    with pytest.raises(Invalid) as refused:
        billing.as_part("gateway").simulate(quotient_familial)
    assert refused.value.code == "invalid_quotient_familial"
    assert set(refused.value.fields) == {"quotient_familial"}


def test_the_migration_seeds_the_default_grid_of_the_contract(family, look, contract_tariffs):
    with look.connect() as connection:
        rows = connection.execute(select(
            models.Tariff.activity, models.Tariff.bracket, models.Tariff.qf_min, models.Tariff.qf_max,
            models.Tariff.unit_price_cents, models.Tariff.valid_from)).all()
    assert sorted(rows) == sorted(
        (t.activity, t.bracket.code, t.bracket.qf_min, t.bracket.qf_max, t.unit_price_cents, t.valid_from)
        for t in contract_tariffs)


def test_a_run_bills_each_household_once_with_its_lines_and_total(billing, family):
    assert billing.as_agent.run_period("2026-10") == {"period": "2026-10", "invoices_created": 2, "already_invoiced": 0}
    family.billable_items.assert_called_once_with("2026-10")

    [summary] = billing.as_family(MARTIN).list_invoices()
    invoice = billing.as_family(MARTIN).get_invoice(summary["number"])
    assert invoice == {**summary, "lines": invoice["lines"]}
    assert invoice["period"] == "2026-10"
    assert invoice["due_date"] == "2026-11-30"
    assert invoice["status"] == "issued"
    assert invoice["issued_at"].endswith("+00:00")
    assert uuid.UUID(invoice["id"])
    assert invoice["lines"] == [
        {"child_id": LEA, "child_first_name": "Léa", "activity": "restauration_scolaire",
         "activity_label": "Restauration scolaire", "label": "Restauration scolaire — Léa (4 jours)",
         "dates": ["2026-10-01", "2026-10-02", "2026-10-05", "2026-10-06"],
         "quantity": 4, "unit_price_cents": 160, "amount_cents": 640},
        {"child_id": LEA, "child_first_name": "Léa", "activity": "etude",
         "activity_label": "Étude surveillée", "label": "Étude surveillée — Léa (2 jours)",
         "dates": ["2026-10-05", "2026-10-06"], "quantity": 2, "unit_price_cents": 100, "amount_cents": 200},
        {"child_id": TOM, "child_first_name": "Tom", "activity": "alsh_mercredi",
         "activity_label": "Accueil de loisirs du mercredi", "label": "Accueil de loisirs du mercredi — Tom (2 jours)",
         "dates": ["2026-10-07", "2026-10-14"], "quantity": 2, "unit_price_cents": 450, "amount_cents": 900},
    ]
    assert invoice["total_cents"] == 1740

    [durand] = billing.as_family(DURAND).list_invoices()
    assert durand["total_cents"] == 520
    assert {summary["number"], durand["number"]} == {"F-2026-10-0000001", "F-2026-10-0000002"}


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
    numbers = {invoice["number"] for household in (MARTIN, DURAND)
               for invoice in billing.as_family(household).list_invoices()}

    assert billing.as_agent.run_period("2026-10") == {"period": "2026-10", "invoices_created": 0, "already_invoiced": 2}
    eventlet.sleep(0.5)
    assert len(announced) == 2
    assert count(look, models.Invoice) == 2
    assert count(look, models.OutboxEvent) == 2
    assert {invoice["number"] for household in (MARTIN, DURAND)
            for invoice in billing.as_family(household).list_invoices()} == numbers


def test_a_household_billable_only_on_the_second_run_gets_the_next_number(billing, family):
    billing.as_agent.run_period("2026-10")
    latecomer = {"household_id": str(uuid.uuid4()), "quotient_familial": 0,
                 "items": booked(str(uuid.uuid4()), "Inès", "etude", "2026-10-20")}
    family.billable_items.return_value = october() + [latecomer]
    assert billing.as_agent.run_period("2026-10") == {"period": "2026-10", "invoices_created": 1, "already_invoiced": 2}
    assert billing.as_family(latecomer["household_id"]).list_invoices()[0]["number"] == "F-2026-10-0000003"


@pytest.mark.parametrize("earlier_run", [False, True], ids=["first_run", "after_an_earlier_run"])
def test_two_simultaneous_runs_of_a_month_bill_each_household_once_with_distinct_numbers(
        billing, family, rpc, look, earlier_run):
    if earlier_run:  # the month's numbering row exists already: only its lock keeps the runs apart
        billing.as_agent.run_period("2026-10")
    already = 2 if earlier_run else 0
    households = [{"household_id": str(uuid.uuid4()), "quotient_familial": 100 * rank,
                   "items": booked(str(uuid.uuid4()), "Léa", "etude", "2026-10-01", "2026-10-02")}
                  for rank in range(25)]

    def slow_family(period):
        eventlet.sleep(0.2)  # both runs are in flight before either writes
        return october() + households

    family.billable_items.side_effect = slow_family
    first, second = rpc("billing").as_agent, rpc("billing").as_agent
    runs = [eventlet.spawn(first.run_period, "2026-10"), eventlet.spawn(second.run_period, "2026-10")]
    results = [run.wait() for run in runs]

    created = 27 - already
    assert sorted(result["invoices_created"] for result in results) == [0, created]
    assert sorted(result["already_invoiced"] for result in results) == [already, 27]
    with look.connect() as connection:
        numbers = connection.execute(select(models.Invoice.number)).scalars().all()
        assert connection.execute(select(models.BillingRun.last_sequence)).scalar_one() == 27
    assert sorted(numbers) == [f"F-2026-10-{rank:07d}" for rank in range(1, 28)]
    wait_until(lambda: len(announced) == 27)
    assert len({event["invoice_number"] for event in announced}) == 27


def test_each_month_numbers_its_invoices_from_one(billing, family):
    billing.as_agent.run_period("2026-10")
    family.billable_items.return_value = [
        {**entry, "items": [{**item, "date": item["date"].replace("2026-10", "2026-11")} for item in entry["items"]]}
        for entry in october()]
    billing.as_agent.run_period("2026-11")
    numbers = sorted(invoice["number"]
                     for household in (MARTIN, DURAND) for invoice in billing.as_family(household).list_invoices())
    assert numbers == ["F-2026-10-0000001", "F-2026-10-0000002", "F-2026-11-0000001", "F-2026-11-0000002"]


def test_a_family_sees_its_invoices_newest_first(billing, family):
    billing.as_agent.run_period("2026-10")
    family.billable_items.return_value = [
        {**october()[0], "items": booked(LEA, "Léa", "etude", "2026-11-02")}]
    billing.as_agent.run_period("2026-11")
    assert [(invoice["period"], invoice["total_cents"]) for invoice in billing.as_family(MARTIN).list_invoices()] == [
        ("2026-11", 100), ("2026-10", 1740)]
    assert set(billing.as_family(MARTIN).list_invoices()[0]) == {
        "id", "number", "period", "issued_at", "due_date", "total_cents", "status"}
    assert billing.as_family(str(uuid.uuid4())).list_invoices() == []


def test_another_familys_invoice_is_not_found(billing):
    billing.as_agent.run_period("2026-10")
    [durand] = billing.as_family(DURAND).list_invoices()
    assert billing.as_family(DURAND).get_invoice(durand["number"])["total_cents"] == 520
    for household, number in [(MARTIN, durand["number"]), (str(uuid.uuid4()), durand["number"]),
                              (MARTIN, "F-2026-10-0000999")]:
        with pytest.raises(NotFound) as refused:
            billing.as_family(household).get_invoice(number)
        assert refused.value.code == "invoice_not_found"
        assert refused.value.message == "Facture introuvable."


def test_malformed_invoice_queries_are_refused(billing):
    with pytest.raises(Invalid) as refused:
        billing.as_family(MARTIN).get_invoice("facture-1")
    assert refused.value.code == "invalid_invoice_number"
    with pytest.raises(NotFound) as refused:
        billing.as_agent.list_invoices("le foyer")
    assert refused.value.code == "household_not_found"


def assert_nothing_written(look):
    for model in (models.Invoice, models.InvoiceLine, models.BillingRun, models.OutboxEvent):
        assert count(look, model) == 0, model.__tablename__


@pytest.mark.parametrize("period", ["2026-13", "2026-1", "octobre", "", None, 202610])
def test_a_bad_period_is_refused_and_nothing_is_written(billing, family, look, period):
    with pytest.raises(Invalid) as refused:
        billing.as_agent.run_period(period)
    assert refused.value.code == "invalid_period"
    assert refused.value.fields == {"period": "Mois au format AAAA-MM attendu (par exemple 2026-10)."}
    family.billable_items.assert_not_called()
    assert_nothing_written(look)


def test_an_activity_without_a_price_stops_the_run_before_anything_is_billed(billing, family, look):
    family.billable_items.return_value = october() + [
        {"household_id": str(uuid.uuid4()), "quotient_familial": 300,
         "items": booked(str(uuid.uuid4()), "Jade", "piscine", "2026-10-03")}]
    with pytest.raises(Invalid) as refused:
        billing.as_agent.run_period("2026-10")
    assert refused.value.code == "unknown_activity"
    assert "piscine" in refused.value.message
    assert_nothing_written(look)


def test_malformed_billable_items_stop_the_run_before_anything_is_billed(billing, family, look):
    family.billable_items.return_value = october() + [
        {"household_id": str(uuid.uuid4()), "quotient_familial": 300,
         "items": booked(str(uuid.uuid4()), "Jade", "etude", "le 3 octobre")}]
    with pytest.raises(Invalid) as refused:
        billing.as_agent.run_period("2026-10")
    assert refused.value.code == "invalid_billable_items"
    assert refused.value.fields == {"2.items.0.date": "Date au format AAAA-MM-JJ attendue."}
    assert_nothing_written(look)


def test_a_month_with_nothing_booked_bills_nobody(billing, family, look):
    family.billable_items.return_value = []
    assert billing.as_agent.run_period("2026-08") == {"period": "2026-08", "invoices_created": 0, "already_invoiced": 0}
    assert count(look, models.Invoice) == 0


def test_a_run_is_journaled_with_the_agent_who_started_it(billing, look):
    billing.as_agent.run_period("2026-10")
    with look.connect() as connection:
        rows = connection.execute(select(models.RunJournalEntry.period, models.RunJournalEntry.started_by,
                                         models.RunJournalEntry.invoices_created)).all()
    assert rows == [("2026-10", billing.agent_id, 2)]


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
