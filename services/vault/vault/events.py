"""The events the vault emits, through its outbox (see docs/contracts.md)."""
from kit.events import new_event
from vault import categories

DOCUMENT_UPLOADED = "document_uploaded"
DOCUMENT_REQUESTED = "document_requested"
DOCUMENT_SHARED = "document_shared"
DOCUMENT_EXPIRING = "document_expiring"


def document_uploaded(document):
    return new_event(DOCUMENT_UPLOADED, document_id=str(document.id),
                     household_id=str(document.household_id), category=document.category)


def document_requested(ask, request):
    """An agent asked the household for a document: notify tells the family."""
    return new_event(DOCUMENT_REQUESTED, ask_id=str(ask.id), household_id=str(ask.household_id),
                     request_id=str(request.request_id), reference=request.reference, category=ask.category,
                     category_label=categories.label(ask.category))


def document_shared(share, document, request):
    """The family handed a document to a request: family may show it on the request."""
    return new_event(DOCUMENT_SHARED, share_id=str(share.id), document_id=str(document.id),
                     household_id=str(document.household_id), request_id=str(request.request_id),
                     reference=request.reference, category=document.category)


def document_expiring(document):
    """A document's validity ends soon (or has ended): notify tells the family."""
    return new_event(DOCUMENT_EXPIRING, document_id=str(document.id), household_id=str(document.household_id),
                     category=document.category, category_label=categories.label(document.category),
                     valid_until=document.valid_until.isoformat())
