import types
import uuid
from datetime import date

import pytest
from alembic.migration import MigrationContext
from alembic.operations import Operations
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine

from kit.migrations import alembic_config

from billing.lines import BillableHousehold, Item, QuotientPeriod
from billing.tariffs import BRACKETS, EFFORT_RATE, Bracket, Tariff, TariffBook

TARIFFS_REVISION = "b7e1c4a92f30"


@pytest.fixture
def service_name():
    return "billing"


@pytest.fixture
def database_url(database_url):
    """The shared fixture empties every table before each test, the default
    tariffs with them: the tariffs' own migration seeds them again."""
    seed = ScriptDirectory.from_config(alembic_config("billing", database_url)).get_revision(TARIFFS_REVISION)
    engine = create_engine(database_url)
    with engine.begin() as connection, Operations.context(MigrationContext.configure(connection)):
        seed.module.seed_defaults()
    engine.dispose()
    return database_url


# Builders for the domain tests: tariffs, households and items in few words.
SEPTEMBER_1 = date(2026, 9, 1)
LEA, TOM = uuid.UUID(int=1), uuid.UUID(int=2)
MARTIN = uuid.UUID(int=100)


def grid(activity="restauration_scolaire", prices=(80, 160, 260, 350, 430, 520), effective_from=SEPTEMBER_1,
         price_basis="day", non_resident_cents=None):
    bounds = [(0, 400), (401, 700), (701, 1000), (1001, 1400), (1401, 1900), (1901, None)]
    return Tariff(activity, effective_from, price_basis, BRACKETS,
                  brackets=tuple(Bracket(low, high, price) for (low, high), price in zip(bounds, prices)),
                  non_resident_cents=non_resident_cents)


def effort(activity="alsh_mercredi", rate=120, floor=300, ceiling=2000, effective_from=SEPTEMBER_1,
           price_basis="day"):
    return Tariff(activity, effective_from, price_basis, EFFORT_RATE, effort_rate=rate, floor_cents=floor,
                  ceiling_cents=ceiling)


def book(*tariffs):
    return TariffBook(tariffs or (grid(), effort(), grid("centre_vacances", (10000, 15000, 20000, 25000, 30000,
                                                                             35000), price_basis="stay")))


def item(day, activity="restauration_scolaire", child=LEA, status="booked", billable=True, basis="day",
         end=None, item_id=None, name=None):
    return Item(item_id or f"{activity}:{child}:{day}", child, name or ("Léa" if child == LEA else "Tom"), activity,
                basis, date.fromisoformat(day), date.fromisoformat(end) if end else None, status, billable)


def household(*items, qf=650, justified=True, resident=True, history=None):
    history = history or (QuotientPeriod(qf, date(2026, 1, 1), None, justified),)
    return BillableHousehold(MARTIN, resident, tuple(history), tuple(items))


@pytest.fixture(scope="session")
def domain():
    return types.SimpleNamespace(SEPTEMBER_1=SEPTEMBER_1, LEA=LEA, TOM=TOM, MARTIN=MARTIN, grid=grid, effort=effort,
                                 book=book, item=item, household=household)
