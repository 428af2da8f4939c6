"""Absences: a certificate within the delay, validated, means not billed;
otherwise each activity's rule (the first day billed, or every day)."""
import datetime as dt
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kit.errors import Conflict, Invalid

from family import absences, billable
from family.absences import Certificate
from family.calendars import Calendar

PARIS = ZoneInfo("Europe/Paris")
DELAY = dt.timedelta(hours=48)
MONDAY = dt.date(2026, 11, 16)


def absence(certificate=Certificate.NONE, first=MONDAY, last=MONDAY + dt.timedelta(days=3)):
    return SimpleNamespace(id="a1", first_day=first, last_day=last, certificate_status=certificate,
                           certificate_document_id=None, certificate_given_at=None)


def test_a_certificate_given_within_48_hours_of_the_first_day_awaits_an_agent():
    reported = absence()
    absences.attach_certificate(reported, "doc-1", dt.datetime(2026, 11, 18, 23, 59, 59, tzinfo=PARIS), DELAY)
    assert reported.certificate_status == Certificate.PENDING and reported.certificate_document_id == "doc-1"


def test_a_certificate_given_too_late_is_refused_and_changes_nothing():
    reported = absence()
    with pytest.raises(Invalid) as refused:
        absences.attach_certificate(reported, "doc-1", dt.datetime(2026, 11, 19, 0, 0, 1, tzinfo=PARIS), DELAY)
    assert refused.value.code == "certificate_too_late"
    assert reported.certificate_status == Certificate.NONE


def test_an_agent_validates_or_refuses_a_pending_certificate_only():
    with pytest.raises(Conflict):
        absences.move(absence(), Certificate.VALIDATED)
    assert absences.move(absence(Certificate.PENDING), Certificate.REFUSED).certificate_status == Certificate.REFUSED


def test_dates_of_an_absence_follow_each_other():
    with pytest.raises(Invalid):
        absences.check_range(MONDAY, MONDAY - dt.timedelta(days=1))


def test_a_justified_absence_is_not_billed():
    assert absences.treatment(absence(Certificate.VALIDATED), 0, 1)[:2] == ("absence_justified", False)


@pytest.mark.parametrize("certificate", [Certificate.NONE, Certificate.PENDING, Certificate.REFUSED])
def test_an_unjustified_absence_bills_the_first_day_when_the_rule_says_so(certificate):
    treated = [absences.treatment(absence(certificate), nth, 1)[:2] for nth in range(3)]
    assert treated == [("absence_unjustified", True), ("absence_unjustified", False), ("absence_unjustified", False)]


@given(st.integers(0, 30), st.one_of(st.none(), st.integers(0, 5)), st.sampled_from(list(Certificate)))
def test_an_absent_day_is_billed_exactly_when_unjustified_and_within_the_rule(nth, billed_days, certificate):
    status, billable_day, reason = absences.treatment(absence(certificate), nth, billed_days)
    justified = certificate == Certificate.VALIDATED
    assert billable_day == (not justified and (billed_days is None or nth < billed_days))
    assert status == ("absence_justified" if justified else "absence_unjustified") and reason


def row(day, status="booked", activity="restauration_scolaire"):
    return SimpleNamespace(id=f"b-{day}-{activity}", child_id="c1", child_first_name="Léa", activity=activity,
                           date=day, status=status)


def test_billable_days_say_booked_late_cancelled_and_absent_days_as_the_contract_does():
    days = [MONDAY + dt.timedelta(days=offset) for offset in (0, 1, 3)]
    items = billable.day_items([row(days[0]), row(days[1]), row(days[2]), row(MONDAY - dt.timedelta(days=4),
                                                                              "late_cancellation")],
                               {"c1": [absence(first=days[1], last=days[2])]}, {"restauration_scolaire": 1})
    assert [(i["date"], i["status"], i["billable"]) for i in sorted(items, key=lambda i: i["date"])] == [
        ("2026-11-12", "late_cancellation", True),
        ("2026-11-16", "booked", True),
        ("2026-11-17", "absence_unjustified", True),
        ("2026-11-19", "absence_unjustified", False),
    ]
    assert {i["item_id"] for i in items} == {f"booking:b-{day}-restauration_scolaire" for day in
                                             [*days, MONDAY - dt.timedelta(days=4)]}
    assert all(i["price_basis"] == "day" and i["end_date"] is None for i in items)


def test_a_confirmed_stay_is_one_item_with_its_dates():
    stay = SimpleNamespace(id="r1", child_id="c1", child_first_name="Léa", activity="mini_sejour",
                           first_day=dt.date(2027, 2, 8), last_day=dt.date(2027, 2, 12), price_basis="stay", days=[],
                           session_label="Mini-séjour à la mer")
    assert billable.stay_items([stay], Calendar.official()) == [{
        "item_id": "registration:r1", "child_id": "c1", "child_first_name": "Léa", "activity": "mini_sejour",
        "price_basis": "stay", "date": "2027-02-08", "end_date": "2027-02-12", "status": "booked", "billable": True,
        "reason": "Mini-séjour à la mer"}]


def test_a_stay_priced_by_the_day_bills_its_weekdays_but_not_a_public_holiday():
    stay = SimpleNamespace(id="r2", child_id="c1", child_first_name="Léa", activity="alsh_vacances",
                           first_day=dt.date(2026, 12, 21), last_day=dt.date(2026, 12, 27), price_basis="day",
                           days=[], session_label="Noël, semaine 1")
    assert [item["date"] for item in billable.stay_items([stay], Calendar.official())] == [
        "2026-12-21", "2026-12-22", "2026-12-23", "2026-12-24"]
