"""Schema-driven fuzzing of the API: inputs generated from its own OpenAPI
document, valid and invalid, sent as a family and as an agent. No input may
break the portal (a 5xx) or get an answer its document does not describe."""
import random

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import checks

CHECKS = [checks.not_a_server_error, checks.status_code_conformance, checks.content_type_conformance,
          checks.response_schema_conformance]


@pytest.fixture
def api_schema(portal):
    return schemathesis.openapi.from_url(portal.url("/api/v1/openapi.json"))


schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.fixture
def family_token(new_family):
    return new_family().session.headers["Authorization"]


def as_another_client(token):
    """Each generated call comes from its own address (behind the trusted proxy), so that the
    failed logins it provokes lock that address, not every other test's."""
    return {"Authorization": token, "X-Forwarded-For": f"10.{random.randrange(256)}.{random.randrange(256)}.1"}


@schema.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_input_breaks_the_api_for_a_family(case, portal, family_token):
    case.call_and_validate(base_url=portal.base_url, headers=as_another_client(family_token), checks=CHECKS)


@pytest.fixture(scope="module")
def agent_token(portal):
    return portal.agent().headers["Authorization"]


@schema.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_input_breaks_the_api_for_an_agent(case, portal, agent_token):
    case.call_and_validate(base_url=portal.base_url, headers=as_another_client(agent_token), checks=CHECKS)
