"""Who may act on which account: the access matrix of the back office."""
import uuid
from types import SimpleNamespace

import pytest

from identity import permissions


def someone(role, active=True):
    return SimpleNamespace(id=uuid.uuid4(), role=role, active=active)


ADMIN, AGENT, FAMILY = someone("admin"), someone("agent"), someone("family")
CLOSED_ADMIN, CLOSED_AGENT = someone("admin", active=False), someone("agent", active=False)


@pytest.mark.parametrize("actor, refusal", [
    (ADMIN, None), (AGENT, "admin_only"), (FAMILY, "admin_only"), (CLOSED_ADMIN, "admin_only"), (None, "admin_only")])
def test_only_an_active_admin_creates_agents(actor, refusal):
    assert permissions.refusal_to_create_staff(actor) == refusal


@pytest.mark.parametrize("actor, target, refusal", [
    (ADMIN, someone("family"), None),
    (ADMIN, someone("agent"), None),
    (ADMIN, someone("admin"), None),
    (AGENT, someone("family"), None),
    (AGENT, someone("agent"), "admin_only"),
    (AGENT, someone("admin"), "admin_only"),
    (FAMILY, someone("family"), "agents_only"),
    (FAMILY, FAMILY, "agents_only"),
    (CLOSED_ADMIN, someone("family"), "agents_only"),
    (CLOSED_AGENT, someone("family"), "agents_only"),
    (None, someone("family"), "agents_only"),
    (ADMIN, ADMIN, "own_account"),
    (AGENT, AGENT, "own_account"),
])
def test_who_may_open_or_close_which_account(actor, target, refusal):
    assert permissions.refusal_to_set_active(actor, target) == refusal


@pytest.mark.parametrize("actor, target, refusal", [
    (ADMIN, someone("family"), None),
    (AGENT, someone("family"), None),
    (AGENT, someone("agent"), "family_account_only"),
    (ADMIN, someone("admin"), "family_account_only"),
    (FAMILY, someone("family"), "agents_only"),
    (CLOSED_AGENT, someone("family"), "agents_only"),
])
def test_who_may_detach_which_account_from_its_household(actor, target, refusal):
    assert permissions.refusal_to_detach(actor, target) == refusal


@pytest.mark.parametrize("actor, refusal", [
    (ADMIN, None), (AGENT, None), (FAMILY, "agents_only"), (CLOSED_AGENT, "agents_only"), (None, "agents_only")])
def test_families_never_act_on_accounts(actor, refusal):
    assert permissions.refusal_to_act_on_accounts(actor) == refusal
