"""run journal: who started each billing run

Revision ID: 8d2f4b6a1e90
Revises: 3c1f0e5a9b27
Create Date: 2026-12-01 21:30:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

revision: str = "8d2f4b6a1e90"
down_revision: Union[str, Sequence[str], None] = "3c1f0e5a9b27"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "run_journal",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("started_by", sa.Uuid(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("invoices_created", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_run_journal")),
    )
    op.create_index(op.f("ix_run_journal_period"), "run_journal", ["period"])


def downgrade() -> None:
    op.drop_index(op.f("ix_run_journal_period"), table_name="run_journal")
    op.drop_table("run_journal")
