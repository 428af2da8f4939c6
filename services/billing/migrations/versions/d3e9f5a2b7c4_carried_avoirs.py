"""avoirs carried to the next invoices: what each invoice's avoir carried, the lines that carry one

Revision ID: d3e9f5a2b7c4
Revises: c2d8e4f1a6b3
Create Date: 2026-12-03 09:00:00

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "d3e9f5a2b7c4"
down_revision: Union[str, Sequence[str], None] = "c2d8e4f1a6b3"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# a line carrying an avoir belongs to no child nor activity
CHILD_COLUMNS = (("child_id", sa.Uuid()), ("child_first_name", sa.String(length=100)),
                 ("activity", sa.String(length=40)), ("status", sa.String(length=24)),
                 ("price_basis", sa.String(length=10)))


def upgrade() -> None:
    with op.batch_alter_table("invoices") as batch:
        batch.add_column(sa.Column("carried_cents", sa.Integer(), nullable=False, server_default="0"))
        batch.create_check_constraint(
            "ck_invoices_carried_within_avoir",
            "carried_cents >= 0 AND (carried_cents = 0 OR total_cents + carried_cents <= 0)")
    op.create_index("ix_invoices_avoirs", "invoices", ["household_id"],
                    postgresql_where=sa.text("total_cents < 0"), sqlite_where=sa.text("total_cents < 0"))
    with op.batch_alter_table("invoice_lines") as batch:
        batch.add_column(sa.Column("carried_from", sa.Uuid(), nullable=True))
        batch.create_foreign_key(op.f("fk_invoice_lines_carried_from_invoices"), "invoices", ["carried_from"],
                                 ["id"], ondelete="SET NULL")
        batch.create_unique_constraint(op.f("uq_invoice_lines_invoice_id_carried_from"),
                                       ["invoice_id", "carried_from"])
        for name, type_ in CHILD_COLUMNS:
            batch.alter_column(name, existing_type=type_, nullable=True)


def downgrade() -> None:
    """The lines carrying an avoir go (they name no child); the invoices keep their totals as issued."""
    op.execute("DELETE FROM invoice_lines WHERE kind = 'carried_credit'")
    with op.batch_alter_table("invoice_lines") as batch:
        for name, type_ in CHILD_COLUMNS:
            batch.alter_column(name, existing_type=type_, nullable=False)
        batch.drop_constraint(op.f("uq_invoice_lines_invoice_id_carried_from"), type_="unique")
        batch.drop_constraint(op.f("fk_invoice_lines_carried_from_invoices"), type_="foreignkey")
        batch.drop_column("carried_from")
    op.drop_index("ix_invoices_avoirs", table_name="invoices")
    with op.batch_alter_table("invoices") as batch:
        batch.drop_constraint("ck_invoices_carried_within_avoir", type_="check")
        batch.drop_column("carried_cents")
