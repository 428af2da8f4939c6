"""versioned tariffs of the nine activities, the ledger of billed items,
yearly numbers, payments, online invoices and their PDF

Revision ID: b7e1c4a92f30
Revises: 8d2f4b6a1e90
Create Date: 2026-12-02 01:00:00

The default tariffs are written out here rather than imported, so this
migration keeps seeding the same prices whatever the code becomes. The grids
the previous schema held become versions of the new one.
"""
import uuid
from datetime import date
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "b7e1c4a92f30"
down_revision: Union[str, Sequence[str], None] = "8d2f4b6a1e90"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

VALID_FROM = date(2000, 1, 1)
BOUNDS = [(0, 400), (401, 700), (701, 1000), (1001, 1400), (1401, 1900), (1901, None)]
# activity: (price basis, unit prices in cents from bracket A to F)
DEFAULT_GRIDS = {
    "restauration_scolaire": ("day", [80, 160, 260, 350, 430, 520]),
    "accueil_du_soir": ("day", [60, 120, 190, 250, 310, 380]),
    "etude": ("day", [50, 100, 150, 200, 250, 300]),
    "alsh_mercredi": ("day", [200, 450, 750, 1050, 1300, 1600]),
    "cis_mercredi": ("day", [150, 300, 500, 700, 850, 1000]),
    "cis_vacances": ("day", [200, 400, 650, 900, 1100, 1300]),
    "mini_sejour": ("stay", [3000, 6000, 9000, 12000, 15000, 18000]),
    "centre_vacances": ("stay", [8000, 15000, 22000, 30000, 38000, 45000]),
}
# The holiday leisure centre is priced by taux d'effort: 1.20 % of the QF a day, between 3 € and 20 €.
DEFAULT_EFFORT = {"alsh_vacances": ("day", 120, 300, 2000)}

tariff_versions = sa.table(
    "tariff_versions",
    sa.column("id", sa.Uuid()), sa.column("activity", sa.String()), sa.column("version", sa.Integer()),
    sa.column("effective_from", sa.Date()), sa.column("price_basis", sa.String()), sa.column("kind", sa.String()),
    sa.column("brackets", sa.JSON()), sa.column("effort_rate", sa.Integer()), sa.column("floor_cents", sa.Integer()),
    sa.column("ceiling_cents", sa.Integer()), sa.column("non_resident_cents", sa.Integer()),
    sa.column("created_at", sa.DateTime(timezone=True)),
)


def _version(activity, version, effective_from, basis, kind, brackets=(), rate=None, floor=None, ceiling=None):
    return {"id": uuid.uuid4(), "activity": activity, "version": version, "effective_from": effective_from,
            "price_basis": basis, "kind": kind, "brackets": [list(b) for b in brackets], "effort_rate": rate,
            "floor_cents": floor, "ceiling_cents": ceiling, "non_resident_cents": None,
            "created_at": sa.func.now()}


def seed_defaults():
    """The default tariff of each activity that has none yet."""
    present = {row[0] for row in op.get_bind().execute(sa.select(tariff_versions.c.activity).distinct())}
    rows = [_version(activity, 1, VALID_FROM, basis, "brackets",
                     [(low, high, price) for (low, high), price in zip(BOUNDS, prices, strict=True)])
            for activity, (basis, prices) in DEFAULT_GRIDS.items() if activity not in present]
    rows += [_version(activity, 1, VALID_FROM, basis, "effort_rate", rate=rate, floor=floor, ceiling=ceiling)
             for activity, (basis, rate, floor, ceiling) in DEFAULT_EFFORT.items() if activity not in present]
    for row in rows:
        op.get_bind().execute(tariff_versions.insert().values(**row))


def _old_grids():
    """The previous schema's grids, one version per activity and starting day."""
    old = sa.table("tariffs", sa.column("activity", sa.String()), sa.column("qf_min", sa.Integer()),
                   sa.column("qf_max", sa.Integer()), sa.column("unit_price_cents", sa.Integer()),
                   sa.column("valid_from", sa.Date()))
    grids = {}
    for row in op.get_bind().execute(sa.select(old).order_by(old.c.activity, old.c.valid_from, old.c.qf_min)):
        grids.setdefault((row.activity, row.valid_from), []).append((row.qf_min, row.qf_max, row.unit_price_cents))
    versions, counts = [], {}
    for (activity, valid_from), brackets in sorted(grids.items()):
        counts[activity] = counts.get(activity, 0) + 1
        versions.append(_version(activity, counts[activity], valid_from, "day", "brackets", brackets))
    return versions


def upgrade() -> None:
    op.create_table(
        "tariff_versions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("activity", sa.String(length=40), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("price_basis", sa.String(length=10), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("brackets", sa.JSON(), nullable=False),
        sa.Column("effort_rate", sa.Integer(), nullable=True),
        sa.Column("floor_cents", sa.Integer(), nullable=True),
        sa.Column("ceiling_cents", sa.Integer(), nullable=True),
        sa.Column("non_resident_cents", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tariff_versions")),
        sa.UniqueConstraint("activity", "version", name=op.f("uq_tariff_versions_activity_version")),
    )
    for row in _old_grids():
        op.get_bind().execute(tariff_versions.insert().values(**row))
    seed_defaults()
    op.drop_table("tariffs")
    op.drop_table("billing_runs")

    with op.batch_alter_table("invoices") as batch:
        batch.add_column(sa.Column("paid_cents", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("overpaid_cents", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("online", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("credit_note_number", sa.String(length=20), nullable=True))
        batch.add_column(sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("cancelled_by", sa.Uuid(), nullable=True))
        batch.add_column(sa.Column("cancel_reason", sa.String(length=300), nullable=True))
        batch.create_unique_constraint(op.f("uq_invoices_credit_note_number"), ["credit_note_number"])
        batch.create_index(op.f("ix_invoices_period"), ["period"])
        batch.create_index(op.f("ix_invoices_status"), ["status"])
    with op.batch_alter_table("invoice_lines") as batch:
        batch.add_column(sa.Column("kind", sa.String(length=20), nullable=False, server_default="charge"))
        batch.add_column(sa.Column("status", sa.String(length=24), nullable=False, server_default="booked"))
        batch.add_column(sa.Column("price_basis", sa.String(length=10), nullable=False, server_default="day"))
        batch.add_column(sa.Column("origin", sa.String(length=7), nullable=True))
        batch.alter_column("label", type_=sa.String(length=300))
    op.execute("UPDATE invoice_lines SET origin = (SELECT period FROM invoices WHERE invoices.id = invoice_lines.invoice_id)")
    with op.batch_alter_table("invoice_lines") as batch:
        batch.alter_column("origin", nullable=False)
    with op.batch_alter_table("run_journal") as batch:
        batch.add_column(sa.Column("automatic", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("total_cents", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("duration_ms", sa.Integer(), nullable=False, server_default="0"))

    op.create_table(
        "billed_items",
        sa.Column("item_id", sa.String(length=200), nullable=False),
        sa.Column("household_id", sa.Uuid(), nullable=False),
        sa.Column("billable", sa.Boolean(), nullable=False),
        sa.Column("amount_cents", sa.Integer(), nullable=False),
        sa.Column("invoice_id", sa.Uuid(), nullable=True),
        sa.PrimaryKeyConstraint("item_id", name=op.f("pk_billed_items")),
    )
    op.create_index(op.f("ix_billed_items_household_id"), "billed_items", ["household_id"])
    op.create_table(
        "number_sequences",
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("year", "kind", name=op.f("pk_number_sequences")),
    )
    op.create_table(
        "online_invoice_choices",
        sa.Column("household_id", sa.Uuid(), nullable=False),
        sa.Column("opted_in", sa.Boolean(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("household_id", name=op.f("pk_online_invoice_choices")),
    )
    op.create_table(
        "online_invoice_journal",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("household_id", sa.Uuid(), nullable=False),
        sa.Column("opted_in", sa.Boolean(), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_online_invoice_journal")),
    )
    op.create_index(op.f("ix_online_invoice_journal_household_id"), "online_invoice_journal", ["household_id"])
    op.create_table(
        "payments",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("reference", sa.String(length=30), nullable=False),
        sa.Column("household_id", sa.Uuid(), nullable=False),
        sa.Column("invoice_id", sa.Uuid(), nullable=False),
        sa.Column("amount_cents", sa.Integer(), nullable=False),
        sa.Column("applied_cents", sa.Integer(), nullable=False),
        sa.Column("excess_cents", sa.Integer(), nullable=False),
        sa.Column("means", sa.String(length=20), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("recorded_by", sa.Uuid(), nullable=True),
        sa.Column("transaction_id", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["invoice_id"], ["invoices.id"], name=op.f("fk_payments_invoice_id_invoices")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payments")),
        sa.UniqueConstraint("reference", name=op.f("uq_payments_reference")),
        sa.UniqueConstraint("transaction_id", name=op.f("uq_payments_transaction_id")),
    )
    op.create_index(op.f("ix_payments_household_id"), "payments", ["household_id"])
    op.create_index(op.f("ix_payments_invoice_id"), "payments", ["invoice_id"])
    op.create_table(
        "online_payments",
        sa.Column("transaction_id", sa.String(length=64), nullable=False),
        sa.Column("invoice_id", sa.Uuid(), nullable=False),
        sa.Column("household_id", sa.Uuid(), nullable=False),
        sa.Column("amount_cents", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["invoice_id"], ["invoices.id"],
                                name=op.f("fk_online_payments_invoice_id_invoices")),
        sa.PrimaryKeyConstraint("transaction_id", name=op.f("pk_online_payments")),
    )
    op.create_index(op.f("ix_online_payments_invoice_id"), "online_payments", ["invoice_id"])
    op.create_table(
        "invoice_documents",
        sa.Column("invoice_id", sa.Uuid(), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["invoice_id"], ["invoices.id"],
                                name=op.f("fk_invoice_documents_invoice_id_invoices")),
        sa.PrimaryKeyConstraint("invoice_id", name=op.f("pk_invoice_documents")),
    )
    op.create_table(
        "processed_events",
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_processed_events")),
    )


FIRST_ACTIVITIES = ("restauration_scolaire", "accueil_du_soir", "etude", "alsh_mercredi")


def downgrade() -> None:
    """Back to the four activities' grids (bracket codes A, B... by rank); payments and the ledger are lost."""
    for table in ("processed_events", "invoice_documents", "online_payments", "payments", "online_invoice_journal",
                  "online_invoice_choices", "number_sequences", "billed_items"):
        op.drop_table(table)
    with op.batch_alter_table("run_journal") as batch:
        for column in ("automatic", "total_cents", "duration_ms"):
            batch.drop_column(column)
    with op.batch_alter_table("invoice_lines") as batch:
        for column in ("kind", "status", "price_basis", "origin"):
            batch.drop_column(column)
    with op.batch_alter_table("invoices") as batch:
        batch.drop_index(op.f("ix_invoices_status"))
        batch.drop_index(op.f("ix_invoices_period"))
        batch.drop_constraint(op.f("uq_invoices_credit_note_number"), type_="unique")
        for column in ("paid_cents", "overpaid_cents", "online", "credit_note_number", "cancelled_at",
                       "cancelled_by", "cancel_reason"):
            batch.drop_column(column)
    op.create_table(
        "billing_runs",
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("last_sequence", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("period", name=op.f("pk_billing_runs")),
    )
    old = op.create_table(
        "tariffs",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("activity", sa.String(length=40), nullable=False),
        sa.Column("bracket", sa.String(length=8), nullable=False),
        sa.Column("qf_min", sa.Integer(), nullable=False),
        sa.Column("qf_max", sa.Integer(), nullable=True),
        sa.Column("unit_price_cents", sa.Integer(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tariffs")),
        sa.UniqueConstraint("activity", "bracket", "valid_from", name=op.f("uq_tariffs_activity_bracket_valid_from")),
    )
    rows = op.get_bind().execute(sa.select(tariff_versions).where(
        tariff_versions.c.activity.in_(FIRST_ACTIVITIES), tariff_versions.c.kind == "brackets"))
    op.bulk_insert(old, [
        {"id": uuid.uuid4(), "activity": row.activity, "bracket": chr(ord("A") + rank), "qf_min": low,
         "qf_max": high, "unit_price_cents": price, "valid_from": row.effective_from}
        for row in rows for rank, (low, high, price) in enumerate(row.brackets)])
    op.drop_table("tariff_versions")
