from datetime import datetime, timezone

import pytest
from hypothesis import given, strategies as st

from kit import retention

NOW = datetime(2026, 12, 2, 10, tzinfo=timezone.utc)


def test_periods_count_back_from_now():
    assert retention.days_ago(NOW, 30) == datetime(2026, 11, 2, 10, tzinfo=timezone.utc)
    assert retention.months_ago(NOW, 12).date() == datetime(2025, 12, 2).date()
    assert retention.days_ago(NOW, 0) == NOW


@given(st.floats(min_value=0, max_value=1200), st.floats(min_value=0, max_value=1200))
def test_a_longer_period_reaches_further_back(shorter, longer):
    shorter, longer = sorted((shorter, longer))
    assert retention.months_ago(NOW, longer) <= retention.months_ago(NOW, shorter) <= NOW


def test_a_setting_is_read_from_the_config_else_the_default_and_never_negative():
    assert retention.retention_setting({"OUTBOX_RETENTION_DAYS": "7"}, "OUTBOX_RETENTION_DAYS", 30) == 7
    assert retention.retention_setting({}, "OUTBOX_RETENTION_DAYS_UNSET_HERE", 30) == 30
    with pytest.raises(ValueError):
        retention.retention_setting({"OUTBOX_RETENTION_DAYS": "-1"}, "OUTBOX_RETENTION_DAYS", 30)
