"""What every benchmark shares: the portal started as `make run` starts it
(deploy/localstack.py's Stack: the five services and the gateway under
gunicorn, as processes), but on PostgreSQL databases of their own and a fresh
RabbitMQ vhost, as the end-to-end tests do (tests/conftest.py), with e-mail
caught by aiosmtpd and documents in moto on loopback; families made through
the agent API; and the figures printed as a table and as JSON, each beside
the baseline measured in the same run.

    with BenchPortal() as portal:
        families = portal.families(16)
        ...
        print_report("API under load", figures, details)
"""
import contextlib
import email
import email.policy
import json
import mailbox
import os
import platform
import re
import secrets
import shutil
import sys
import time
import uuid
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from pathlib import Path

import requests
from sqlalchemy import create_engine, text

REPOSITORY = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPOSITORY / "tests"), str(REPOSITORY / "deploy")]

from localstack import SERVICES, Stack, log_in_when_ready  # noqa: E402
from loopback import free_port, s3_server, smtp_server  # noqa: E402

POSTGRES = "postgresql+psycopg2://postgres@127.0.0.1:5432"
RABBIT_API = "http://127.0.0.1:15672/api"
BROKER_AUTH = ("guest", "guest")
PASSWORD = "une phrase de passe pour le banc d'essai"


@dataclass
class Family:
    email: str
    household: dict          # as the family reads it
    cookie: requests.Session  # the browser's way: the session cookie
    access_token: str         # the mobile app's way: a short-lived JWT
    refresh_token: str
    account_id: str
    csrf_token: str           # what a script using the cookie sends back on writes

    @property
    def household_id(self):
        return self.household["id"]


class BenchPortal:
    """The portal, started on throwaway databases and vhost; stopped and dropped on exit."""

    def __init__(self, env=None, keep=False):
        self.extra_env = env or {}
        self.keep = keep
        self.suffix = uuid.uuid4().hex[:8]
        self.databases = {name: f"bench_{name}_{self.suffix}" for name in SERVICES}
        self.vhost = f"bench-{self.suffix}"
        self.exits = contextlib.ExitStack()
        self.agent_email, self.agent_password = "agent@caisse.example", secrets.token_urlsafe(16)

    def database_url(self, service, driver="postgresql+psycopg2"):
        return f"{POSTGRES.replace('postgresql+psycopg2', driver)}/{self.databases[service]}"

    def __enter__(self):
        try:
            self._start()
        except BaseException:
            self.exits.close()
            raise
        return self

    def _start(self):
        admin = create_engine(f"{POSTGRES}/postgres", isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            for database in self.databases.values():
                connection.execute(text(f'CREATE DATABASE "{database}"'))
        self.exits.callback(self._drop_databases, admin)
        requests.put(f"{RABBIT_API}/vhosts/{self.vhost}", auth=BROKER_AUTH, timeout=10).raise_for_status()
        requests.put(f"{RABBIT_API}/permissions/{self.vhost}/guest", auth=BROKER_AUTH, timeout=10,
                     json={"configure": ".*", "write": ".*", "read": ".*"}).raise_for_status()
        self.exits.callback(lambda: requests.delete(f"{RABBIT_API}/vhosts/{self.vhost}", auth=BROKER_AUTH, timeout=30))
        self.folder = Path(self.exits.enter_context(_folder(self.suffix, self.keep)))
        s3 = self.exits.enter_context(s3_server())
        smtp, self.mail = self.exits.enter_context(smtp_server(self.folder))
        self.amqp_uri = f"amqp://guest:guest@127.0.0.1:5672/{self.vhost}"
        self.caller_context_key = secrets.token_hex(32)
        env = {f"{name.upper()}_DATABASE_URL": self.database_url(name) for name in SERVICES}
        env.update(s3, **smtp, AMQP_URI=self.amqp_uri, PORTAIL_VAR_DIR=str(self.folder),
                   PORTAL_SECRET_KEY=secrets.token_hex(32), CALLER_CONTEXT_KEY=self.caller_context_key,
                   VAULT_MASTER_KEY=secrets.token_hex(32), PORTAL_BOOTSTRAP_AGENT_EMAIL=self.agent_email,
                   PORTAL_BOOTSTRAP_AGENT_PASSWORD=self.agent_password, LOG_LEVEL="WARNING", NOTIFY_RETRY_DELAY="1")
        env.update(self.extra_env)
        self.stack = Stack(env, gateway_port=free_port(), metrics_ports={name: free_port() for name in SERVICES},
                           vault_port=free_port(), log_dir=self.folder / "log")
        self.exits.callback(self.stack.stop)
        self.stack.start()
        self.base_url = self.stack.base_url
        self.agent_token = log_in_when_ready(requests.Session(), self.base_url, self.agent_email, self.agent_password)

    def _drop_databases(self, admin):
        with admin.connect() as connection:
            for database in self.databases.values():
                connection.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        admin.dispose()

    def __exit__(self, *exc):
        self.exits.close()

    def url(self, path):
        return self.base_url + path

    def agent(self):
        http = requests.Session()
        http.headers["Authorization"] = f"Bearer {self.agent_token}"
        return http

    def families(self, count, children=2):
        """`count` households made through the agent API, each with its parent's
        account registered, its address confirmed through the e-mailed link, logged
        in both with a session cookie and with a mobile access token."""
        agent = self.agent()
        made = []
        for index in range(count):
            address = f"parent{index}-{self.suffix}@example.org"
            answer = agent.post(self.url("/api/v1/agent/households"), timeout=60, json={
                "guardians": [{"first_name": "Camille", "last_name": f"Martin{index}", "email": address}],
                "children": [{"first_name": f"Enfant{n}", "last_name": f"Martin{index}",
                              "birth_date": "2017-03-14", "school": "École Jules Ferry"} for n in range(children)],
                "quotient_familial": 400 + 50 * (index % 20)})
            answer.raise_for_status()
            requests.post(self.url("/api/v1/accounts"), timeout=60, json={
                "email": address, "password": PASSWORD, "child_key": answer.json()["child_key"]}).raise_for_status()
            made.append(address)
        for address, token in self.verification_tokens(made).items():
            requests.post(self.url("/api/v1/email-verifications"), json={"token": token},
                          timeout=60).raise_for_status()
        return [self.log_in(address) for address in made]

    def log_in(self, address, password=PASSWORD):
        cookie = requests.Session()
        cookie.post(self.url("/api/v1/session"), json={"email": address, "password": password},
                    timeout=60).raise_for_status()
        answer = requests.post(self.url("/api/v1/tokens"), json={"email": address, "password": password}, timeout=60)
        answer.raise_for_status()
        household = cookie.get(self.url("/api/v1/household"), timeout=60)
        household.raise_for_status()
        me = cookie.get(self.url("/api/v1/me"), timeout=60)
        return Family(address, household.json(), cookie, answer.json()["access_token"],
                      answer.json()["refresh_token"], me.json()["id"],
                      me.headers["X-CSRF-Token"])

    def refresh_access_tokens(self, families):
        for family in families:
            answer = requests.post(self.url("/api/v1/tokens/refresh"), timeout=60,
                                   json={"refresh_token": family.refresh_token})
            answer.raise_for_status()
            family.access_token, family.refresh_token = answer.json()["access_token"], answer.json()["refresh_token"]

    def verification_tokens(self, addresses, seconds=120):
        wanted, found = set(addresses), {}
        deadline = time.monotonic() + seconds
        while wanted - set(found) and time.monotonic() < deadline:
            box = mailbox.Maildir(self.mail.folder, factory=None, create=False)
            for key in box.keys():
                message = email.message_from_bytes(box.get_bytes(key), policy=email.policy.default)
                link = re.search(r"/verifier-courriel\?jeton=([\w-]+)", message.get_body(("plain",)).get_content())
                if message["To"] in wanted and link:
                    found[message["To"]] = link.group(1)
            time.sleep(0.3)
        if wanted - set(found):
            raise RuntimeError(f"no verification e-mail for {sorted(wanted - set(found))[:3]}...")
        return found

    def service_pids(self):
        return {name: process.pid for name, process in self.stack.processes.items()}


@contextlib.contextmanager
def _folder(suffix, keep):
    folder = Path(os.environ.get("BENCH_DIR", "/tmp")) / f"portail-bench-{suffix}"
    folder.mkdir(parents=True)
    yield folder
    if not keep:
        shutil.rmtree(folder, ignore_errors=True)


def next_month_school_days():
    """Next month's Mondays, Tuesdays, Thursdays and Fridays: always bookable."""
    first = (date.today().replace(day=1) + timedelta(days=32)).replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    days = [first + timedelta(days=n) for n in range((following - first).days)]
    return first.strftime("%Y-%m"), [d for d in days if d.weekday() in (0, 1, 3, 4)]


# Figures and how they are shown

@dataclass
class Figure:
    what: str
    portal: float
    baseline: float | None = None
    unit: str = ""
    baseline_is: str = ""
    target: str = ""
    higher_is_better: bool = True

    @property
    def ratio(self):
        """How many times worse than the baseline the portal is (1.0: as good)."""
        if not self.baseline or not self.portal:
            return None
        return self.baseline / self.portal if self.higher_is_better else self.portal / self.baseline


@dataclass
class Report:
    bench: str
    figures: list = field(default_factory=list)
    details: dict = field(default_factory=dict)

    def add(self, *args, **kwargs):
        self.figures.append(Figure(*args, **kwargs))

    def as_json(self):
        return {"bench": self.bench, "machine": machine(), "details": self.details,
                "figures": [{**asdict(f), "portal_over_baseline": f.ratio} for f in self.figures]}

    def print(self, json_only=False):
        if not json_only:
            print(f"\n== {self.bench} ==  ({machine()['summary']})")
            width = max(len(f.what) for f in self.figures) + 2
            print(f"{'what':{width}}{'portal':>12}{'baseline':>12}  {'unit':10}{'× worse':>9}  baseline is / target")
            for f in self.figures:
                baseline = f"{f.baseline:12.1f}" if f.baseline is not None else f"{'':12}"
                ratio = f"{f.ratio:9.2f}" if f.ratio is not None else f"{'':9}"
                print(f"{f.what:{width}}{f.portal:12.1f}{baseline}  {f.unit:10}{ratio}  "
                      f"{f.baseline_is}{' / target ' + f.target if f.target else ''}")
        print(json.dumps(self.as_json(), indent=2, default=str), flush=True)
        out = os.environ.get("BENCH_RESULTS")
        if out:
            Path(out).mkdir(parents=True, exist_ok=True)
            (Path(out) / f"{re.sub(r'[^a-z0-9]+', '_', self.bench.lower())}.json").write_text(
                json.dumps(self.as_json(), indent=2, default=str))


def machine():
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor())
    load = os.getloadavg()
    cores = os.cpu_count()
    return {"cpus": cores, "cpu_model": model, "python": platform.python_version(),
            "load_average_1m": round(load[0], 2),
            "summary": f"{cores} CPUs {model}, load {load[0]:.1f}, Python {platform.python_version()}"}


def percentile(values, fraction):
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]
