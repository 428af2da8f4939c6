"""The dicts requests are answered with: a family's own view, and the agents'."""
from family import request_kinds as kinds
from family import requests
from family.requests import Status


def entry_view(entry):
    return {"id": str(entry.id), "action": entry.action, "action_label": requests.ACTION_LABELS[entry.action],
            "author": entry.author, "body": entry.body, "document_ids": list(entry.document_ids),
            "status": entry.status, "occurred_at": entry.occurred_at.isoformat()}


def summary(request, for_agent=False):
    """A request in a list: what it is, where it stands, what it waits for."""
    said = [entry for entry in request.entries if entry.body]
    labels = requests.AGENT_LABELS if for_agent else requests.LABELS
    view = {
        "id": str(request.id), "reference": request.reference, "kind": request.kind,
        "kind_label": kinds.KIND_LABELS[request.kind], "title": kinds.title(request.kind, request.data),
        "status": request.status, "status_label": labels[Status(request.status)],
        "created_at": request.created_at.isoformat(), "updated_at": request.updated_at.isoformat(),
        "decided_at": request.decided_at.isoformat() if request.decided_at else None,
        "expected": requests.expected_from_family(request.status, request.expected),
        "decision_reason": request.decision_reason,
        "last_message": entry_view(said[-1]) if said else None,
    }
    if for_agent:
        view.update(household_id=str(request.household_id),
                    assignee_id=str(request.assignee_id) if request.assignee_id else None)
    return view


def detail(request, for_agent=False):
    """A request with its data (an IBAN shown by its ends), its documents and its whole timeline."""
    return {**summary(request, for_agent), "data": kinds.masked(request.kind, request.data),
            "document_ids": list(request.document_ids), "timeline": [entry_view(e) for e in request.entries]}


def period_view(period):
    return {"value": period.value, "valid_from": period.valid_from.isoformat(),
            "valid_until": period.valid_until.isoformat() if period.valid_until else None,
            "source": period.source, "justified": period.justified}
