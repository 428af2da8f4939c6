"""The real data the accessibility tests reach pages with, made once through the API."""
import uuid
from datetime import date, timedelta

import pytest
import requests

import samples
from a11y.support import PASSWORD, State, school_days


@pytest.fixture(scope="session")
def state(portal):
    """A family with a booking, an invoice and a document; a family whose address
    is not confirmed yet; an agent; the admin. Made once, through the API."""
    suffix = uuid.uuid4().hex[:6]
    period = (date.today().replace(day=1) + timedelta(days=64)).replace(day=1).strftime("%Y-%m")
    admin = portal.agent()

    def household(email):
        answer = admin.post(portal.url("/api/v1/agent/households"), timeout=30, json={
            "guardians": [{"first_name": "Camille", "last_name": "Martin", "email": email}],
            "children": [{"first_name": "Léa", "last_name": "Martin", "birth_date": "2017-03-14", "school": "Ferry"}],
            "quotient_familial": 650})
        assert answer.status_code == 201, answer.text
        answer = requests.post(portal.url("/api/v1/accounts"), timeout=30, json={
            "email": email, "password": PASSWORD, "child_key": answer.json()["child_key"]})
        assert answer.status_code == 201, answer.text

    family_email, unverified_email = f"audit-{suffix}@example.org", f"audit-attente-{suffix}@example.org"
    household(family_email)
    household(unverified_email)
    token = portal.token_sent_to(family_email, "/verifier-courriel")
    portal.verify_email(family_email)
    family = portal.login(family_email, PASSWORD)
    child = family.get(portal.url("/api/v1/household"), timeout=30).json()["children"][0]
    for day in school_days(period)[:3]:
        answer = family.post(portal.url("/api/v1/bookings"), timeout=30, json={
            "child_id": child["id"], "activity": "restauration_scolaire", "date": day})
        assert answer.status_code == 201, answer.text
    answer = family.post(portal.url("/api/v1/documents"), timeout=30, data={"category": "attestation_domicile",
                                                                    "issued_on": date.today().isoformat()},
                         files={"file": ("attestation-domicile.pdf", samples.pdf(20_000), "application/pdf")})
    assert answer.status_code == 201, answer.text
    assert admin.post(portal.url("/api/v1/agent/billing-runs"), json={"period": period}, timeout=60).ok
    invoices = family.get(portal.url("/api/v1/invoices"), timeout=30).json()
    assert invoices, "the billing run made no invoice for the audit's family"

    agent_email = f"agent-audit-{suffix}@caisse.example"
    answer = admin.post(portal.url("/api/v1/admin/agents"), timeout=30, json={
        "email": agent_email, "password": PASSWORD, "role": "agent"})
    assert answer.status_code == 201, answer.text
    return State(period=period, family_email=family_email, unverified_email=unverified_email,
                 agent_email=agent_email, admin_email=portal.agent_email, admin_password=portal.agent_password,
                 invoice_number=invoices[0]["number"], verification_token=token)
