"""activities: catalogue versions, places per day, pre-registration, absences

Revision ID: c93a5cfda1d3
Revises: 9c4d2e7f1a05
Create Date: 2026-12-02 01:00:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

revision: str = 'c93a5cfda1d3'
down_revision: Union[str, Sequence[str], None] = '9c4d2e7f1a05'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

LIVE = "status IN ('preregistered', 'confirmed', 'waiting', 'offered')"


def upgrade() -> None:
    with op.batch_alter_table('bookings') as batch:
        batch.alter_column('status', existing_type=sa.String(length=16), type_=sa.String(length=20),
                           existing_nullable=False)
    op.create_table(
        'catalogue_versions',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('school_year', sa.String(length=9), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('data', sa.JSON(), nullable=False),
        sa.Column('changed_by', sa.Uuid(), nullable=True),
        sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('uq_catalogue_versions_year_version', 'catalogue_versions', ['school_year', 'version'], unique=True)
    op.create_table(
        'activity_days',
        sa.Column('activity', sa.String(length=40), nullable=False),
        sa.Column('date', sa.Date(), nullable=False),
        sa.Column('capacity', sa.Integer(), nullable=False),
        sa.Column('booked', sa.Integer(), nullable=False),
        sa.CheckConstraint('booked >= 0 AND booked <= capacity', name='ck_activity_days_within_capacity'),
        sa.PrimaryKeyConstraint('activity', 'date'),
    )
    op.create_table(
        'preregistration_sessions',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('activity', sa.String(length=40), nullable=False),
        sa.Column('label', sa.String(length=200), nullable=False),
        sa.Column('first_day', sa.Date(), nullable=False),
        sa.Column('last_day', sa.Date(), nullable=False),
        sa.Column('places', sa.Integer(), nullable=False),
        sa.Column('min_age', sa.Integer(), nullable=False),
        sa.Column('max_age', sa.Integer(), nullable=False),
        sa.Column('opens_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('price_basis', sa.String(length=10), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_table(
        'preregistrations',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('session_id', sa.Uuid(), nullable=False),
        sa.Column('household_id', sa.Uuid(), nullable=False),
        sa.Column('child_id', sa.Uuid(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('wishes', sa.JSON(), nullable=False),
        sa.Column('offer_expires_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['session_id'], ['preregistration_sessions.id']),
        sa.ForeignKeyConstraint(['household_id'], ['households.id']),
        sa.ForeignKeyConstraint(['child_id'], ['children.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_preregistrations_session_position', 'preregistrations', ['session_id', 'position'],
                    unique=True)
    op.create_index('ix_preregistrations_household_id', 'preregistrations', ['household_id'])
    op.create_index('uq_preregistrations_child_session_live', 'preregistrations', ['child_id', 'session_id'],
                    unique=True, postgresql_where=sa.text(LIVE), sqlite_where=sa.text(LIVE))
    op.create_table(
        'absences',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('household_id', sa.Uuid(), nullable=False),
        sa.Column('child_id', sa.Uuid(), nullable=False),
        sa.Column('first_day', sa.Date(), nullable=False),
        sa.Column('last_day', sa.Date(), nullable=False),
        sa.Column('reason', sa.String(length=500), nullable=False),
        sa.Column('reported_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('certificate_status', sa.String(length=16), nullable=False),
        sa.Column('certificate_document_id', sa.Uuid(), nullable=True),
        sa.Column('certificate_given_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('decided_by', sa.Uuid(), nullable=True),
        sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['household_id'], ['households.id']),
        sa.ForeignKeyConstraint(['child_id'], ['children.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_absences_household_id', 'absences', ['household_id'])
    op.create_index('ix_absences_child_days', 'absences', ['child_id', 'first_day', 'last_day'])


def downgrade() -> None:
    op.drop_table('absences')
    op.drop_table('preregistrations')
    op.drop_table('preregistration_sessions')
    op.drop_table('activity_days')
    op.drop_table('catalogue_versions')
    with op.batch_alter_table('bookings') as batch:
        batch.alter_column('status', existing_type=sa.String(length=20), type_=sa.String(length=16),
                           existing_nullable=False)
