"""The single-use links identity e-mails: how long each works, where it leads."""
from datetime import datetime, timedelta, timezone

import pytest

from identity import links

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


@pytest.mark.parametrize("purpose, page", [
    (links.EMAIL_VERIFICATION, "https://portail.example/verifier-courriel?jeton=abc"),
    (links.PASSWORD_RESET, "https://portail.example/nouveau-mot-de-passe?jeton=abc"),
    (links.EMAIL_CHANGE, "https://portail.example/confirmer-courriel?jeton=abc"),
])
def test_each_link_leads_to_its_page_of_the_portal(purpose, page):
    assert links.url("https://portail.example/", purpose, "abc") == page
    assert links.url("https://portail.example", purpose, "abc") == page


def test_every_purpose_has_a_lifetime_and_a_page():
    assert set(links.LIFETIMES) == set(links.PAGES) == set(links.PURPOSES)
