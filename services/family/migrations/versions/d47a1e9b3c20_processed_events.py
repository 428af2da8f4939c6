"""processed events: family consumes identity's account_closed

Revision ID: d47a1e9b3c20
Revises: 8c41d2e7a9b5
Create Date: 2026-12-02 01:10:00

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = 'd47a1e9b3c20'
down_revision: Union[str, Sequence[str], None] = '8c41d2e7a9b5'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        'processed_events',
        sa.Column('event_id', sa.String(length=36), nullable=False),
        sa.Column('processed_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('event_id'),
    )


def downgrade() -> None:
    op.drop_table('processed_events')
