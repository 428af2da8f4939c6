"""Fixtures of the tests that cross services: the whole portal started as
processes (the same Stack as `make run`) against the machine's PostgreSQL
and RabbitMQ (a database per service and a vhost per run), documents in an S3
server on loopback and e-mail caught by an SMTP server on loopback."""
import secrets
from datetime import date, timedelta
import uuid
from dataclasses import dataclass

import pytest
import requests
from sqlalchemy import create_engine, text

from localstack import SERVICES, Stack
from loopback import CaughtMail, free_port, s3_server, smtp_server

POSTGRES = "postgresql+psycopg2://postgres@127.0.0.1:5432"
RABBIT_API = "http://127.0.0.1:15672/api"


@dataclass
class Portal:
    base_url: str
    mail: CaughtMail
    stack: Stack
    agent_email: str
    agent_password: str

    def url(self, path):
        return self.base_url + path

    def agent(self):
        return self.login(self.agent_email, self.agent_password)

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


@pytest.fixture(scope="session")
def broker_vhost():
    vhost = f"e2e-{uuid.uuid4().hex[:8]}"
    auth = ("guest", "guest")
    requests.put(f"{RABBIT_API}/vhosts/{vhost}", auth=auth, timeout=10).raise_for_status()
    requests.put(f"{RABBIT_API}/permissions/{vhost}/guest", auth=auth, timeout=10,
                 json={"configure": ".*", "write": ".*", "read": ".*"}).raise_for_status()
    yield f"amqp://guest:guest@127.0.0.1:5672/{vhost}"
    requests.delete(f"{RABBIT_API}/vhosts/{vhost}", auth=auth, timeout=10)


@pytest.fixture(scope="session")
def portal(tmp_path_factory, postgres_databases, broker_vhost):
    folder = tmp_path_factory.mktemp("portal")
    agent_email, agent_password = "agent@caisse.example", secrets.token_urlsafe(16)
    with s3_server() as s3, smtp_server(folder) as (smtp, mail):
        env = {**postgres_databases, **s3, **smtp,
               "AMQP_URI": broker_vhost, "PORTAIL_VAR_DIR": str(folder), "PORTAL_SECRET_KEY": secrets.token_hex(32),
               "PORTAL_BOOTSTRAP_AGENT_EMAIL": agent_email, "PORTAL_BOOTSTRAP_AGENT_PASSWORD": agent_password,
               "GATEWAY_WORKERS": "2", "RPC_TIMEOUT": "5"}
        stack = Stack(env, gateway_port=free_port(), metrics_ports={name: free_port() for name in SERVICES})
        try:
            stack.start()
            yield Portal(stack.base_url, mail, stack, agent_email, agent_password)
        finally:
            stack.stop()


@pytest.fixture
def next_month():
    """Next month: its period and its school days (Mon, Tue, Thu, Fri), always bookable."""
    first = (date.today().replace(day=1) + timedelta(days=32)).replace(day=1)
    days = [first + timedelta(days=n) for n in range(28)]
    return first.strftime("%Y-%m"), [d.isoformat() for d in days if d.weekday() in (0, 1, 3, 4)]
