"""Who may touch what, and what bad input gets: one family never reaches
another's data, anonymous callers and the wrong role are turned away, and
every refusal is a clear JSON error that changes nothing."""
import pytest
import requests
import samples

PDF = samples.pdf()
FAMILY_ENDPOINTS = [
    ("GET", "/api/v1/household"), ("GET", "/api/v1/bookings?month=2026-01"),
    ("POST", "/api/v1/bookings"), ("GET", "/api/v1/documents"), ("POST", "/api/v1/documents"),
    ("GET", "/api/v1/invoices"), ("GET", "/api/v1/invoices/F-2026-01-0000001"),
    ("DELETE", "/api/v1/bookings/00000000-0000-0000-0000-000000000000"),
    ("GET", "/api/v1/documents/00000000-0000-0000-0000-000000000000/content"),
]
AGENT_ENDPOINTS = [("POST", "/api/v1/agent/households"), ("POST", "/api/v1/agent/billing-runs"),
                   ("POST", "/api/v1/agent/households/00000000-0000-0000-0000-000000000000/child-key")]


def error_of(answer, status):
    assert answer.status_code == status, answer.text
    body = answer.json()["error"]
    assert body["code"] and body["message"]
    return body


@pytest.mark.parametrize("method,path", FAMILY_ENDPOINTS + AGENT_ENDPOINTS + [("GET", "/api/v1/me")])
def test_an_anonymous_caller_is_asked_to_log_in(portal, method, path):
    error_of(requests.request(method, portal.url(path), json={}, timeout=30), 401)


@pytest.mark.parametrize("method,path", FAMILY_ENDPOINTS + AGENT_ENDPOINTS)
def test_a_forged_token_is_refused(portal, method, path):
    headers = {"Authorization": "Bearer forged-token"}
    error_of(requests.request(method, portal.url(path), json={}, headers=headers, timeout=30), 401)


@pytest.mark.parametrize("method,path", AGENT_ENDPOINTS)
def test_a_family_never_reaches_agent_endpoints(portal, new_family, method, path):
    family = new_family()
    error_of(family.session.request(method, portal.url(path), json={"period": "2026-01"}, timeout=30), 403)


@pytest.mark.parametrize("method,path", FAMILY_ENDPOINTS)
def test_an_agent_cannot_act_as_a_family(portal, method, path):
    error_of(portal.agent().request(method, portal.url(path), json={}, timeout=30), 403)


def test_another_family_cannot_reach_my_household_bookings_documents_or_invoices(portal, new_family, next_month):
    mine, theirs = new_family(first_name="Léa"), new_family(first_name="Noé")
    period, days = next_month
    booking = mine.session.post(portal.url("/api/v1/bookings"), timeout=30, json={
        "child_id": mine.child["id"], "activity": "restauration_scolaire", "date": days[0]}).json()
    document = mine.session.post(portal.url("/api/v1/documents"), data={"category": "livret_famille"}, timeout=30,
                                 files={"file": ("livret.pdf", PDF, "application/pdf")}).json()
    portal.agent().post(portal.url("/api/v1/agent/billing-runs"), json={"period": period}, timeout=60)
    number = mine.session.get(portal.url("/api/v1/invoices"), timeout=30).json()[0]["number"]

    assert theirs.session.get(portal.url("/api/v1/household"), timeout=30).json()["id"] != mine.household["id"]
    error_of(theirs.session.post(portal.url("/api/v1/bookings"), timeout=30, json={
        "child_id": mine.child["id"], "activity": "restauration_scolaire", "date": days[1]}), 404)
    error_of(theirs.session.delete(portal.url(f"/api/v1/bookings/{booking['id']}"), timeout=30), 404)
    assert theirs.session.get(portal.url("/api/v1/bookings"), params={"month": period}, timeout=30).json() == []
    assert theirs.session.get(portal.url("/api/v1/documents"), timeout=30).json() == []
    error_of(theirs.session.get(portal.url(f"/api/v1/documents/{document['id']}/content"), timeout=30), 404)
    assert theirs.session.get(portal.url("/api/v1/invoices"), timeout=30).json() == []
    error_of(theirs.session.get(portal.url(f"/api/v1/invoices/{number}"), timeout=30), 404)
    # and mine are intact
    assert mine.session.get(portal.url("/api/v1/bookings"), params={"month": period}, timeout=30).json()[0]["id"] == booking["id"]


def test_registration_refuses_bad_keys_taken_emails_and_weak_passwords_and_creates_nothing(portal, new_family):
    family = new_family()
    cases = [
        ({"email": "nouveau@example.org", "password": "une phrase de passe solide", "child_key": "12345-ABCDEF"}, 422),
        ({"email": "nouveau@example.org", "password": "une phrase de passe solide", "child_key": "pas une clé"}, 422),
        ({"email": family.email, "password": "une phrase de passe solide", "child_key": family.child_key},
         409),
        ({"email": "nouveau@example.org", "password": "court", "child_key": "12345-ABCDEF"}, 422),
        ({"email": "pas-un-courriel", "password": "une phrase de passe solide", "child_key": "12345-ABCDEF"}, 422),
        ({"email": "nouveau@example.org"}, 422),
    ]
    for body, status in cases:
        answer = requests.post(portal.url("/api/v1/accounts"), json=body, timeout=30)
        error_of(answer, status)
    refused = requests.post(portal.url("/api/v1/session"), timeout=30,
                            json={"email": "nouveau@example.org", "password": "une phrase de passe solide"})
    error_of(refused, 401)


def test_an_unknown_email_and_a_wrong_password_get_the_same_answer(portal, new_family):
    family = new_family()
    wrong = requests.post(portal.url("/api/v1/session"), json={"email": family.email, "password": "x" * 14}, timeout=30)
    unknown = requests.post(portal.url("/api/v1/session"), json={"email": "personne@example.org", "password": "x" * 14},
                            timeout=30)
    assert error_of(wrong, 401) == error_of(unknown, 401)


@pytest.mark.parametrize("body,field", [
    ({"activity": "restauration_scolaire", "date": "2030-01-07"}, "child_id"),
    ({"child_id": "CHILD", "activity": "piscine", "date": "NEXT"}, "activity"),
    ({"child_id": "CHILD", "activity": "restauration_scolaire", "date": "07/01/2030"}, "date"),
    ({"child_id": "CHILD", "activity": "restauration_scolaire", "date": "WEDNESDAY"}, "date"),
])
def test_a_bad_booking_gets_a_clear_error_and_books_nothing(portal, new_family, next_month, body, field):
    family = new_family()
    period, days = next_month
    wednesday = next(d for d in _days_of(period) if d.weekday() == 2).isoformat()
    body = {k: v.replace("CHILD", family.child["id"]).replace("NEXT", days[0]).replace("WEDNESDAY", wednesday)
            for k, v in body.items()}
    error = error_of(family.session.post(portal.url("/api/v1/bookings"), json=body, timeout=30), 422)
    assert field in error.get("fields", {}) or field in error["code"] or error["code"] in (
        "activity_not_running", "unknown_activity", "invalid_date")
    assert family.session.get(portal.url("/api/v1/bookings"), params={"month": period}, timeout=30).json() == []


def _days_of(period):
    from datetime import date, timedelta
    first = date.fromisoformat(period + "-01")
    return [first + timedelta(days=n) for n in range(28)]


def test_a_booking_twice_on_the_same_day_is_refused(portal, new_family, next_month):
    family = new_family()
    period, days = next_month
    body = {"child_id": family.child["id"], "activity": "restauration_scolaire", "date": days[0]}
    assert family.session.post(portal.url("/api/v1/bookings"), json=body, timeout=30).status_code == 201
    error_of(family.session.post(portal.url("/api/v1/bookings"), json=body, timeout=30), 409)
    assert len(family.session.get(portal.url("/api/v1/bookings"), params={"month": period}, timeout=30).json()) == 1


@pytest.mark.parametrize("filename,content,category", [
    ("programme.pdf", b"MZ\x90\x00 this is a windows program", "attestation_domicile"),
    ("vide.pdf", b"", "attestation_domicile"),
    ("justificatif.pdf", PDF, "passeport_galactique"),
])
def test_a_bad_document_is_refused_and_nothing_is_stored(portal, new_family, filename, content, category):
    family = new_family()
    answer = family.session.post(portal.url("/api/v1/documents"), data={"category": category}, timeout=30,
                                 files={"file": (filename, content, "application/pdf")})
    error_of(answer, 422)
    assert family.session.get(portal.url("/api/v1/documents"), timeout=30).json() == []


def test_a_document_upload_without_a_file_is_refused(portal, new_family):
    family = new_family()
    error_of(family.session.post(portal.url("/api/v1/documents"), data={"category": "autre"}, timeout=30), 422)


def test_a_quotient_beyond_100_000_or_a_search_of_hundreds_of_accents_gets_the_apis_own_answer(portal):
    simulated = requests.get(portal.url("/api/v1/tariffs"), params={"quotient_familial": 10**25}, timeout=30)
    assert simulated.status_code == 422 and simulated.json()["error"]["code"] == "invalid_quotient_familial"
    searched = portal.agent().get(portal.url("/api/v1/agent/households"), params={"q": "😀" * 600}, timeout=30)
    assert searched.status_code == 422 and searched.headers["Content-Type"] == "application/json"


@pytest.mark.parametrize("body", [{"period": "2026-13"}, {"period": "octobre"}, {}, {"period": 202610}])
def test_a_bad_billing_period_is_refused(portal, body):
    error_of(portal.agent().post(portal.url("/api/v1/agent/billing-runs"), json=body, timeout=30), 422)


@pytest.mark.parametrize("change", [
    {"guardians": []}, {"children": []}, {"quotient_familial": -1},
    {"children": [{"first_name": "Léa", "last_name": "M", "birth_date": "14/03/2017", "school": "Jules Ferry"}]},
    {"guardians": [{"first_name": "A", "last_name": "B", "email": "pas-un-courriel"}]},
])
def test_a_bad_household_is_refused(portal, change):
    body = {"guardians": [{"first_name": "Camille", "last_name": "Martin", "email": "c@example.org"}],
            "children": [{"first_name": "Léa", "last_name": "Martin", "birth_date": "2017-03-14", "school": "Ferry"}],
            "quotient_familial": 500, **change}
    error_of(portal.agent().post(portal.url("/api/v1/agent/households"), json=body, timeout=30), 422)


def test_malformed_json_gets_a_clear_error(portal):
    answer = requests.post(portal.url("/api/v1/session"), data="{not json", timeout=30,
                           headers={"Content-Type": "application/json"})
    assert answer.status_code in (400, 422)
    assert answer.json()["error"]["message"]


def test_the_openapi_document_describes_every_endpoint(portal):
    spec = requests.get(portal.url("/api/v1/openapi.json"), timeout=30).json()
    assert spec["openapi"].startswith("3.")
    for method, path in FAMILY_ENDPOINTS + AGENT_ENDPOINTS + [("POST", "/api/v1/accounts"), ("POST", "/api/v1/session"),
                                                              ("DELETE", "/api/v1/session"), ("GET", "/api/v1/me")]:
        template = path.split("?")[0]
        placeholder = next(name for part, name in (("bookings", "{booking_id}"), ("documents", "{document_id}"),
                                                   ("households", "{household_id}")) if part in path) if "0000-" in path else ""
        template = template.replace("00000000-0000-0000-0000-000000000000", placeholder).replace(
            "F-2026-01-0000001", "{number}")
        assert method.lower() in spec["paths"][template], (method, template)
