"""the portal's exports: the archive of all a household's data

Revision ID: a9d3e5f7c1b2
Revises: 5e0c2a7d9b41
Create Date: 2026-12-02 01:10:00

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "a9d3e5f7c1b2"
down_revision: Union[str, Sequence[str], None] = "5e0c2a7d9b41"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "portal_exports",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("household_id", sa.Uuid(), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ready_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("storage_key", sa.String(length=64), nullable=True),
        sa.Column("key_id", sa.String(length=40), nullable=True),
        sa.Column("wrapped_key", sa.LargeBinary(), nullable=True),
        sa.Column("size", sa.BigInteger(), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("storage_key"),
    )
    op.create_index("ix_portal_exports_household_requested", "portal_exports", ["household_id", "requested_at"])
    op.create_index("ix_portal_exports_status", "portal_exports", ["status"])


def downgrade() -> None:
    op.drop_index("ix_portal_exports_status", table_name="portal_exports")
    op.drop_index("ix_portal_exports_household_requested", table_name="portal_exports")
    op.drop_table("portal_exports")
