"""first admin made once, sealed refresh token successors

Revision ID: 08e83058771f
Revises: 861365f63e2c
Create Date: 2026-12-01 20:55:01.595220

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = '08e83058771f'
down_revision: Union[str, Sequence[str], None] = '861365f63e2c'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        'bootstrap',
        sa.Column('step', sa.String(length=40), nullable=False),
        sa.Column('account_id', sa.Uuid(), nullable=False),
        sa.Column('done_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('step', name=op.f('pk_bootstrap')),
    )
    # A portal already running made its first admin at an earlier start: never again,
    # even if that admin has since changed address.
    op.execute("INSERT INTO bootstrap (step, account_id, done_at) "
               "SELECT 'first_admin', id, created_at FROM accounts WHERE role = 'admin' "
               "ORDER BY created_at LIMIT 1")
    with op.batch_alter_table('refresh_tokens') as batch_op:
        batch_op.add_column(sa.Column('successor_sealed', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('refresh_tokens') as batch_op:
        batch_op.drop_column('successor_sealed')
    op.drop_table('bootstrap')
