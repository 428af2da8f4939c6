"""Who besides the family may open a document, and until when. Pure: handed
`now`, never reads the clock.

A family hands one of its documents to one of its requests (a démarche):
that is a share. Agents open the shared document, and only it, while the
share lasts: as long as the request is open, then `days_after_close` days
more, unless the family revokes it first or deletes the document. An
agent's ask for a document of a category is answered by a share.
"""
from datetime import timedelta

from kit.errors import Conflict

# A request in one of these statuses is over (family's statuses, see docs/contracts.md).
CLOSING_STATUSES = frozenset({"accepted", "refused", "cancelled", "closed"})


class Machine:
    """The states of a thing and the moves allowed between them."""

    def __init__(self, name, moves, refusal):
        self.name = name
        self.moves = moves
        self.refusal = refusal  # (code, French message) when a move is not allowed

    def move(self, thing, to):
        if to not in self.moves.get(thing.status, ()):
            code, message = self.refusal
            raise Conflict(message, code=code)
        thing.status = to


ACTIVE, REVOKED, WITHDRAWN = "active", "revoked", "withdrawn"
SHARES = Machine("share", {ACTIVE: {REVOKED, WITHDRAWN}},
                 ("share_not_active", "Ce partage est déjà terminé."))

PENDING, ANSWERED, CANCELLED = "pending", "answered", "cancelled"
ASKS = Machine("ask", {PENDING: {ANSWERED, CANCELLED}},
               ("ask_not_pending", "Cette demande de document n'est plus en attente."))


def is_closing(status):
    return status in CLOSING_STATUSES


def share_ends_at(closed_at, days_after_close):
    """When the shares of a request closed at `closed_at` end; None while it is open."""
    return None if closed_at is None else closed_at + timedelta(days=days_after_close)


def share_is_open(share, now):
    """Whether an agent may open the shared document now."""
    return share.status == ACTIVE and (share.ends_at is None or now < share.ends_at)


def share_state(share, now):
    """active, ended (its time is over), revoked or withdrawn (the document was deleted)."""
    if share.status == ACTIVE and not share_is_open(share, now):
        return "ended"
    return share.status


SHARE_STATE_LABELS = {
    ACTIVE: "En cours", "ended": "Terminé", REVOKED: "Retiré par la famille", WITHDRAWN: "Document supprimé"}


def holding_requests(shares, requests_by_id):
    """The references of the open requests that hold a document through an
    active share: while there is one, the document cannot be deleted."""
    return sorted({requests_by_id[share.request_id].reference for share in shares
                   if share.status == ACTIVE and requests_by_id[share.request_id].closed_at is None})


def refuse_deletion_if_held(references):
    if references:
        listed = ", ".join(references)
        noun = "la demande" if len(references) == 1 else "les demandes"
        raise Conflict(
            f"Ce document est joint à {noun} {listed}, en cours de traitement : vous pourrez le supprimer "
            "une fois la demande close, ou retirer d'abord le partage si la Caisse des écoles n'en a plus besoin.",
            code="document_held_by_request")
