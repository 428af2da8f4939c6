"""When each activity runs, and its name as families read it."""
import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from family.activities import ACTIVITIES, label, weekday_name

MONDAY = dt.date(2026, 10, 5)
WEEK = [MONDAY + dt.timedelta(days=offset) for offset in range(7)]


@pytest.mark.parametrize("code, french", [
    ("restauration_scolaire", "Restauration scolaire"),
    ("accueil_du_soir", "Accueil du soir"),
    ("etude", "Étude surveillée"),
    ("alsh_mercredi", "Accueil de loisirs du mercredi"),
])
def test_each_activity_has_its_french_name(code, french):
    assert label(code) == french


def test_there_are_exactly_the_four_activities_of_the_contract():
    assert set(ACTIVITIES) == {"restauration_scolaire", "accueil_du_soir", "etude", "alsh_mercredi"}


@pytest.mark.parametrize("code", ["restauration_scolaire", "accueil_du_soir", "etude"])
def test_school_day_activities_run_on_monday_tuesday_thursday_and_friday(code):
    assert [weekday_name(day) for day in WEEK if ACTIVITIES[code].runs_on(day)] == [
        "lundi", "mardi", "jeudi", "vendredi"]


def test_the_wednesday_leisure_centre_runs_on_wednesdays_only():
    assert [weekday_name(day) for day in WEEK if ACTIVITIES["alsh_mercredi"].runs_on(day)] == ["mercredi"]


@given(st.dates(), st.sampled_from(list(ACTIVITIES.values())))
def test_nothing_runs_at_the_weekend(day, activity):
    if day.weekday() >= 5:
        assert not activity.runs_on(day)


@given(st.dates())
def test_on_any_weekday_either_school_activities_or_the_leisure_centre_run_never_both(day):
    school = ACTIVITIES["restauration_scolaire"].runs_on(day)
    leisure = ACTIVITIES["alsh_mercredi"].runs_on(day)
    assert not (school and leisure)
    assert school or leisure or day.weekday() >= 5
