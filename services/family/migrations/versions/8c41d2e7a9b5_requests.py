"""requests (démarches): the requests, their timeline, their numbering, the
quotient familial periods and the addresses an accepted request sets

Revision ID: 8c41d2e7a9b5
Revises: c93a5cfda1d3
Create Date: 2026-12-02 01:00:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

revision: str = '8c41d2e7a9b5'
down_revision: Union[str, Sequence[str], None] = 'c93a5cfda1d3'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        'requests',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('reference', sa.String(length=16), nullable=False),
        sa.Column('household_id', sa.Uuid(), nullable=False),
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('status', sa.String(length=24), nullable=False),
        sa.Column('data', sa.JSON(), nullable=False),
        sa.Column('document_ids', sa.JSON(), nullable=False),
        sa.Column('submitted_by', sa.Uuid(), nullable=True),
        sa.Column('assignee_id', sa.Uuid(), nullable=True),
        sa.Column('expected', sa.Text(), nullable=True),
        sa.Column('decision_reason', sa.Text(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['household_id'], ['households.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('reference'),
    )
    op.create_index('ix_requests_household_id', 'requests', ['household_id'])
    op.create_index('ix_requests_status_created_at', 'requests', ['status', 'created_at'])
    op.create_table(
        'request_timeline',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('request_id', sa.Uuid(), nullable=False),
        sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('actor_id', sa.Uuid(), nullable=True),
        sa.Column('author', sa.String(length=16), nullable=False),
        sa.Column('action', sa.String(length=24), nullable=False),
        sa.Column('body', sa.Text(), nullable=True),
        sa.Column('document_ids', sa.JSON(), nullable=False),
        sa.Column('status', sa.String(length=24), nullable=False),
        sa.ForeignKeyConstraint(['request_id'], ['requests.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_request_timeline_request_id', 'request_timeline', ['request_id'])
    op.create_table(
        'request_counters',
        sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('last', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('year'),
    )
    op.create_table(
        'quotient_familial_periods',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('household_id', sa.Uuid(), nullable=False),
        sa.Column('value', sa.Integer(), nullable=False),
        sa.Column('valid_from', sa.Date(), nullable=False),
        sa.Column('justified', sa.Boolean(), nullable=False),
        sa.Column('source', sa.String(length=200), nullable=False),
        sa.Column('request_id', sa.Uuid(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['household_id'], ['households.id']),
        sa.ForeignKeyConstraint(['request_id'], ['requests.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_quotient_familial_periods_household_id', 'quotient_familial_periods', ['household_id'])
    op.create_table(
        'household_addresses',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('household_id', sa.Uuid(), nullable=False),
        sa.Column('line1', sa.String(length=200), nullable=False),
        sa.Column('line2', sa.String(length=200), nullable=True),
        sa.Column('postal_code', sa.String(length=5), nullable=False),
        sa.Column('city', sa.String(length=100), nullable=False),
        sa.Column('valid_from', sa.Date(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['household_id'], ['households.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_household_addresses_household_id', 'household_addresses', ['household_id'])


def downgrade() -> None:
    op.drop_index('ix_household_addresses_household_id', table_name='household_addresses')
    op.drop_table('household_addresses')
    op.drop_index('ix_quotient_familial_periods_household_id', table_name='quotient_familial_periods')
    op.drop_table('quotient_familial_periods')
    op.drop_table('request_counters')
    op.drop_index('ix_request_timeline_request_id', table_name='request_timeline')
    op.drop_table('request_timeline')
    op.drop_index('ix_requests_status_created_at', table_name='requests')
    op.drop_index('ix_requests_household_id', table_name='requests')
    op.drop_table('requests')
