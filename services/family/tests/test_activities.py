"""The nine activities, the days they may run and the calendar of zone C."""
import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from family.activities import ACTIVITIES, DAY_BOOKED, PREREGISTERED, label, weekday_name
from family.calendars import Calendar, school_year_key

CALENDAR = Calendar.official({dt.date(2026, 12, 18): "Journée pédagogique"})
SCHOOL_YEAR_DAYS = st.dates(dt.date(2025, 9, 1), dt.date(2027, 8, 31))


def test_there_are_exactly_the_nine_activities_of_the_contract():
    assert set(ACTIVITIES) == {"restauration_scolaire", "accueil_du_soir", "etude", "alsh_mercredi",
                               "alsh_vacances", "cis_mercredi", "cis_vacances", "mini_sejour", "centre_vacances"}
    assert set(DAY_BOOKED) | set(PREREGISTERED) == set(ACTIVITIES)
    assert set(PREREGISTERED) == {"alsh_vacances", "cis_vacances", "mini_sejour", "centre_vacances"}


@pytest.mark.parametrize("code, french", [("etude", "Étude surveillée"), ("mini_sejour", "Mini-séjour"),
                                          ("cis_mercredi", "Centre d'initiation sportive du mercredi")])
def test_each_activity_has_its_french_name(code, french):
    assert label(code) == french


@pytest.mark.parametrize("day, why", [
    (dt.date(2026, 10, 19), "pas d'école : vacances de la toussaint"),
    (dt.date(2027, 3, 29), "jour férié (Lundi de Pâques)"),
    (dt.date(2026, 12, 18), "fermeture de la Caisse des écoles (Journée pédagogique)"),
    (dt.date(2027, 2, 8), "pas d'école : vacances d'hiver"),
    (dt.date(2027, 5, 7), "pas d'école : pont de l'ascension"),
    (dt.date(2026, 10, 7), "l'activité n'a pas lieu le mercredi"),
    (dt.date(2028, 1, 10), "le calendrier de cette année scolaire n'est pas encore publié"),
])
def test_catering_does_not_run_on_holidays_public_holidays_closures_or_wednesdays(day, why):
    assert CALENDAR.closed_because(ACTIVITIES["restauration_scolaire"], day) == why


def test_the_school_days_of_zone_c_in_november_2026():
    days = CALENDAR.days(ACTIVITIES["restauration_scolaire"], dt.date(2026, 10, 12), dt.date(2026, 11, 6))
    assert [day.isoformat() for day in days] == [
        "2026-10-12", "2026-10-13", "2026-10-15", "2026-10-16",   # then la Toussaint
        "2026-11-02", "2026-11-03", "2026-11-05", "2026-11-06"]


def test_the_holiday_leisure_centre_runs_on_holiday_weekdays_only():
    days = CALENDAR.days(ACTIVITIES["alsh_vacances"], dt.date(2026, 10, 16), dt.date(2026, 11, 3))
    assert days[0] == dt.date(2026, 10, 19) and days[-1] == dt.date(2026, 10, 30)
    assert dt.date(2026, 11, 2) not in days  # school resumes on Monday 2 November
    assert len(days) == 10


def test_summer_is_a_holiday_between_two_school_years():
    assert CALENDAR.school_holiday(dt.date(2026, 8, 3)) == "Vacances d'été"
    assert CALENDAR.school_holiday(dt.date(2026, 9, 1)) is None
    assert school_year_key(dt.date(2026, 8, 31)) == "2025-2026"
    assert school_year_key(dt.date(2026, 9, 1)) == "2026-2027"


@given(SCHOOL_YEAR_DAYS)
def test_school_time_and_holiday_activities_never_run_on_the_same_day(day):
    school = CALENDAR.runs(ACTIVITIES["restauration_scolaire"], day) or CALENDAR.runs(ACTIVITIES["alsh_mercredi"], day)
    holidays = CALENDAR.runs(ACTIVITIES["alsh_vacances"], day)
    assert not (school and holidays)


@given(SCHOOL_YEAR_DAYS, st.sampled_from(list(ACTIVITIES.values())))
def test_nothing_runs_at_the_weekend_or_on_a_public_holiday(day, activity):
    if day.weekday() >= 5 or CALENDAR.public_holiday(day):
        assert not CALENDAR.runs(activity, day)


@given(SCHOOL_YEAR_DAYS)
def test_a_school_weekday_outside_the_holidays_runs_catering_or_has_a_reason(day):
    why = CALENDAR.closed_because(ACTIVITIES["restauration_scolaire"], day)
    assert why is None or why
    if why is None:
        assert weekday_name(day) in ("lundi", "mardi", "jeudi", "vendredi")
        assert CALENDAR.school_holiday(day) is None
