"""Who else may open a document, and until when."""
import uuid
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest

from kit.errors import Conflict
from vault import sharing

NOW = datetime(2026, 12, 2, 10, tzinfo=timezone.utc)


def share(status=sharing.ACTIVE, ends_at=None, request_id=None):
    return SimpleNamespace(status=status, ends_at=ends_at, request_id=request_id or uuid.uuid4())


def request(reference, closed_at=None):
    return SimpleNamespace(reference=reference, closed_at=closed_at)


def test_a_share_lasts_while_its_request_is_open():
    assert sharing.share_is_open(share(), NOW)
    assert sharing.share_state(share(), NOW) == "active"


def test_a_share_ends_days_after_its_request_closes():
    ends = sharing.share_ends_at(NOW, 30)
    assert ends == NOW + timedelta(days=30)
    assert sharing.share_is_open(share(ends_at=ends), NOW + timedelta(days=29, hours=23))
    assert not sharing.share_is_open(share(ends_at=ends), ends)
    assert sharing.share_state(share(ends_at=ends), ends) == "ended"
    assert sharing.share_ends_at(None, 30) is None


@pytest.mark.parametrize("status", [sharing.REVOKED, sharing.WITHDRAWN])
def test_a_revoked_or_withdrawn_share_opens_nothing(status):
    assert not sharing.share_is_open(share(status=status), NOW)
    assert sharing.share_state(share(status=status), NOW) == status


def test_only_an_active_share_can_be_revoked_or_withdrawn():
    active = share()
    sharing.SHARES.move(active, sharing.REVOKED)
    assert active.status == sharing.REVOKED
    for to in (sharing.REVOKED, sharing.WITHDRAWN, sharing.ACTIVE):
        with pytest.raises(Conflict) as raised:
            sharing.SHARES.move(active, to)
        assert raised.value.code == "share_not_active"


def test_an_ask_is_answered_or_cancelled_once():
    ask = SimpleNamespace(status=sharing.PENDING)
    sharing.ASKS.move(ask, sharing.ANSWERED)
    with pytest.raises(Conflict):
        sharing.ASKS.move(ask, sharing.CANCELLED)


@pytest.mark.parametrize("status, closing", [("accepted", True), ("refused", True), ("cancelled", True),
                                             ("closed", True), ("submitted", False), ("in_review", False),
                                             ("awaiting_documents", False)])
def test_a_request_closes_with_a_final_status(status, closing):
    assert sharing.is_closing(status) is closing


def test_a_document_shared_with_a_request_in_progress_cannot_be_deleted():
    open_request, closed_request = request("D-2026-000123"), request("D-2026-000007", NOW)
    shares = [share(request_id=uuid.uuid4()), share(request_id=uuid.uuid4()),
              share(status=sharing.REVOKED, request_id=uuid.uuid4())]
    requests = {shares[0].request_id: open_request, shares[1].request_id: closed_request,
                shares[2].request_id: request("D-2026-000999")}
    assert sharing.holding_requests(shares, requests) == ["D-2026-000123"]
    with pytest.raises(Conflict) as raised:
        sharing.refuse_deletion_if_held(["D-2026-000123"])
    assert raised.value.code == "document_held_by_request"
    assert "la demande D-2026-000123, en cours" in raised.value.message
    sharing.refuse_deletion_if_held([])
