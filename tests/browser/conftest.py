"""Headless Chromium (Debian's, driven by Playwright) for the page tests; the
one browser of the session is the `browser` fixture of tests/conftest.py."""
import pytest


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="fr-FR", is_mobile=True)
    yield context.new_page()
    context.close()
