"""The queries of the billing service, named after what they fetch."""
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from billing import models, pricing


def tariffs(session):
    return [
        pricing.Tariff(row.activity, pricing.Bracket(row.bracket, row.qf_min, row.qf_max),
                       row.unit_price_cents, row.valid_from)
        for row in session.scalars(select(models.Tariff))
    ]


def billing_run_locked(session, period_key):
    """The run row of a month, locked until the transaction ends.

    A second run of the same month waits here for the first to commit, then
    sees its invoices: numbers never collide and nobody is billed twice. The
    insert (which also creates the row the first time) takes SQLite's write
    lock; PostgreSQL needs the explicit row lock.
    """
    dialect = {"postgresql": postgresql, "sqlite": sqlite}[session.get_bind().dialect.name]
    session.execute(
        dialect.insert(models.BillingRun).values(period=period_key, last_sequence=0)
        .on_conflict_do_nothing(index_elements=["period"]))
    return session.scalars(
        select(models.BillingRun).where(models.BillingRun.period == period_key).with_for_update()).one()


def invoiced_households(session, period_key):
    return set(session.scalars(select(models.Invoice.household_id).where(models.Invoice.period == period_key)))


def add_invoice(session, draft, number):
    invoice = models.Invoice(
        number=number, household_id=draft.household_id, period=draft.period.key,
        due_date=draft.due_date, total_cents=draft.total_cents,
        lines=[
            models.InvoiceLine(
                position=position, child_id=line.child_id, child_first_name=line.child_first_name,
                activity=line.activity, label=line.label, dates=[day.isoformat() for day in line.dates],
                quantity=line.quantity, unit_price_cents=line.unit_price_cents, amount_cents=line.amount_cents)
            for position, line in enumerate(draft.lines, start=1)
        ])
    session.add(invoice)
    session.flush()  # the id is needed by the event recorded with it
    return invoice


def invoices_of_household(session, household_id):
    return list(session.scalars(
        select(models.Invoice).where(models.Invoice.household_id == household_id)
        .order_by(models.Invoice.period.desc(), models.Invoice.number.desc())))


def invoice_of_household(session, household_id, number):
    return session.scalars(
        select(models.Invoice).where(models.Invoice.household_id == household_id, models.Invoice.number == number)
    ).one_or_none()


def journal_run(session, period_key, caller, invoices_created, now):
    session.add(models.RunJournalEntry(period=period_key, started_by=caller.account_id, started_at=now,
                                       invoices_created=invoices_created))
