"""The queries of the billing service, named after what they fetch."""
import secrets
import uuid
from datetime import timedelta

from sqlalchemy import bindparam, func, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import aliased, selectinload

from kit.events import utcnow

from billing import carry
from billing import certificates as domain_certificates
from billing import lines as domain_lines
from billing import models, tariffs as domain_tariffs
from billing.numbering import INVOICE
from billing.periods import Period

# Key of the PostgreSQL advisory locks of billing (any constant both instances agree on).
RUN_LOCK, TIMER_LOCK, DEBIT_LOCK = 7_206_001, 7_206_002, 7_206_003


def _dialect(session):
    return {"postgresql": postgresql, "sqlite": sqlite}[session.get_bind().dialect.name]


def _is_postgresql(session):
    return session.get_bind().dialect.name == "postgresql"


# Tariffs

def _tariff(row):
    return domain_tariffs.Tariff(
        row.activity, row.effective_from, row.price_basis, row.kind,
        tuple(domain_tariffs.Bracket(*bracket) for bracket in row.brackets), row.effort_rate, row.floor_cents,
        row.ceiling_cents, row.non_resident_cents, version=row.version)


def _tariff_rows(session):
    return session.scalars(select(models.TariffVersion).order_by(
        models.TariffVersion.activity, models.TariffVersion.effective_from, models.TariffVersion.version))


def tariffs(session):
    return [_tariff(row) for row in _tariff_rows(session)]


def tariff_history(session):
    """Every version with who added it (None: the portal's installation) and when."""
    return [(_tariff(row), row.created_by, row.created_at) for row in _tariff_rows(session)]


def next_tariff_version(session, activity):
    return (session.scalar(select(func.max(models.TariffVersion.version))
                           .where(models.TariffVersion.activity == activity)) or 0) + 1


def add_tariff(session, tariff, caller, now):
    session.add(models.TariffVersion(
        activity=tariff.activity, version=tariff.version, effective_from=tariff.effective_from,
        price_basis=tariff.price_basis, kind=tariff.kind,
        brackets=[[b.qf_min, b.qf_max, b.price_cents] for b in tariff.brackets], effort_rate=tariff.effort_rate,
        floor_cents=tariff.floor_cents, ceiling_cents=tariff.ceiling_cents,
        non_resident_cents=tariff.non_resident_cents, created_by=caller.account_id, created_at=now))


# Runs

def lock_runs(session, year):
    """Runs take turns: the last number of the year, locked until the transaction ends.

    A second run waits here for the first to commit, then sees its invoices
    and its ledger: numbers never collide nor skip and nothing is billed
    twice. On SQLite the insert takes the database's write lock.
    """
    _hold_run_lock(session)
    return sequence_locked(session, year, INVOICE)


def _hold_run_lock(session):
    if _is_postgresql(session):
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": RUN_LOCK})


def sequence_locked(session, year, kind):
    session.execute(_dialect(session).insert(models.NumberSequence).values(year=year, kind=kind, last=0)
                    .on_conflict_do_nothing(index_elements=["year", "kind"]))
    return session.scalars(select(models.NumberSequence).where(
        models.NumberSequence.year == year, models.NumberSequence.kind == kind).with_for_update()).one()


def try_timer_lock(session):
    """True when this instance holds the timer's lock until the transaction ends (always on SQLite)."""
    if not _is_postgresql(session):
        return True
    return session.execute(text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": TIMER_LOCK}).scalar_one()


def invoiced_households(session, period_key):
    return set(session.scalars(select(models.Invoice.household_id).where(models.Invoice.period == period_key)))


def billed_periods(session, periods):
    keys = [period.key for period in periods]
    return set(session.scalars(select(models.RunJournalEntry.period).where(
        models.RunJournalEntry.period.in_(keys)).distinct()))


def last_billed_period(session):
    """The last month a run billed, once a run in progress has committed: it holds the
    runs' lock, and a run that starts later reads the tariffs this transaction adds."""
    _hold_run_lock(session)
    key = session.scalar(select(func.max(models.RunJournalEntry.period)))
    return None if key is None else Period.parse(key)


def automatic_run_done(session, period_key):
    return session.scalar(select(func.count()).select_from(models.RunJournalEntry).where(
        models.RunJournalEntry.period == period_key, models.RunJournalEntry.automatic.is_(True))) > 0


def billed_items(session, item_ids):
    """What the ledger says of these items, by item id."""
    found = {}
    ids = list(item_ids)
    for start in range(0, len(ids), 5000):
        for row in session.execute(select(models.BilledItem.item_id, models.BilledItem.billable,
                                          models.BilledItem.amount_cents)
                                   .where(models.BilledItem.item_id.in_(ids[start:start + 5000]))):
            found[row.item_id] = domain_lines.Billed(row.item_id, row.billable, row.amount_cents)
    return found


def open_credits(session):
    """Every household's avoirs neither carried nor refunded in full yet, oldest first (read under the runs'
    lock, and locked: a refund of one of them waits for the run, or the run for the refund)."""
    consumed = models.Invoice.carried_cents + models.Invoice.credit_refunded_cents
    rows = session.execute(
        select(models.Invoice.id, models.Invoice.household_id, models.Invoice.number, models.Invoice.period,
               models.Invoice.total_cents, consumed.label("consumed"))
        .where(models.Invoice.total_cents < 0, models.Invoice.total_cents + consumed < 0,
               models.Invoice.status != "cancelled")
        .order_by(models.Invoice.period, models.Invoice.number).with_for_update())
    credits = {}
    for row in rows:
        credits.setdefault(row.household_id, []).append(
            carry.Credit(row.id, row.number, row.period, -(row.total_cents + row.consumed)))
    return credits


def online_households(session):
    return set(session.scalars(select(models.OnlineInvoiceChoice.household_id).where(
        models.OnlineInvoiceChoice.opted_in.is_(True))))


def save_invoices(session, numbered, ledger_rows, online, now):
    """Every new invoice of a run, its lines and the ledger, in a few statements."""
    invoices, line_rows = [], []
    for number, draft in numbered:
        invoice_id = uuid.uuid4()
        invoices.append({
            "id": invoice_id, "number": number, "household_id": draft.household_id, "period": draft.period.key,
            "issued_at": now, "due_date": draft.due_date, "total_cents": draft.total_cents, "paid_cents": 0,
            "overpaid_cents": 0, "status": "paid" if draft.total_cents <= 0 else "issued",
            "online": draft.household_id in online})
        line_rows += [{
            "id": uuid.uuid4(), "invoice_id": invoice_id, "position": position, "child_id": line.child_id,
            "child_first_name": line.child_first_name, "activity": line.activity, "kind": line.kind,
            "status": line.status, "price_basis": line.price_basis, "origin": line.origin, "label": line.label,
            "dates": [day.isoformat() for day in line.dates], "quantity": line.quantity,
            "unit_price_cents": line.unit_price_cents, "amount_cents": line.amount_cents, "carried_from": None,
        } for position, line in enumerate(draft.lines, start=1)]
        line_rows += [{
            "id": uuid.uuid4(), "invoice_id": invoice_id, "position": position, "child_id": None,
            "child_first_name": None, "activity": None, "kind": line.kind, "status": None, "price_basis": None,
            "origin": line.origin, "label": line.label, "dates": [], "quantity": 1,
            "unit_price_cents": line.amount_cents, "amount_cents": line.amount_cents, "carried_from": line.invoice_id,
        } for position, line in enumerate(draft.carried, start=len(draft.lines) + 1)]
    # Core statements given every row at once: compiled once, sent in pages (SQLAlchemy's insertmanyvalues)
    if invoices:
        session.execute(models.Invoice.__table__.insert(), invoices)
    if line_rows:
        session.execute(models.InvoiceLine.__table__.insert(), line_rows)
    carried = [{"avoir": line.invoice_id, "cents": -line.amount_cents}
               for _, draft in numbered for line in draft.carried]
    if carried:  # by adding to what was carried: the check of the table refuses an avoir carried beyond itself
        table = models.Invoice.__table__
        session.execute(update(table).where(table.c.id == bindparam("avoir"))
                        .values(carried_cents=table.c.carried_cents + bindparam("cents")), carried)
    invoice_of = {row["household_id"]: row["id"] for row in invoices}
    rows = [{"item_id": billed.item_id, "household_id": household_id, "billable": billed.billable,
             "amount_cents": billed.amount_cents, "invoice_id": invoice_of.get(household_id)}
            for household_id, billed in ledger_rows]
    if rows:
        statement = _dialect(session).insert(models.BilledItem.__table__)
        session.execute(statement.on_conflict_do_update(index_elements=["item_id"], set_={
            "billable": statement.excluded.billable, "amount_cents": statement.excluded.amount_cents,
            "invoice_id": statement.excluded.invoice_id}), rows)
    return invoices


def journal_run(session, period_key, caller, invoices_created, total_cents, automatic, now, duration_ms):
    session.add(models.RunJournalEntry(period=period_key, started_by=caller.account_id if caller else None,
                                       started_at=now, invoices_created=invoices_created, total_cents=total_cents,
                                       automatic=automatic, duration_ms=duration_ms))


def runs(session, limit=100):
    return list(session.scalars(select(models.RunJournalEntry).order_by(
        models.RunJournalEntry.started_at.desc()).limit(limit)))


# Invoices

def invoices_of_household(session, household_id):
    return list(session.scalars(
        select(models.Invoice).where(models.Invoice.household_id == household_id)
        .order_by(models.Invoice.period.desc(), models.Invoice.number.desc())))


def invoice_of_household(session, household_id, number, lock=False):
    query = (select(models.Invoice).where(models.Invoice.household_id == household_id, models.Invoice.number == number)
             .options(selectinload(models.Invoice.lines), selectinload(models.Invoice.payments),
                      selectinload(models.Invoice.refunds)))
    return session.scalars(query.with_for_update() if lock else query).one_or_none()


def give_back_carried(session, invoice):
    """An invoice cancelled no longer takes the avoirs it carried: they are left to carry again."""
    for avoir_id, cents in carry.given_back(invoice.lines).items():
        session.get(models.Invoice, avoir_id, with_for_update=True).carried_cents -= cents


def carried_credits_of_household(session, household_id):
    """The lines of the household's invoices (not cancelled) that carry an earlier avoir, oldest first."""
    avoir = aliased(models.Invoice)
    return session.execute(
        select(models.InvoiceLine.label, models.InvoiceLine.amount_cents, models.Invoice.number, models.Invoice.period,
               avoir.number.label("avoir_number"))
        .join(models.Invoice, models.InvoiceLine.invoice_id == models.Invoice.id)
        .outerjoin(avoir, models.InvoiceLine.carried_from == avoir.id)
        .where(models.Invoice.household_id == household_id, models.InvoiceLine.kind == carry.CARRIED_CREDIT,
               models.Invoice.status != "cancelled")
        .order_by(models.Invoice.period, models.Invoice.number, models.InvoiceLine.position)).all()


def invoice_by_id(session, invoice_id, lock=False):
    query = (select(models.Invoice).where(models.Invoice.id == invoice_id)
             .options(selectinload(models.Invoice.lines), selectinload(models.Invoice.payments)))
    return session.scalars(query.with_for_update() if lock else query).one_or_none()


def search_invoices(session, period=None, status=None, household_id=None, limit=500):
    query = select(models.Invoice)
    if period:
        query = query.where(models.Invoice.period == period)
    if status:
        query = query.where(models.Invoice.status == status)
    if household_id:
        query = query.where(models.Invoice.household_id == household_id)
    return list(session.scalars(query.order_by(models.Invoice.number.desc()).limit(limit)))


def invoices_of_period_with_lines(session, period):
    return list(session.scalars(select(models.Invoice).where(models.Invoice.period == period)
                                .options(selectinload(models.Invoice.lines)).order_by(models.Invoice.number)))


def open_invoices_past_due(session, today):
    return list(session.scalars(select(models.Invoice).where(
        models.Invoice.status.in_(("issued", "partly_paid")), models.Invoice.due_date < today).with_for_update()))


def _of_household(session, model, household_id):
    """A household's payments or refunds (`model`), newest first, each with its invoice's number."""
    rows = session.execute(select(model, models.Invoice.number).join(models.Invoice)
                           .where(model.household_id == household_id).order_by(model.created_at.desc())).all()
    for row, number in rows:
        row.invoice_number = number
    return [row for row, _ in rows]


def _one_of_household(session, model, household_id, row_id):
    """One of a household's payments or refunds with its invoice, as a retried request answers it."""
    row, invoice = session.execute(select(model, models.Invoice).join(models.Invoice)
                                   .where(model.id == uuid.UUID(str(row_id)), model.household_id == household_id)
                                   ).one()
    row.invoice_number = invoice.number
    return row, invoice


def payments_of_household(session, household_id):
    return _of_household(session, models.Payment, household_id)


def payment_of_household(session, household_id, payment_id):
    return _one_of_household(session, models.Payment, household_id, payment_id)


def paid_invoices(session, household_id):
    """The household's payments and the lines of the invoices they paid, as the certificates read them."""
    payments = session.execute(select(models.Payment.invoice_id, models.Payment.applied_cents,
                                      models.Payment.received_on, models.Payment.means)
                               .where(models.Payment.household_id == household_id)).all()
    lines = session.execute(select(models.InvoiceLine.invoice_id, models.InvoiceLine.child_id,
                                   models.InvoiceLine.child_first_name, models.InvoiceLine.activity,
                                   models.InvoiceLine.amount_cents)
                            .where(models.InvoiceLine.invoice_id.in_({payment.invoice_id for payment in payments}),
                                   models.InvoiceLine.child_id.is_not(None))  # a carried avoir is no child's
                            .order_by(models.InvoiceLine.invoice_id, models.InvoiceLine.position)).all()
    by_invoice = {}
    for line in lines:
        by_invoice.setdefault(line.invoice_id, []).append(domain_certificates.Line(
            str(line.child_id), line.child_first_name, line.activity, line.amount_cents))
    return ([domain_certificates.PaidInvoice(invoice_id, tuple(rows)) for invoice_id, rows in by_invoice.items()],
            [domain_certificates.Payment(*payment) for payment in payments])


def payment_reference(today):
    return f"P-{today:%Y%m%d}-{secrets.token_hex(4).upper()}"


def add_payment(session, invoice, amount_cents, applied_cents, excess_cents, means, details, received_on, caller,
                transaction_id=None):
    payment = models.Payment(
        reference=payment_reference(received_on), household_id=invoice.household_id, invoice_id=invoice.id,
        amount_cents=amount_cents, applied_cents=applied_cents, excess_cents=excess_cents, means=means,
        details=details, received_on=received_on, recorded_by=caller.account_id if caller else None,
        transaction_id=transaction_id)
    session.add(payment)
    session.flush()
    payment.invoice_number = invoice.number
    return payment


def vouchers_paid(invoice):
    return sum(payment.amount_cents for payment in invoice.payments if payment.means == "bons_caf")


def refund_reference(today):
    return f"R-{today:%Y%m%d}-{secrets.token_hex(4).upper()}"


def add_refund(session, invoice, share, means, iban_masked, note, refunded_on, caller):
    """A refund of a locked invoice, and what the invoice counts refunded of its overpayment and its avoir."""
    refund = models.Refund(
        reference=refund_reference(refunded_on), household_id=invoice.household_id, invoice_id=invoice.id,
        amount_cents=share.overpaid_cents + share.credit_cents, credit_cents=share.credit_cents, means=means,
        iban_masked=iban_masked, note=note, refunded_on=refunded_on, recorded_by=caller.account_id)
    session.add(refund)
    invoice.refunded_cents += refund.amount_cents
    invoice.credit_refunded_cents += share.credit_cents
    session.flush()
    refund.invoice_number = invoice.number
    return refund


def refunds_of_household(session, household_id):
    return _of_household(session, models.Refund, household_id)


def refund_of_household(session, household_id, refund_id):
    return _one_of_household(session, models.Refund, household_id, refund_id)


def invoice_document(session, invoice_id):
    return session.get(models.InvoiceDocument, invoice_id)


def keep_invoice_document(session, invoice_id, pdf, now):
    """The first PDF made is the one kept, whoever made it first."""
    session.execute(_dialect(session).insert(models.InvoiceDocument)
                    .values(invoice_id=invoice_id, pdf=pdf, created_at=now)
                    .on_conflict_do_nothing(index_elements=["invoice_id"]))
    return session.get(models.InvoiceDocument, invoice_id).pdf


# Online invoices

def online_choice(session, household_id):
    return session.get(models.OnlineInvoiceChoice, household_id)


def set_online_choice(session, household_id, opted_in, caller, now):
    choice = session.get(models.OnlineInvoiceChoice, household_id, with_for_update=True)
    if choice is None:
        session.add(models.OnlineInvoiceChoice(household_id=household_id, opted_in=opted_in, changed_at=now))
    elif choice.opted_in != opted_in:
        choice.opted_in, choice.changed_at = opted_in, now
    else:
        return False
    session.add(models.OnlineInvoiceJournalEntry(household_id=household_id, opted_in=opted_in,
                                                 account_id=caller.account_id, at=now))
    return True


def online_journal(session, household_id):
    return list(session.scalars(select(models.OnlineInvoiceJournalEntry).where(
        models.OnlineInvoiceJournalEntry.household_id == household_id)
        .order_by(models.OnlineInvoiceJournalEntry.at.desc())))


# Online payments

def add_online_payment(session, transaction_id, invoice, amount_cents):
    session.add(models.OnlinePayment(transaction_id=transaction_id, invoice_id=invoice.id,
                                     household_id=invoice.household_id, amount_cents=amount_cents))


def online_payment(session, transaction_id, lock=False):
    query = select(models.OnlinePayment).where(models.OnlinePayment.transaction_id == transaction_id)
    return session.scalars(query.with_for_update() if lock else query).one_or_none()


def end_online_payment(started, state):
    started.state, started.ended_at = state, utcnow()


# SEPA

def mandate_of(session, household_id):
    return session.scalars(select(models.Mandate).where(models.Mandate.household_id == household_id)).one_or_none()


def set_mandate(session, household_id, rum, request_reference, account_holder, iban, bic, signed_on, now):
    """The household's mandate from its latest accepted request: a new one starts again with FRST."""
    mandate = session.scalars(select(models.Mandate).where(models.Mandate.household_id == household_id)
                              .with_for_update()).one_or_none()
    if mandate is None:
        mandate = models.Mandate(household_id=household_id, created_at=now)
        session.add(mandate)
    mandate.rum, mandate.request_reference, mandate.account_holder = rum, request_reference, account_holder[:70]
    mandate.iban, mandate.bic, mandate.signed_on = iban, bic, signed_on
    mandate.status, mandate.rejections, mandate.collected = "active", 0, False
    return mandate


def lock_debits(session):
    if _is_postgresql(session):
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": DEBIT_LOCK})


def invoices_to_debit(session, due_date):
    """(invoice, mandate) of the due date still owed, of households with an active mandate, not in a batch yet."""
    in_batch = select(models.DebitCollection.invoice_id).where(
        models.DebitCollection.status.in_(("pending", "collected")))
    rows = session.execute(
        select(models.Invoice, models.Mandate).join(models.Mandate, models.Mandate.household_id ==
                                                    models.Invoice.household_id)
        .where(models.Invoice.due_date == due_date, models.Mandate.status == "active",
               models.Invoice.status.in_(("issued", "partly_paid", "overdue")),
               models.Invoice.total_cents > models.Invoice.paid_cents, models.Invoice.id.not_in(in_batch))
        .order_by(models.Invoice.number)).all()
    return [(invoice, mandate) for invoice, mandate in rows]


def add_debit_batch(session, message_id, due_date, collections, owed, xml, caller, now):
    batch = models.DebitBatch(message_id=message_id, due_date=due_date, count=len(collections),
                              total_cents=sum(c.amount_cents for c in collections), xml=xml,
                              created_by=caller.account_id, created_at=now)
    session.add(batch)
    session.flush()
    session.add_all(models.DebitCollection(
        end_to_end_id=collection.end_to_end_id, batch_id=batch.id, invoice_id=invoice.id, mandate_id=mandate.id,
        amount_cents=collection.amount_cents, sequence_type=collection.sequence_type)
        for collection, (invoice, mandate) in zip(collections, owed, strict=True))
    return batch


def debit_batches(session):
    return list(session.scalars(select(models.DebitBatch).order_by(models.DebitBatch.created_at.desc())))


def debit_batch(session, batch_id, lock=False):
    query = select(models.DebitBatch).where(models.DebitBatch.id == batch_id)
    return session.scalars(query.with_for_update() if lock else query).one_or_none()


def collections_of(session, batch_id):
    return list(session.scalars(select(models.DebitCollection).where(models.DebitCollection.batch_id == batch_id)
                                .options(selectinload(models.DebitCollection.mandate))))


def collection(session, end_to_end_id, lock=False):
    query = (select(models.DebitCollection).where(models.DebitCollection.end_to_end_id == end_to_end_id))
    return session.scalars(query.with_for_update() if lock else query).one_or_none()


def reverse_payment(session, invoice, collection, reason, caller, today):
    """The debit's money taken back: a negative payment, what it had paid no longer counts."""
    paid = session.get(models.Payment, collection.payment_id)
    invoice.paid_cents -= paid.applied_cents
    invoice.overpaid_cents -= paid.excess_cents
    add_payment(session, invoice, -paid.amount_cents, -paid.applied_cents, -paid.excess_cents, paid.means,
                {"rejet": reason, "end_to_end_id": collection.end_to_end_id}, today, caller)


def debit_return_file(session, sha256):
    return session.scalars(select(models.DebitReturnFile).where(models.DebitReturnFile.sha256 == sha256)).one_or_none()


def debit_return_file_of_message(session, kind, message_id):
    return session.scalars(select(models.DebitReturnFile).where(
        models.DebitReturnFile.kind == kind, models.DebitReturnFile.message_id == message_id)).one_or_none()


def remember_debit_return_file(session, known, returned, filename, outcomes, caller, now):
    """The file's row, added at its first import, its standing brought up to date at the next ones: what
    `outcomes` (rejections by outcome) applied adds to what it applied before."""
    if known is None:
        known = models.DebitReturnFile(
            sha256=returned.sha256, kind=returned.kind, message_id=returned.message_id,
            original_message_id=returned.original_message_id, filename=filename, imported_by=caller.account_id,
            imported_at=now, rejections=len(returned.rejections), applied=0)
        session.add(known)
    known.applied += len(outcomes["applied"])
    known.unknown, known.not_sent = len(outcomes["unknown"]), len(outcomes["not_sent"])
    known.already_recorded = known.rejections - known.applied - known.unknown - known.not_sent
    session.flush()
    return known


def debit_return_files(session, limit=100):
    return list(session.scalars(select(models.DebitReturnFile).order_by(models.DebitReturnFile.imported_at.desc())
                                .limit(limit)))


def unpaid_to_remind(session, today, days_before, limit=500):
    """Unpaid invoices that may need a reminder, locked (skipping those another instance holds)."""
    return list(session.scalars(select(models.Invoice).where(
        models.Invoice.status.in_(("issued", "partly_paid", "overdue")),
        models.Invoice.total_cents > models.Invoice.paid_cents,
        models.Invoice.due_date <= today + timedelta(days=days_before),
        (models.Invoice.reminded_before_at.is_(None)) | (models.Invoice.reminded_after_at.is_(None)))
        .order_by(models.Invoice.due_date).limit(limit).with_for_update(skip_locked=True)))
