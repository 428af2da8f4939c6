"""identity in a nameko container against the real PostgreSQL and RabbitMQ,
called as the gateway and notify call it; the family service is replaced by a
stand-in keeping its contract."""
import inspect
import re
import time
import uuid
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import eventlet
import pytest
from argon2 import PasswordHasher
from joserfc import jwt
from joserfc.jwk import KeySet
from nameko.events import event_handler
from nameko.exceptions import IncorrectSignature
from nameko.testing.services import entrypoint_hook, entrypoint_waiter, replace_dependencies
from sqlalchemy import func, select, update
from sqlalchemy.orm import sessionmaker

from identity import bootstrap, links, passwords, schemas
from identity.entrypoints import steps
from identity.models import (Account, Base, LinkToken, LoginThrottle, OutboxEvent, RefreshToken, SecurityEvent,
                             Session)
from identity.service import IdentityService
from kit.caller import ADMINS, AGENTS, PARTS, ROLES, Caller, CallerKey
from kit.errors import Conflict, Forbidden, Invalid, NotFound, TooManyRequests, Unauthenticated
from kit.events import utcnow

HOUSEHOLD = "0b6f1c1e-8a52-4b7e-9a0e-6f4f3f2b1a10"
OTHER_HOUSEHOLD = "5d1e9f36-2c4b-4f0a-8d7e-3b2a1c0f9e88"
CHILD_KEYS = {"12345-ABC123": HOUSEHOLD, "67890-XYZ789": OTHER_HOUSEHOLD}
PASSWORD = "Cantine-du-mercredi"
AGENT_PASSWORD, ADMIN_PASSWORD, NEW_PASSWORD = "Guichet-de-la-mairie", "Regie-centrale-2026", "Gouter-a-quatre-heures"


def household_for_child_key(child_key):
    """The family service's contract: normalised, checked for shape, then looked up."""
    key = child_key.strip().upper()
    if not re.fullmatch(r"\d{5}-[A-Z0-9]{6}", key):
        raise Invalid("Clé enfance mal formée.", code="invalid_child_key", fields={"child_key": "mal formée"})
    if key not in CHILD_KEYS:
        raise NotFound("Clé enfance inconnue.", code="unknown_child_key")
    return {"household_id": CHILD_KEYS[key]}


class Listener:
    """What notify hears of identity's e-mails."""

    name = "identity_listener"

    @event_handler("identity", "account_created")
    def on_account_created(self, payload):
        return payload

    @event_handler("identity", "email_verification_requested")
    def on_email_verification_requested(self, payload):
        return payload

    @event_handler("identity", "password_reset_requested")
    def on_password_reset_requested(self, payload):
        return payload

    @event_handler("identity", "email_change_requested")
    def on_email_change_requested(self, payload):
        return payload

    @event_handler("identity", "account_closed")
    def on_account_closed(self, payload):
        return payload


@pytest.fixture
def clock(monkeypatch):
    """The service's time, moved forward by `clock.later`."""
    now = SimpleNamespace(later=timedelta(0))
    monkeypatch.setattr(steps, "utcnow", lambda: utcnow() + now.later)
    return now


@pytest.fixture
def family(container_factory, config):
    container = container_factory(IdentityService, config)
    family = replace_dependencies(container, "family")
    family.household_for_child_key.side_effect = household_for_child_key
    container.start()
    return family


@pytest.fixture
def calls(family, rpc):
    """identity over the broker, as any caller reaches it."""
    return rpc("identity")


@pytest.fixture
def identity(calls):
    """identity as the gateway calls it for whoever is not logged in yet."""
    return calls.as_part("gateway")


@pytest.fixture
def notify(calls):
    return calls.as_part("notify")


@pytest.fixture
def as_person(calls):
    """`as_person(account, session_id=None)`: identity as the gateway calls it for a person it has logged in."""
    def calling(account, session_id=None):
        household_id = account["household_id"] and uuid.UUID(account["household_id"])
        return calls.as_caller(Caller(part="gateway", account_id=uuid.UUID(account["id"]), role=account["role"],
                                      household_id=household_id, session_id=session_id or str(uuid.uuid4())))
    return calling


@pytest.fixture
def sent_links(monkeypatch):
    """The tokens of the links identity e-mails, by purpose, as they were made."""
    sent, new_link = {purpose: [] for purpose in links.PURPOSES}, steps.new_link

    def recording(tx, account, purpose, email, now):
        token = new_link(tx, account, purpose, email, now)
        sent[purpose].append(token)
        return token

    monkeypatch.setattr(steps, "new_link", recording)
    return sent


def count(look, model):
    with look.connect() as connection:
        return connection.execute(select(func.count()).select_from(model)).scalar_one()


def stored_account(look, email):
    with look.connect() as connection:
        return connection.execute(select(Account).where(Account.email == email)).one()


def change(look, statement):
    with look.begin() as connection:
        connection.execute(statement)


def refusal(kind, call, *args, **kwargs):
    with pytest.raises(kind) as raised:
        call(*args, **kwargs)
    return raised.value


def register(identity, email="parent@exemple.fr", password=PASSWORD, child_key="12345-ABC123", client_ip=None):
    return identity.register(email, password, child_key, client_ip)


def log_in(identity, email="parent@exemple.fr", password=PASSWORD, client_ip=None):
    return identity.authenticate(email, password, client_ip)


def emitted(look, event_type):
    with look.connect() as connection:
        return connection.execute(select(OutboxEvent.payload).where(OutboxEvent.event_type == event_type)
                                  .order_by(OutboxEvent.id)).scalars().all()


def journal_actions(look):
    with look.connect() as connection:
        return connection.execute(select(SecurityEvent.action).order_by(SecurityEvent.at)).scalars().all()


def journal_of(look, action):
    with look.connect() as connection:
        return connection.execute(select(SecurityEvent).where(SecurityEvent.action == action)
                                  .order_by(SecurityEvent.at)).all()


def session_revoked(look, session_id):
    with look.connect() as connection:
        return connection.execute(select(Session.revoked_at).where(Session.id == uuid.UUID(session_id))
                                  ).scalar_one() is not None


def published(look):
    """Once the outbox relay has published what was pending: it marks the rows
    (and blanks their tokens), which is not the doing of the call under test."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with look.connect() as connection:
            if not connection.execute(select(OutboxEvent.id).where(OutboxEvent.published_at.is_(None))).first():
                return
        eventlet.sleep(0.05)


def snapshot(look):
    """The accounts, their sessions, tokens and links, and the events: what a refused call must leave as it was."""
    published(look)
    with look.connect() as connection:
        return [connection.execute(select(*columns)).all()
                for columns in ([Account], [Session], [RefreshToken], [LinkToken], [OutboxEvent])]


def everything(look):
    """Every row of every table, the journal and the counters of limits included."""
    published(look)
    with look.connect() as connection:
        return {table.name: sorted(map(repr, connection.execute(select(table)).all()))
                for table in Base.metadata.sorted_tables}


@pytest.fixture
def admin(look):
    """The first admin, made at start from the deployment's settings."""
    made = bootstrap.ensure_bootstrap_admin(sessionmaker(look, expire_on_commit=False), "admin@caisse.example",
                                            ADMIN_PASSWORD, utcnow())
    return schemas.account(made)


@pytest.fixture
def agent(as_person, admin):
    return as_person(admin).create_agent("agent@caisse.example", AGENT_PASSWORD, "agent")


# register

def test_a_family_registers_with_its_child_key_and_gets_a_family_account(identity, family):
    account = register(identity)
    assert set(account) == {"id", "email", "role", "household_id", "created_at", "email_verified",
                            "franceconnect_linked", "has_password", "active"}
    assert uuid.UUID(account["id"])
    assert account["email"] == "parent@exemple.fr"
    assert account["role"] == "family"
    assert account["household_id"] == HOUSEHOLD
    assert (account["email_verified"], account["franceconnect_linked"], account["has_password"], account["active"]) == (
        False, False, True, True)
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
    listener = container_factory(Listener, config)
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
    assert count(look, Account) == 1
    assert count(look, OutboxEvent) == 2  # account_created, email_verification_requested


def test_all_faults_of_a_registration_are_reported_at_once(identity, family):
    error = refusal(Invalid, register, identity, "parent", "court", None)
    assert set(error.fields) == {"email", "password", "child_key"}
    assert error.code == "invalid_email"
    family.household_for_child_key.assert_not_called()


# authenticate

def test_a_family_logs_in_and_its_token_names_its_account(identity):
    account = register(identity)
    login = identity.authenticate("parent@exemple.fr", PASSWORD)
    assert set(login) == {"token", "session_id", "expires_at", "account"}
    assert login["account"] == account
    assert identity.verify_token(login["token"]) == {**account, "session_id": login["session_id"]}


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

    monkeypatch.setattr("identity.passwords.verify", counting_verify)
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


# The first admin and the agents it makes

def test_the_first_admin_logs_in_and_makes_agents_who_log_in_like_anyone(identity, as_person, admin, look):
    login = log_in(identity, "admin@caisse.example", ADMIN_PASSWORD)
    assert identity.verify_token(login["token"]) == {**admin, "session_id": login["session_id"]}
    assert (admin["role"], admin["household_id"], admin["email_verified"]) == ("admin", None, True)
    agent = as_person(admin, login["session_id"]).create_agent("Agent@Caisse.example ", AGENT_PASSWORD, "agent")
    assert (agent["email"], agent["role"], agent["household_id"]) == ("agent@caisse.example", "agent", None)
    login = log_in(identity, "agent@caisse.example", AGENT_PASSWORD)
    assert identity.verify_token(login["token"]) == {**agent, "session_id": login["session_id"]}
    assert count(look, OutboxEvent) == 0  # no family to welcome


def test_an_admin_makes_another_admin(as_person, admin):
    assert as_person(admin).create_agent("regie@caisse.example", ADMIN_PASSWORD, "admin")["role"] == "admin"


def test_an_address_already_taken_is_refused_to_a_new_agent(identity, as_person, admin, agent, look):
    register(identity)
    for email in ("parent@exemple.fr", "AGENT@caisse.example"):
        assert refusal(Conflict, as_person(admin).create_agent, email, AGENT_PASSWORD, "admin").code == "email_taken"
    assert stored_account(look, "parent@exemple.fr").role == "family"
    assert count(look, Account) == 3


@pytest.mark.parametrize("email, password, role, code", [
    ("agent", AGENT_PASSWORD, "agent", "invalid_email"),
    ("agent@caisse.example", "motdepasse123", "agent", "weak_password"),
    ("agent@caisse.example", AGENT_PASSWORD, "family", "invalid_role"),
    ("agent@caisse.example", AGENT_PASSWORD, "superviseur", "invalid_role"),
])
def test_a_new_agent_with_bad_details_is_refused_and_nothing_is_made(as_person, admin, look, email, password, role,
                                                                      code):
    assert refusal(Invalid, as_person(admin).create_agent, email, password, role).code == code
    assert count(look, Account) == 1


# household_recipients and get_account

def test_the_recipients_of_a_household_are_its_active_family_accounts(identity, notify, agent, look):
    mother = register(identity, email="mere@exemple.fr")
    father = register(identity, email="pere@exemple.fr")
    register(identity, email="voisin@exemple.fr", child_key="67890-XYZ789")
    register(identity, email="ancien@exemple.fr")
    change(look, update(Account).where(Account.email == "ancien@exemple.fr").values(active=False))
    assert notify.household_recipients(HOUSEHOLD) == [
        {"account_id": mother["id"], "email": "mere@exemple.fr"},
        {"account_id": father["id"], "email": "pere@exemple.fr"},
    ]


def test_a_household_without_accounts_has_no_recipients(notify):
    assert notify.household_recipients(str(uuid.uuid4())) == []


@pytest.mark.parametrize("household_id", ["", "42", None, 42])
def test_recipients_of_a_malformed_household_id_are_refused(notify, household_id):
    error = refusal(Invalid, notify.household_recipients, household_id)
    assert (error.code, set(error.fields)) == ("invalid_household_id", {"household_id"})


def test_notify_finds_an_account_by_its_id(identity, notify):
    account = register(identity)
    assert notify.get_account(account["id"]) == account


def test_a_person_reads_their_own_account(identity, as_person):
    account = register(identity)
    assert as_person(account).get_account() == as_person(account).get_account(account["id"]) == account


def test_a_family_naming_another_account_gets_nothing_of_it(identity, as_person):
    account = register(identity)
    other = register(identity, email="voisin@exemple.fr", child_key="67890-XYZ789")
    error = refusal(NotFound, as_person(account).get_account, other["id"])
    assert (error.code, error.message) == ("account_not_found", "Ce compte n'existe pas.")


def test_an_unknown_account_is_not_found(notify):
    error = refusal(NotFound, notify.get_account, str(uuid.uuid4()))
    assert (error.code, error.message) == ("account_not_found", "Ce compte n'existe pas.")


@pytest.mark.parametrize("account_id", ["", "pas-un-uuid", None, 42])
def test_a_malformed_account_id_is_refused(notify, account_id):
    error = refusal(Invalid, notify.get_account, account_id)
    assert (error.code, set(error.fields)) == ("invalid_account_id", {"account_id"})


def test_a_password_being_checked_does_not_stall_other_calls(identity, notify, rpc, monkeypatch):
    account = register(identity)
    blocking_sleep = eventlet.patcher.original("time").sleep
    verify = passwords.verify
    checking = {}

    def slow_verify(password_hash, password):  # argon2 as a long CPU-bound call that never yields
        checking["started"] = time.perf_counter()
        blocking_sleep(1)
        checking["ended"] = time.perf_counter()
        return verify(password_hash, password)

    monkeypatch.setattr("identity.passwords.verify", slow_verify)
    elsewhere = rpc("identity").as_part("gateway")
    login = eventlet.spawn(log_in, elsewhere)
    while "started" not in checking and not login.dead:
        eventlet.sleep(0.01)
    notify.get_account(account["id"])
    answered = time.perf_counter()
    assert login.wait()["account"] == account
    assert checking["started"] < answered < checking["ended"]


# E-mail verification

def test_a_new_account_is_sent_a_link_to_verify_its_address(identity, look, sent_links):
    account = register(identity)
    assert account["email_verified"] is False
    [sent] = emitted(look, "email_verification_requested")
    assert (sent["account_id"], sent["email"]) == (account["id"], "parent@exemple.fr")
    assert uuid.UUID(sent["event_id"]) and datetime.fromisoformat(sent["occurred_at"])
    [token] = sent_links[links.EMAIL_VERIFICATION]
    with look.connect() as connection:
        kept = connection.execute(select(LinkToken.token_sha256)).scalar_one()
    assert token not in kept


@pytest.mark.parametrize("handler, ask", [
    ("on_email_verification_requested", lambda identity, as_person, account: None),
    ("on_password_reset_requested", lambda identity, as_person, account: identity.request_password_reset(
        "parent@exemple.fr")),
    ("on_email_change_requested", lambda identity, as_person, account: as_person(account).request_email_change(
        "nouvelle@exemple.fr", PASSWORD)),
])
def test_notify_is_handed_the_single_use_token_of_each_link_and_no_url(identity, as_person, container_factory, config,
                                                                     sent_links, handler, ask):
    listener = container_factory(Listener, config)
    listener.start()
    with entrypoint_waiter(listener, handler, timeout=10) as received:
        account = register(identity)
        ask(identity, as_person, account)
    payload = received.get()
    purpose = {"on_email_verification_requested": links.EMAIL_VERIFICATION,
               "on_password_reset_requested": links.PASSWORD_RESET,
               "on_email_change_requested": links.EMAIL_CHANGE}[handler]
    address = {"new_email": "nouvelle@exemple.fr"} if purpose == links.EMAIL_CHANGE else {"email": "parent@exemple.fr"}
    assert payload == {"event_id": payload["event_id"], "occurred_at": payload["occurred_at"],
                       "account_id": account["id"], **address, "token": sent_links[purpose][-1]}
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", payload["token"])


def test_following_the_link_verifies_the_address_once(identity, notify, look, sent_links):
    account = register(identity)
    [token] = sent_links[links.EMAIL_VERIFICATION]
    verified = identity.verify_email(token)
    assert verified == dict(account, email_verified=True)
    assert notify.get_account(account["id"])["email_verified"] is True
    error = refusal(Invalid, identity.verify_email, token)
    assert error.code == "invalid_token"
    assert error.message.startswith("Ce lien n'est plus valable")
    assert "email_verified" in journal_actions(look)


def test_a_verification_link_expires_after_48_hours(identity, notify, sent_links, clock):
    account = register(identity)
    clock.later = timedelta(hours=48, seconds=1)
    assert refusal(Invalid, identity.verify_email, sent_links[links.EMAIL_VERIFICATION][-1]).code == "invalid_token"
    assert notify.get_account(account["id"])["email_verified"] is False


def test_a_verification_link_works_until_its_48th_hour(identity, sent_links, clock):
    register(identity)
    clock.later = timedelta(hours=47, minutes=59)
    assert identity.verify_email(sent_links[links.EMAIL_VERIFICATION][-1])["email_verified"] is True


def test_a_new_verification_link_voids_the_previous_one(identity, as_person, sent_links):
    account = register(identity)
    assert as_person(account).resend_verification() is None
    first, second = sent_links[links.EMAIL_VERIFICATION]
    assert refusal(Invalid, identity.verify_email, first).code == "invalid_token"
    assert identity.verify_email(second)["email_verified"] is True


def test_a_verified_address_is_not_sent_another_link(identity, as_person, look, sent_links):
    account = register(identity)
    identity.verify_email(sent_links[links.EMAIL_VERIFICATION][-1])
    as_person(account).resend_verification()
    assert len(emitted(look, "email_verification_requested")) == 1


@pytest.mark.parametrize("token", [None, "", 42, "A" * 43, "pas-un-jeton", "A" * 10_000])
def test_a_link_never_sent_verifies_nothing(identity, look, token):
    register(identity)
    before = snapshot(look)
    assert refusal(Invalid, identity.verify_email, token).code == "invalid_token"
    assert snapshot(look) == before


def test_a_verification_link_is_no_reset_link(identity, sent_links):
    register(identity)
    [token] = sent_links[links.EMAIL_VERIFICATION]
    assert refusal(Invalid, identity.reset_password, token, NEW_PASSWORD).code == "invalid_token"
    assert refusal(Invalid, identity.confirm_email_change, token).code == "invalid_token"
    assert identity.verify_email(token)["email_verified"] is True


def test_asking_again_for_an_account_that_no_longer_exists_is_refused(as_person):
    stranger = {"id": str(uuid.uuid4()), "role": "family", "household_id": HOUSEHOLD}
    assert refusal(NotFound, as_person(stranger).resend_verification).code == "account_not_found"


# Login, sessions and throttling

def test_a_login_names_its_session_and_is_journalled_with_the_client_address(identity, look):
    account = register(identity)
    login = log_in(identity, client_ip="203.0.113.7")
    assert uuid.UUID(login["session_id"])
    [entry] = journal_of(look, "login_succeeded")
    assert (str(entry.account_id), entry.client_ip, entry.detail) == (account["id"], "203.0.113.7",
                                                                      {"method": "password"})


def test_a_failed_login_is_journalled(identity, look):
    account = register(identity)
    refusal(Unauthenticated, log_in, identity, "parent@exemple.fr", "Pas-le-bon-mot-de-passe", "203.0.113.7")
    [entry] = journal_of(look, "login_failed")
    assert (str(entry.account_id), entry.client_ip, entry.detail["email"]) == (
        account["id"], "203.0.113.7", "parent@exemple.fr")


def test_a_malformed_client_address_is_refused(identity):
    register(identity)
    assert refusal(Invalid, log_in, identity, "parent@exemple.fr", PASSWORD, "pas une adresse").code == \
        "invalid_client_ip"


def fail_to_log_in(identity, email, times, client_ip=None):
    return [refusal(Unauthenticated, log_in, identity, email, "Pas-le-bon-mot-de-passe", client_ip)
            for _ in range(times)]


def test_the_fifth_failure_locks_the_address_even_for_the_right_password(identity, look):
    register(identity)
    failures = fail_to_log_in(identity, "parent@exemple.fr", 5)
    assert [e.code for e in failures] == ["invalid_credentials"] * 4 + ["too_many_attempts"]
    error = refusal(Unauthenticated, log_in, identity)
    assert error.code == "too_many_attempts"
    assert error.message == ("Trop de tentatives de connexion ont échoué. Par sécurité, réessayez dans 1 minute, "
                             "ou réinitialisez votre mot de passe.")
    assert count(look, Session) == 0
    assert len(journal_of(look, "locked_out")) == 1


def test_an_unknown_address_is_locked_exactly_like_a_known_one(identity):
    register(identity)
    known = fail_to_log_in(identity, "parent@exemple.fr", 6)
    unknown = fail_to_log_in(identity, "inconnu@exemple.fr", 6)
    assert [(e.code, e.message, e.fields) for e in known] == [(e.code, e.message, e.fields) for e in unknown]


def test_a_lock_ends_and_a_success_forgets_the_failures(identity, clock):
    register(identity)
    fail_to_log_in(identity, "parent@exemple.fr", 5)
    clock.later = timedelta(minutes=1, seconds=1)
    assert log_in(identity)["account"]["email"] == "parent@exemple.fr"
    assert [e.code for e in fail_to_log_in(identity, "parent@exemple.fr", 4)] == ["invalid_credentials"] * 4


def test_each_further_failure_locks_longer(identity, clock):
    register(identity)
    fail_to_log_in(identity, "parent@exemple.fr", 5)
    clock.later = timedelta(minutes=1, seconds=1)
    [sixth] = fail_to_log_in(identity, "parent@exemple.fr", 1)
    assert "réessayez dans 2 minutes" in sixth.message


@pytest.mark.slow
def test_a_client_failing_on_many_addresses_is_locked_but_not_the_others(identity):
    register(identity)
    failures = [refusal(Unauthenticated, log_in, identity, f"essai{n}@exemple.fr", PASSWORD, "198.51.100.9")
                for n in range(30)]
    assert failures[-1].code == "too_many_attempts" and "15 minutes" in failures[-1].message
    assert refusal(Unauthenticated, log_in, identity, "parent@exemple.fr", PASSWORD, "198.51.100.9").code == \
        "too_many_attempts"
    assert log_in(identity, client_ip="203.0.113.7")["account"]["email"] == "parent@exemple.fr"


# Password reset

def test_a_reset_link_is_sent_to_an_existing_account(identity, look, sent_links):
    account = register(identity)
    assert identity.request_password_reset(" Parent@Exemple.fr", "203.0.113.7") is None
    [sent] = emitted(look, "password_reset_requested")
    assert (sent["account_id"], sent["email"]) == (account["id"], "parent@exemple.fr")
    assert len(sent_links[links.PASSWORD_RESET]) == 1
    [entry] = journal_of(look, "password_reset_requested")
    assert entry.client_ip == "203.0.113.7"


def test_a_reset_for_an_unknown_address_answers_the_same_and_sends_nothing(identity, look):
    register(identity)
    before = snapshot(look)
    assert identity.request_password_reset("inconnu@exemple.fr") is None
    assert snapshot(look) == before


def test_a_closed_account_is_sent_no_reset_link(identity, look):
    register(identity)
    change(look, update(Account).values(active=False))
    identity.request_password_reset("parent@exemple.fr")
    assert emitted(look, "password_reset_requested") == []


def test_a_reset_request_with_a_malformed_address_is_refused(identity):
    assert refusal(Invalid, identity.request_password_reset, "parent").code == "invalid_email"


def reset_token(identity, sent_links, email="parent@exemple.fr"):
    identity.request_password_reset(email)
    return sent_links[links.PASSWORD_RESET][-1]


def test_a_reset_sets_the_new_password_once_and_ends_every_session(identity, look, sent_links):
    account = register(identity)
    browser = log_in(identity)
    mobile = identity.issue_tokens("parent@exemple.fr", PASSWORD)
    token = reset_token(identity, sent_links)
    assert identity.reset_password(token, NEW_PASSWORD) is None
    assert refusal(Unauthenticated, identity.verify_token, browser["token"]).code == "invalid_token"
    assert refusal(Unauthenticated, identity.refresh_tokens, mobile["refresh_token"]).code == "invalid_token"
    assert refusal(Unauthenticated, log_in, identity).code == "invalid_credentials"
    assert log_in(identity, password=NEW_PASSWORD)["account"]["id"] == account["id"]
    [told] = emitted(look, "password_changed")
    assert (told["account_id"], told["email"]) == (account["id"], "parent@exemple.fr")
    assert journal_of(look, "password_changed")[0].detail == {"by": "reset"}
    assert refusal(Invalid, identity.reset_password, token, "Encore-un-autre-secret").code == "invalid_token"


def test_a_weak_new_password_is_refused_and_the_link_still_works(identity, look, sent_links):
    register(identity)
    token = reset_token(identity, sent_links)
    before = snapshot(look)
    error = refusal(Invalid, identity.reset_password, token, "motdepasse123")
    assert (error.code, set(error.fields)) == ("weak_password", {"new_password"})
    assert snapshot(look) == before
    identity.reset_password(token, NEW_PASSWORD)


def test_a_reset_link_expires_after_an_hour(identity, sent_links, clock):
    register(identity)
    token = reset_token(identity, sent_links)
    clock.later = timedelta(hours=1)
    assert refusal(Invalid, identity.reset_password, token, NEW_PASSWORD).code == "invalid_token"
    assert log_in(identity)["account"]["email"] == "parent@exemple.fr"


def test_a_new_reset_link_voids_the_previous_one(identity, sent_links):
    register(identity)
    first, second = reset_token(identity, sent_links), reset_token(identity, sent_links)
    assert refusal(Invalid, identity.reset_password, first, NEW_PASSWORD).code == "invalid_token"
    identity.reset_password(second, NEW_PASSWORD)


def test_a_reset_unlocks_a_locked_address(identity, sent_links):
    register(identity)
    fail_to_log_in(identity, "parent@exemple.fr", 5)
    identity.reset_password(reset_token(identity, sent_links), NEW_PASSWORD)
    assert log_in(identity, password=NEW_PASSWORD)["account"]["email"] == "parent@exemple.fr"


# Password change

def test_changing_the_password_ends_the_other_sessions_only(identity, as_person, look):
    account = register(identity)
    here, elsewhere = log_in(identity), log_in(identity)
    assert as_person(account, here["session_id"]).change_password(PASSWORD, NEW_PASSWORD) is None
    assert identity.verify_token(here["token"])["id"] == account["id"]
    assert refusal(Unauthenticated, identity.verify_token, elsewhere["token"]).code == "invalid_token"
    assert log_in(identity, password=NEW_PASSWORD)["account"]["id"] == account["id"]
    assert [e["account_id"] for e in emitted(look, "password_changed")] == [account["id"]]


def test_a_wrong_current_password_changes_nothing(identity, as_person, look):
    account = register(identity)
    before = snapshot(look)
    error = refusal(Unauthenticated, as_person(account).change_password, "Pas-le-bon-mot-de-passe", NEW_PASSWORD)
    assert (error.code, error.message) == ("invalid_credentials", "Le mot de passe actuel est incorrect.")
    assert snapshot(look) == before


def test_a_weak_new_password_is_refused_on_change(identity, as_person):
    account = register(identity)
    assert refusal(Invalid, as_person(account).change_password, PASSWORD, "court").code == "weak_password"


# Contact details

ADDRESS = {"street": " 12 rue des Écoles ", "postal_code": "75005", "city": "Paris"}


def test_an_account_starts_with_only_its_email_as_contact(identity, as_person):
    account = register(identity)
    assert as_person(account).get_contact() == {
        "email": "parent@exemple.fr", "phone": None, "phone_display": None, "address": None}


def test_contact_details_are_kept_normalised_and_the_change_announced(identity, as_person, look):
    account = register(identity)
    contact = as_person(account).update_contact("06.12.34.56.78", ADDRESS)
    assert contact == {"email": "parent@exemple.fr", "phone": "+33612345678", "phone_display": "06 12 34 56 78",
                       "address": {"street": "12 rue des Écoles", "postal_code": "75005", "city": "Paris"}}
    assert as_person(account).get_contact() == contact
    [changed] = emitted(look, "contact_details_changed")
    assert (changed["account_id"], changed["household_id"], changed["changed"]) == (
        account["id"], HOUSEHOLD, ["phone", "address"])
    assert journal_of(look, "contact_details_changed")[0].detail == {"changed": ["phone", "address"]}


def test_saving_the_same_details_announces_nothing(identity, as_person, look):
    account = register(identity)
    as_person(account).update_contact("0612345678", ADDRESS)
    as_person(account).update_contact("+33 6 12 34 56 78", dict(ADDRESS, street="12 rue des Écoles"))
    assert len(emitted(look, "contact_details_changed")) == 1


def test_emptied_fields_remove_the_details(identity, as_person, look):
    account = register(identity)
    as_person(account).update_contact("0612345678", ADDRESS)
    assert as_person(account).update_contact("", {"street": "", "postal_code": "", "city": ""})["phone"] is None
    assert as_person(account).get_contact()["address"] is None
    assert emitted(look, "contact_details_changed")[-1]["changed"] == ["phone", "address"]


@pytest.mark.parametrize("phone", ["abc", "06 12", "+33 0 00 00 00 00", 612345678])
def test_an_invalid_phone_is_refused_and_nothing_changes(identity, as_person, look, phone):
    account = register(identity)
    before = snapshot(look)
    error = refusal(Invalid, as_person(account).update_contact, phone, None)
    assert (error.code, set(error.fields)) == ("invalid_phone", {"phone"})
    assert snapshot(look) == before


@pytest.mark.parametrize("address, faulty", [
    (dict(ADDRESS, postal_code="7500"), {"address.postal_code"}),
    (dict(ADDRESS, postal_code="75 005"), {"address.postal_code"}),
    (dict(ADDRESS, street="x" * 201), {"address.street"}),
    (dict(ADDRESS, city=""), {"address.city"}),
    ({"street": "12 rue des Écoles"}, {"address.postal_code", "address.city"}),
    ("12 rue des Écoles, Paris", {"address"}),
])
def test_an_incomplete_address_is_refused_on_its_fields(identity, as_person, look, address, faulty):
    account = register(identity)
    before = snapshot(look)
    error = refusal(Invalid, as_person(account).update_contact, None, address)
    assert (error.code, set(error.fields)) == ("invalid_address", faulty)
    assert snapshot(look) == before


# E-mail change

def email_change_token(as_person, sent_links, account, new_email="nouvelle@exemple.fr"):
    as_person(account).request_email_change(new_email, PASSWORD)
    return sent_links[links.EMAIL_CHANGE][-1]


def test_a_new_address_is_confirmed_from_its_own_mailbox_and_the_old_one_told(identity, as_person, look, sent_links):
    account = register(identity)
    assert as_person(account).request_email_change(" Nouvelle@Exemple.fr", PASSWORD, "203.0.113.7") is None
    [asked] = emitted(look, "email_change_requested")
    assert (asked["account_id"], asked["new_email"]) == (account["id"], "nouvelle@exemple.fr")
    assert journal_of(look, "email_change_requested")[0].client_ip == "203.0.113.7"
    assert as_person(account).get_account()["email"] == "parent@exemple.fr"
    [token] = sent_links[links.EMAIL_CHANGE]
    changed = identity.confirm_email_change(token)
    assert (changed["email"], changed["email_verified"]) == ("nouvelle@exemple.fr", True)
    [told] = emitted(look, "email_changed")
    assert (told["old_email"], told["new_email"]) == ("parent@exemple.fr", "nouvelle@exemple.fr")
    assert log_in(identity, "nouvelle@exemple.fr")["account"]["id"] == account["id"]
    assert journal_of(look, "email_changed")[0].detail == {"old_email": "parent@exemple.fr",
                                                           "new_email": "nouvelle@exemple.fr"}
    assert refusal(Invalid, identity.confirm_email_change, token).code == "invalid_token"


def test_an_email_change_link_expires_after_48_hours(identity, as_person, sent_links, clock):
    account = register(identity)
    token = email_change_token(as_person, sent_links, account)
    clock.later = timedelta(hours=48)
    assert refusal(Invalid, identity.confirm_email_change, token).code == "invalid_token"
    assert as_person(account).get_account()["email"] == "parent@exemple.fr"


def test_a_verification_link_of_the_old_address_is_void_after_a_change(identity, as_person, sent_links):
    account = register(identity)
    [old_link] = sent_links[links.EMAIL_VERIFICATION]
    identity.confirm_email_change(email_change_token(as_person, sent_links, account))
    assert refusal(Invalid, identity.verify_email, old_link).code == "invalid_token"


@pytest.mark.parametrize("new_email, password, kind, code", [
    ("nouvelle@exemple.fr", "Pas-le-bon-mot-de-passe", Unauthenticated, "invalid_credentials"),
    ("voisin@exemple.fr", PASSWORD, Conflict, "email_taken"),
    ("PARENT@exemple.fr", PASSWORD, Invalid, "same_email"),
    ("nouvelle", PASSWORD, Invalid, "invalid_email"),
])
def test_an_email_change_is_refused_without_the_password_or_to_a_taken_address(identity, as_person, look, new_email,
                                                                               password, kind, code):
    account = register(identity)
    register(identity, email="voisin@exemple.fr", child_key="67890-XYZ789")
    before = snapshot(look)
    assert refusal(kind, as_person(account).request_email_change, new_email, password).code == code
    assert snapshot(look) == before


def test_an_address_taken_before_the_confirmation_is_refused_then(identity, as_person, sent_links):
    account = register(identity)
    token = email_change_token(as_person, sent_links, account)
    register(identity, email="nouvelle@exemple.fr", child_key="67890-XYZ789")
    assert refusal(Conflict, identity.confirm_email_change, token).code == "email_taken"
    assert as_person(account).get_account()["email"] == "parent@exemple.fr"


# Mobile tokens

def read_access_token(identity, token):
    decoded = jwt.decode(token, KeySet.import_key_set(identity.signing_keys()), algorithms=["ES256"])
    jwt.JWTClaimsRegistry(iss={"essential": True, "value": "portail-famille"},
                          aud={"essential": True, "value": "portail-famille"}).validate(decoded.claims)
    return decoded.claims


def test_a_mobile_client_gets_a_signed_access_token_the_gateway_can_check_alone(identity):
    account = register(identity)
    pair = identity.issue_tokens("parent@exemple.fr", PASSWORD, "203.0.113.7")
    assert set(pair) == {"access_token", "refresh_token", "expires_in", "session_id", "account"}
    assert (pair["expires_in"], pair["account"]) == (300, account)
    claims = read_access_token(identity, pair["access_token"])
    assert (claims["sub"], claims["sid"], claims["role"], claims["hid"], claims["ev"]) == (
        account["id"], pair["session_id"], "family", HOUSEHOLD, False)
    assert claims["exp"] - claims["iat"] == 300
    [key] = identity.signing_keys()["keys"]
    assert (key["kty"], key["crv"], key["alg"], key["use"]) == ("EC", "P-256", "ES256", "sig") and "d" not in key


def test_the_signing_key_is_made_once_and_kept(identity):
    register(identity)
    assert identity.signing_keys() == {"keys": []}
    identity.issue_tokens("parent@exemple.fr", PASSWORD)
    identity.issue_tokens("parent@exemple.fr", PASSWORD)
    assert len(identity.signing_keys()["keys"]) == 1


def test_a_mobile_login_is_throttled_like_a_browser_login(identity):
    register(identity)
    fail_to_log_in(identity, "parent@exemple.fr", 5)
    assert refusal(Unauthenticated, identity.issue_tokens, "parent@exemple.fr", PASSWORD).code == "too_many_attempts"


def test_a_refresh_token_is_exchanged_for_a_new_one_in_the_same_session(identity):
    register(identity)
    first = identity.issue_tokens("parent@exemple.fr", PASSWORD)
    second = identity.refresh_tokens(first["refresh_token"])
    assert second["session_id"] == first["session_id"]
    assert second["refresh_token"] != first["refresh_token"]
    assert read_access_token(identity, second["access_token"])["sid"] == first["session_id"]
    third = identity.refresh_tokens(second["refresh_token"])
    assert third["session_id"] == first["session_id"]


def test_a_mobile_app_logging_out_ends_its_session_and_only_its_own(identity, as_person, look):
    account = register(identity)
    other = register(identity, "autre@exemple.fr", child_key="67890-XYZ789")
    pair = identity.issue_tokens("parent@exemple.fr", PASSWORD)
    as_person(other, pair["session_id"]).end_session()  # not that account's session: nothing happens
    as_person(account, "pas-un-identifiant").end_session()  # no session of ours: nothing happens
    assert not session_revoked(look, pair["session_id"])
    assert as_person(account, pair["session_id"]).end_session() is None
    assert session_revoked(look, pair["session_id"])
    assert refusal(Unauthenticated, identity.refresh_tokens, pair["refresh_token"]).code == "invalid_token"
    assert len(journal_of(look, "logged_out")) == 1


def test_a_refresh_token_presented_again_after_ten_seconds_ends_the_whole_session(identity, look, clock):
    register(identity)
    first = identity.issue_tokens("parent@exemple.fr", PASSWORD)
    stolen_since = utcnow().isoformat()
    second = identity.refresh_tokens(first["refresh_token"])
    clock.later = timedelta(seconds=10)
    assert refusal(Unauthenticated, identity.refresh_tokens, first["refresh_token"]).code == "invalid_token"
    assert refusal(Unauthenticated, identity.refresh_tokens, second["refresh_token"]).code == "invalid_token"
    assert session_revoked(look, first["session_id"])
    assert first["session_id"] in identity.revoked_sessions(stolen_since)["session_ids"]
    assert len(journal_of(look, "refresh_token_reused")) == 1


def test_an_answer_lost_on_the_way_is_given_again_when_the_app_retries_at_once(identity, look, clock):
    register(identity)
    first = identity.issue_tokens("parent@exemple.fr", PASSWORD)
    lost = identity.refresh_tokens(first["refresh_token"])
    clock.later = timedelta(seconds=9)
    again = identity.refresh_tokens(first["refresh_token"])
    assert (again["refresh_token"], again["session_id"]) == (lost["refresh_token"], first["session_id"])
    signed = jwt.decode(again["access_token"], KeySet.import_key_set(identity.signing_keys()), algorithms=["ES256"])
    assert signed.claims["sid"] == first["session_id"]  # issued 9 s ahead of this clock: not checked for time
    assert not session_revoked(look, first["session_id"])
    assert identity.refresh_tokens(again["refresh_token"])["session_id"] == first["session_id"]
    assert journal_of(look, "refresh_token_reused") == []


def test_a_refresh_token_whose_successor_was_used_is_a_copy_even_within_ten_seconds(identity, look):
    register(identity)
    first = identity.issue_tokens("parent@exemple.fr", PASSWORD)
    second = identity.refresh_tokens(first["refresh_token"])
    third = identity.refresh_tokens(second["refresh_token"])
    assert refusal(Unauthenticated, identity.refresh_tokens, first["refresh_token"]).code == "invalid_token"
    assert session_revoked(look, first["session_id"])
    assert refusal(Unauthenticated, identity.refresh_tokens, third["refresh_token"]).code == "invalid_token"


def test_a_closed_session_gives_nothing_again_even_within_ten_seconds(identity, as_person, look):
    account = register(identity)
    first = identity.issue_tokens("parent@exemple.fr", PASSWORD)
    identity.refresh_tokens(first["refresh_token"])
    as_person(account, first["session_id"]).end_session()
    assert refusal(Unauthenticated, identity.refresh_tokens, first["refresh_token"]).code == "invalid_token"


def test_the_successor_of_a_refresh_token_is_kept_only_sealed(identity, look):
    register(identity)
    first = identity.issue_tokens("parent@exemple.fr", PASSWORD)
    second = identity.refresh_tokens(first["refresh_token"])
    with look.connect() as connection:
        rows = connection.execute(select(RefreshToken.token_sha256, RefreshToken.successor_sealed)).all()
    kept = " ".join(str(value) for row in rows for value in row)
    assert first["refresh_token"] not in kept and second["refresh_token"] not in kept
    assert sorted(sealed is None for _, sealed in rows) == [False, True]


def test_a_refresh_token_expires_after_thirty_days(identity, clock):
    register(identity)
    pair = identity.issue_tokens("parent@exemple.fr", PASSWORD)
    clock.later = timedelta(days=30)
    assert refusal(Unauthenticated, identity.refresh_tokens, pair["refresh_token"]).code == "invalid_token"


@pytest.mark.parametrize("token", [None, "", "A" * 43, 42])
def test_a_refresh_token_never_issued_is_refused(identity, token):
    assert refusal(Unauthenticated, identity.refresh_tokens, token).code == "invalid_token"


def test_a_mobile_session_is_not_a_browser_session(identity):
    register(identity)
    pair = identity.issue_tokens("parent@exemple.fr", PASSWORD)
    assert refusal(Unauthenticated, identity.verify_token, pair["refresh_token"]).code == "invalid_token"


def test_the_gateway_learns_which_sessions_were_revoked_since_it_last_asked(identity, clock):
    register(identity)
    since = utcnow().isoformat()
    kept, ended = log_in(identity), log_in(identity)
    identity.logout(ended["token"])
    revoked = identity.revoked_sessions(since)
    assert revoked["session_ids"] == [ended["session_id"]]
    assert datetime.fromisoformat(revoked["now"]) >= datetime.fromisoformat(since)
    assert identity.revoked_sessions(revoked["now"])["session_ids"] == []
    clock.later = timedelta(hours=12, seconds=1)  # expired: no longer worth listing
    assert identity.revoked_sessions(since)["session_ids"] == []


@pytest.mark.parametrize("since", [None, "", "hier", "2026-13-01T00:00:00Z", 42])
def test_revoked_sessions_since_a_malformed_time_is_refused(identity, since):
    assert refusal(Invalid, identity.revoked_sessions, since).code == "invalid_since"


# FranceConnect links

SUB = "b6048e95bb134ec5b1d1e1fa69f287172e91722b9354d637a1bcf2ebb0fd2ef5v1"


def test_an_unknown_franceconnect_identity_is_asked_to_link_an_account(identity):
    register(identity)
    error = refusal(NotFound, identity.login_with_franceconnect, SUB)
    assert error.code == "franceconnect_not_linked"
    assert "clé enfance" in error.message


def test_a_linked_franceconnect_identity_logs_in(identity, as_person, look):
    account = register(identity)
    linked = as_person(account).link_franceconnect(SUB, "Anne", "Martin")
    assert linked == dict(account, franceconnect_linked=True)
    login = identity.login_with_franceconnect(SUB, "203.0.113.7")
    assert identity.verify_token(login["token"])["id"] == account["id"]
    assert journal_of(look, "login_succeeded")[0].detail == {"method": "franceconnect"}
    assert "franceconnect_linked" in journal_actions(look)


def test_a_franceconnect_identity_links_to_one_account_only(identity, as_person, look):
    first = register(identity)
    second = register(identity, email="voisin@exemple.fr", child_key="67890-XYZ789")
    as_person(first).link_franceconnect(SUB, "Anne", "Martin")
    error = refusal(Conflict, as_person(second).link_franceconnect, SUB, "Anne", "Martin")
    assert error.code == "franceconnect_already_linked"
    assert as_person(second).get_account()["franceconnect_linked"] is False


def test_unlinking_ends_franceconnect_logins(identity, as_person, look):
    account = register(identity)
    as_person(account).link_franceconnect(SUB, "Anne", "Martin")
    assert as_person(account).unlink_franceconnect()["franceconnect_linked"] is False
    assert refusal(NotFound, identity.login_with_franceconnect, SUB).code == "franceconnect_not_linked"
    assert "franceconnect_unlinked" in journal_actions(look)


def test_a_family_registers_with_franceconnect_and_no_password(identity, as_person, look):
    account = identity.register_with_franceconnect(SUB, "Parent@Exemple.fr", "12345-ABC123", "Anne", "Martin")
    assert (account["has_password"], account["franceconnect_linked"], account["email_verified"]) == (
        False, True, False)
    assert account["household_id"] == HOUSEHOLD
    assert len(emitted(look, "email_verification_requested")) == 1
    assert identity.login_with_franceconnect(SUB)["account"]["id"] == account["id"]
    assert refusal(Unauthenticated, log_in, identity).code == "invalid_credentials"
    error = refusal(Invalid, as_person(account).unlink_franceconnect)
    assert error.code == "password_required"
    assert as_person(account).get_account()["franceconnect_linked"] is True


def test_registering_with_a_linked_franceconnect_identity_is_refused(identity, as_person, look):
    account = register(identity)
    as_person(account).link_franceconnect(SUB, "Anne", "Martin")
    error = refusal(Conflict, identity.register_with_franceconnect, SUB, "autre@exemple.fr", "12345-ABC123",
                    "Anne", "Martin")
    assert error.code == "franceconnect_already_linked"
    assert count(look, Account) == 1


def test_a_closed_account_cannot_log_in_with_franceconnect(identity, as_person, look):
    account = register(identity)
    as_person(account).link_franceconnect(SUB, "Anne", "Martin")
    change(look, update(Account).values(active=False))
    assert refusal(Unauthenticated, identity.login_with_franceconnect, SUB).code == "invalid_credentials"


# Agents and admins

def test_an_admin_creates_an_agent(identity, as_person, look, admin):
    agent = as_person(admin).create_agent("Nouvel.Agent@Caisse.example", AGENT_PASSWORD, "agent")
    assert (agent["email"], agent["role"], agent["household_id"], agent["active"]) == (
        "nouvel.agent@caisse.example", "agent", None, True)
    assert log_in(identity, "nouvel.agent@caisse.example", AGENT_PASSWORD)["account"]["id"] == agent["id"]
    entry = journal_of(look, "agent_created")[-1]
    assert (str(entry.account_id), str(entry.actor_id)) == (agent["id"], admin["id"])


@pytest.mark.parametrize("who, code", [
    ("agent", "caller_not_allowed"), ("family", "caller_not_allowed"),
    ("unknown_admin", "admin_only"), ("closed_admin", "admin_only"),
])
def test_only_an_active_admin_creates_agents(identity, as_person, look, admin, agent, who, code):
    family = register(identity)
    change(look, update(Account).where(Account.id == uuid.UUID(admin["id"])).values(active=who != "closed_admin"))
    actor = {"agent": agent, "family": family, "unknown_admin": dict(admin, id=str(uuid.uuid4())),
             "closed_admin": admin}[who]
    before = everything(look)
    error = refusal(Forbidden, as_person(actor).create_agent, "nouvel.agent@caisse.example", "x", "admin")
    assert error.code == code
    if code == "admin_only":
        assert error.message == "Cette action est réservée aux administrateurs."
    assert everything(look) == before


def test_an_agent_closes_a_family_account_and_its_sessions_end(identity, as_person, look, agent):
    family = register(identity)
    browser = log_in(identity)
    mobile = identity.issue_tokens("parent@exemple.fr", PASSWORD)
    since = utcnow().isoformat()
    closed = as_person(agent).set_account_active(family["id"], False)
    assert closed["active"] is False
    assert refusal(Unauthenticated, identity.verify_token, browser["token"]).code == "invalid_token"
    assert refusal(Unauthenticated, identity.refresh_tokens, mobile["refresh_token"]).code == "invalid_token"
    assert set(identity.revoked_sessions(since)["session_ids"]) == {browser["session_id"], mobile["session_id"]}
    entry = journal_of(look, "account_deactivated")[0]
    assert (str(entry.account_id), str(entry.actor_id)) == (family["id"], agent["id"])
    assert as_person(agent).set_account_active(family["id"], True)["active"] is True
    assert log_in(identity)["account"]["id"] == family["id"]
    assert "account_reactivated" in journal_actions(look)


def test_an_admin_closes_an_agent_account(identity, as_person, admin, agent):
    assert as_person(admin).set_account_active(agent["id"], False)["active"] is False
    assert refusal(Unauthenticated, log_in, identity, "agent@caisse.example", AGENT_PASSWORD).code == \
        "invalid_credentials"


def test_an_agent_closed_a_moment_ago_can_do_nothing_more_even_with_a_running_session(identity, as_person, admin,
                                                                                      agent, look):
    family = register(identity)
    as_person(admin).set_account_active(agent["id"], False)
    before = everything(look)
    for act in (lambda: as_person(agent).set_account_active(family["id"], False),
                lambda: as_person(agent).detach_account(family["id"])):
        assert refusal(Forbidden, act).code == "agents_only"
    assert everything(look) == before


@pytest.mark.parametrize("actor, target, code", [
    ("agent", "admin", "admin_only"),
    ("agent", "other_agent", "admin_only"),
    ("admin", "admin", "own_account"),
])
def test_who_may_not_close_which_account(identity, as_person, look, admin, agent, actor, target, code):
    people = {"admin": admin, "agent": agent,
              "other_agent": as_person(admin).create_agent("autre.agent@caisse.example", AGENT_PASSWORD, "agent")}
    before = everything(look)
    error = refusal(Forbidden, as_person(people[actor]).set_account_active, people[target]["id"], False)
    assert error.code == code
    assert everything(look) == before


def test_closing_an_unknown_account_is_not_found(as_person, agent):
    assert refusal(NotFound, as_person(agent).set_account_active, str(uuid.uuid4()), False).code == \
        "account_not_found"


@pytest.mark.parametrize("active", [None, "false", "0", "non"])
def test_active_must_be_true_or_false(identity, as_person, agent, active):
    family = register(identity)
    assert refusal(Invalid, as_person(agent).set_account_active, family["id"], active).code == "invalid_active"


def test_the_agents_list_shows_the_back_office_with_its_active_flag(identity, as_person, admin, agent):
    register(identity)
    as_person(admin).set_account_active(agent["id"], False)
    assert [(a["email"], a["active"]) for a in as_person(admin).list_accounts("agent")] == [
        ("agent@caisse.example", False)]
    assert [a["role"] for a in as_person(admin).list_accounts()] == ["admin", "agent", "family"]
    assert refusal(Invalid, as_person(admin).list_accounts, "root").code == "invalid_role"


def test_an_agent_sees_every_account_attached_to_a_household(identity, as_person, agent, look):
    mother = register(identity, email="mere@exemple.fr")
    father = register(identity, email="pere@exemple.fr")
    register(identity, email="voisin@exemple.fr", child_key="67890-XYZ789")
    change(look, update(Account).where(Account.email == "pere@exemple.fr").values(active=False))
    attached = as_person(agent).household_accounts(HOUSEHOLD)
    assert [a["id"] for a in attached] == [mother["id"], father["id"]]
    assert [a["active"] for a in attached] == [True, False]


def test_an_agent_detaches_an_account_from_its_household(identity, as_person, notify, look, agent):
    family = register(identity)
    login = log_in(identity)
    detached = as_person(agent).detach_account(family["id"])
    assert detached["household_id"] is None
    assert as_person(agent).household_accounts(HOUSEHOLD) == []
    assert notify.household_recipients(HOUSEHOLD) == []
    assert refusal(Unauthenticated, identity.verify_token, login["token"]).code == "invalid_token"
    entry = journal_of(look, "account_detached")[0]
    assert (str(entry.actor_id), entry.detail) == (agent["id"], {"household_id": HOUSEHOLD})


def test_only_a_family_account_can_be_detached(as_person, admin, agent):
    assert refusal(Forbidden, as_person(admin).detach_account, agent["id"]).code == "family_account_only"


# Security journal

def test_a_family_reads_its_own_journal_newest_first(identity, as_person, clock):
    account = register(identity)
    register(identity, email="voisin@exemple.fr", child_key="67890-XYZ789")
    clock.later = timedelta(seconds=1)
    log_in(identity, client_ip="203.0.113.7")
    clock.later = timedelta(seconds=2)
    refusal(Unauthenticated, log_in, identity, "voisin@exemple.fr", "Pas-le-bon-mot-de-passe")
    entries = as_person(account).account_journal()
    assert [e["action"] for e in entries] == ["login_succeeded", "account_created"]
    assert set(entries[0]) == {"at", "account_id", "actor_id", "action", "label", "client_ip", "detail"}
    assert (entries[0]["account_id"], entries[0]["actor_id"], entries[0]["client_ip"]) == (
        account["id"], None, "203.0.113.7")
    assert datetime.fromisoformat(entries[0]["at"]) > datetime.fromisoformat(entries[1]["at"])
    assert [e["action"] for e in as_person(account).account_journal(1)] == ["login_succeeded"]
    assert refusal(Invalid, as_person(account).account_journal, 0).code == "invalid_limit"


def test_an_admin_reads_the_whole_journal_or_one_account_s_within_a_limit(identity, as_person, admin):
    account = register(identity)
    register(identity, email="voisin@exemple.fr", child_key="67890-XYZ789")
    assert len(as_person(admin).security_journal()) == 3  # the admin's own creation, two registrations
    assert [e["account_id"] for e in as_person(admin).security_journal(account["id"])] == [account["id"]]
    assert len(as_person(admin).security_journal(None, 1)) == 1
    assert refusal(Invalid, as_person(admin).security_journal, None, 0).code == "invalid_limit"
    assert refusal(Invalid, as_person(admin).security_journal, "pas-un-uuid").code == "invalid_account_id"


# Who may call what

GATEWAY_ONLY, PEOPLE = ((), ("gateway",)), (ROLES, ())
SOME_ID = str(uuid.uuid4())
# Each entrypoint: who it lets in (roles of people, parts acting on their own), and arguments to try it with.
ACCESS = {
    "register": (*GATEWAY_ONLY, ("intrus@exemple.fr", PASSWORD, "12345-ABC123")),
    "register_with_franceconnect": (*GATEWAY_ONLY, ("sub", "intrus@exemple.fr", "12345-ABC123", "Anne", "Martin")),
    "verify_email": (*GATEWAY_ONLY, ("A" * 43,)),
    "resend_verification": (*PEOPLE, ()),
    "get_account": (ROLES, ("notify",), (SOME_ID,)),
    "household_recipients": ((), ("notify",), (HOUSEHOLD,)),
    "household_accounts": (AGENTS, (), (HOUSEHOLD,)),
    "list_accounts": (ADMINS, (), ()),
    "authenticate": (*GATEWAY_ONLY, ("parent@exemple.fr", PASSWORD)),
    "login_with_franceconnect": (*GATEWAY_ONLY, ("sub",)),
    "verify_token": (*GATEWAY_ONLY, ("A" * 43,)),
    "logout": (*GATEWAY_ONLY, ("A" * 43,)),
    "end_session": (*PEOPLE, ()),
    "issue_tokens": (*GATEWAY_ONLY, ("parent@exemple.fr", PASSWORD)),
    "refresh_tokens": (*GATEWAY_ONLY, ("A" * 43,)),
    "signing_keys": (*GATEWAY_ONLY, ()),
    "revoked_sessions": (*GATEWAY_ONLY, ("2026-10-05T08:30:00+00:00",)),
    "request_password_reset": (*GATEWAY_ONLY, ("parent@exemple.fr",)),
    "reset_password": (*GATEWAY_ONLY, ("A" * 43, NEW_PASSWORD)),
    "confirm_email_change": (*GATEWAY_ONLY, ("A" * 43,)),
    "change_password": (*PEOPLE, (PASSWORD, NEW_PASSWORD)),
    "get_contact": (*PEOPLE, ()),
    "update_contact": (*PEOPLE, ("0612345678", None)),
    "request_email_change": (*PEOPLE, ("intrus@exemple.fr", PASSWORD)),
    "link_franceconnect": (*PEOPLE, ("sub", "Anne", "Martin")),
    "unlink_franceconnect": (*PEOPLE, ()),
    "create_agent": (ADMINS, (), ("intrus@caisse.example", AGENT_PASSWORD, "admin")),
    "set_account_active": (AGENTS, (), (SOME_ID, False)),
    "detach_account": (AGENTS, (), (SOME_ID,)),
    "account_journal": (*PEOPLE, ()),
    "security_journal": (ADMINS, (), ()),
    "close_account": (("family",), (), ()),
    "export_household": ((), ("vault",), (HOUSEHOLD,)),
}


def test_each_entrypoint_says_who_may_call_it():
    declared = {name: (method.allowed["roles"], method.allowed["parts"])
                for name, method in inspect.getmembers(IdentityService) if hasattr(method, "allowed")}
    assert declared == {name: (tuple(roles), tuple(parts)) for name, (roles, parts, _) in ACCESS.items()}


def refused_callers(calls, config, roles, parts, people):
    """Every caller an entrypoint does not name, `(kind, calls, error class)`; the
    forged and expired ones would otherwise speak for an admin."""
    admin = Caller(part="gateway", account_id=uuid.uuid4(), role="admin")
    yield "unsigned", calls.unsigned, Unauthenticated
    yield "forged", calls.with_token(CallerKey("une autre clé que personne ne partage, assez longue").sign(admin)), \
        Unauthenticated
    yield "expired", calls.with_token(CallerKey(config["CALLER_CONTEXT_KEY"]).sign(admin, now=time.time() - 60)), \
        Unauthenticated
    for role in ROLES:
        if role not in roles and "gateway" not in parts:
            yield role, people[role], Forbidden
    for part in PARTS:
        if part not in parts:
            yield part, calls.as_part(part), Forbidden


@pytest.mark.parametrize("entrypoint", sorted(ACCESS))
def test_an_entrypoint_refuses_every_caller_it_does_not_name_and_writes_nothing(
        calls, identity, look, config, entrypoint):
    register(identity)
    people = {"family": calls.as_family(HOUSEHOLD), "agent": calls.as_agent, "admin": calls.as_admin}
    roles, parts, args = ACCESS[entrypoint]
    before = everything(look)
    tried = []
    for kind, caller, error_class in refused_callers(calls, config, roles, parts, people):
        error = refusal(error_class, getattr(caller, entrypoint), *args)
        assert error.code == ("caller_not_allowed" if error_class is Forbidden else
                              {"unsigned": "caller_missing", "forged": "caller_invalid",
                               "expired": "caller_expired"}[kind]), kind
        tried.append(kind)
    assert everything(look) == before
    assert {"unsigned", "forged", "expired", "identity", "billing"} <= set(tried)


def test_a_family_calling_the_back_office_learns_nothing_of_the_accounts(identity, as_person, agent):
    family = register(identity)
    for account_id in (agent["id"], str(uuid.uuid4())):
        for act in (lambda: as_person(family).set_account_active(account_id, False),
                    lambda: as_person(family).detach_account(account_id),
                    lambda: as_person(family).household_accounts(OTHER_HOUSEHOLD),
                    lambda: as_person(family).security_journal(account_id)):
            error = refusal(Forbidden, act)
            assert (error.code, error.message) == ("caller_not_allowed", "Vous n'avez pas accès à cette action.")


@pytest.mark.parametrize("entrypoint", sorted(name for name, (roles, parts, _) in ACCESS.items()
                                              if roles == ROLES and name != "get_account"))
def test_a_person_naming_another_account_is_refused_and_nothing_is_written(identity, as_person, look, entrypoint):
    account = register(identity)
    other = register(identity, email="voisin@exemple.fr", child_key="67890-XYZ789")
    before = everything(look)
    refusal(IncorrectSignature, getattr(as_person(account), entrypoint), *ACCESS[entrypoint][2],
            account_id=other["id"])
    assert everything(look) == before


# Limits on what e-mails someone or tries a clé enfance

TOO_MANY = "Trop de demandes en peu de temps. Par sécurité, réessayez dans 60 minutes."


def test_a_fourth_reset_request_within_the_hour_is_refused_the_same_whether_or_not_the_address_has_an_account(
        identity, look, clock):
    register(identity)
    answers = {}
    for email in ("parent@exemple.fr", "inconnu@exemple.fr"):
        for _ in range(3):
            assert identity.request_password_reset(email) is None
        answers[email] = refusal(TooManyRequests, identity.request_password_reset, email)
    known, unknown = answers.values()
    assert (known.code, known.message, known.fields) == (unknown.code, unknown.message, unknown.fields) == (
        "too_many_attempts", TOO_MANY, {})
    assert len(emitted(look, "password_reset_requested")) == 3
    clock.later = timedelta(hours=1)
    assert identity.request_password_reset("parent@exemple.fr") is None
    assert len(emitted(look, "password_reset_requested")) == 4


@pytest.mark.slow
def test_one_client_asking_resets_for_many_addresses_is_stopped_but_not_the_others(identity, look):
    register(identity)
    for n in range(20):
        identity.request_password_reset(f"essai{n}@exemple.fr", "198.51.100.9")
    error = refusal(TooManyRequests, identity.request_password_reset, "parent@exemple.fr", "198.51.100.9")
    assert error.code == "too_many_attempts"
    assert emitted(look, "password_reset_requested") == []
    assert identity.request_password_reset("parent@exemple.fr", "203.0.113.7") is None
    assert len(emitted(look, "password_reset_requested")) == 1


def test_a_fourth_address_change_within_the_hour_is_refused_even_with_the_right_password(
        identity, as_person, look, clock):
    account = register(identity)
    neighbour = register(identity, email="voisin@exemple.fr", child_key="67890-XYZ789")
    refusal(Unauthenticated, as_person(account).request_email_change, "nouvelle@exemple.fr", "Pas-le-bon-mot-de-passe")
    for n in range(2):
        as_person(account).request_email_change(f"nouvelle{n}@exemple.fr", PASSWORD)
    error = refusal(TooManyRequests, as_person(account).request_email_change, "nouvelle@exemple.fr", PASSWORD)
    assert (error.code, error.message) == ("too_many_attempts", TOO_MANY)
    assert len(emitted(look, "email_change_requested")) == 2
    as_person(neighbour).request_email_change("nouvelle@exemple.fr", PASSWORD)  # another account: its own count
    clock.later = timedelta(hours=1)
    as_person(account).request_email_change("nouvelle@exemple.fr", PASSWORD)
    assert len(emitted(look, "email_change_requested")) == 4


def test_a_fourth_verification_link_within_the_hour_is_refused(identity, as_person, look, clock):
    account = register(identity)
    for _ in range(3):
        as_person(account).resend_verification()
    error = refusal(TooManyRequests, as_person(account).resend_verification)
    assert (error.code, error.message) == ("too_many_attempts", TOO_MANY)
    assert len(emitted(look, "email_verification_requested")) == 4  # the one sent at registration, then three
    clock.later = timedelta(hours=1)
    as_person(account).resend_verification()
    assert len(emitted(look, "email_verification_requested")) == 5


def test_a_client_trying_wrong_child_keys_is_stopped_even_with_the_right_one_then(identity, family, look, clock):
    for n in range(10):
        refusal(Invalid, register, identity, f"essai{n}@exemple.fr", PASSWORD, f"9999{n}-ZZZ999", "198.51.100.9")
    asked = family.household_for_child_key.call_count
    error = refusal(TooManyRequests, register, identity, "parent@exemple.fr", PASSWORD, "12345-ABC123", "198.51.100.9")
    assert (error.code, error.message) == ("too_many_attempts", TOO_MANY)
    assert family.household_for_child_key.call_count == asked  # not even asked
    assert count(look, Account) == 0
    assert register(identity, client_ip="203.0.113.7")["household_id"] == HOUSEHOLD
    clock.later = timedelta(hours=1)
    assert register(identity, "autre@exemple.fr", client_ip="198.51.100.9")["household_id"] == HOUSEHOLD


def test_good_child_keys_do_not_count_against_a_client(identity):
    for n in range(11):
        register(identity, f"parent{n}@exemple.fr", client_ip="198.51.100.9")


def test_one_franceconnect_identity_trying_wrong_child_keys_is_stopped(identity, look):
    for n in range(10):
        refusal(Invalid, identity.register_with_franceconnect, "sub-1", f"essai{n}@exemple.fr", "ABC", "Anne",
                "Martin")
    error = refusal(TooManyRequests, identity.register_with_franceconnect, "sub-1", "parent@exemple.fr", "12345-ABC123",
                    "Anne", "Martin")
    assert error.code == "too_many_attempts"
    assert identity.register_with_franceconnect("sub-2", "parent@exemple.fr", "12345-ABC123", "Anne", "Martin")


# Closing one's account (entrypoints/data_rights.py)

def personal_data_of(look, email, phone_digits="612345678"):
    """Every row of every identity table where the person still shows: the
    address, the phone, the street, the FranceConnect identity, the client address."""
    marks = (email, phone_digits, "rue des Écoles", SUB, "Anne", "203.0.113.7")
    return {name: found for name, rows in everything(look).items()
            if (found := [row for row in rows if any(mark in row for mark in marks)])}


def test_closing_an_account_leaves_nothing_of_the_person_in_any_table(identity, as_person, look, sent_links):
    account = register(identity)
    identity.verify_email(sent_links[links.EMAIL_VERIFICATION][0])
    as_person(account).update_contact("06.12.34.56.78", ADDRESS)
    as_person(account).link_franceconnect(SUB, "Anne", "Martin")
    browser = log_in(identity, client_ip="203.0.113.7")
    mobile = identity.issue_tokens("parent@exemple.fr", PASSWORD, "203.0.113.7")
    identity.request_password_reset("parent@exemple.fr")  # counted by client address too, which names nobody
    published(look)
    assert personal_data_of(look, "parent@exemple.fr")

    closed = as_person(account, browser["session_id"]).close_account()

    assert closed == {"account_id": account["id"], "last_of_household": True}
    [event] = emitted(look, "account_closed")
    assert (event["account_id"], event["household_id"], event["last_of_household"]) == (
        account["id"], HOUSEHOLD, True)
    published(look)
    assert "former_email" not in emitted(look, "account_closed")[0]  # forgotten once published
    assert personal_data_of(look, "parent@exemple.fr") == {}
    assert refusal(Unauthenticated, identity.verify_token, browser["token"]).code == "invalid_token"
    assert refusal(Unauthenticated, identity.refresh_tokens, mobile["refresh_token"]).code == "invalid_token"
    assert refusal(Unauthenticated, log_in, identity).code == "invalid_credentials"
    assert refusal(NotFound, identity.login_with_franceconnect, SUB).code == "franceconnect_not_linked"
    assert "account_closed" in journal_actions(look)
    assert register(identity)["id"] != account["id"]  # the address is free again


def test_the_other_guardian_keeps_the_household_when_one_closes(identity, as_person, container_factory, config,
                                                                sent_links):
    leaving = register(identity)
    staying = register(identity, email="autre.parent@exemple.fr")
    identity.verify_email(sent_links[links.EMAIL_VERIFICATION][1])
    listener = container_factory(Listener, config)
    listener.start()
    with entrypoint_waiter(listener, "on_account_closed", timeout=10) as received:
        assert as_person(leaving).close_account()["last_of_household"] is False
    assert received.get() == {"event_id": received.get()["event_id"], "occurred_at": received.get()["occurred_at"],
                              "account_id": leaving["id"], "household_id": HOUSEHOLD, "last_of_household": False,
                              "former_email": "parent@exemple.fr"}
    login = log_in(identity, "autre.parent@exemple.fr")
    assert identity.verify_token(login["token"])["household_id"] == HOUSEHOLD
    assert as_person(staying).close_account()["last_of_household"] is True


def test_admins_no_longer_see_a_closed_account(identity, as_person, admin):
    closed = register(identity)
    as_person(closed).close_account()
    assert closed["id"] not in [a["id"] for a in as_person(admin).list_accounts("family")]


def test_an_account_whose_address_was_never_confirmed_never_closes_the_household(identity, as_person):
    assert as_person(register(identity)).close_account()["last_of_household"] is False


def test_only_a_family_closes_its_own_account(calls, agent):
    assert refusal(Forbidden, calls.as_part("gateway").close_account).code == "caller_not_allowed"
    assert refusal(Forbidden, calls.as_caller(Caller(part="gateway", account_id=uuid.UUID(agent["id"]), role="agent",
                                                     session_id="s")).close_account).code == "caller_not_allowed"


def test_retention_removes_unverified_accounts_old_counters_and_old_journal_lines(identity, calls, look, sent_links,
                                                                                  container_factory, config):
    stale = register(identity)
    kept = register(identity, email="verifiee@exemple.fr", child_key="67890-XYZ789")
    identity.verify_email(sent_links[links.EMAIL_VERIFICATION][1])
    refusal(Unauthenticated, log_in, identity, "verifiee@exemple.fr", "Mauvais-mot-de-passe")
    long_ago = utcnow() - timedelta(days=400)
    change(look, update(Account).where(Account.id == uuid.UUID(stale["id"])).values(created_at=long_ago))
    change(look, update(SecurityEvent).where(SecurityEvent.action == "login_failed").values(at=long_ago))
    change(look, update(LoginThrottle).values(last_failure_at=long_ago, started_at=long_ago))
    published(look)
    change(look, update(OutboxEvent).values(published_at=long_ago))

    container = retention_container(container_factory, config)
    for job in ("identity_retention", "outbox_retention"):
        with entrypoint_hook(container, job) as run:
            run()

    with look.connect() as connection:
        emails = connection.execute(select(Account.email)).scalars().all()
        assert emails == ["verifiee@exemple.fr"]
        assert "login_failed" not in journal_actions(look)
        assert "email_verified" in journal_actions(look)
        assert connection.execute(select(func.count()).select_from(LoginThrottle)).scalar_one() == 0
        assert connection.execute(select(func.count()).select_from(OutboxEvent)).scalar_one() == 0
    assert log_in(identity, "verifiee@exemple.fr")["account"]["id"] == kept["id"]


def retention_container(container_factory, config, **settings):
    """Another identity container, its timers run by hand."""
    container = container_factory(IdentityService, dict(config, **settings))
    replace_dependencies(container, "family")
    container.start()
    return container


def test_the_export_of_a_household_holds_its_accounts_contact_details_and_journal(identity, as_person, calls):
    account = register(identity)
    as_person(account).update_contact("06.12.34.56.78", ADDRESS)
    as_person(account).link_franceconnect(SUB, "Anne", "Martin")
    register(identity, email="voisin@exemple.fr", child_key="67890-XYZ789")
    [exported] = calls.as_part("vault").export_household(HOUSEHOLD)["comptes"]
    assert (exported["email"], exported["coordonnees"]["phone"]) == ("parent@exemple.fr", "+33612345678")
    assert exported["franceconnect"] == {"given_name": "Anne", "family_name": "Martin"}
    assert "account_created" in [line["action"] for line in exported["journal"]]
    assert "password_hash" not in exported
