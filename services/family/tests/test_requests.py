"""The rules of requests (démarches), checked without any I/O."""
import datetime as dt
import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kit.errors import Conflict, Invalid

from family import household_changes, quotient, references, request_kinds as kinds, requests
from family.requests import Status

TODAY = dt.date(2026, 10, 1)
IBAN_FR, BIC_FR = "FR76 3000 6000 0112 3456 7890 189", "AGRIFRPP"


def test_a_request_goes_from_submitted_to_accepted_through_review():
    status = Status.SUBMITTED
    for target in (Status.IN_REVIEW, Status.WAITING, Status.IN_REVIEW, Status.ACCEPTED):
        status = requests.move(status, target)
    assert status == Status.ACCEPTED


@given(st.sampled_from(list(Status)), st.sampled_from(list(Status)))
def test_a_move_is_allowed_exactly_when_the_table_says_so(current, target):
    if target in requests.MOVES[current]:
        assert requests.move(current, target) == target
    else:
        with pytest.raises(Conflict) as refused:
            requests.move(current, target)
        assert refused.value.code == "invalid_status_move"


@given(st.sampled_from(list(Status)))
def test_the_family_may_withdraw_exactly_while_the_request_is_undecided(status):
    assert (Status.CANCELLED in requests.MOVES[status]) == (status not in requests.DECIDED)


def test_a_decided_request_never_moves_again():
    for decided in requests.DECIDED:
        assert not requests.MOVES[decided]


def test_an_undecided_request_cannot_be_accepted_before_review():
    with pytest.raises(Conflict):
        requests.move(Status.SUBMITTED, Status.ACCEPTED)


def test_every_status_and_action_has_a_french_label():
    assert set(requests.LABELS) == set(Status) == set(requests.AGENT_LABELS)
    assert set(requests.ACTION_LABELS) == set(requests.Action)


def test_the_family_is_told_what_is_expected_only_while_the_caisse_waits_for_it():
    assert requests.expected_from_family(Status.WAITING, "Votre avis d'imposition ?") == "Votre avis d'imposition ?"
    assert requests.expected_from_family(Status.IN_REVIEW, "x") is None


def test_an_oversized_or_empty_message_is_refused_with_a_code():
    with pytest.raises(Invalid) as long:
        requests.text("a" * (requests.MESSAGE_MAX + 1), "body", requests.MESSAGE_MAX, "invalid_message")
    assert long.value.code == "invalid_message" and "trop long" in long.value.message
    with pytest.raises(Invalid):
        requests.text("   ", "body", requests.MESSAGE_MAX, "invalid_message")
    assert requests.text("  Bonjour ", "body", 10, "c") == "Bonjour"


@given(st.integers(2000, 2999), st.integers(1, 999_999))
def test_a_reference_reads_back_as_its_year_and_number(year, number):
    text = references.reference(year, number)
    assert len(text) == len("D-2026-000123")
    assert references.parse(text) == (year, number)


def test_references_are_ordered_like_their_numbers():
    assert references.reference(2026, 123) == "D-2026-000123"
    assert references.parse("d-2026-000123 ") == (2026, 123)
    assert references.parse("D-2026-123") is None and references.parse(None) is None


def test_the_quotient_history_closes_each_period_the_day_before_the_next():
    opened = dt.date(2026, 1, 10)
    periods = quotient.history([quotient.opening(640, opened),
                                quotient.Period(700, dt.date(2026, 3, 1), "D-2026-000001"),
                                quotient.Period(900, dt.date(2026, 9, 1), "D-2026-000002")])
    assert [(p.value, p.valid_from, p.valid_until) for p in periods] == [
        (640, opened, dt.date(2026, 2, 28)), (700, dt.date(2026, 3, 1), dt.date(2026, 8, 31)),
        (900, dt.date(2026, 9, 1), None)]
    assert quotient.value_on(periods, dt.date(2026, 5, 1)).value == 700


def test_a_quotient_applied_from_a_day_replaces_what_was_planned_from_that_day_on():
    periods = quotient.history([quotient.opening(640, dt.date(2026, 1, 10)),
                                quotient.Period(900, dt.date(2026, 9, 1), "D-2026-000001"),
                                quotient.Period(700, dt.date(2025, 12, 1), "D-2026-000002")])
    assert [(p.value, p.valid_from, p.valid_until) for p in periods] == [(700, dt.date(2025, 12, 1), None)]
    assert quotient.value_on(periods, dt.date(2025, 5, 1)) is None


@given(st.lists(st.tuples(st.integers(0, 5000), st.dates(dt.date(2026, 1, 1), dt.date(2030, 1, 1))), max_size=8))
def test_the_quotient_periods_never_overlap_and_leave_no_gap(applied):
    periods = quotient.history([quotient.opening(500, dt.date(2026, 1, 1))]
                               + [quotient.Period(value, day, "test") for value, day in applied])
    for earlier, later in zip(periods, periods[1:]):
        assert earlier.valid_until + dt.timedelta(days=1) == later.valid_from
    assert periods[-1].valid_until is None
    if applied:
        assert (periods[-1].value, periods[-1].valid_from) == applied[-1]


def direct_debit(**changes):
    return {"account_holder": "Anne Martin", "iban": IBAN_FR, "bic": BIC_FR, "mandate_accepted": True, **changes}


def test_a_valid_direct_debit_request_keeps_the_compact_iban_and_bic():
    assert kinds.checked(kinds.DIRECT_DEBIT, direct_debit(), TODAY) == {
        "account_holder": "Anne Martin", "iban": "FR7630006000011234567890189", "bic": "AGRIFRPP",
        "mandate_accepted": True}


@pytest.mark.parametrize("changes, code", [
    ({"iban": "FR76 3000 6000 0112 3456 7890 188"}, "iban_checksum"),
    ({"iban": "XX76 3000 6000 0112 3456 7890 189"}, "iban_country"),
    ({"iban": "FR76 3000 6000 0112"}, "iban_invalid"),
    ({"bic": "BNPAFRPP"}, "bic_mismatch"),
    ({"bic": "COBADEFF"}, "bic_mismatch"),
    ({"bic": "AGRI"}, "bic_invalid"),
    ({"mandate_accepted": False}, "invalid_request"),
    ({"account_holder": ""}, "invalid_request"),
])
def test_an_invalid_iban_or_bic_is_refused_with_a_stable_code(changes, code):
    with pytest.raises(Invalid) as refused:
        kinds.checked(kinds.DIRECT_DEBIT, direct_debit(**changes), TODAY)
    assert refused.value.code == code and refused.value.fields


def test_an_iban_outside_the_sepa_zone_is_refused():
    with pytest.raises(Invalid) as refused:
        kinds.checked(kinds.DIRECT_DEBIT, direct_debit(iban="BR1800360305000010009795493C1", bic="BRASBRRJ"), TODAY)
    assert refused.value.code == "iban_not_sepa"


def test_the_iban_is_shown_by_its_ends_only():
    shown = kinds.masked(kinds.DIRECT_DEBIT, kinds.checked(kinds.DIRECT_DEBIT, direct_debit(), TODAY))
    assert shown["iban"] == "FR76 •••• •••• 0189"


def test_a_contact_needs_a_known_subject_and_a_message():
    assert kinds.checked(kinds.CONTACT, {"subject": "facturation", "message": " Bonjour "}, TODAY) == {
        "subject": "facturation", "message": "Bonjour"}
    with pytest.raises(Invalid) as unknown:
        kinds.checked(kinds.CONTACT, {"subject": "météo", "message": "Bonjour"}, TODAY)
    assert "subject" in unknown.value.fields
    with pytest.raises(Invalid):
        kinds.checked(kinds.CONTACT, {"subject": "autre", "message": "x" * (requests.MESSAGE_MAX + 1)}, TODAY)


def test_an_unknown_kind_or_change_is_refused():
    with pytest.raises(Invalid) as kind:
        kinds.checked("document_demande", {}, TODAY)
    assert kind.value.code == "unknown_request_kind"
    with pytest.raises(Invalid) as change:
        kinds.checked(kinds.SITUATION, {"change": "mariage"}, TODAY)
    assert change.value.code == "unknown_change"


def test_a_move_needs_a_full_address():
    data = kinds.checked(kinds.SITUATION, {"change": "demenagement", "moved_on": "2026-11-01", "address": {
        "line1": "3 rue des Lilas", "postal_code": "75011", "city": "Paris"}}, TODAY)
    assert data["address"]["line2"] is None and data["moved_on"] == "2026-11-01"
    with pytest.raises(Invalid) as refused:
        kinds.checked(kinds.SITUATION, {"change": "demenagement", "moved_on": "2026-11-01", "address": {
            "line1": "3 rue des Lilas", "postal_code": "7501", "city": "Paris"}}, TODAY)
    assert "address.postal_code" in refused.value.fields


def test_a_child_not_yet_born_cannot_be_added():
    with pytest.raises(Invalid) as refused:
        kinds.checked(kinds.SITUATION, {"change": "nouvel_enfant", "child": {
            "first_name": "Noé", "last_name": "Martin", "birth_date": "2027-01-01", "school": "Crèche"}}, TODAY)
    assert "child.birth_date" in refused.value.fields


def test_a_change_of_income_needs_its_attestation():
    data = kinds.checked(kinds.SITUATION, {"change": "revenus", "quotient_familial": 900,
                                           "valid_from": "2026-11-01"}, TODAY)
    with pytest.raises(Invalid) as refused:
        kinds.documents([], kinds.SITUATION, data)
    assert refused.value.code == "attestation_required"
    document = str(uuid.uuid4())
    assert kinds.documents([document, document], kinds.SITUATION, data) == [document]
    with pytest.raises(Invalid):
        kinds.documents(["pas-un-id"], kinds.CONTACT, {})


def household(guardians=1):
    return {"quotient_familial": 640, "address": None,
            "guardians": [{"id": f"g{i}", "first_name": "Anne", "last_name": f"Martin{i}", "email": "a@x.fr"}
                          for i in range(guardians)],
            "children": [{"id": "c1", "first_name": "Léa", "last_name": "Martin"}]}


def test_an_accepted_change_of_income_gives_a_new_quotient_from_its_date():
    change = household_changes.planned({"change": "revenus", "quotient_familial": 900, "valid_from": "2026-11-01"},
                                       household())
    assert change.quotient == {"value": 900, "valid_from": "2026-11-01", "justified": True}
    assert (change.before, change.after) == ({"quotient_familial": 640},
                                             {"quotient_familial": 900, "valid_from": "2026-11-01"})
    assert household_changes.planned({"change": "revenus", "quotient_familial": 900, "valid_from": "2026-11-01"},
                                     household(), quotient_override=850).quotient["value"] == 850


def test_an_accepted_birth_adds_the_child_and_journals_the_children_before_and_after():
    child = {"first_name": "Noé", "last_name": "Martin", "birth_date": "2026-05-01", "school": "Crèche"}
    change = household_changes.planned({"change": "nouvel_enfant", "child": child}, household())
    assert change.new_child == child
    assert change.after["children"] == ["Léa Martin", "Noé Martin"]


def test_a_household_keeps_one_or_two_guardians():
    guardian = {"first_name": "Paul", "last_name": "Durand", "email": "p@x.fr", "phone": None}
    with pytest.raises(Conflict) as full:
        household_changes.planned({"change": "nouveau_responsable", "guardian": guardian}, household(2))
    assert full.value.code == "household_full"
    with pytest.raises(Conflict) as last:
        household_changes.planned({"change": "separation", "guardian_id": "g0", "separated_on": "2026-10-01"},
                                  household(1))
    assert last.value.code == "last_guardian"
    leaving = household_changes.planned({"change": "separation", "guardian_id": "g1",
                                         "separated_on": "2026-10-01"}, household(2))
    assert leaving.leaving_guardian_id == "g1" and leaving.after == {"guardians": ["Anne Martin0"]}


def test_a_move_records_the_address_from_the_day_of_the_move():
    address = {"line1": "3 rue des Lilas", "line2": None, "postal_code": "75011", "city": "Paris"}
    change = household_changes.planned({"change": "demenagement", "address": address, "moved_on": "2026-11-01"},
                                       household())
    assert change.address == {**address, "valid_from": "2026-11-01"}
    assert change.before == {"address": None}


def test_an_agent_sets_a_sensible_quotient_or_none():
    assert household_changes.quotient_override(None) is None
    for wrong in (-1, True, "900", 200_000):
        with pytest.raises(Invalid):
            household_changes.quotient_override(wrong)


@pytest.mark.parametrize("kind, data, named", [
    (kinds.CONTACT, {"subject": "facturation", "message": "Bonjour"}, "Contacter la Caisse des écoles : facturation et paiements"),
    (kinds.CONTACT, {}, "Contacter la Caisse des écoles"),
    (kinds.SITUATION, {}, "Changement de situation familiale"),
    (kinds.DOCUMENT, {}, "Document demandé"),
])
def test_a_request_is_named_by_its_kind_once_its_data_is_erased(kind, data, named):
    assert kinds.title(kind, data) == named
