"""The events the vault emits, through its outbox."""
from kit.events import new_event

DOCUMENT_UPLOADED = "document_uploaded"


def document_uploaded(document):
    return new_event(DOCUMENT_UPLOADED, document_id=str(document.id),
                     household_id=str(document.household_id), category=document.category)
