"""Creates a client may retry, through the gateway: the same Idempotency-Key
with the same body answers the first result and makes nothing twice; with
another body, 422 `idempotency_key_reused`."""
import uuid
from datetime import date

import samples

from e2e.test_billing import billed


def retried(session, url, key, **body):
    return [session.post(url, timeout=60, headers={"Idempotency-Key": key}, **body) for _ in range(2)]


def reused(answer):
    return answer.status_code == 422 and answer.json()["error"]["code"] == "idempotency_key_reused"


def test_a_retried_household_creation_makes_one_household(portal):
    agent, key = portal.agent(), uuid.uuid4().hex
    data = {"guardians": [{"first_name": "Camille", "last_name": "Retry", "email": f"{key}@example.org"}],
            "children": [{"first_name": "Léa", "last_name": "Retry", "birth_date": "2017-03-14",
                          "school": "École Jules Ferry"}], "quotient_familial": 850}
    first, again = retried(agent, portal.url("/api/v1/agent/households"), key, json=data)
    assert first.status_code == again.status_code == 201, first.text
    assert first.json()["id"] == again.json()["id"]
    other = agent.post(portal.url("/api/v1/agent/households"), timeout=30, headers={"Idempotency-Key": key},
                       json={**data, "quotient_familial": 640})
    assert reused(other)


def test_a_retried_booking_books_the_day_once(portal, new_family, next_month):
    family, (_, days) = new_family(), next_month
    url, key = portal.url("/api/v1/bookings"), uuid.uuid4().hex
    first, again = retried(family.session, url, key, json={
        "child_id": family.child["id"], "activity": "restauration_scolaire", "date": days[0]})
    assert first.status_code == again.status_code == 201, first.text
    assert first.json() == again.json()
    month = family.session.get(url, params={"month": days[0][:7]}, timeout=30).json()
    assert [booking["id"] for booking in month] == [first.json()["id"]]
    assert reused(family.session.post(url, timeout=30, headers={"Idempotency-Key": key}, json={
        "child_id": family.child["id"], "activity": "restauration_scolaire", "date": days[1]}))


def test_a_retried_period_booking_answers_the_first_report(portal, new_family, next_month):
    family, (_, days) = new_family(), next_month
    url, key = portal.url("/api/v1/bookings/period"), uuid.uuid4().hex
    period = {"child_id": family.child["id"], "activity": "restauration_scolaire", "first_day": days[0],
              "last_day": days[-1], "weekdays": [0, 1, 3, 4]}
    first, again = retried(family.session, url, key, json=period)
    assert first.status_code == again.status_code == 200, first.text
    assert first.json() == again.json() and first.json()["booked"]
    month = family.session.get(portal.url("/api/v1/bookings"), params={"month": days[0][:7]}, timeout=30).json()
    assert len(month) == len(first.json()["booked"])
    assert reused(family.session.post(url, timeout=30, headers={"Idempotency-Key": key},
                                      json={**period, "weekdays": [0]}))


def test_a_retried_upload_keeps_one_document(portal, new_family):
    family, content = new_family(), samples.pdf(20_000)
    url, key = portal.url("/api/v1/documents"), uuid.uuid4().hex
    data = {"category": "attestation_domicile", "issued_on": date.today().isoformat()}
    first, again = [family.session.post(url, timeout=60, headers={"Idempotency-Key": key}, data=data,
                                        files={"file": ("attestation.pdf", content, "application/pdf")})
                    for _ in range(2)]
    assert first.status_code == again.status_code == 201, first.text
    assert first.json()["id"] == again.json()["id"]
    assert [d["id"] for d in family.session.get(url, timeout=30).json()] == [first.json()["id"]]
    other = family.session.post(url, timeout=60, headers={"Idempotency-Key": key}, data=data,
                                files={"file": ("attestation.pdf", samples.pdf(20_000), "application/pdf")})
    assert reused(other)


def test_a_retried_counter_payment_is_recorded_once(portal, new_family, next_month):
    family = new_family(quotient_familial=850)
    invoice, agent, key = billed(portal, family, next_month, days=2), portal.agent(), uuid.uuid4().hex
    url = portal.url(f"/api/v1/agent/households/{family.household['id']}/payments")
    payment = {"number": invoice["number"], "amount_cents": 300, "means": "especes"}
    first, again = retried(agent, url, key, json=payment)
    assert first.status_code == again.status_code == 201, first.text
    assert first.json()["id"] == again.json()["id"]
    assert [p["id"] for p in family.session.get(portal.url("/api/v1/payments"), timeout=30).json()] == [
        first.json()["id"]]
    assert reused(agent.post(url, timeout=30, headers={"Idempotency-Key": key}, json={**payment, "amount_cents": 200}))
