"""identity complete: e-mail verification, password reset and e-mail change
links, contact details, mobile refresh tokens and signing keys, FranceConnect
links, login throttling, the security journal

Revision ID: 861365f63e2c
Revises: 3c7a7d14c997
Create Date: 2026-11-27 18:00:25.642626

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = '861365f63e2c'
down_revision: Union[str, Sequence[str], None] = '3c7a7d14c997'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    # Batch mode: SQLite alters a column only by rebuilding its table.
    with op.batch_alter_table('accounts') as batch_op:
        # Accounts opened before verification existed start unverified, except the
        # back office's, whose addresses the deployment itself gave.
        batch_op.add_column(sa.Column('email_verified', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('phone', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('street', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('postal_code', sa.String(length=5), nullable=True))
        batch_op.add_column(sa.Column('city', sa.String(length=100), nullable=True))
        batch_op.alter_column('password_hash', existing_type=sa.String(length=255), nullable=True)
    op.execute("UPDATE accounts SET email_verified = true WHERE role IN ('agent', 'admin')")

    with op.batch_alter_table('sessions') as batch_op:
        batch_op.alter_column('token_sha256', existing_type=sa.String(length=64), nullable=True)
        batch_op.create_index(batch_op.f('ix_sessions_revoked_at'), ['revoked_at'])

    op.create_table(
        'refresh_tokens',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('token_sha256', sa.String(length=64), nullable=False),
        sa.Column('session_id', sa.Uuid(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('rotated_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['session_id'], ['sessions.id'], name=op.f('fk_refresh_tokens_session_id_sessions')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_refresh_tokens')),
        sa.UniqueConstraint('token_sha256', name=op.f('uq_refresh_tokens_token_sha256')),
    )
    op.create_index(op.f('ix_refresh_tokens_session_id'), 'refresh_tokens', ['session_id'])

    op.create_table(
        'signing_keys',
        sa.Column('kid', sa.String(length=64), nullable=False),
        sa.Column('private_pem', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('kid', name=op.f('pk_signing_keys')),
    )

    op.create_table(
        'link_tokens',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('token_sha256', sa.String(length=64), nullable=False),
        sa.Column('purpose', sa.String(length=32), nullable=False),
        sa.Column('account_id', sa.Uuid(), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('spent_at', sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("purpose IN ('email_verification', 'password_reset', 'email_change')",
                           name=op.f('ck_link_tokens_purpose')),
        sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_link_tokens_account_id_accounts')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_link_tokens')),
        sa.UniqueConstraint('token_sha256', name=op.f('uq_link_tokens_token_sha256')),
    )
    op.create_index(op.f('ix_link_tokens_account_id'), 'link_tokens', ['account_id'])

    op.create_table(
        'franceconnect_links',
        sa.Column('account_id', sa.Uuid(), nullable=False),
        sa.Column('sub', sa.String(length=255), nullable=False),
        sa.Column('given_name', sa.String(length=200), nullable=False),
        sa.Column('family_name', sa.String(length=200), nullable=False),
        sa.Column('linked_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['account_id'], ['accounts.id'],
                                name=op.f('fk_franceconnect_links_account_id_accounts')),
        sa.PrimaryKeyConstraint('account_id', name=op.f('pk_franceconnect_links')),
        sa.UniqueConstraint('sub', name=op.f('uq_franceconnect_links_sub')),
    )

    op.create_table(
        'login_throttles',
        sa.Column('key', sa.String(length=264), nullable=False),
        sa.Column('failures', sa.Integer(), nullable=False),
        sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('last_failure_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_login_throttles')),
    )

    op.create_table(
        'security_events',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('account_id', sa.Uuid(), nullable=True),
        sa.Column('actor_id', sa.Uuid(), nullable=True),
        sa.Column('action', sa.String(length=40), nullable=False),
        sa.Column('client_ip', sa.String(length=45), nullable=True),
        sa.Column('detail', sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_security_events')),
    )
    op.create_index(op.f('ix_security_events_account_id'), 'security_events', ['account_id'])
    op.create_index(op.f('ix_security_events_at'), 'security_events', ['at'])


def downgrade() -> None:
    op.drop_table('security_events')
    op.drop_table('login_throttles')
    op.drop_table('franceconnect_links')
    op.drop_table('link_tokens')
    op.drop_table('signing_keys')
    op.drop_table('refresh_tokens')
    # Mobile sessions have no token: they cannot survive going back.
    op.execute("DELETE FROM sessions WHERE token_sha256 IS NULL")
    with op.batch_alter_table('sessions') as batch_op:
        batch_op.drop_index(batch_op.f('ix_sessions_revoked_at'))
        batch_op.alter_column('token_sha256', existing_type=sa.String(length=64), nullable=False)
    # Accounts opened with FranceConnect only cannot exist without a password.
    op.execute("UPDATE accounts SET password_hash = '!' WHERE password_hash IS NULL")
    with op.batch_alter_table('accounts') as batch_op:
        batch_op.alter_column('password_hash', existing_type=sa.String(length=255), nullable=False)
        batch_op.drop_column('city')
        batch_op.drop_column('postal_code')
        batch_op.drop_column('street')
        batch_op.drop_column('phone')
        batch_op.drop_column('email_verified')
