"""The first admin: made once, ever, from the deployment's settings, before identity serves."""
from datetime import datetime, timezone

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import sessionmaker

from identity import bootstrap
from identity.models import Account, Bootstrap, SecurityEvent
from identity.service import IdentityService
from kit.keys import WeakSecret

NOW = datetime(2026, 10, 5, 8, 30, tzinfo=timezone.utc)
EMAIL, PASSWORD = "premier.admin@caisse.example", "Regie-centrale-2026"


@pytest.fixture
def sessions(look):
    return sessionmaker(look, expire_on_commit=False)


@pytest.fixture
def settings(monkeypatch):
    def given(email=EMAIL, password=PASSWORD):
        for name, value in ((bootstrap.EMAIL_SETTING, email), (bootstrap.PASSWORD_SETTING, password)):
            if value is None:
                monkeypatch.delenv(name, raising=False)
            else:
                monkeypatch.setenv(name, value)
    return given


def accounts(look):
    with look.connect() as connection:
        return connection.execute(select(Account.email, Account.role, Account.active).order_by(Account.email)).all()


def change(look, statement):
    with look.begin() as connection:
        connection.execute(statement)


def test_the_first_admin_is_made_from_the_settings_and_can_log_in(database_url, look, settings, container_factory,
                                                                 config, rpc):
    settings(email=" Premier.Admin@Caisse.example ")
    made = bootstrap.main(database_url)
    assert (made.email, made.role, made.email_verified, made.active) == (EMAIL, "admin", True, True)
    with look.connect() as connection:
        assert connection.execute(select(SecurityEvent.action, SecurityEvent.actor_id)).all() == [
            ("agent_created", None)]
    container_factory(IdentityService, config).start()
    assert rpc("identity").as_part("gateway").authenticate(EMAIL, PASSWORD)["account"]["role"] == "admin"


def test_the_first_admin_is_made_once(database_url, look, settings):
    settings()
    assert bootstrap.main(database_url) is not None
    assert bootstrap.main(database_url) is None
    assert accounts(look) == [(EMAIL, "admin", True)]


def test_the_first_admin_is_not_made_again_after_changing_address(sessions, look):
    bootstrap.ensure_bootstrap_admin(sessions, EMAIL, PASSWORD, NOW)
    change(look, update(Account).values(email="regie@caisse.example"))
    assert bootstrap.ensure_bootstrap_admin(sessions, EMAIL, PASSWORD, NOW) is None
    assert accounts(look) == [("regie@caisse.example", "admin", True)]


def test_a_deactivated_first_admin_stays_so(sessions, look):
    bootstrap.ensure_bootstrap_admin(sessions, EMAIL, PASSWORD, NOW)
    change(look, update(Account).values(active=False))
    assert bootstrap.ensure_bootstrap_admin(sessions, EMAIL, PASSWORD, NOW) is None
    assert accounts(look) == [(EMAIL, "admin", False)]


def test_an_admin_of_before_the_record_is_taken_as_the_first_one(sessions, look):
    with sessions() as session, session.begin():
        session.add(Account(email=EMAIL, password_hash="kept", role="admin", email_verified=True))
    assert bootstrap.ensure_bootstrap_admin(sessions, EMAIL, "Un-autre-mot-de-passe", NOW) is None
    with look.connect() as connection:
        assert connection.execute(select(Account.password_hash)).scalar_one() == "kept"
        assert connection.execute(select(func.count()).select_from(Bootstrap)).scalar_one() == 1


def test_an_address_held_by_a_family_is_never_made_an_admin(sessions, look):
    with sessions() as session, session.begin():
        session.add(Account(email=EMAIL, password_hash="kept", role="family"))
    with pytest.raises(bootstrap.BootstrapRefused, match=bootstrap.EMAIL_SETTING):
        bootstrap.ensure_bootstrap_admin(sessions, EMAIL, PASSWORD, NOW)
    assert accounts(look) == [(EMAIL, "family", True)]
    with look.connect() as connection:
        assert connection.execute(select(func.count()).select_from(Bootstrap)).scalar_one() == 0


def test_without_settings_no_admin_is_made(database_url, look, settings):
    settings(email=None, password=None)
    assert bootstrap.main(database_url) is None
    assert accounts(look) == []


@pytest.mark.parametrize("password", [
    "court", "motdepasse123", "change-me-agent", "aaaaaaaaaaaaaaaa", None, "",
])
def test_a_password_the_policy_refuses_stops_the_start_and_is_never_shown(database_url, look, settings, password):
    settings(password=password)
    with pytest.raises(WeakSecret) as refused:
        bootstrap.main(database_url)
    assert bootstrap.PASSWORD_SETTING in str(refused.value)
    assert not password or password not in str(refused.value)
    assert accounts(look) == []


def test_a_malformed_address_stops_the_start(database_url, look, settings):
    settings(email="premier.admin")
    with pytest.raises(bootstrap.BootstrapRefused, match=bootstrap.EMAIL_SETTING):
        bootstrap.main(database_url)
    assert accounts(look) == []
