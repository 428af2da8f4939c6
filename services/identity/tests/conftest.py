import pytest


@pytest.fixture
def service_name():
    return "identity"
