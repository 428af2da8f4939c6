"""Requests (démarches) through the gateway, the whole portal running: each
kind filed by a family and handled by an agent to acceptance or refusal, the
e-mails read from the SMTP server, the household changed and journaled; bad
input refused in French with nothing written; who sees what."""
from datetime import date

import pytest
import requests
import samples

IBAN, BIC = "FR76 3000 6000 0112 3456 7890 189", "AGRIFRPP"
TODAY = date.today().isoformat()


def ok(answer, status=200):
    assert answer.status_code == status, answer.text
    return answer.json()


def error_of(answer, status):
    assert answer.status_code == status, answer.text
    return answer.json()["error"]


def file(portal, family, kind, data, document_ids=()):
    return ok(family.session.post(portal.url("/api/v1/requests"), timeout=60, json={
        "kind": kind, "data": data, "document_ids": list(document_ids)}), 201)


def agent_does(portal, agent, request, action, **body):
    return agent.post(portal.url(f"/api/v1/agent/requests/{request['id']}/{action}"), json=body, timeout=30)


def mail_about(portal, family, reference, words):
    """The e-mail to the family about `reference` saying `words`; its link opens the request."""
    found = portal.mail.wait_for(lambda m: m["To"] == family.email and reference in m["Subject"]
                                 and words in portal.mail.text(m))
    assert portal.url(f"/demarches/{reference}") in portal.mail.text(found[-1])
    return portal.mail.text(found[-1])


def upload(portal, family, category, filename):
    return ok(family.session.post(portal.url("/api/v1/documents"), timeout=60,
                                  data={"category": category, "issued_on": TODAY},
                                  files={"file": (filename, samples.pdf(2000), "application/pdf")}), 201)


def test_a_change_of_income_goes_from_the_family_to_a_new_quotient_with_a_question_on_the_way(portal, new_family):
    family, agent = new_family(quotient_familial=640), portal.agent()
    attestation = upload(portal, family, "avis_imposition", "avis.pdf")
    request = file(portal, family, "changement_situation",
                   {"change": "revenus", "quotient_familial": 910, "valid_from": TODAY}, [attestation["id"]])
    reference = request["reference"]
    mail_about(portal, family, reference, "bien reçu")
    assert reference in [r["reference"] for r in ok(agent.get(portal.url("/api/v1/agent/requests?status=submitted"),
                                                              timeout=30))]

    ok(agent_does(portal, agent, request, "take"))
    asked = ok(agent_does(portal, agent, request, "questions", question="Le quotient est-il celui de septembre ?"))
    assert asked["status"] == "waiting_for_family"
    assert "Le quotient est-il celui de septembre ?" in mail_about(portal, family, reference, "besoin d'une réponse")
    mine = ok(family.session.get(portal.url("/api/v1/requests"), timeout=30))[0]
    assert mine["expected"] == "Le quotient est-il celui de septembre ?"
    assert mine["status_label"] == "En attente de votre réponse"
    ok(family.session.post(portal.url(f"/api/v1/requests/{request['id']}/messages"), json={"body": "Oui."},
                           timeout=30), 201)

    accepted = ok(agent_does(portal, agent, request, "accept", quotient_familial=900))
    assert accepted["status"] == "accepted"
    mail_about(portal, family, reference, "a accepté votre demande")
    household = ok(family.session.get(portal.url("/api/v1/family"), timeout=30))
    assert household["quotient_familial"] == 900
    assert household["quotient_familial_current"]["source"] == f"Démarche {reference}"
    agent_id = ok(agent.get(portal.url("/api/v1/me"), timeout=30))["id"]
    journal = ok(agent.get(portal.url(f"/api/v1/agent/households/{family.household['id']}"), timeout=30))["journal"]
    assert [(e["action"], e["actor_id"], e["details"]["before"], e["details"]["after"]["quotient_familial"])
            for e in journal if e["action"] == "request_accepted"] == [
        ("request_accepted", agent_id, {"quotient_familial": 640}, 900)]
    # the attestation went to the request through the vault: the agent opens it
    shared = ok(agent.get(portal.url(f"/api/v1/agent/requests/{request['id']}/documents"), timeout=30))["shares"]
    assert [s["document_id"] for s in shared] == [attestation["id"]]


@pytest.mark.parametrize("data, check", [
    ({"change": "demenagement", "moved_on": TODAY, "address": {"line1": "3 rue des Lilas", "postal_code": "75011",
                                                                "city": "Paris"}},
     lambda h: h["address"]["city"] == "Paris"),
    ({"change": "nouvel_enfant", "child": {"first_name": "Noé", "last_name": "Martin", "birth_date": "2025-05-01",
                                           "school": "Crèche des Lilas"}},
     lambda h: [c["first_name"] for c in h["children"]][-1] == "Noé"),
    ({"change": "nouveau_responsable", "guardian": {"first_name": "Sam", "last_name": "Martin",
                                                    "email": "sam.martin@example.org"}},
     lambda h: [g["first_name"] for g in h["guardians"]] == ["Camille", "Sam"]),
])
def test_an_accepted_change_of_situation_shows_in_the_household(portal, new_family, data, check):
    family, agent = new_family(), portal.agent()
    request = file(portal, family, "changement_situation", data)
    ok(agent_does(portal, agent, request, "take"))
    ok(agent_does(portal, agent, request, "accept"))
    assert check(ok(family.session.get(portal.url("/api/v1/family"), timeout=30)))
    mail_about(portal, family, request["reference"], "a accepté votre demande")


def test_a_change_of_situation_refused_leaves_the_household_as_it_was(portal, new_family):
    family, agent = new_family(), portal.agent()
    before = ok(family.session.get(portal.url("/api/v1/household"), timeout=30))
    request = file(portal, family, "changement_situation", {"change": "nouvel_enfant", "child": {
        "first_name": "Noé", "last_name": "Martin", "birth_date": "2025-05-01", "school": "Crèche"}})
    ok(agent_does(portal, agent, request, "take"))
    refused = ok(agent_does(portal, agent, request, "refuse", reason="Il manque l'acte de naissance."))
    assert refused["decision_reason"] == "Il manque l'acte de naissance."
    assert "Il manque l'acte de naissance." in mail_about(portal, family, request["reference"], "pas pu accepter")
    assert ok(family.session.get(portal.url("/api/v1/household"), timeout=30))["children"] == before["children"]


def test_a_direct_debit_is_accepted_or_refused_and_its_iban_never_shows_whole(portal, new_family):
    family, agent = new_family(), portal.agent()
    catalogue = ok(family.session.get(portal.url("/api/v1/requests/catalogue"), timeout=30))
    assert "autorisez la Caisse des écoles" in catalogue["mandate_text"]
    data = {"account_holder": "Camille Martin", "iban": IBAN, "bic": BIC, "mandate_accepted": True}
    first, second = (file(portal, family, "prelevement_automatique", data) for _ in range(2))
    assert first["data"]["iban"] == "FR76 •••• •••• 0189"
    for request in (first, second):
        ok(agent_does(portal, agent, request, "take"))
    assert ok(agent_does(portal, agent, first, "accept"))["status"] == "accepted"
    ok(agent_does(portal, agent, second, "refuse", reason="Un mandat est déjà actif."))
    mail_about(portal, family, first["reference"], "a accepté votre demande")
    assert "Un mandat est déjà actif." in mail_about(portal, family, second["reference"], "pas pu accepter")
    assert IBAN.replace(" ", "") not in ok(agent.get(portal.url(f"/api/v1/requests/{first['id']}"), timeout=30))[
        "data"]["iban"]


def test_a_conversation_with_the_caisse_goes_both_ways_with_attachments(portal, new_family):
    family, agent = new_family(), portal.agent()
    request = file(portal, family, "contact", {"subject": "facturation", "message": "Ma facture d'octobre est fausse."})
    ok(agent_does(portal, agent, request, "take"))
    ok(agent.post(portal.url(f"/api/v1/requests/{request['id']}/messages"), timeout=30,
                  json={"body": "Pouvez-vous nous envoyer votre justificatif ?"}), 201)
    mail_about(portal, family, request["reference"], "vous a écrit")
    proof = upload(portal, family, "autre", "justificatif.pdf")
    answered = ok(family.session.post(portal.url(f"/api/v1/requests/{request['id']}/messages"), timeout=60,
                                      json={"body": "Le voici.", "document_ids": [proof["id"]]}), 201)
    assert answered["document_ids"] == [proof["id"]]
    assert [e["action"] for e in answered["timeline"]] == ["submitted", "taken", "message", "message"]
    assert answered["last_message"]["body"] == "Le voici."
    ok(agent_does(portal, agent, request, "accept"))
    detail = ok(family.session.get(portal.url(f"/api/v1/requests/{request['id']}"), timeout=30))
    assert detail["status_label"] == "Acceptée" and detail["timeline"][-1]["action"] == "accepted"


def test_a_document_asked_by_the_caisse_is_answered_from_the_safe(portal, new_family):
    family, agent = new_family(), portal.agent()
    opened = ok(agent.post(portal.url(f"/api/v1/agent/households/{family.household['id']}/document-requests"),
                           json={"category": "avis_imposition", "note": "Celui de 2026."}, timeout=30), 201)
    assert opened["status"] == "waiting_for_family"
    portal.mail.wait_for(lambda m: m["To"] == family.email and opened["reference"] in m["Subject"])
    mine = ok(family.session.get(portal.url("/api/v1/requests"), timeout=30))
    assert mine[0]["reference"] == opened["reference"] and "avis d'imposition" in mine[0]["expected"]
    avis = upload(portal, family, "avis_imposition", "avis.pdf")
    answered = ok(family.session.post(portal.url(f"/api/v1/requests/{opened['id']}/messages"), timeout=60,
                                      json={"body": "Voici mon avis.", "document_ids": [avis["id"]]}), 201)
    assert answered["status"] == "in_review"
    assert ok(agent_does(portal, agent, opened, "accept"))["status"] == "accepted"


@pytest.mark.parametrize("iban, bic, code", [
    ("FR76 3000 6000 0112 3456 7890 188", BIC, "iban_checksum"),
    ("QQ76 3000 6000 0112 3456 7890 189", BIC, "iban_country"),
    (IBAN, "BNPAFRPP", "bic_mismatch"),
    ("FR76 3000", BIC, "iban_invalid"),
])
def test_an_invalid_iban_is_refused_in_french_and_nothing_is_filed(portal, new_family, iban, bic, code):
    family = new_family()
    error = error_of(family.session.post(portal.url("/api/v1/requests"), timeout=30, json={
        "kind": "prelevement_automatique",
        "data": {"account_holder": "Camille Martin", "iban": iban, "bic": bic, "mandate_accepted": True}}), 422)
    assert error["code"] == code and error["message"] and error["fields"]
    assert ok(family.session.get(portal.url("/api/v1/requests"), timeout=30)) == []


def test_another_household_and_its_documents_stay_out_of_reach(portal, new_family):
    family, other = new_family(), new_family()
    theirs = file(portal, other, "contact", {"subject": "autre", "message": "Bonjour"})
    for answer in (family.session.get(portal.url(f"/api/v1/requests/{theirs['id']}"), timeout=30),
                   family.session.get(portal.url(f"/api/v1/requests/{theirs['reference']}"), timeout=30),
                   family.session.post(portal.url(f"/api/v1/requests/{theirs['id']}/withdraw"), timeout=30),
                   family.session.post(portal.url(f"/api/v1/requests/{theirs['id']}/messages"), timeout=30,
                                       json={"body": "Bonjour"})):
        assert error_of(answer, 404)["code"] == "request_not_found"
    their_document = upload(portal, other, "avis_imposition", "avis.pdf")
    error = error_of(family.session.post(portal.url("/api/v1/requests"), timeout=30, json={
        "kind": "changement_situation", "data": {"change": "revenus", "quotient_familial": 100, "valid_from": TODAY},
        "document_ids": [their_document["id"]]}), 404)
    assert error["code"] == "document_not_found" and "coffre-fort" in error["message"]
    assert ok(family.session.get(portal.url("/api/v1/requests"), timeout=30)) == []


def test_a_move_the_status_forbids_and_an_oversized_message_are_refused(portal, new_family):
    family, agent = new_family(), portal.agent()
    request = file(portal, family, "contact", {"subject": "autre", "message": "Bonjour"})
    assert error_of(agent_does(portal, agent, request, "accept"), 409)["code"] == "invalid_status_move"
    error = error_of(family.session.post(portal.url(f"/api/v1/requests/{request['id']}/messages"), timeout=30,
                                         json={"body": "x" * 5001}), 422)
    assert error["code"] == "invalid_message" and "trop long" in error["message"]
    assert error_of(agent_does(portal, agent, request, "refuse", reason=""), 422)["code"] == "reason_required"
    assert ok(family.session.post(portal.url(f"/api/v1/requests/{request['id']}/withdraw"), timeout=30))[
        "status"] == "cancelled"
    assert error_of(family.session.post(portal.url(f"/api/v1/requests/{request['id']}/withdraw"), timeout=30),
                    409)["code"] == "invalid_status_move"
    detail = ok(family.session.get(portal.url(f"/api/v1/requests/{request['id']}"), timeout=30))
    assert [e["action"] for e in detail["timeline"]] == ["submitted", "cancelled"]


FAMILY_ROUTES = [("get", "/api/v1/family"), ("get", "/api/v1/requests"), ("post", "/api/v1/requests")]
AGENT_ROUTES = [("get", "/api/v1/agent/requests"), ("get", "/api/v1/agent/households?q=Martin")]


def test_anonymous_callers_get_nothing_families_no_back_office_agents_everything(portal, new_family):
    family, agent = new_family(), portal.agent()
    request = file(portal, family, "contact", {"subject": "autre", "message": "Bonjour"})
    for method, path in FAMILY_ROUTES + AGENT_ROUTES + [("get", f"/api/v1/requests/{request['id']}")]:
        assert getattr(requests, method)(portal.url(path), timeout=30).status_code == 401, path
    for method, path in AGENT_ROUTES + [("post", f"/api/v1/agent/requests/{request['id']}/take")]:
        assert getattr(family.session, method)(portal.url(path), timeout=30).status_code == 403, path
    assert ok(agent.get(portal.url(f"/api/v1/requests/{request['id']}"), timeout=30))["household_id"] == \
        family.household["id"]
    found = ok(agent.get(portal.url("/api/v1/agent/households"), params={"q": family.email}, timeout=30))
    assert [h["id"] for h in found] == [family.household["id"]]
    found = ok(agent.get(portal.url("/api/v1/agent/households"), params={"q": family.child_key}, timeout=30))
    assert [h["id"] for h in found] == [family.household["id"]]
