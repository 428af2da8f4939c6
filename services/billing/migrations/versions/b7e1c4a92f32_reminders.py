"""reminders of unpaid invoices, each sent once

Revision ID: b7e1c4a92f32
Revises: b7e1c4a92f31
Create Date: 2026-12-02 01:40:00

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "b7e1c4a92f32"
down_revision: Union[str, Sequence[str], None] = "b7e1c4a92f31"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("invoices") as batch:
        batch.add_column(sa.Column("reminded_before_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("reminded_after_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("invoices") as batch:
        batch.drop_column("reminded_after_at")
        batch.drop_column("reminded_before_at")
