"""The vault's queries and writes. Every read of a document is scoped to a
household: another family's document is as unknown as a missing one."""
import uuid

from sqlalchemy import select

from vault.models import AccessEntry, Document


def household_documents(session, household_id):
    """Newest first."""
    return session.scalars(
        select(Document)
        .where(Document.household_id == household_id, Document.deleted_at.is_(None))
        .order_by(Document.uploaded_at.desc(), Document.id)
    ).all()


def household_document(session, household_id, document_id):
    if document_id is None:
        return None
    return session.scalars(select(Document).where(
        Document.id == document_id, Document.household_id == household_id, Document.deleted_at.is_(None),
    )).one_or_none()


def document_with_key(session, storage_key):
    return session.scalars(select(Document).where(Document.storage_key == storage_key)).one_or_none()


def access_entries(session, document_id):
    """Oldest first, as a journal reads."""
    return session.scalars(
        select(AccessEntry).where(AccessEntry.document_id == document_id).order_by(AccessEntry.at)
    ).all()


def add_document(session, upload, storage_key, household_id, account_id, at):
    document = Document(
        id=uuid.uuid4(), household_id=household_id, category=upload.category, filename=upload.filename,
        content_type=upload.content_type, size=upload.size, sha256=upload.sha256, storage_key=storage_key,
        uploaded_by=account_id, uploaded_at=at)
    session.add(document)
    session.flush()  # the journal entry refers to it
    return document


def add_access(session, document, account_id, action, at):
    session.add(AccessEntry(
        id=uuid.uuid4(), document_id=document.id, household_id=document.household_id,
        account_id=account_id, action=action, at=at))
