"""The vault's queries and writes. Every read of a document is scoped to a
household: another family's document is as unknown as a missing one."""
import uuid

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from vault import sharing
from vault.models import (
    AccessEntry, Document, DocumentAsk, HouseholdUsage, JobRun, KnownRequest, OutboxEvent, PortalExport, ProcessedEvent,
    Share)


def live(query):
    return query.where(Document.deleted_at.is_(None))


def household_documents(session, household_id):
    """Newest first."""
    return session.scalars(live(select(Document)).where(Document.household_id == household_id)
                           .order_by(Document.uploaded_at.desc(), Document.id)).all()


def household_document(session, household_id, document_id, lock=False):
    if document_id is None:
        return None
    query = live(select(Document)).where(Document.id == document_id, Document.household_id == household_id)
    return session.scalars(query.with_for_update() if lock else query).one_or_none()


def document(session, document_id):
    return session.get(Document, document_id)


def document_with_key(session, storage_key):
    return session.scalars(select(Document).where(Document.storage_key == storage_key)).one_or_none()


def add_document(session, document_id, described, file_type, size, sha256, storage_key, sealed_key, key_id,
                 household_id, account_id, at):
    document = Document(
        id=document_id, household_id=household_id, category=described.category, filename=described.filename,
        content_type=file_type.content_type, size=size, sha256=sha256, storage_key=storage_key, key_id=key_id,
        wrapped_key=sealed_key, issued_on=described.issued_on, valid_until=described.valid_until,
        uploaded_by=account_id, uploaded_at=at)
    session.add(document)
    session.flush()  # the journal entry refers to it
    return document


def shred(document, at):
    """The document is gone for good: its data key is destroyed, so that no
    copy of its object (a backup, a bucket's old version) can be read again."""
    document.wrapped_key = None
    document.key_id = None
    document.sha256 = None
    document.filename = ""
    document.deleted_at = at


# --- usage and quota -------------------------------------------------------

def usage(session, household_id):
    row = session.get(HouseholdUsage, household_id)
    return (row.documents, row.bytes) if row else (0, 0)


def reserve(session, household_id, size, limits):
    """Counts a new document of `size` bytes in the household's usage, in the
    caller's transaction, unless it would go past the quota: one conditional
    UPDATE, so that two uploads at once cannot both squeeze past it."""
    try:
        with session.begin_nested():
            session.add(HouseholdUsage(household_id=household_id, documents=0, bytes=0))
    except IntegrityError:
        pass
    done = session.execute(
        update(HouseholdUsage)
        .where(HouseholdUsage.household_id == household_id,
               HouseholdUsage.documents + 1 <= limits.max_documents,
               HouseholdUsage.bytes + size <= limits.max_bytes)
        .values(documents=HouseholdUsage.documents + 1, bytes=HouseholdUsage.bytes + size))
    return done.rowcount == 1


def release(session, household_id, size):
    session.execute(update(HouseholdUsage).where(HouseholdUsage.household_id == household_id).values(
        documents=HouseholdUsage.documents - 1, bytes=HouseholdUsage.bytes - size))


# --- the journal -----------------------------------------------------------

def journal(session, household_id, document_id=None, limit=200):
    """Newest first."""
    query = select(AccessEntry).where(AccessEntry.household_id == household_id)
    if document_id is not None:
        query = query.where(AccessEntry.document_id == document_id)
    return session.scalars(query.order_by(AccessEntry.at.desc(), AccessEntry.id).limit(limit)).all()


def record(session, household_id, caller, action, at, document=None, request=None, category=None):
    """One line of the household's journal: `caller` is who did it (a family,
    an agent, or a part of the portal acting on its own)."""
    if caller.is_person:
        actor = "family" if caller.role == "family" else "agent"
    else:
        actor = "service"
    session.add(AccessEntry(
        id=uuid.uuid4(), household_id=household_id, document_id=document.id if document else None,
        category=document.category if document else category, actor=actor, account_id=caller.account_id,
        part=None if caller.is_person else caller.part, action=action,
        request_id=request.request_id if request else None, request_reference=request.reference if request else None,
        at=at))


# --- requests, asks and shares ----------------------------------------------

def known_request(session, request_id, lock=False):
    if request_id is None:
        return None
    query = select(KnownRequest).where(KnownRequest.request_id == request_id)
    return session.scalars(query.with_for_update() if lock else query).one_or_none()


def learn_request(session, request_id, household_id, reference):
    """The request as the vault knows it, recorded the first time it is named."""
    known = known_request(session, request_id, lock=True)
    if known is None:
        known = KnownRequest(request_id=request_id, household_id=household_id, reference=reference)
        session.add(known)
        session.flush()
    return known


def requests_by_id(session, request_ids):
    if not request_ids:
        return {}
    return {r.request_id: r for r in session.scalars(
        select(KnownRequest).where(KnownRequest.request_id.in_(set(request_ids))))}


def shares_of_documents(session, document_ids):
    if not document_ids:
        return []
    return session.scalars(select(Share).where(Share.document_id.in_(list(document_ids)))
                           .order_by(Share.shared_at)).all()


def household_shares(session, household_id):
    """Newest first."""
    return session.scalars(select(Share).where(Share.household_id == household_id)
                           .order_by(Share.shared_at.desc())).all()


def household_share(session, household_id, share_id, lock=False):
    if share_id is None:
        return None
    query = select(Share).where(Share.id == share_id, Share.household_id == household_id)
    return session.scalars(query.with_for_update() if lock else query).one_or_none()


def share(session, share_id):
    return session.get(Share, share_id) if share_id is not None else None


def request_shares(session, request_id):
    return session.scalars(select(Share).where(Share.request_id == request_id).order_by(Share.shared_at)).all()


def active_share(session, document_id, request_id):
    return session.scalars(select(Share).where(
        Share.document_id == document_id, Share.request_id == request_id,
        Share.status == sharing.ACTIVE)).first()


def add_share(session, document, request, account_id, at, days_after_close):
    found = Share(id=uuid.uuid4(), document_id=document.id, household_id=document.household_id,
                  request_id=request.request_id, status=sharing.ACTIVE, shared_by=account_id, shared_at=at,
                  ends_at=sharing.share_ends_at(request.closed_at, days_after_close))
    session.add(found)
    session.flush()
    return found


def set_request_shares_end(session, request_id, ends_at):
    session.execute(update(Share).where(Share.request_id == request_id, Share.status == sharing.ACTIVE)
                    .values(ends_at=ends_at))


def add_ask(session, request, category, note, agent_id, at):
    ask = DocumentAsk(id=uuid.uuid4(), household_id=request.household_id, request_id=request.request_id,
                      category=category, note=note, status=sharing.PENDING, asked_by=agent_id, asked_at=at)
    session.add(ask)
    session.flush()
    return ask


def pending_asks(session, household_id):
    return session.scalars(select(DocumentAsk).where(
        DocumentAsk.household_id == household_id, DocumentAsk.status == sharing.PENDING)
        .order_by(DocumentAsk.asked_at)).all()


def request_asks(session, request_id):
    return session.scalars(select(DocumentAsk).where(DocumentAsk.request_id == request_id)
                           .order_by(DocumentAsk.asked_at)).all()


def pending_asks_of_request(session, request_id, category=None):
    query = select(DocumentAsk).where(DocumentAsk.request_id == request_id, DocumentAsk.status == sharing.PENDING)
    if category is not None:
        query = query.where(DocumentAsk.category == category)
    return session.scalars(query.order_by(DocumentAsk.asked_at)).all()


# --- housekeeping ----------------------------------------------------------

def lock_job(session, name, now, interval):
    """True when this replica may run the job `name` now: it holds the job's
    row (others skip it) and the last run is at least `interval` old."""
    try:
        with session.begin_nested():
            session.add(JobRun(name=name, last_run_at=None))
    except IntegrityError:
        pass
    query = select(JobRun).where(JobRun.name == name)
    if session.bind.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    job = session.scalars(query).one_or_none()
    if job is None or (job.last_run_at is not None and (now - job.last_run_at) < interval):
        return False
    job.last_run_at = now
    return True


def documents_to_notify(session, notify_before, limit=200):
    """Live documents whose validity ends on or before `notify_before`, not told yet."""
    return session.scalars(live(select(Document)).where(
        Document.valid_until.is_not(None), Document.valid_until <= notify_before,
        Document.expiry_notified_at.is_(None)).order_by(Document.valid_until).limit(limit)).all()


def documents_expired_before(session, day, limit=200):
    return session.scalars(live(select(Document)).where(
        Document.valid_until.is_not(None), Document.valid_until < day).order_by(Document.valid_until)
        .limit(limit).with_for_update()).all()


def forget_journal_before(session, moment):
    return session.execute(delete(AccessEntry).where(AccessEntry.at < moment)).rowcount


def forget_published_before(session, moment):
    return session.execute(delete(OutboxEvent).where(
        OutboxEvent.published_at.is_not(None), OutboxEvent.published_at < moment)).rowcount


def forget_processed_before(session, moment):
    return session.execute(delete(ProcessedEvent).where(ProcessedEvent.processed_at < moment)).rowcount


def keys_of_rows(session, storage_keys):
    """{storage key: document} for the keys given."""
    if not storage_keys:
        return {}
    return {d.storage_key: d for d in session.scalars(select(Document).where(
        Document.storage_key.in_(list(storage_keys))))}


def live_keys(session):
    return set(session.scalars(live(select(Document.storage_key))))


def anonymise_account(session, account_id):
    """The account's id leaves every row: what it did stays in the journal, not who it was."""
    session.execute(update(AccessEntry).where(AccessEntry.account_id == account_id).values(account_id=None))
    session.execute(update(Document).where(Document.uploaded_by == account_id).values(uploaded_by=None))
    session.execute(update(Share).where(Share.shared_by == account_id).values(shared_by=None))


def erase_household(session, household_id):
    """Every row of a household whose last account closed, after its documents were shredded."""
    for model in (AccessEntry, DocumentAsk, Share):
        session.execute(delete(model).where(model.household_id == household_id))
    session.execute(delete(KnownRequest).where(KnownRequest.household_id == household_id))
    session.execute(delete(Document).where(Document.household_id == household_id))
    session.execute(delete(HouseholdUsage).where(HouseholdUsage.household_id == household_id))


# --- the portal's exports (portal_export.py) ---------------------------------

def add_export(session, household_id, account_id, status, now):
    export = PortalExport(id=uuid.uuid4(), household_id=household_id, account_id=account_id, status=status,
                          attempts=0, requested_at=now)
    session.add(export)
    session.flush()
    return export


def export_being_prepared(session, household_id):
    return session.scalars(select(PortalExport).where(
        PortalExport.household_id == household_id, PortalExport.status.in_(["asked", "preparing"]))).first()


def latest_export(session, household_id):
    return session.scalars(select(PortalExport).where(PortalExport.household_id == household_id)
                           .order_by(PortalExport.requested_at.desc()).limit(1)).one_or_none()


def export_of(session, household_id, account_id, export_id):
    if export_id is None:
        return None
    return session.scalars(select(PortalExport).where(
        PortalExport.id == export_id, PortalExport.household_id == household_id,
        PortalExport.account_id == account_id)).one_or_none()


def claim_export(session, status):
    """The oldest export in `status`, its try counted; one replica gets it (rows locked, others skipped)."""
    query = select(PortalExport).where(PortalExport.status == status).order_by(PortalExport.requested_at).limit(1)
    if session.bind.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    export = session.scalars(query).one_or_none()
    if export is not None:
        export.status, export.attempts = "preparing", export.attempts + 1
    return export


def ask_stalled_exports_again(session, before):
    session.execute(update(PortalExport).where(PortalExport.status == "preparing", PortalExport.requested_at < before)
                    .values(status="asked"))


def settle_export(session, export_id, **values):
    session.execute(update(PortalExport).where(PortalExport.id == export_id).values(**values))
    return session.get(PortalExport, export_id, populate_existing=True)


def take_export(session, export_id, now):
    """True for the one download that takes the archive; its data key goes with it."""
    return session.execute(update(PortalExport).where(PortalExport.id == export_id, PortalExport.status == "ready")
                           .values(status="taken", taken_at=now, wrapped_key=None, key_id=None)).rowcount == 1


def shred_spent_exports(session, now, ready):
    """The storage keys of archives no one may take any more (taken, failed,
    expired), their data keys destroyed; the rows forget the keys."""
    spent = session.scalars(select(PortalExport).where(
        PortalExport.storage_key.is_not(None),
        (PortalExport.status != ready) | (PortalExport.expires_at <= now))).all()
    keys = [export.storage_key for export in spent]
    for export in spent:
        if export.status == ready:
            export.status = "expired"
        export.storage_key = export.wrapped_key = export.key_id = None
    return keys


def forget_exports_before(session, before):
    session.execute(delete(PortalExport).where(PortalExport.requested_at < before,
                                               PortalExport.status.in_(["taken", "failed", "expired"])))


def live_export_keys(session):
    return set(session.scalars(select(PortalExport.storage_key).where(PortalExport.storage_key.is_not(None))))


def erase_exports(session, account_id, household_id=None):
    """The storage keys of the archives an account asked for (or a whole
    household's, when given), their rows gone."""
    whose = (PortalExport.account_id == account_id) if household_id is None else (
        PortalExport.household_id == household_id)
    keys = [k for k in session.scalars(select(PortalExport.storage_key).where(
        whose, PortalExport.storage_key.is_not(None)))]
    session.execute(delete(PortalExport).where(whose))
    return keys
