"""The single-use links identity e-mails: how long each works."""
from datetime import datetime, timedelta, timezone

import pytest

from identity import links
from kit import links as kit_links

NOW = datetime(2026, 10, 5, 8, 30, tzinfo=timezone.utc)


@pytest.mark.parametrize("purpose, lifetime", [
    (links.EMAIL_VERIFICATION, timedelta(hours=48)),
    (links.PASSWORD_RESET, timedelta(hours=1)),
    (links.EMAIL_CHANGE, timedelta(hours=48)),
])
def test_each_link_works_for_its_lifetime_then_no_more(purpose, lifetime):
    expires_at = links.expiry(purpose, NOW)
    assert expires_at == NOW + lifetime
    assert links.is_usable(expires_at, None, NOW + lifetime - timedelta(microseconds=1)) is True
    assert links.is_usable(expires_at, None, NOW + lifetime) is False


def test_a_reset_link_expires_within_an_hour():
    assert links.LIFETIMES[links.PASSWORD_RESET] <= timedelta(hours=1)


def test_a_spent_link_never_works_again():
    assert links.is_usable(links.expiry(links.EMAIL_VERIFICATION, NOW), NOW, NOW) is False


def test_every_purpose_has_a_lifetime_and_a_page_of_the_portal():
    assert set(links.LIFETIMES) == set(links.PURPOSES) == set(kit_links.PAGES)
