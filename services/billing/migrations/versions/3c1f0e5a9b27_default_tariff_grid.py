"""default tariff grid of the Caisse des écoles

Revision ID: 3c1f0e5a9b27
Revises: 72650c7db303
Create Date: 2026-11-27 17:05:00.000000

The grid is written out here rather than imported, so this migration keeps
seeding the same prices whatever the code becomes.
"""
import uuid
from datetime import date
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "3c1f0e5a9b27"
down_revision: Union[str, Sequence[str], None] = "72650c7db303"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# In force for every month billed: the first months the portal can bill.
VALID_FROM = date(2000, 1, 1)

# Quotient familial brackets, inclusive bounds in euros.
BRACKETS = [("A", 0, 400), ("B", 401, 700), ("C", 701, 1000), ("D", 1001, 1400), ("E", 1401, 1900), ("F", 1901, None)]

# Unit prices in cents, bracket A to F.
PRICES = {
    "restauration_scolaire": [80, 160, 260, 350, 430, 520],
    "accueil_du_soir": [60, 120, 190, 250, 310, 380],
    "etude": [50, 100, 150, 200, 250, 300],
    "alsh_mercredi": [200, 450, 750, 1050, 1300, 1600],
}

tariffs = sa.table(
    "tariffs",
    sa.column("id", sa.Uuid()), sa.column("activity", sa.String()), sa.column("bracket", sa.String()),
    sa.column("qf_min", sa.Integer()), sa.column("qf_max", sa.Integer()),
    sa.column("unit_price_cents", sa.Integer()), sa.column("valid_from", sa.Date()),
)


def upgrade() -> None:
    op.bulk_insert(tariffs, [
        {"id": uuid.uuid4(), "activity": activity, "bracket": code, "qf_min": qf_min, "qf_max": qf_max,
         "unit_price_cents": price, "valid_from": VALID_FROM}
        for activity, prices in PRICES.items()
        for (code, qf_min, qf_max), price in zip(BRACKETS, prices, strict=True)
    ])


def downgrade() -> None:
    op.execute(tariffs.delete().where(tariffs.c.valid_from == VALID_FROM))
