"""The families' data rights across the whole portal, started as processes:
the export of all a household's data, and closing an account, checked in
every service's database table by table. (That a deleted document stays
unreadable even with a database dump and a copy of the bucket is proven in
test_safe.py.)"""
import io
import json
import time
import uuid
import zipfile
from datetime import date

import requests
import samples
from sqlalchemy import MetaData, create_engine, select

from localstack import SERVICES

TODAY = date.today().isoformat()
PASSWORD = "deux parents, un foyer, un export"


def wait_until(check, seconds=30):
    deadline = time.monotonic() + seconds
    while not (found := check()):
        assert time.monotonic() < deadline, "not in time"
        time.sleep(0.3)
    return found


def household_of_two(portal, next_month):
    """A household with two guardians, each with an account, a booked day, an invoice and a document;
    every name and address in it is unique to this test."""
    marker = uuid.uuid4().hex[:8]
    people = {"first": f"mere-{marker}@example.org", "second": f"pere-{marker}@example.org"}
    digits = f"{int(marker, 16) % 10 ** 7:07d}"
    born = date(2016, 1 + int(marker[:2], 16) % 12, 2 + int(marker[2:4], 16) % 27).isoformat()  # never a 1st of January
    names = {"last_name": f"Zorglub{marker}", "child": f"Lilou{marker}", "digits": digits, "born": born,
             # a mobile of mainland France (06 1…): some 06 9… numbers belong to the overseas departments
             "phone": f"06 1{digits[0]} {digits[1:3]} {digits[3:5]} {digits[5:]}"}
    agent = portal.agent()
    answer = agent.post(portal.url("/api/v1/agent/households"), timeout=30, json={
        "guardians": [{"first_name": "Camille", "last_name": names["last_name"], "email": people["first"],
                       "phone": names["phone"]},
                      {"first_name": "Dominique", "last_name": names["last_name"], "email": people["second"]}],
        "children": [{"first_name": names["child"], "last_name": names["last_name"], "birth_date": names["born"],
                      "school": f"École {marker}"}],
        "quotient_familial": 850})
    assert answer.status_code == 201, answer.text
    household = answer.json()
    sessions = {}
    for who, email in people.items():
        answer = requests.post(portal.url("/api/v1/accounts"), timeout=30, json={
            "email": email, "password": PASSWORD, "child_key": household["child_key"]})
        assert answer.status_code == 201, answer.text
        portal.verify_email(email)
        sessions[who] = portal.login(email, PASSWORD)
    first = sessions["first"]
    assert first.patch(portal.url("/api/v1/me/contact"), timeout=30, json={
        "phone": names["phone"], "address": {"street": f"{marker} rue des Écoles", "postal_code": "94120",
                                              "city": "Fontenay-sous-Bois"}}).ok
    period, school_days = next_month
    answer = first.post(portal.url("/api/v1/bookings"), timeout=30, json={
        "child_id": household["children"][0]["id"], "activity": "restauration_scolaire", "date": school_days[0]})
    assert answer.status_code == 201, answer.text
    assert agent.post(portal.url("/api/v1/agent/billing-runs"), json={"period": period}, timeout=60).ok
    document = samples.pdf(20_000)
    answer = first.post(portal.url("/api/v1/documents"), timeout=60,
                        data={"category": "attestation_domicile", "issued_on": TODAY},
                        files={"file": (f"domicile-{marker}.pdf", document, "application/pdf")})
    assert answer.status_code == 201, answer.text
    portal.mail.wait_for(lambda m: m["To"] == people["first"] and "facture" in m["Subject"].lower())
    return household, people, names, sessions, document, marker


def rows_with(portal, service, marks):
    """{table: rows} of one service's database where any of `marks` shows, table by table."""
    engine = create_engine(portal.stack.env[f"{service.upper()}_DATABASE_URL"])
    try:
        metadata = MetaData()
        metadata.reflect(engine)
        found = {}
        with engine.connect() as connection:
            for table in metadata.sorted_tables:
                rows = [row for row in connection.execute(select(table)).all()
                        if any(mark.lower() in repr(tuple(map(str, row))).lower() for mark in marks)]
                if rows:
                    found[table.name] = rows
        return found
    finally:
        engine.dispose()


def left_behind(portal, service, marks, seconds=30):
    """The rows still naming someone once the service has handled the closing (an event away), or {}."""
    deadline = time.monotonic() + seconds
    while (left := rows_with(portal, service, marks)) and time.monotonic() < deadline:
        time.sleep(0.5)
    return left


def test_the_export_archive_holds_every_services_data(portal, next_month):
    household, people, names, sessions, document, marker = household_of_two(portal, next_month)
    first = sessions["first"]
    answer = first.post(portal.url("/api/v1/me/exports"), timeout=30)
    assert answer.status_code == 202, answer.text
    asked = answer.json()
    link = portal.link_sent_to(people["first"], "/donnees-personnelles")
    assert link.endswith("/donnees-personnelles")
    export = first.get(portal.url("/api/v1/me/exports/latest"), timeout=30).json()
    assert export["id"] == asked["id"] and export["status"] == "ready"

    answer = first.get(portal.url(f"/api/v1/me/exports/{export['id']}/archive"), timeout=60)
    assert answer.status_code == 200 and answer.headers["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(answer.content))
    identity = json.loads(archive.read("identite.json"))
    assert sorted(a["email"] for a in identity["comptes"]) == sorted(people.values())
    assert [a["coordonnees"]["phone"] for a in identity["comptes"] if a["email"] == people["first"]] == [
        "+3361" + names["digits"]]
    family = json.loads(archive.read("famille.json"))
    assert family["foyer"]["children"][0]["first_name"] == names["child"]
    assert [b["activity"] for b in family["reservations"]] == ["restauration_scolaire"]
    billing = json.loads(archive.read("facturation.json"))
    assert [line["child_first_name"] for invoice in billing["factures"] for line in invoice["lines"]] == [
        names["child"]]
    messages = json.loads(archive.read("courriels.json"))
    assert any("facture" in m["subject"].lower() for m in messages)
    safe = json.loads(archive.read("coffre-fort.json"))
    assert [archive.read(d["path"]) for d in safe["documents"]] == [document]

    again = first.get(portal.url(f"/api/v1/me/exports/{export['id']}/archive"), timeout=30)
    assert again.status_code == 409 and again.json()["error"]["code"] == "export_gone"
    other = sessions["second"].get(portal.url(f"/api/v1/me/exports/{export['id']}/archive"), timeout=30)
    assert other.status_code == 404


def test_closing_accounts_leaves_no_personal_data_behind_and_the_other_guardian_keeps_access(portal, next_month):
    household, people, names, sessions, document, marker = household_of_two(portal, next_month)
    first_only = [people["first"], names["phone"], names["digits"], f"{marker} rue des Écoles"]

    answer = sessions["first"].delete(portal.url("/api/v1/me"), timeout=30)
    assert answer.status_code == 200 and answer.json()["last_of_household"] is False
    assert wait_until(lambda: sessions["first"].get(portal.url("/api/v1/household"), timeout=30).status_code == 401)
    # the other guardian logs in and keeps the household, its safe and its invoices
    second = portal.login(people["second"], PASSWORD)
    kept = second.get(portal.url("/api/v1/household"), timeout=30).json()
    assert kept["id"] == household["id"] and [g["first_name"] for g in kept["guardians"]] == ["Dominique"]
    assert len(second.get(portal.url("/api/v1/documents"), timeout=30).json()) == 1
    assert len(second.get(portal.url("/api/v1/invoices"), timeout=30).json()) == 1
    for service in SERVICES:
        assert left_behind(portal, service, first_only) == {}, service

    answer = second.delete(portal.url("/api/v1/me"), timeout=30)
    assert answer.status_code == 200 and answer.json()["last_of_household"] is True
    everyone = [*first_only, people["second"], names["last_name"], f"École {marker}",
                f"domicile-{marker}", names["born"]]
    for service in SERVICES:
        # invoices are kept ten years, with the child's first name they were issued with, nothing more
        marks = everyone if service == "billing" else [*everyone, names["child"]]
        assert left_behind(portal, service, marks) == {}, service
    # the closed accounts no longer open (an attempt is journaled like any failed login, from then on)
    for email in people.values():
        assert requests.post(portal.url("/api/v1/session"), json={"email": email, "password": PASSWORD},
                             timeout=30).status_code == 401
    # the clé enfance stopped working: nobody opens the household again with it
    answer = requests.post(portal.url("/api/v1/accounts"), timeout=30, json={
        "email": f"nouveau-{marker}@example.org", "password": PASSWORD, "child_key": household["child_key"]})
    assert answer.status_code in (404, 422), answer.text
