from datetime import date

import pytest
from alembic.migration import MigrationContext
from alembic.operations import Operations
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine

from kit.migrations import alembic_config

from billing.pricing import Bracket, Tariff, TariffGrid

DEFAULT_GRID_REVISION = "3c1f0e5a9b27"

# The contract's default grid: brackets (inclusive bounds, euros), unit prices in cents from A to F.
BRACKETS = [Bracket("A", 0, 400), Bracket("B", 401, 700), Bracket("C", 701, 1000),
            Bracket("D", 1001, 1400), Bracket("E", 1401, 1900), Bracket("F", 1901, None)]
PRICES = {
    "restauration_scolaire": [80, 160, 260, 350, 430, 520],
    "accueil_du_soir": [60, 120, 190, 250, 310, 380],
    "etude": [50, 100, 150, 200, 250, 300],
    "alsh_mercredi": [200, 450, 750, 1050, 1300, 1600],
}


@pytest.fixture
def service_name():
    return "billing"


@pytest.fixture
def database_url(database_url):
    """The shared fixture empties every table before each test, the default
    tariff grid with them: the grid's own migration seeds it again."""
    seed = ScriptDirectory.from_config(alembic_config("billing", database_url)).get_revision(DEFAULT_GRID_REVISION)
    engine = create_engine(database_url)
    with engine.begin() as connection, Operations.context(MigrationContext.configure(connection)):
        seed.module.upgrade()
    engine.dispose()
    return database_url


@pytest.fixture(scope="session")
def contract_tariffs():
    return [Tariff(activity, bracket, price, date(2000, 1, 1))
            for activity, prices in PRICES.items() for bracket, price in zip(BRACKETS, prices, strict=True)]


@pytest.fixture(scope="session")
def grid(contract_tariffs):
    return TariffGrid(contract_tariffs, date(2026, 10, 1))
