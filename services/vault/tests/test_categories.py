"""Each kind of document proves something for so long: the validity a
family sees, and the dates it must give."""
from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kit.errors import Invalid
from vault import categories
from vault.categories import BY_CODE, EXPIRED, EXPIRING, PERMANENT, VALID

TODAY = date(2026, 12, 2)


def until(code, issued_on, given=None, today=TODAY):
    return categories.valid_until(BY_CODE[code], issued_on, given, today)


def test_the_safe_knows_these_categories_in_this_order():
    assert [(c.code, c.label) for c in categories.CATEGORIES] == [
        ("attestation_domicile", "Attestation de domicile"), ("avis_imposition", "Avis d'imposition"),
        ("attestation_caf", "Attestation CAF"), ("certificat_medical", "Certificat médical"),
        ("livret_famille", "Livret de famille"), ("jugement", "Jugement"), ("autre", "Autre document")]


@pytest.mark.parametrize("code, issued_on, expected", [
    ("attestation_domicile", date(2026, 9, 15), date(2026, 12, 14)),
    ("attestation_domicile", date(2026, 11, 30), date(2027, 2, 27)),   # 30 Feb does not exist
    ("attestation_domicile", date(2026, 1, 31), date(2026, 4, 29)),
    ("avis_imposition", date(2026, 8, 20), date(2027, 12, 31)),
    ("certificat_medical", date(2026, 9, 1), date(2027, 8, 31)),
    ("livret_famille", date(2010, 5, 2), None),
    ("jugement", None, None),
    ("autre", None, None),
])
def test_a_document_is_valid_until_its_category_says(code, issued_on, expected):
    assert until(code, issued_on) == expected


def test_an_attestation_caf_is_valid_for_the_period_it_states():
    assert until("attestation_caf", date(2026, 1, 10), date(2026, 12, 31)) == date(2026, 12, 31)


@pytest.mark.parametrize("code, issued_on, given, error_code, field", [
    ("attestation_domicile", None, None, "missing_issue_date", "issued_on"),
    ("avis_imposition", date(2027, 1, 1), None, "issue_date_in_future", "issued_on"),
    ("attestation_caf", date(2026, 1, 10), None, "missing_valid_until", "valid_until"),
    ("attestation_caf", date(2026, 1, 10), date(2025, 12, 31), "valid_until_before_issue", "valid_until"),
    ("livret_famille", date(2027, 1, 1), None, "issue_date_in_future", "issued_on"),
])
def test_impossible_dates_are_refused_with_the_field_at_fault(code, issued_on, given, error_code, field):
    with pytest.raises(Invalid) as raised:
        until(code, issued_on, given)
    assert raised.value.code == error_code
    assert list(raised.value.fields) == [field]
    assert raised.value.fields[field] == raised.value.message


@given(st.dates(date(2000, 1, 1), TODAY), st.integers(1, 24))
def test_a_validity_in_months_always_ends_after_the_issue(issued_on, months):
    end = categories.add_months(issued_on, months) - timedelta(days=1)
    assert issued_on <= end
    assert (end.year - issued_on.year) * 12 + end.month - issued_on.month in (months - 1, months)


@pytest.mark.parametrize("valid_until, status", [
    (None, PERMANENT), (TODAY - timedelta(days=1), EXPIRED), (TODAY, EXPIRING),
    (TODAY + timedelta(days=29), EXPIRING), (TODAY + timedelta(days=30), VALID)])
def test_the_family_sees_which_documents_have_expired_or_soon_will(valid_until, status):
    assert categories.validity_status(valid_until, TODAY, notice_days=30) == status


def test_the_day_is_the_family_s_day_in_paris():
    assert categories.paris_day(datetime(2026, 12, 31, 23, 30, tzinfo=timezone.utc)) == date(2027, 1, 1)
