import itertools
import uuid
from dataclasses import dataclass

import pytest
import requests

PASSWORD = "une phrase de passe solide"
counter = itertools.count()


@dataclass
class Family:
    email: str
    household: dict
    session: requests.Session
    child_key: str  # as the agent gave it: the family's own view of its household does not show it

    @property
    def child(self):
        return self.household["children"][0]


@pytest.fixture
def new_family(portal):
    """Makes a household through an agent and registers its parent's account."""
    agent = portal.agent()

    def make(quotient_familial=850, first_name="Léa", brothers_and_sisters=(), birth_date="2017-03-14"):
        email = f"parent{next(counter)}-{uuid.uuid4().hex[:6]}@example.org"
        answer = agent.post(portal.url("/api/v1/agent/households"), timeout=30, json={
            "guardians": [{"first_name": "Camille", "last_name": "Martin", "email": email}],
            "children": [{"first_name": name, "last_name": "Martin", "birth_date": birth_date,
                          "school": "École Jules Ferry"} for name in (first_name, *brothers_and_sisters)],
            "quotient_familial": quotient_familial})
        assert answer.status_code == 201, answer.text
        household = answer.json()
        answer = requests.post(portal.url("/api/v1/accounts"), timeout=30, json={
            "email": email, "password": PASSWORD, "child_key": household["child_key"]})
        assert answer.status_code == 201, answer.text
        portal.verify_email(email)
        session = portal.login(email, PASSWORD)
        return Family(email, session.get(portal.url("/api/v1/household"), timeout=30).json(), session,
                      household["child_key"])

    return make


@pytest.fixture
def refused_within_a_poll():
    """The gateway keeps identity's answer for a session a while and learns of
    revoked sessions from identity's feed every REVOCATION_POLL_SECONDS (1 s
    in these tests): a session revoked elsewhere is refused within that delay."""
    import time

    def refused(session, url, statuses=(401,), seconds=10):
        deadline = time.monotonic() + seconds
        while session.get(url, timeout=30).status_code not in statuses:
            assert time.monotonic() < deadline, f"the revoked session still opens {url}"
            time.sleep(0.5)
        return True
    return refused
