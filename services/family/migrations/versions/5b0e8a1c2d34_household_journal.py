"""household journal: what agents did to each household

Revision ID: 5b0e8a1c2d34
Revises: 07925ec92cd6
Create Date: 2026-12-01 21:00:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

revision: str = '5b0e8a1c2d34'
down_revision: Union[str, Sequence[str], None] = '07925ec92cd6'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        'household_journal',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('household_id', sa.Uuid(), nullable=False),
        sa.Column('actor_id', sa.Uuid(), nullable=True),
        sa.Column('action', sa.String(length=60), nullable=False),
        sa.Column('details', sa.JSON(), nullable=False),
        sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['household_id'], ['households.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_household_journal_household_id', 'household_journal', ['household_id'])


def downgrade() -> None:
    op.drop_index('ix_household_journal_household_id', table_name='household_journal')
    op.drop_table('household_journal')
