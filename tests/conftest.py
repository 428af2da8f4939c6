"""Fixtures of the tests that cross services: the whole portal started as
processes (the same Stack as `make run`) against the machine's PostgreSQL
and RabbitMQ (a database per service and a vhost per run), documents in an S3
server on loopback and e-mail caught by an SMTP server on loopback."""
import os
import re
import secrets
from urllib.parse import parse_qs, urlparse
from datetime import date, timedelta
import uuid
from dataclasses import dataclass

import pytest
import requests
from playwright.sync_api import sync_playwright
from sqlalchemy import create_engine, text

import broker_users
from localstack import SERVICES, Stack, log_in_when_ready
from payfip_simulator import start as start_payfip
from loopback import CaughtMail, free_port, s3_server, smtp_server
from oidc_provider import FranceConnectProvider, franceconnect_provider
from school_calendar import bookable_days

POSTGRES = "postgresql+psycopg2://postgres@127.0.0.1:5432"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
RABBIT_API = "http://127.0.0.1:15672/api"


@dataclass
class Portal:
    base_url: str
    mail: CaughtMail
    stack: Stack
    agent_email: str
    agent_password: str
    franceconnect: FranceConnectProvider
    payfip: object  # the PayFiP simulator (deploy/payfip_simulator.py): what it notified

    def url(self, path):
        return self.base_url + path

    def agent(self):
        return self.login(self.agent_email, self.agent_password)

    def csrf_of_session(self, browser):
        """The CSRF token of a browser's session, as the API tells a script using the session cookie."""
        return browser.get(self.url("/api/v1/me"), timeout=30).headers["X-CSRF-Token"]

    def link_sent_to(self, email, path):
        """The link to `path` in the latest e-mail sent to `email`, as a family would click it."""
        found = self.mail.wait_for(lambda m: m["To"] == email and path in self.mail.text(m))
        return re.search(rf"{re.escape(self.base_url)}{re.escape(path)}\S*", self.mail.text(found[-1])).group(0)

    def token_sent_to(self, email, path):
        return parse_qs(urlparse(self.link_sent_to(email, path)).query)["jeton"][0]

    def verify_email(self, email):
        token = self.token_sent_to(email, "/verifier-courriel")
        answer = requests.post(self.url("/api/v1/email-verifications"), json={"token": token}, timeout=30)
        assert answer.status_code == 200, answer.text

    def login(self, email, password):
        """A requests.Session carrying the bearer token of that account."""
        answer = requests.post(self.url("/api/v1/session"), json={"email": email, "password": password}, timeout=30)
        assert answer.status_code == 200, answer.text
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {answer.json()['token']}"
        return session


@pytest.fixture(scope="session")
def postgres_databases():
    admin = create_engine(f"{POSTGRES}/postgres", isolation_level="AUTOCOMMIT")
    suffix = uuid.uuid4().hex[:8]
    names = {name: f"e2e_{name}_{suffix}" for name in SERVICES}
    with admin.connect() as connection:
        for database in names.values():
            connection.execute(text(f'CREATE DATABASE "{database}"'))
    yield {f"{name.upper()}_DATABASE_URL": f"{POSTGRES}/{database}" for name, database in names.items()}
    with admin.connect() as connection:
        for database in names.values():
            connection.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
    admin.dispose()


@dataclass
class Broker:
    """A vhost of the run: `uri` for the tests themselves (guest, every right),
    `part_uris` for the portal's parts, each with its own user and only the
    permissions deploy/broker_users.py gives it, as in production."""
    uri: str
    part_uris: dict


@pytest.fixture(scope="session")
def broker_vhost():
    run = uuid.uuid4().hex[:8]
    vhost, prefix = f"e2e-{run}", f"e2e-{run}"
    auth = ("guest", "guest")
    requests.put(f"{RABBIT_API}/vhosts/{vhost}", auth=auth, timeout=10).raise_for_status()
    requests.put(f"{RABBIT_API}/permissions/{vhost}/guest", auth=auth, timeout=10,
                 json={"configure": ".*", "write": ".*", "read": ".*"}).raise_for_status()
    passwords = {part: secrets.token_urlsafe(16) for part in broker_users.PARTS}
    broker_users.create_users(RABBIT_API, auth, vhost, passwords, prefix=prefix)
    yield Broker(f"amqp://guest:guest@127.0.0.1:5672/{vhost}", {
        part: f"amqp://{broker_users.username(part, prefix)}:{password}@127.0.0.1:5672/{vhost}"
        for part, password in passwords.items()})
    broker_users.delete_users(RABBIT_API, auth, broker_users.PARTS, prefix=prefix)
    requests.delete(f"{RABBIT_API}/vhosts/{vhost}", auth=auth, timeout=10)


@pytest.fixture(scope="session")
def portal(tmp_path_factory, postgres_databases, broker_vhost):
    folder = tmp_path_factory.mktemp("portal")
    agent_email, agent_password = "agent@caisse.example", secrets.token_urlsafe(16)
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    client_id, client_secret = "portail-famille", secrets.token_urlsafe(24)
    with s3_server() as s3, smtp_server(folder) as (smtp, mail), franceconnect_provider(
            client_id, client_secret, [f"{base_url}/franceconnect/retour"], [f"{base_url}/connexion"]) as provider:
        env = {**postgres_databases, **s3, **smtp,
               "AMQP_URI": broker_vhost.uri, "PORTAIL_VAR_DIR": str(folder), "PORTAL_SECRET_KEY": secrets.token_hex(32),
               "CALLER_CONTEXT_KEY": secrets.token_hex(32), "VAULT_MASTER_KEY": secrets.token_hex(32),
               # a closed request's shares end at once, so that the tests see the agent's access end
               "VAULT_SHARE_DAYS_AFTER_CLOSE": "0",
               "PORTAL_BOOTSTRAP_AGENT_EMAIL": agent_email, "PORTAL_BOOTSTRAP_AGENT_PASSWORD": agent_password,
               "GATEWAY_WORKERS": "2", "RPC_TIMEOUT": "5", "NOTIFY_RETRY_DELAY": "1",
               "REVOCATION_POLL_SECONDS": "1", "FORWARDED_FOR_HOPS": "1",
               "FRANCECONNECT_ISSUER": provider.issuer, "FRANCECONNECT_CLIENT_ID": client_id,
               "FRANCECONNECT_CLIENT_SECRET": client_secret}
        # billing: the months up to the one after next have ended (the tests book next month, the audit the
        # month after); PayFiP is the local simulator
        payfip_server, payfip = start_payfip()
        env.update(BILLING_TODAY=(date.today().replace(day=1) + timedelta(days=95)).replace(day=1).isoformat(),
                   PAYFIP_URL=f"http://127.0.0.1:{payfip_server.server_port}/tpa/paiement.web")
        stack = Stack(env, gateway_port=port, metrics_ports={name: free_port() for name in SERVICES},
                      vault_port=free_port(), broker_uris=broker_vhost.part_uris)
        try:
            stack.start()
            # identity creates the admin on a timer after it starts: a first test must not race it
            log_in_when_ready(requests.Session(), stack.base_url, agent_email, agent_password)
            yield Portal(stack.base_url, mail, stack, agent_email, agent_password, provider, payfip)
        finally:
            stack.stop()
            payfip_server.shutdown()


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium (Debian's, driven by Playwright) for every page test of the session."""
    with sync_playwright() as playwright:
        # in French, as a family's browser: dates read and are typed day, month, year (needs chromium-l10n)
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                             env={**os.environ, "LANG": "fr_FR.UTF-8", "LANGUAGE": "fr"})
        yield browser
        browser.close()


@pytest.fixture
def next_month():
    """Next month: its period and its school days that can still be booked for catering."""
    period = (date.today().replace(day=1) + timedelta(days=32)).replace(day=1).strftime("%Y-%m")
    return period, bookable_days(period)
