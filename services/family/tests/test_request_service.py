"""Requests (démarches) over RPC, as the gateway calls them for a family and
for an agent, against the machine's PostgreSQL and RabbitMQ."""
import uuid

import pytest
from nameko.testing.services import entrypoint_hook, entrypoint_waiter
from sqlalchemy import select

from kit import errors
from kit.caller import CallerKey
from kit.outbox import sealed_dispatcher

from family.models import HouseholdJournalEntry, OutboxEvent

IBAN, BIC = "FR76 3000 6000 0112 3456 7890 189", "AGRIFRPP"


def household_data(last_name, quotient_familial=640, guardians=1):
    return {
        "guardians": [{"first_name": first, "last_name": last_name, "phone": None,
                       "email": f"{first.lower()}.{last_name.lower()}@example.fr"}
                      for first in ("Anne", "Paul")[:guardians]],
        "children": [{"first_name": "Léa", "last_name": last_name, "birth_date": "2018-03-02",
                      "school": "École Jean Macé"}],
        "quotient_familial": quotient_familial,
    }


@pytest.fixture
def martin(family):
    return family.as_agent.create_household(household_data("Martin", guardians=2))


@pytest.fixture
def durand(family):
    return family.as_agent.create_household(household_data("Durand", 1500))


def announced(look, event_type):
    with look.connect() as connection:
        found = connection.execute(select(OutboxEvent.event_type, OutboxEvent.payload).order_by(OutboxEvent.id)).all()
    return [payload for kind, payload in found if kind == event_type]


def income(quotient_familial=900, valid_from="2026-01-01"):
    return {"change": "revenus", "quotient_familial": quotient_familial, "valid_from": valid_from}


def test_a_family_files_a_request_and_gets_a_reference_without_gaps(family, martin):
    mine = family.as_family(martin)
    first = mine.submit_request("contact", {"subject": "facturation", "message": "Bonjour, une question."})
    with pytest.raises(errors.Invalid):
        mine.submit_request("contact", {"subject": "facturation", "message": ""})
    second = mine.submit_request("contact", {"subject": "autre", "message": "Merci."})
    year, number = first["reference"].split("-")[1:]
    assert second["reference"] == f"D-{year}-{int(number) + 1:06d}"
    assert first["status"] == "submitted" and first["status_label"] == "Reçue"
    assert [r["reference"] for r in mine.list_my_requests()] == [second["reference"], first["reference"]]


def test_a_change_of_income_accepted_gives_the_household_a_new_quotient_journaled(family, martin, look):
    document = str(uuid.uuid4())
    request = family.as_family(martin).submit_request("changement_situation", income(), [document])
    agent = family.as_agent
    assert agent.take_request(request["id"])["status"] == "in_review"
    accepted = agent.accept_request(request["id"], 850)
    assert accepted["status"] == "accepted" and accepted["document_ids"] == [document]
    overview = family.as_family(martin).family_overview()
    assert overview["quotient_familial"] == 850
    assert [(p["value"], p["source"]) for p in overview["quotient_familial_history"]][0] == (
        850, f"Démarche {request['reference']}")
    assert announced(look, "quotient_familial_changed")[0]["value"] == 850
    with look.connect() as connection:
        entry = connection.execute(select(HouseholdJournalEntry).where(
            HouseholdJournalEntry.action == "request_accepted")).one()
    assert entry.actor_id == family.agent_id
    assert entry.details["before"] == {"quotient_familial": 640}
    assert entry.details["after"]["quotient_familial"] == 850


def test_a_move_a_birth_and_a_separation_change_the_household_once_accepted(family, martin):
    mine, agent = family.as_family(martin), family.as_agent
    filed = [
        mine.submit_request("changement_situation", {"change": "demenagement", "moved_on": "2026-01-02", "address": {
            "line1": "3 rue des Lilas", "postal_code": "75011", "city": "Paris"}}),
        mine.submit_request("changement_situation", {"change": "nouvel_enfant", "child": {
            "first_name": "Noé", "last_name": "Martin", "birth_date": "2025-05-01", "school": "Crèche des Lilas"}}),
        mine.submit_request("changement_situation", {"change": "separation", "separated_on": "2026-01-02",
                                                     "guardian_id": martin["guardians"][1]["id"]}),
    ]
    for request in filed:
        agent.take_request(request["id"])
        agent.accept_request(request["id"])
    overview = mine.family_overview()
    assert overview["address"]["city"] == "Paris"
    assert [c["first_name"] for c in overview["children"]] == ["Léa", "Noé"]
    assert [g["first_name"] for g in overview["guardians"]] == ["Anne"]


def test_a_direct_debit_accepted_goes_to_billing_without_the_iban_on_the_event(family, martin, look):
    request = family.as_family(martin).submit_request("prelevement_automatique", {
        "account_holder": "Anne Martin", "iban": IBAN, "bic": BIC, "mandate_accepted": True})
    assert request["data"]["iban"] == "FR76 •••• •••• 0189"
    with pytest.raises(errors.Forbidden):
        family.as_agent.direct_debit_details(request["id"])
    family.as_agent.take_request(request["id"])
    family.as_agent.accept_request(request["id"])
    event = announced(look, "direct_debit_accepted")[0]
    assert "iban" not in event and event["request_reference"] == request["reference"]
    details = family.as_part("billing").direct_debit_details(request["id"])
    assert details["iban"] == "FR7630006000011234567890189" and details["bic"] == "AGRIFRPP"


@pytest.mark.parametrize("iban, bic, code", [
    ("FR76 3000 6000 0112 3456 7890 188", BIC, "iban_checksum"),
    ("ZZ76 3000 6000 0112 3456 7890 189", BIC, "iban_country"),
    (IBAN, "BNPAFRPP", "bic_mismatch"),
])
def test_an_invalid_iban_is_refused_in_french_and_nothing_is_written(family, martin, snapshot, iban, bic, code):
    before = snapshot()
    with pytest.raises(errors.Invalid) as refused:
        family.as_family(martin).submit_request("prelevement_automatique", {
            "account_holder": "Anne Martin", "iban": iban, "bic": bic, "mandate_accepted": True})
    assert refused.value.code == code and refused.value.message
    assert snapshot() == before


def test_a_question_waits_for_the_family_whose_answer_gives_it_back(family, martin, look):
    request = family.as_family(martin).submit_request("contact", {"subject": "restauration", "message": "Menus ?"})
    agent = family.as_agent
    agent.take_request(request["id"])
    asked = agent.ask_question(request["id"], "Pour quel enfant ?")
    assert asked["status"] == "waiting_for_family"
    mine = family.as_family(martin)
    assert mine.list_my_requests()[0]["expected"] == "Pour quel enfant ?"
    answered = mine.post_message(request["id"], "Pour Léa.")
    assert answered["status"] == "in_review" and answered["expected"] is None
    replied = agent.post_message(request["id"], "Les menus sont en ligne.")
    assert replied["last_message"]["body"] == "Les menus sont en ligne."
    assert [e["action"] for e in replied["timeline"]] == ["submitted", "taken", "question", "answered", "message"]
    posted = announced(look, "request_message_posted")[0]
    assert posted["author"] == "agent" and posted["request_id"] == request["id"]
    assert posted["message_id"] == replied["timeline"][-1]["id"]
    assert announced(look, "request_submitted")[0]["request_id"] == request["id"]
    refused = agent.refuse_request(request["id"], "Question hors du champ de la Caisse.")
    assert refused["status"] == "refused" and refused["decision_reason"] == "Question hors du champ de la Caisse."
    statuses = [e["status"] for e in announced(look, "request_status_changed")]
    assert statuses == ["in_review", "waiting_for_family", "in_review", "refused"]


def test_a_forbidden_move_or_an_oversized_message_is_refused_and_nothing_is_written(family, martin, snapshot):
    request = family.as_family(martin).submit_request("contact", {"subject": "autre", "message": "Bonjour"})
    before = snapshot()
    with pytest.raises(errors.Conflict) as early:
        family.as_agent.accept_request(request["id"])
    assert early.value.code == "invalid_status_move"
    with pytest.raises(errors.Invalid) as long:
        family.as_family(martin).post_message(request["id"], "x" * 5001)
    assert long.value.code == "invalid_message"
    with pytest.raises(errors.Invalid) as no_reason:
        family.as_agent.refuse_request(request["id"], " ")
    assert no_reason.value.code == "reason_required"
    assert snapshot() == before
    family.as_family(martin).withdraw_request(request["id"])
    with pytest.raises(errors.Conflict):
        family.as_family(martin).withdraw_request(request["id"])


def test_another_family_never_reaches_my_requests(family, martin, durand):
    request = family.as_family(martin).submit_request("contact", {"subject": "autre", "message": "Bonjour"})
    theirs = family.as_family(durand)
    assert theirs.list_my_requests() == []
    for call in (lambda: theirs.request_detail(request["id"]), lambda: theirs.withdraw_request(request["id"]),
                 lambda: theirs.post_message(request["id"], "Bonjour")):
        with pytest.raises(errors.NotFound) as refused:
            call()
        assert refused.value.code == "request_not_found"
    assert family.as_agent.request_detail(request["id"])["reference"] == request["reference"]
    assert family.as_family(martin).request_detail(request["reference"].lower())["id"] == request["id"]
    with pytest.raises(errors.NotFound):
        theirs.request_detail(request["reference"])
    with pytest.raises(errors.Forbidden):
        theirs.request_inbox()
    with pytest.raises(errors.Unauthenticated):
        family.unsigned.request_detail(request["id"])


def test_a_separation_naming_a_stranger_is_refused_at_submission(family, martin, durand):
    with pytest.raises(errors.Invalid) as refused:
        family.as_family(martin).submit_request("changement_situation", {
            "change": "separation", "separated_on": "2026-01-02", "guardian_id": durand["guardians"][0]["id"]})
    assert refused.value.code == "guardian_not_found"


def test_a_document_asked_by_the_caisse_waits_for_the_family(family, martin):
    opened = family.as_agent.open_document_request(martin["id"], "avis_imposition", "Avis d'imposition")
    assert opened["kind"] == "document_demande" and opened["status"] == "waiting_for_family"
    mine = family.as_family(martin)
    assert mine.list_my_requests()[0]["expected"].startswith("Envoyer le document demandé : avis d'imposition")
    document = str(uuid.uuid4())
    assert mine.post_message(opened["id"], "Le voici.", [document])["document_ids"] == [document]
    assert family.as_agent.accept_request(opened["id"])["status"] == "accepted"


def test_agents_find_households_and_filter_the_inbox(family, martin, durand):
    agent = family.as_agent
    assert [h["id"] for h in agent.search_households("durand")] == [durand["id"]]
    assert [h["id"] for h in agent.search_households("léa martin")] == [martin["id"]]
    assert [h["id"] for h in agent.search_households("paul.martin@example.fr")] == [martin["id"]]
    assert [h["id"] for h in agent.search_households(martin["child_key"].lower())] == [martin["id"]]
    with pytest.raises(errors.Invalid):
        agent.search_households("x")
    contact = family.as_family(martin).submit_request("contact", {"subject": "autre", "message": "Bonjour"})
    family.as_family(durand).submit_request("changement_situation", income(), [str(uuid.uuid4())])
    agent.take_request(contact["id"])
    assert [r["id"] for r in agent.request_inbox(kind="contact")] == [contact["id"]]
    assert [r["id"] for r in agent.request_inbox(assignee="me")] == [contact["id"]]
    assert len(agent.request_inbox(status="submitted", assignee="none")) == 1
    assert agent.request_inbox(older_than_days=3) == []
    with pytest.raises(errors.Invalid):
        agent.request_inbox(status="perdu")
    overview = agent.family_overview(martin["id"])
    assert overview["child_key"] == martin["child_key"] and len(overview["requests"]) == 1


def shared_by_vault(container, config, request, document_id, household_id=None):
    """vault's `document_shared`, sealed as its outbox relay sends it, handled by family."""
    with entrypoint_waiter(container, "on_document_shared", timeout=10):
        sealed_dispatcher(config, CallerKey(config["CALLER_CONTEXT_KEY"]))("vault", "document_shared", {
            "event_id": str(uuid.uuid4()), "share_id": str(uuid.uuid4()), "document_id": document_id,
            "household_id": household_id or request["household_id"], "request_id": request["id"],
            "reference": request["reference"], "category": "avis_imposition"})


def test_a_document_shared_from_the_safe_answers_the_caisse_once(family, container, config, martin, durand):
    opened = family.as_agent.open_document_request(martin["id"], "avis_imposition", "Avis d'imposition")
    document = str(uuid.uuid4())
    shared_by_vault(container, config, opened, str(uuid.uuid4()), household_id=durand["id"])  # not theirs: ignored
    assert family.as_agent.request_detail(opened["id"])["document_ids"] == []
    for _ in range(2):  # a replayed event changes nothing
        shared_by_vault(container, config, opened, document)
    seen = family.as_family(martin).request_detail(opened["id"])
    assert seen["status"] == "in_review" and seen["document_ids"] == [document]
    assert [e["action"] for e in seen["timeline"]] == ["document_asked", "document_shared"]


def test_the_open_requests_are_counted_by_status(container, family, martin):
    from prometheus_client import REGISTRY

    def open_requests(status):
        with entrypoint_hook(container, "measure_open_requests") as measure:
            measure()
        return REGISTRY.get_sample_value("portail_requests_open", {"status": status})

    before = open_requests("submitted")
    family.as_family(martin).submit_request("contact", {"subject": "facturation", "message": "Bonjour."})
    assert open_requests("submitted") == before + 1
    assert open_requests("in_review") is not None  # every open status is there, at zero when none is
