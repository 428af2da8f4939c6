"""closed accounts

Revision ID: e4f0a9c1d2b7
Revises: 08e83058771f
Create Date: 2026-12-02 01:00:00

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = 'e4f0a9c1d2b7'
down_revision: Union[str, Sequence[str], None] = '08e83058771f'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('accounts') as batch_op:
        batch_op.add_column(sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('accounts') as batch_op:
        batch_op.drop_column('closed_at')
