"""identity in a nameko container against the real PostgreSQL and RabbitMQ;
the family service is replaced by a stand-in keeping its contract."""
import re
import time
import uuid
from datetime import datetime, timedelta, timezone

import eventlet
import pytest
from argon2 import PasswordHasher
from nameko.events import event_handler
from nameko.standalone.rpc import ServiceRpcProxy
from nameko.testing.services import entrypoint_waiter, replace_dependencies
from sqlalchemy import func, select, update

from identity import passwords
from identity.models import Account, OutboxEvent, Session
from identity.service import IdentityService
from kit.db import make_engine
from kit.errors import Conflict, Invalid, NotFound, Unauthenticated

HOUSEHOLD = "0b6f1c1e-8a52-4b7e-9a0e-6f4f3f2b1a10"
OTHER_HOUSEHOLD = "5d1e9f36-2c4b-4f0a-8d7e-3b2a1c0f9e88"
CHILD_KEYS = {"12345-ABC123": HOUSEHOLD, "67890-XYZ789": OTHER_HOUSEHOLD}
PASSWORD = "Cantine-du-mercredi"


def household_for_child_key(child_key):
    """The family service's contract: normalised, checked for shape, then looked up."""
    key = child_key.strip().upper()
    if not re.fullmatch(r"\d{5}-[A-Z0-9]{6}", key):
        raise Invalid("Clé enfance mal formée.", code="invalid_child_key", fields={"child_key": "mal formée"})
    if key not in CHILD_KEYS:
        raise NotFound("Clé enfance inconnue.", code="unknown_child_key")
    return {"household_id": CHILD_KEYS[key]}


class AccountCreatedListener:
    name = "identity_listener"

    @event_handler("identity", "account_created")
    def on_account_created(self, payload):
        return payload


@pytest.fixture
def look(database_url):
    """A separate engine to look at the rows."""
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def family(container_factory, config):
    container = container_factory(IdentityService, config)
    family = replace_dependencies(container, "family")
    family.household_for_child_key.side_effect = household_for_child_key
    container.start()
    return family


@pytest.fixture
def identity(family, config):
    with ServiceRpcProxy("identity", config) as proxy:
        yield proxy


def count(look, model):
    with look.connect() as connection:
        return connection.execute(select(func.count()).select_from(model)).scalar_one()


def stored_account(look, email):
    with look.connect() as connection:
        return connection.execute(select(Account).where(Account.email == email)).one()


def change(look, statement):
    with look.begin() as connection:
        connection.execute(statement)


def refusal(kind, call, *args):
    with pytest.raises(kind) as raised:
        call(*args)
    return raised.value


def register(identity, email="parent@exemple.fr", password=PASSWORD, child_key="12345-ABC123"):
    return identity.register(email, password, child_key)


# register

def test_a_family_registers_with_its_child_key_and_gets_a_family_account(identity, family):
    account = register(identity)
    assert set(account) == {"id", "email", "role", "household_id", "created_at"}
    assert uuid.UUID(account["id"])
    assert account["email"] == "parent@exemple.fr"
    assert account["role"] == "family"
    assert account["household_id"] == HOUSEHOLD
    created = datetime.fromisoformat(account["created_at"])
    assert abs(created - datetime.now(timezone.utc)) < timedelta(minutes=1)
    family.household_for_child_key.assert_called_once_with("12345-ABC123")


def test_the_email_is_kept_trimmed_and_lower_cased(identity, look):
    account = register(identity, email="  Parent.Martin@Exemple.FR ")
    assert account["email"] == "parent.martin@exemple.fr"
    assert stored_account(look, "parent.martin@exemple.fr").id == uuid.UUID(account["id"])
    assert identity.authenticate("PARENT.MARTIN@exemple.fr  ", PASSWORD)["account"]["id"] == account["id"]


def test_the_password_is_stored_only_as_an_argon2id_hash(identity, look):
    register(identity)
    stored = stored_account(look, "parent@exemple.fr").password_hash
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored


def test_a_registration_is_announced_with_the_account_and_its_household(identity, container_factory, config):
    listener = container_factory(AccountCreatedListener, config)
    listener.start()
    with entrypoint_waiter(listener, "on_account_created", timeout=10) as received:
        account = register(identity)
    payload = received.get()
    assert payload["account_id"] == account["id"]
    assert payload["household_id"] == HOUSEHOLD
    assert uuid.UUID(payload["event_id"]) and datetime.fromisoformat(payload["occurred_at"])


def test_two_guardians_of_one_household_each_open_an_account(identity):
    first = register(identity, email="mere@exemple.fr")
    second = register(identity, email="pere@exemple.fr", child_key=" 12345-abc123 ")
    assert first["household_id"] == second["household_id"] == HOUSEHOLD
    assert first["id"] != second["id"]


@pytest.mark.parametrize("password, reason", [
    ("court", "Le mot de passe doit contenir au moins 12 caractères."),
    ("Ab1-" * 33, "Le mot de passe ne doit pas dépasser 128 caractères."),
    ("MotDePasse123", "Ce mot de passe fait partie des plus courants : choisissez-en un plus difficile à deviner."),
    ("AZERTYUIOP123", "Ce mot de passe fait partie des plus courants : choisissez-en un plus difficile à deviner."),
])
def test_a_weak_password_is_refused_with_its_reason_and_creates_nothing(identity, family, look, password, reason):
    error = refusal(Invalid, register, identity, "parent@exemple.fr", password)
    assert (error.code, error.fields) == ("weak_password", {"password": reason})
    assert error.message == reason
    assert count(look, Account) == count(look, OutboxEvent) == 0
    family.household_for_child_key.assert_not_called()


@pytest.mark.parametrize("email", ["parent", "parent@", "", "parent @exemple.fr", None, 42])
def test_a_bad_email_is_refused_and_creates_nothing(identity, look, email):
    error = refusal(Invalid, register, identity, email)
    assert (error.code, set(error.fields)) == ("invalid_email", {"email"})
    assert count(look, Account) == count(look, OutboxEvent) == 0


def test_a_malformed_child_key_is_refused_on_its_field_and_creates_nothing(identity, look):
    error = refusal(Invalid, register, identity, "parent@exemple.fr", PASSWORD, "ABC")
    assert error.code == "invalid_child_key"
    assert error.fields == {"child_key": error.message}
    assert "clé enfance" in error.message
    assert count(look, Account) == count(look, OutboxEvent) == 0


def test_an_unknown_child_key_is_refused_on_its_field_and_creates_nothing(identity, look):
    error = refusal(Invalid, register, identity, "parent@exemple.fr", PASSWORD, "99999-ZZZ999")
    assert error.code == "unknown_child_key"
    assert error.fields == {"child_key": error.message}
    assert count(look, Account) == count(look, OutboxEvent) == 0


def test_a_taken_email_is_refused_whatever_its_case_and_creates_nothing(identity, look):
    register(identity)
    error = refusal(Conflict, register, identity, " PARENT@exemple.fr", "Un-autre-mot-de-passe", "67890-XYZ789")
    assert error.code == "email_taken"
    assert error.message == "Un compte existe déjà avec cette adresse e-mail."
    assert count(look, Account) == count(look, OutboxEvent) == 1


def test_all_faults_of_a_registration_are_reported_at_once(identity, family):
    error = refusal(Invalid, register, identity, "parent", "court", None)
    assert set(error.fields) == {"email", "password", "child_key"}
    assert error.code == "invalid_email"
    family.household_for_child_key.assert_not_called()


# authenticate

def test_a_family_logs_in_and_its_token_names_its_account(identity):
    account = register(identity)
    login = identity.authenticate("parent@exemple.fr", PASSWORD)
    assert set(login) == {"token", "expires_at", "account"}
    assert login["account"] == account
    assert identity.verify_token(login["token"]) == account


def test_a_login_lasts_twelve_hours(identity):
    register(identity)
    before = datetime.now(timezone.utc)
    expires_at = datetime.fromisoformat(identity.authenticate("parent@exemple.fr", PASSWORD)["expires_at"])
    assert before + timedelta(hours=12) <= expires_at <= datetime.now(timezone.utc) + timedelta(hours=12)


def test_the_token_is_stored_only_as_its_sha256(identity, look):
    register(identity)
    token = identity.authenticate("parent@exemple.fr", PASSWORD)["token"]
    with look.connect() as connection:
        kept = connection.execute(select(Session.token_sha256)).scalars().all()
    assert len(kept) == 1 and kept[0] != token and re.fullmatch(r"[0-9a-f]{64}", kept[0])


def test_each_login_gets_its_own_token(identity):
    register(identity)
    tokens = {identity.authenticate("parent@exemple.fr", PASSWORD)["token"] for _ in range(3)}
    assert len(tokens) == 3


def test_an_unknown_email_and_a_wrong_password_get_the_same_refusal(identity):
    register(identity)
    unknown = refusal(Unauthenticated, identity.authenticate, "inconnu@exemple.fr", PASSWORD)
    wrong = refusal(Unauthenticated, identity.authenticate, "parent@exemple.fr", "Pas-le-bon-mot-de-passe")
    assert unknown.code == wrong.code == "invalid_credentials"
    assert unknown.message == wrong.message == "Adresse e-mail ou mot de passe incorrect."
    assert unknown.fields == wrong.fields == {}



def test_an_unknown_email_costs_a_password_check_like_a_known_one(identity, monkeypatch):
    register(identity)
    verify, checked = passwords.verify, []

    def counting_verify(password_hash, password):
        checked.append(password_hash)
        return verify(password_hash, password)

    monkeypatch.setattr("identity.service.passwords.verify", counting_verify)
    for email in ("inconnu@exemple.fr", "parent@exemple.fr"):
        refusal(Unauthenticated, identity.authenticate, email, "Pas-le-bon-mot-de-passe")
    assert checked[0] is None and checked[1].startswith("$argon2id$")

@pytest.mark.parametrize("email, password", [
    (None, PASSWORD), ("parent", PASSWORD), ("parent@exemple.fr", None), ("parent@exemple.fr", ""),
    (42, 42), ("parent@exemple.fr", PASSWORD.upper()), ("parent@exemple.fr", "x" * 10_000),
])
def test_unusable_credentials_get_the_same_refusal(identity, look, email, password):
    register(identity)
    error = refusal(Unauthenticated, identity.authenticate, email, password)
    assert error.code == "invalid_credentials"
    assert count(look, Session) == 0


def test_a_deactivated_account_cannot_log_in_and_its_tokens_stop_working(identity, look):
    register(identity)
    token = identity.authenticate("parent@exemple.fr", PASSWORD)["token"]
    change(look, update(Account).values(active=False))
    assert refusal(Unauthenticated, identity.authenticate, "parent@exemple.fr", PASSWORD).code == "invalid_credentials"
    assert refusal(Unauthenticated, identity.verify_token, token).code == "invalid_token"


def test_a_password_hashed_with_older_parameters_is_upgraded_at_login(identity, look):
    register(identity)
    old = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(PASSWORD)
    change(look, update(Account).values(password_hash=old))
    identity.authenticate("parent@exemple.fr", PASSWORD)
    upgraded = stored_account(look, "parent@exemple.fr").password_hash
    assert upgraded != old
    assert upgraded.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert identity.authenticate("parent@exemple.fr", PASSWORD)["account"]["email"] == "parent@exemple.fr"


# verify_token and logout

def test_an_expired_token_is_refused(identity, look):
    register(identity)
    token = identity.authenticate("parent@exemple.fr", PASSWORD)["token"]
    change(look, update(Session).values(expires_at=datetime.now(timezone.utc) - timedelta(seconds=1)))
    error = refusal(Unauthenticated, identity.verify_token, token)
    assert error.code == "invalid_token"
    assert error.message == "Votre session a expiré ou n'est plus valide : veuillez vous reconnecter."


def test_a_logged_out_token_is_refused(identity, look):
    register(identity)
    token = identity.authenticate("parent@exemple.fr", PASSWORD)["token"]
    assert identity.logout(token) is None
    assert refusal(Unauthenticated, identity.verify_token, token).code == "invalid_token"
    with look.connect() as connection:
        assert connection.execute(select(Session.revoked_at)).scalar_one() is not None


def test_logging_out_ends_only_that_session(identity):
    register(identity)
    phone = identity.authenticate("parent@exemple.fr", PASSWORD)["token"]
    computer = identity.authenticate("parent@exemple.fr", PASSWORD)["token"]
    identity.logout(phone)
    assert identity.verify_token(computer)["email"] == "parent@exemple.fr"


def test_logging_out_twice_keeps_the_first_logout(identity, look):
    register(identity)
    token = identity.authenticate("parent@exemple.fr", PASSWORD)["token"]
    identity.logout(token)
    with look.connect() as connection:
        first = connection.execute(select(Session.revoked_at)).scalar_one()
    assert identity.logout(token) is None
    with look.connect() as connection:
        assert connection.execute(select(Session.revoked_at)).scalar_one() == first


def test_logging_out_an_unknown_token_is_harmless(identity):
    assert identity.logout("A" * 43) is None


@pytest.mark.parametrize("token", [None, "", 42, "pas-un-jeton", "A" * 10_000, {"token": "x"}])
def test_something_that_is_not_a_token_is_refused(identity, token):
    assert refusal(Unauthenticated, identity.verify_token, token).code == "invalid_token"
    assert refusal(Unauthenticated, identity.logout, token).code == "invalid_token"


def test_a_well_formed_token_never_issued_is_refused(identity):
    assert refusal(Unauthenticated, identity.verify_token, "A" * 43).code == "invalid_token"


# ensure_agent

def test_ensure_agent_creates_the_agent_once(identity, look):
    first = identity.ensure_agent("Agent@Caisse.example", "Guichet-de-la-mairie")
    again = identity.ensure_agent("agent@caisse.example ", "Guichet-de-la-mairie")
    assert first == again
    assert (first["email"], first["role"], first["household_id"]) == ("agent@caisse.example", "agent", None)
    assert count(look, Account) == 1
    assert count(look, OutboxEvent) == 0  # no family to welcome


def test_an_agent_logs_in_like_anyone(identity):
    agent = identity.ensure_agent("agent@caisse.example", "Guichet-de-la-mairie")
    login = identity.authenticate("agent@caisse.example", "Guichet-de-la-mairie")
    assert identity.verify_token(login["token"]) == agent


def test_ensure_agent_can_make_an_admin(identity):
    assert identity.ensure_agent("admin@caisse.example", "Regie-centrale-2026", "admin")["role"] == "admin"


def test_ensure_agent_refuses_an_address_held_by_another_role(identity, look):
    register(identity)
    identity.ensure_agent("agent@caisse.example", "Guichet-de-la-mairie")
    assert refusal(Conflict, identity.ensure_agent, "parent@exemple.fr", "Guichet-de-la-mairie").code == "email_taken"
    assert refusal(Conflict, identity.ensure_agent, "agent@caisse.example", "Guichet-de-la-mairie",
                   "admin").code == "email_taken"
    assert stored_account(look, "parent@exemple.fr").role == "family"
    assert count(look, Account) == 2


@pytest.mark.parametrize("email, password, role, code", [
    ("agent", "Guichet-de-la-mairie", "agent", "invalid_email"),
    ("agent@caisse.example", "motdepasse123", "agent", "weak_password"),
    ("agent@caisse.example", "Guichet-de-la-mairie", "family", "invalid_role"),
    ("agent@caisse.example", "Guichet-de-la-mairie", "superviseur", "invalid_role"),
])
def test_ensure_agent_refuses_bad_input_and_creates_nothing(identity, look, email, password, role, code):
    assert refusal(Invalid, identity.ensure_agent, email, password, role).code == code
    assert count(look, Account) == 0


# household_recipients and get_account

def test_the_recipients_of_a_household_are_its_active_family_accounts(identity, look):
    mother = register(identity, email="mere@exemple.fr")
    father = register(identity, email="pere@exemple.fr")
    register(identity, email="voisin@exemple.fr", child_key="67890-XYZ789")
    register(identity, email="ancien@exemple.fr")
    change(look, update(Account).where(Account.email == "ancien@exemple.fr").values(active=False))
    identity.ensure_agent("agent@caisse.example", "Guichet-de-la-mairie")
    assert identity.household_recipients(HOUSEHOLD) == [
        {"account_id": mother["id"], "email": "mere@exemple.fr"},
        {"account_id": father["id"], "email": "pere@exemple.fr"},
    ]


def test_a_household_without_accounts_has_no_recipients(identity):
    assert identity.household_recipients(str(uuid.uuid4())) == []


@pytest.mark.parametrize("household_id", ["", "42", None, 42])
def test_recipients_of_a_malformed_household_id_are_refused(identity, household_id):
    error = refusal(Invalid, identity.household_recipients, household_id)
    assert (error.code, set(error.fields)) == ("invalid_household_id", {"household_id"})


def test_an_account_is_found_by_its_id(identity):
    account = register(identity)
    assert identity.get_account(account["id"]) == account


def test_an_unknown_account_is_not_found(identity):
    error = refusal(NotFound, identity.get_account, str(uuid.uuid4()))
    assert (error.code, error.message) == ("account_not_found", "Ce compte n'existe pas.")


@pytest.mark.parametrize("account_id", ["", "pas-un-uuid", None, 42])
def test_a_malformed_account_id_is_refused(identity, account_id):
    error = refusal(Invalid, identity.get_account, account_id)
    assert (error.code, set(error.fields)) == ("invalid_account_id", {"account_id"})



def test_a_password_being_checked_does_not_stall_other_calls(identity, config, monkeypatch):
    account = register(identity)
    blocking_sleep = eventlet.patcher.original("time").sleep
    verify = passwords.verify
    checking = {}

    def slow_verify(password_hash, password):  # argon2 as a long CPU-bound call that never yields
        checking["started"] = time.perf_counter()
        blocking_sleep(1)
        checking["ended"] = time.perf_counter()
        return verify(password_hash, password)

    monkeypatch.setattr("identity.service.passwords.verify", slow_verify)

    def log_in():
        with ServiceRpcProxy("identity", config) as proxy:
            return proxy.authenticate("parent@exemple.fr", PASSWORD)

    login = eventlet.spawn(log_in)
    while "started" not in checking and not login.dead:
        eventlet.sleep(0.01)
    identity.get_account(account["id"])
    answered = time.perf_counter()
    assert login.wait()["account"] == account
    assert checking["started"] < answered < checking["ended"]


def test_the_first_agent_is_created_at_start_from_the_settings(container_factory, config, look):
    settings = dict(config, PORTAL_BOOTSTRAP_AGENT_EMAIL="Premier.Agent@Caisse.example",
                    PORTAL_BOOTSTRAP_AGENT_PASSWORD="Guichet-de-la-mairie")
    container = container_factory(IdentityService, settings)
    with entrypoint_waiter(container, "ensure_bootstrap_agent"):
        container.start()
    agent = stored_account(look, "premier.agent@caisse.example")
    assert agent.role == "agent"
    with ServiceRpcProxy("identity", config) as identity:
        assert identity.authenticate("premier.agent@caisse.example", "Guichet-de-la-mairie")["account"]["role"] == "agent"
