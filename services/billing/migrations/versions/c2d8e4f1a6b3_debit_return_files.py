"""debit return files: the bank's pain.002 and camt.054 files imported, once each

Revision ID: c2d8e4f1a6b3
Revises: b7e1c4a92f33
Create Date: 2026-12-09 10:00:00

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "c2d8e4f1a6b3"
down_revision: Union[str, Sequence[str], None] = "b7e1c4a92f33"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "debit_return_files",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("message_id", sa.String(length=35), nullable=False),
        sa.Column("original_message_id", sa.String(length=35), nullable=True),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("imported_by", sa.Uuid(), nullable=True),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("rejections", sa.Integer(), nullable=False),
        sa.Column("applied", sa.Integer(), nullable=False),
        sa.Column("already_recorded", sa.Integer(), nullable=False),
        sa.Column("unknown", sa.Integer(), nullable=False),
        sa.Column("not_sent", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_debit_return_files")),
        sa.UniqueConstraint("sha256", name=op.f("uq_debit_return_files_sha256")),
        sa.UniqueConstraint("kind", "message_id", name=op.f("uq_debit_return_files_kind_message_id")),
    )


def downgrade() -> None:
    op.drop_table("debit_return_files")
