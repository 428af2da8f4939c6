"""encryption at rest, validity dates, sharing on request, quota, housekeeping

Each document gets its wrapped data key and master key id, its issue date and
validity; the journal names the actor, the request and the category (it
outlives a deleted document); requests, asks, shares, the households' usage,
the jobs' lock rows and the ids of events handled get their tables.

Documents stored before this revision were kept in clear and have no data
key: the vault answers them as unavailable (503); this revision came before
any production data.

Revision ID: 5e0c2a7d9b41
Revises: c1500d85a553
Create Date: 2026-12-02 10:00:00

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "5e0c2a7d9b41"
down_revision: Union[str, Sequence[str], None] = "c1500d85a553"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("documents") as batch:
        batch.add_column(sa.Column("key_id", sa.String(length=40), nullable=True))
        batch.add_column(sa.Column("wrapped_key", sa.LargeBinary(), nullable=True))
        batch.add_column(sa.Column("issued_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("valid_until", sa.Date(), nullable=True))
        batch.add_column(sa.Column("expiry_notified_at", sa.DateTime(timezone=True), nullable=True))
        batch.alter_column("sha256", existing_type=sa.String(length=64), nullable=True)
        batch.alter_column("uploaded_by", existing_type=sa.Uuid(), nullable=True)
        batch.create_index("ix_documents_valid_until", ["valid_until"])

    with op.batch_alter_table("access_entries") as batch:
        batch.drop_constraint("ck_access_entries_action", type_="check")
        batch.add_column(sa.Column("category", sa.String(length=40), nullable=True))
        batch.add_column(sa.Column("actor", sa.String(length=10), nullable=False, server_default="family"))
        batch.add_column(sa.Column("part", sa.String(length=20), nullable=True))
        batch.add_column(sa.Column("request_id", sa.Uuid(), nullable=True))
        batch.add_column(sa.Column("request_reference", sa.String(length=40), nullable=True))
        batch.alter_column("account_id", existing_type=sa.Uuid(), nullable=True)
        batch.alter_column("document_id", existing_type=sa.Uuid(), nullable=True)
        batch.create_check_constraint("ck_access_entries_actor", "actor IN ('family', 'agent', 'service')")
        batch.create_index("ix_access_entries_household_at", ["household_id", "at"])
    op.execute("UPDATE access_entries SET category = (SELECT category FROM documents "
               "WHERE documents.id = access_entries.document_id)")
    with op.batch_alter_table("access_entries") as batch:
        batch.alter_column("actor", existing_type=sa.String(length=10), server_default=None)

    op.create_table(
        "known_requests",
        sa.Column("request_id", sa.Uuid(), nullable=False),
        sa.Column("household_id", sa.Uuid(), nullable=False),
        sa.Column("reference", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=40), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("as_of", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("request_id", name="pk_known_requests"),
    )
    op.create_index("ix_known_requests_household_id", "known_requests", ["household_id"])

    op.create_table(
        "document_asks",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("household_id", sa.Uuid(), nullable=False),
        sa.Column("request_id", sa.Uuid(), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("asked_by", sa.Uuid(), nullable=False),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("share_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(["request_id"], ["known_requests.request_id"],
                                name="fk_document_asks_request_id"),
        sa.PrimaryKeyConstraint("id", name="pk_document_asks"),
    )
    op.create_index("ix_document_asks_household_status", "document_asks", ["household_id", "status"])
    op.create_index("ix_document_asks_request_id", "document_asks", ["request_id"])

    op.create_table(
        "shares",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("document_id", sa.Uuid(), nullable=False),
        sa.Column("household_id", sa.Uuid(), nullable=False),
        sa.Column("request_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("shared_by", sa.Uuid(), nullable=True),
        sa.Column("shared_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"], name="fk_shares_document_id"),
        sa.ForeignKeyConstraint(["request_id"], ["known_requests.request_id"], name="fk_shares_request_id"),
        sa.PrimaryKeyConstraint("id", name="pk_shares"),
    )
    op.create_index("ix_shares_household", "shares", ["household_id"])
    op.create_index("ix_shares_document_id", "shares", ["document_id"])
    op.create_index("ix_shares_request_id", "shares", ["request_id"])

    op.create_table(
        "household_usage",
        sa.Column("household_id", sa.Uuid(), nullable=False),
        sa.Column("documents", sa.Integer(), nullable=False),
        sa.Column("bytes", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("household_id", name="pk_household_usage"),
    )
    op.execute("INSERT INTO household_usage (household_id, documents, bytes) "
               "SELECT household_id, COUNT(*), SUM(size) FROM documents WHERE deleted_at IS NULL GROUP BY household_id")

    op.create_table(
        "job_runs",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("last_run_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("name", name="pk_job_runs"),
    )

    op.create_table(
        "processed_events",
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("event_id", name="pk_processed_events"),
    )


def downgrade() -> None:
    op.drop_table("processed_events")
    op.drop_table("job_runs")
    op.drop_table("household_usage")
    op.drop_table("shares")
    op.drop_table("document_asks")
    op.drop_table("known_requests")
    with op.batch_alter_table("access_entries") as batch:
        batch.drop_index("ix_access_entries_household_at")
        batch.drop_constraint("ck_access_entries_actor", type_="check")
        for column in ("request_reference", "request_id", "part", "actor", "category"):
            batch.drop_column(column)
    with op.batch_alter_table("documents") as batch:
        batch.drop_index("ix_documents_valid_until")
        for column in ("expiry_notified_at", "valid_until", "issued_on", "wrapped_key", "key_id"):
            batch.drop_column(column)
