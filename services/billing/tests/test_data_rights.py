"""billing's part of the families' data rights: invoices kept ten years,
exported for the household, published events forgotten."""
import datetime as dt
import uuid

import pytest
from nameko.testing.services import entrypoint_hook, replace_dependencies
from sqlalchemy import insert, select

from billing.data_rights import kept_since
from billing.models import Invoice, InvoiceLine, Mandate, Payment
from billing.service import BillingService
from kit.errors import Forbidden

HOUSEHOLD = uuid.uuid4()
NOW = dt.datetime(2026, 12, 2, 10, tzinfo=dt.timezone.utc)


@pytest.fixture
def container(container_factory, config):
    container = container_factory(BillingService, config)
    replace_dependencies(container, "family")
    container.start()
    return container


def an_invoice(look, issued_at, number):
    invoice_id = uuid.uuid4()
    with look.begin() as connection:
        connection.execute(insert(Invoice).values(
            id=invoice_id, number=number, household_id=HOUSEHOLD, period=f"{issued_at:%Y-%m}", issued_at=issued_at,
            due_date=issued_at.date(), total_cents=450, status="issued"))
        connection.execute(insert(InvoiceLine).values(
            id=uuid.uuid4(), invoice_id=invoice_id, position=0, child_id=uuid.uuid4(), child_first_name="Léa",
            activity="restauration_scolaire", label="Restauration scolaire", dates=["2016-10-03"], quantity=1,
            unit_price_cents=450, amount_cents=450, origin=f"{issued_at:%Y-%m}"))
        connection.execute(insert(Payment).values(
            id=uuid.uuid4(), reference=f"P-{number}", invoice_id=invoice_id, household_id=HOUSEHOLD,
            amount_cents=450, applied_cents=450, means="especes", received_on=issued_at.date()))


def test_the_export_gives_the_household_its_sepa_mandate_with_the_whole_iban(container, look, rpc):
    with look.begin() as connection:
        connection.execute(insert(Mandate).values(
            id=uuid.uuid4(), household_id=HOUSEHOLD, rum="RUM-D-2026-000001-ABCDEF123456",
            request_reference="D-2026-000001", account_holder="Camille Martin", iban="FR7630006000011234567890189",
            bic="AGRIFRPP", signed_on=dt.date(2026, 9, 1), status="active", rejections=0, collected=False,
            created_at=NOW))
    mandate = rpc("billing").as_part("vault").export_household(str(HOUSEHOLD))["mandat_prelevement"]
    assert (mandate["iban"], mandate["account_holder"], mandate["rum"]) == (
        "FR7630006000011234567890189", "Camille Martin", "RUM-D-2026-000001-ABCDEF123456")


def test_ten_years_is_a_hundred_and_twenty_months():
    assert kept_since(NOW, 10).date() == dt.date(2016, 12, 2)


def test_invoices_stay_ten_years_then_go(container, look, rpc):
    an_invoice(look, dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=366 * 10 + 3), "F-2016-11-0000001")
    an_invoice(look, dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=365 * 9), "F-2017-12-0000001")
    with entrypoint_hook(container, "billing_retention") as run:
        run()
    with look.connect() as connection:
        assert connection.execute(select(Invoice.number)).scalars().all() == ["F-2017-12-0000001"]
        assert len(connection.execute(select(InvoiceLine)).all()) == 1
        assert len(connection.execute(select(Payment)).all()) == 1
    exported = rpc("billing").as_part("vault").export_household(str(HOUSEHOLD))
    assert [(i["number"], i["lines"][0]["child_first_name"]) for i in exported["factures"]] == [
        ("F-2017-12-0000001", "Léa")]
    assert exported["mandat_prelevement"] is None
    with pytest.raises(Forbidden):
        rpc("billing").as_agent.export_household(str(HOUSEHOLD))
