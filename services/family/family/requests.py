"""A request (démarche) a household files, and the moves of its status.

    submitted ──take──► in_review ──ask──► waiting_for_family
                          ▲  │                 │
                          └──┼──── answer ─────┘
                             ├──► accepted
                             └──► refused
    while undecided, the family may withdraw (cancelled)

A document the Caisse asks for opens a request that starts waiting for the
family. The rules are handed `now`; they never read a clock.
"""
from enum import StrEnum

from kit.errors import Conflict, Invalid

MESSAGE_MAX = 5000
REASON_MAX = 1000


class Status(StrEnum):
    SUBMITTED = "submitted"
    IN_REVIEW = "in_review"
    WAITING = "waiting_for_family"
    ACCEPTED = "accepted"
    REFUSED = "refused"
    CANCELLED = "cancelled"  # withdrawn by the family; vault closes the shares of "cancelled" requests


LABELS = {
    Status.SUBMITTED: "Reçue",
    Status.IN_REVIEW: "En cours d'examen",
    Status.WAITING: "En attente de votre réponse",
    Status.ACCEPTED: "Acceptée",
    Status.REFUSED: "Refusée",
    Status.CANCELLED: "Retirée",
}
AGENT_LABELS = {**LABELS, Status.WAITING: "En attente de la famille", Status.CANCELLED: "Retirée par la famille"}

MOVES = {
    Status.SUBMITTED: frozenset({Status.IN_REVIEW, Status.CANCELLED}),
    Status.IN_REVIEW: frozenset({Status.WAITING, Status.ACCEPTED, Status.REFUSED, Status.CANCELLED}),
    Status.WAITING: frozenset({Status.IN_REVIEW, Status.CANCELLED}),
    Status.ACCEPTED: frozenset(),
    Status.REFUSED: frozenset(),
    Status.CANCELLED: frozenset(),
}
DECIDED = frozenset({Status.ACCEPTED, Status.REFUSED, Status.CANCELLED})
OPEN = frozenset(Status) - DECIDED

REFUSALS = {
    Status.IN_REVIEW: "Cette demande ne peut pas être prise en charge ou reprise dans son état actuel.",
    Status.WAITING: "Une question ne peut être posée que sur une demande en cours d'examen.",
    Status.ACCEPTED: "Seule une demande en cours d'examen peut être acceptée.",
    Status.REFUSED: "Seule une demande en cours d'examen peut être refusée.",
    Status.CANCELLED: "Cette demande est déjà traitée : elle ne peut plus être retirée.",
}


class Action(StrEnum):
    """What happened to a request, as its timeline tells it."""

    SUBMITTED = "submitted"
    TAKEN = "taken"
    QUESTION = "question"
    DOCUMENT_ASKED = "document_asked"
    ANSWERED = "answered"
    MESSAGE = "message"
    ACCEPTED = "accepted"
    REFUSED = "refused"
    CANCELLED = "cancelled"
    DOCUMENT_SHARED = "document_shared"


ACTION_LABELS = {
    Action.SUBMITTED: "Demande envoyée",
    Action.TAKEN: "Prise en charge par la Caisse des écoles",
    Action.QUESTION: "Question de la Caisse des écoles",
    Action.DOCUMENT_ASKED: "Document demandé par la Caisse des écoles",
    Action.ANSWERED: "Réponse de la famille",
    Action.MESSAGE: "Message",
    Action.ACCEPTED: "Demande acceptée",
    Action.REFUSED: "Demande refusée",
    Action.CANCELLED: "Demande retirée par la famille",
    Action.DOCUMENT_SHARED: "Document transmis depuis le coffre-fort",
}


def move(current, target):
    """`target`, when a request may go there from `current`; Conflict otherwise."""
    target = Status(target)
    if target not in MOVES[Status(current)]:
        raise Conflict(REFUSALS.get(target, "Cette demande ne peut pas changer ainsi."), code="invalid_status_move")
    return target


def is_open(status):
    return Status(status) in OPEN


def expected_from_family(status, last_question=None):
    """What the family has to do now, in French, or None."""
    if Status(status) != Status.WAITING:
        return None
    return last_question or "Répondre à la Caisse des écoles."


def text(value, field, maximum, code, what="Le message"):
    """A message or a reason as typed, without its surrounding spaces: never
    empty, never longer than `maximum` characters."""
    if not isinstance(value, str) or not value.strip():
        raise Invalid(f"{what} est obligatoire.", code=code, fields={field: "Ce champ est obligatoire."})
    value = value.strip()
    if len(value) > maximum:
        raise Invalid(f"{what} est trop long ({len(value)} caractères, {maximum} au plus).", code=code,
                      fields={field: f"{maximum} caractères au plus."})
    return value


def document_ask(category_label, note=None):
    """`(label, note, expected)` of a document the Caisse asks for: what the family reads it must send."""
    label = text(category_label, "category_label", 80, "invalid_document_ask", "Le document")
    note = text(note, "note", MESSAGE_MAX, "invalid_document_ask", "La précision") if note else None
    return label, note, f"Envoyer le document demandé : {label.lower()}." + (f" {note}" if note else "")
