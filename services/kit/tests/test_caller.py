"""The caller context: what the gateway and the services sign, and what an
entrypoint lets through."""
import uuid

import pytest
from hypothesis import given, strategies as st

from kit import errors
from kit.caller import AGENTS, FAMILY, PARTS, Caller, CallerKey, allow, allowed
from kit.keys import WeakSecret, check_key

KEY = CallerKey("a shared key of the portal, long and random enough")
NOW = 1_800_000_000
FAMILY_CALLER = Caller(part="gateway", account_id=uuid.uuid4(), role="family", household_id=uuid.uuid4(),
                       session_id="s1", request_id="r1")


def test_a_signed_context_reads_back_as_the_same_caller():
    assert KEY.verify(KEY.sign(FAMILY_CALLER, now=NOW), now=NOW) == FAMILY_CALLER


def test_a_service_signs_as_itself_without_a_person():
    caller = KEY.verify(KEY.sign(Caller(part="billing"), now=NOW), now=NOW)
    assert (caller.part, caller.is_person, caller.household_id) == ("billing", False, None)


def test_a_context_expires_after_its_lifetime():
    token = KEY.sign(FAMILY_CALLER, now=NOW)
    assert KEY.verify(token, now=NOW + KEY.lifetime - 1) == FAMILY_CALLER
    with pytest.raises(errors.Unauthenticated) as refused:
        KEY.verify(token, now=NOW + KEY.lifetime + 1)
    assert refused.value.code == "caller_expired"


@pytest.mark.parametrize("token", [None, "", "pas un jeton", "a.b.c", 42])
def test_no_context_or_garbage_is_refused(token):
    with pytest.raises(errors.Unauthenticated):
        KEY.verify(token, now=NOW)


def test_a_context_signed_with_another_key_is_refused():
    forged = CallerKey("somebody else's key, long and random as well").sign(FAMILY_CALLER, now=NOW)
    with pytest.raises(errors.Unauthenticated) as refused:
        KEY.verify(forged, now=NOW)
    assert refused.value.code == "caller_invalid"


@pytest.mark.parametrize("caller", [
    Caller(part="notify", account_id=uuid.uuid4(), role="admin"),   # only the gateway speaks for people
    Caller(part="gateway", account_id=uuid.uuid4(), role="mayor"),  # no such role
    Caller(part="gateway", account_id=uuid.uuid4(), role="family"),  # a family without its household
    Caller(part="intruder"),                                        # no such part
])
def test_a_context_that_no_part_may_sign_is_refused(caller):
    with pytest.raises(errors.Unauthenticated):
        KEY.verify(KEY.sign(caller, now=NOW), now=NOW)


def test_a_family_reaches_only_its_own_household():
    assert FAMILY_CALLER.household() == FAMILY_CALLER.household_id
    assert FAMILY_CALLER.household(str(FAMILY_CALLER.household_id)) == FAMILY_CALLER.household_id
    with pytest.raises(errors.NotFound):
        FAMILY_CALLER.household(str(uuid.uuid4()))


def test_an_agent_or_a_service_names_the_household():
    named = uuid.uuid4()
    for caller in (Caller(part="gateway", account_id=uuid.uuid4(), role="agent"), Caller(part="billing")):
        assert caller.household(str(named)) == named
        with pytest.raises(errors.Invalid):
            caller.household()
        with pytest.raises(errors.NotFound):
            caller.household("pas-un-identifiant")


@given(role=st.sampled_from(["family", "agent", "admin"]), part=st.sampled_from(PARTS),
       roles=st.sets(st.sampled_from(["family", "agent", "admin"])), parts=st.sets(st.sampled_from(PARTS)))
def test_a_person_passes_by_role_or_because_the_gateway_may_call(role, part, roles, parts):
    person = Caller(part="gateway", account_id=uuid.uuid4(), role=role, household_id=uuid.uuid4())
    service = Caller(part=part)
    assert allowed(person, roles, parts) == (role in roles or "gateway" in parts)
    assert allowed(service, roles, parts) == (part in parts)


def test_allow_names_only_known_roles_and_parts():
    with pytest.raises(ValueError):
        allow(("mayor",))
    with pytest.raises(ValueError):
        allow(parts=("intruder",))
    with pytest.raises(ValueError):
        allow()


class Service:
    def __init__(self, token):
        self.callers = type("Callers", (), {"verified": lambda _self: KEY.verify(token)})()

    @allow(FAMILY + AGENTS)
    def household(self, caller, household_id=None):
        return caller.household(household_id)


def test_an_entrypoint_receives_the_verified_caller():
    assert Service(KEY.sign(FAMILY_CALLER)).household() == FAMILY_CALLER.household_id
    assert Service.household.allowed == {"roles": ("family", "agent", "admin"), "parts": ()}


def test_an_entrypoint_refuses_a_part_it_does_not_name():
    with pytest.raises(errors.Forbidden) as refused:
        Service(KEY.sign(Caller(part="notify"))).household("x")
    assert refused.value.code == "caller_not_allowed"


def test_an_entrypoint_refuses_arguments_it_does_not_take():
    from nameko.exceptions import IncorrectSignature
    with pytest.raises(IncorrectSignature):
        Service(KEY.sign(FAMILY_CALLER)).household("a", "b")


@pytest.mark.parametrize("value", [None, "", "change-me-to-a-long-random-string", "short",
                                   "a" * 64, "change-me"])
def test_a_missing_placeholder_or_weak_key_is_refused(value):
    with pytest.raises(WeakSecret) as refused:
        check_key("CALLER_CONTEXT_KEY", value)
    assert "CALLER_CONTEXT_KEY" in str(refused.value)
    assert not value or value not in str(refused.value)


def test_a_random_key_is_accepted():
    import secrets
    value = secrets.token_urlsafe(32)
    assert check_key("CALLER_CONTEXT_KEY", value) == value
