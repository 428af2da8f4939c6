"""SEPA mandates, direct-debit batches and their collections

Revision ID: b7e1c4a92f31
Revises: b7e1c4a92f30
Create Date: 2026-12-02 01:20:00

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "b7e1c4a92f31"
down_revision: Union[str, Sequence[str], None] = "b7e1c4a92f30"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "mandates",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("household_id", sa.Uuid(), nullable=False),
        sa.Column("rum", sa.String(length=35), nullable=False),
        sa.Column("request_reference", sa.String(length=40), nullable=False),
        sa.Column("account_holder", sa.String(length=70), nullable=False),
        sa.Column("iban", sa.String(length=34), nullable=False),
        sa.Column("bic", sa.String(length=11), nullable=False),
        sa.Column("signed_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("rejections", sa.Integer(), nullable=False),
        sa.Column("collected", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mandates")),
        sa.UniqueConstraint("household_id", name=op.f("uq_mandates_household_id")),
        sa.UniqueConstraint("rum", name=op.f("uq_mandates_rum")),
    )
    op.create_table(
        "debit_batches",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("message_id", sa.String(length=35), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("total_cents", sa.Integer(), nullable=False),
        sa.Column("xml", sa.LargeBinary(), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_debit_batches")),
        sa.UniqueConstraint("message_id", name=op.f("uq_debit_batches_message_id")),
    )
    op.create_table(
        "debit_collections",
        sa.Column("end_to_end_id", sa.String(length=35), nullable=False),
        sa.Column("batch_id", sa.Uuid(), nullable=False),
        sa.Column("invoice_id", sa.Uuid(), nullable=False),
        sa.Column("mandate_id", sa.Uuid(), nullable=False),
        sa.Column("amount_cents", sa.Integer(), nullable=False),
        sa.Column("sequence_type", sa.String(length=4), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("payment_id", sa.Uuid(), nullable=True),
        sa.Column("rejection_reason", sa.String(length=4), nullable=True),
        sa.ForeignKeyConstraint(["batch_id"], ["debit_batches.id"],
                                name=op.f("fk_debit_collections_batch_id_debit_batches")),
        sa.ForeignKeyConstraint(["invoice_id"], ["invoices.id"], name=op.f("fk_debit_collections_invoice_id_invoices")),
        sa.ForeignKeyConstraint(["mandate_id"], ["mandates.id"], name=op.f("fk_debit_collections_mandate_id_mandates")),
        sa.PrimaryKeyConstraint("end_to_end_id", name=op.f("pk_debit_collections")),
    )
    op.create_index(op.f("ix_debit_collections_batch_id"), "debit_collections", ["batch_id"])
    op.create_index(op.f("ix_debit_collections_invoice_id"), "debit_collections", ["invoice_id"])


def downgrade() -> None:
    op.drop_table("debit_collections")
    op.drop_table("debit_batches")
    op.drop_table("mandates")
