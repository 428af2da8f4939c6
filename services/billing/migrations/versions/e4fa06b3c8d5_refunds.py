"""refunds: what the Caisse gave back to households, and what each invoice had refunded

Revision ID: e4fa06b3c8d5
Revises: d3e9f5a2b7c4
Create Date: 2026-12-04 09:00:00

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "e4fa06b3c8d5"
down_revision: Union[str, Sequence[str], None] = "d3e9f5a2b7c4"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("invoices") as batch:
        batch.add_column(sa.Column("refunded_cents", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("credit_refunded_cents", sa.Integer(), nullable=False, server_default="0"))
        batch.create_check_constraint(
            "ck_invoices_refunded_within_avoir",
            "credit_refunded_cents >= 0 AND credit_refunded_cents <= refunded_cents AND "
            "(credit_refunded_cents = 0 OR total_cents + carried_cents + credit_refunded_cents <= 0)")
    op.create_table(
        "refunds",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("reference", sa.String(length=30), nullable=False),
        sa.Column("household_id", sa.Uuid(), nullable=False),
        sa.Column("invoice_id", sa.Uuid(), nullable=False),
        sa.Column("amount_cents", sa.Integer(), nullable=False),
        sa.Column("credit_cents", sa.Integer(), nullable=False),
        sa.Column("means", sa.String(length=20), nullable=False),
        sa.Column("iban_masked", sa.String(length=40), nullable=True),
        sa.Column("note", sa.String(length=300), nullable=True),
        sa.Column("refunded_on", sa.Date(), nullable=False),
        sa.Column("recorded_by", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("amount_cents > 0 AND credit_cents >= 0 AND credit_cents <= amount_cents",
                           name="ck_refunds_amount"),
        sa.ForeignKeyConstraint(["invoice_id"], ["invoices.id"], name=op.f("fk_refunds_invoice_id_invoices")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_refunds")),
        sa.UniqueConstraint("reference", name=op.f("uq_refunds_reference")),
    )
    op.create_index(op.f("ix_refunds_household_id"), "refunds", ["household_id"])
    op.create_index(op.f("ix_refunds_invoice_id"), "refunds", ["invoice_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_refunds_invoice_id"), table_name="refunds")
    op.drop_index(op.f("ix_refunds_household_id"), table_name="refunds")
    op.drop_table("refunds")
    with op.batch_alter_table("invoices") as batch:
        batch.drop_constraint("ck_invoices_refunded_within_avoir", type_="check")
        batch.drop_column("credit_refunded_cents")
        batch.drop_column("refunded_cents")
