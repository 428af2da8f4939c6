"""idempotent requests: what each Idempotency-Key made

Revision ID: 9c4d2e7f1a05
Revises: 5b0e8a1c2d34
Create Date: 2026-12-01 22:30:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

revision: str = '9c4d2e7f1a05'
down_revision: Union[str, Sequence[str], None] = '5b0e8a1c2d34'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        'idempotent_requests',
        sa.Column('scope', sa.String(length=64), nullable=False),
        sa.Column('fingerprint', sa.String(length=64), nullable=False),
        sa.Column('resource_id', sa.String(length=64), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('scope'),
    )


def downgrade() -> None:
    op.drop_table('idempotent_requests')
