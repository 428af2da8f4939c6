"""The whole portal on one machine, as processes: the five services and the
gateway, each started with the same command as in docker-compose.yml.

    python deploy/localstack.py     (what `make run` does)

With no other settings it uses the embedded defaults of the design: one
SQLite file per service, documents and e-mails (a Maildir) under var/, and
RabbitMQ on localhost. Every setting can be pointed elsewhere through the
environment (see the README). The end-to-end tests start the same Stack.
"""
import email
import email.policy
import json
import mailbox
import os
import re
import secrets
import signal
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import requests

from payfip_simulator import start as start_payfip

REPOSITORY = Path(__file__).resolve().parents[1]
SERVICES = ("identity", "family", "vault", "billing", "notify")
PYTHON = sys.executable


class Stack:
    def __init__(self, env, gateway_port=8000, metrics_ports=None, log_dir=None, vault_port=8010, broker_uris=None):
        """`broker_uris` gives a part its own AMQP_URI (its own broker user); the others use env's."""
        self.gateway_port = gateway_port
        self.broker_uris = broker_uris or {}
        self.base_url = f"http://127.0.0.1:{gateway_port}"
        # the vault's HTTP entrypoint, through which the gateway streams the documents' bytes
        vault_address = {"VAULT_HTTP_ADDRESS": f"127.0.0.1:{vault_port}", "VAULT_URL": f"http://127.0.0.1:{vault_port}"}
        self.env = {"PORTAL_BASE_URL": self.base_url, **vault_address, **os.environ, **env}
        self.metrics_ports = metrics_ports or {name: 9101 + i for i, name in enumerate(SERVICES)}
        self.log_dir = Path(log_dir or Path(self.env.get("PORTAIL_VAR_DIR", REPOSITORY / "var")) / "log")
        self.processes = {}

    def start(self, timeout=300):
        self.log_dir.mkdir(parents=True, exist_ok=True)
        for name in SERVICES:
            self.start_service(name)
        self.start_gateway()
        self.wait_until_healthy(timeout)
        return self

    def start_service(self, name):
        env = {**self.env, **self._broker(name), "METRICS_PORT": str(self.metrics_ports[name])}
        self._spawn(name, [PYTHON, "-m", "kit.serve", name], env)

    def start_gateway(self):
        env = {**self.env, **self._broker("gateway"), "GATEWAY_BIND": f"127.0.0.1:{self.gateway_port}"}
        env.setdefault("PROMETHEUS_MULTIPROC_DIR", str(self.log_dir.parent / "prometheus"))
        self._spawn("gateway", [PYTHON, "-m", "gunicorn", "-c", "gateway/gunicorn.conf.py", "gateway.wsgi:app"], env)

    def _broker(self, name):
        return {"AMQP_URI": self.broker_uris[name]} if name in self.broker_uris else {}

    def _spawn(self, name, command, env):
        log = open(self.log_dir / f"{name}.log", "ab")
        self.processes[name] = subprocess.Popen(
            command, cwd=REPOSITORY, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        log.close()

    def stop(self, names=None, timeout=15):
        """SIGTERM to each (gateway first, so no new work comes in), then SIGKILL to the late."""
        names = sorted(names or self.processes, key=lambda name: name != "gateway")
        stopping = [self.processes.pop(name) for name in names]
        for process in stopping:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for process in stopping:
            try:
                process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()

    def kill(self, name):
        """SIGKILL, as when a machine or a container dies: no clean stop."""
        process = self.processes.pop(name)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()

    def wait_until_healthy(self, timeout=300):
        """Until /healthz says 200. Under load, gunicorn's workers may take many
        seconds to import and answer: any error or slow answer before the
        deadline only means "not ready yet"."""
        deadline = time.monotonic() + timeout
        report = None
        while time.monotonic() < deadline:
            for name, process in self.processes.items():
                if process.poll() is not None:
                    raise RuntimeError(f"{name} stopped (exit {process.returncode}); see {self.log_dir / name}.log")
            try:
                answer = requests.get(f"{self.base_url}/healthz", timeout=10)
                report = answer.json()
                if answer.status_code == 200:
                    return report
            except (requests.RequestException, ValueError) as error:
                report = report or repr(error)
            time.sleep(0.5)
        raise RuntimeError(f"the portal was not healthy after {timeout}s: {report}; logs in {self.log_dir}")


def embedded_defaults(var_dir):
    """Settings of `make run`: the passwords and the secret keys (the vault's master key among them)
    are drawn once and kept in var/."""
    secrets_file = var_dir / "demo-secrets.json"
    kept = json.loads(secrets_file.read_text()) if secrets_file.exists() else {}
    drawn = {
        "secret_key": lambda: secrets.token_hex(32),
        "caller_context_key": lambda: secrets.token_hex(32),
        "vault_master_key": lambda: secrets.token_hex(32),
        "agent_password": lambda: "Agent-" + secrets.token_urlsafe(9),
        "parent_password": lambda: "Parent-" + secrets.token_urlsafe(9),
    }
    if set(drawn) - set(kept):
        kept = {name: kept.get(name) or draw() for name, draw in drawn.items()}
        secrets_file.write_text(json.dumps(kept))
        secrets_file.chmod(0o600)
    return kept, {
        "PORTAIL_VAR_DIR": str(var_dir),
        "PORTAL_SECRET_KEY": kept["secret_key"],
        "CALLER_CONTEXT_KEY": kept["caller_context_key"],
        "VAULT_MASTER_KEY": kept["vault_master_key"],
        "PORTAL_BOOTSTRAP_AGENT_EMAIL": "agent@caisse-des-ecoles.example",
        "PORTAL_BOOTSTRAP_AGENT_PASSWORD": kept["agent_password"],
        # billing takes the first day of the month after next for today: next month has ended for it, so the
        # demo shows next month's invoice, and this year's attestations as if the year were over
        "BILLING_TODAY": first_of_month_after_next(date.today()).isoformat(),
    }


def first_of_month_after_next(today):
    return (today.replace(day=1) + timedelta(days=62)).replace(day=1)


def seed_demo(base_url, agent_email, agent_password, parent_password, var_dir):
    """A household with two children and its parent's account, once."""
    seeded = var_dir / "demo.json"
    if seeded.exists():
        return json.loads(seeded.read_text())
    http = requests.Session()
    token = log_in_when_ready(http, base_url, agent_email, agent_password)
    agent = {"Authorization": f"Bearer {token}"}
    household = http.post(f"{base_url}/api/v1/agent/households", headers=agent, timeout=30, json={
        "guardians": [{"first_name": "Camille", "last_name": "Martin", "email": "camille.martin@example.org",
                       "phone": "06 12 34 56 78"}],
        "children": [
            {"first_name": "Léa", "last_name": "Martin", "birth_date": "2017-03-14", "school": "École Jules Ferry"},
            {"first_name": "Hugo", "last_name": "Martin", "birth_date": f"{date.today().year - 5}-09-02",
             "school": "École Jules Ferry"}],
        "quotient_familial": 850}).json()
    second = http.post(f"{base_url}/api/v1/agent/households", headers=agent, timeout=30, json={
        "guardians": [{"first_name": "Sami", "last_name": "Benali", "email": "sami.benali@example.org"}],
        "children": [{"first_name": "Inès", "last_name": "Benali", "birth_date": "2016-05-20",
                      "school": "École Pasteur"}],
        "quotient_familial": 420}).json()
    http.post(f"{base_url}/api/v1/accounts", timeout=30, json={
        "email": "camille.martin@example.org", "password": parent_password, "child_key": household["child_key"]}
    ).raise_for_status()
    # the demo parent confirms the address with the link notify wrote to the local Maildir
    token = verification_token(var_dir / "mail", "camille.martin@example.org")
    http.post(f"{base_url}/api/v1/email-verifications", json={"token": token}, timeout=30).raise_for_status()
    bill_next_month(http, base_url, agent, household, parent_password)
    demo = {"parent_email": "camille.martin@example.org", "child_key": household["child_key"],
            "unregistered_child_key": second["child_key"]}
    seeded.write_text(json.dumps(demo))
    return demo


def bill_next_month(http, base_url, agent, household, parent_password):
    """The demo parent books next month (lunches, the étude, the evening care), the agent bills it and
    records a cheque for half of it: an invoice to read and pay, a payment, an attestation."""
    parent = {"Authorization": f"Bearer {log_in_when_ready(http, base_url, 'camille.martin@example.org', parent_password)}"}
    first_day = (date.today().replace(day=1) + timedelta(days=32)).replace(day=1)
    last_day = first_of_month_after_next(date.today()) - timedelta(days=1)
    lea, hugo = household["children"]
    for child, activity in ((lea, "restauration_scolaire"), (lea, "etude"), (hugo, "restauration_scolaire"),
                            (hugo, "accueil_du_soir")):
        http.post(f"{base_url}/api/v1/bookings/period", headers=parent, timeout=60, json={
            "child_id": child["id"], "activity": activity, "first_day": first_day.isoformat(),
            "last_day": last_day.isoformat(), "weekdays": [0, 1, 3, 4]}).raise_for_status()
    period = first_day.strftime("%Y-%m")
    http.post(f"{base_url}/api/v1/agent/billing-runs", headers=agent, timeout=120,
              json={"period": period}).raise_for_status()
    [invoice] = http.get(f"{base_url}/api/v1/agent/invoices", headers=agent, timeout=60,
                         params={"period": period, "household_id": household["id"]}).json()
    http.post(f"{base_url}/api/v1/agent/households/{household['id']}/payments", headers=agent, timeout=60, json={
        "number": invoice["number"], "amount_cents": invoice["total_cents"] // 2, "means": "cheque",
        "cheque_number": "1234567", "bank": "La Banque Postale"}).raise_for_status()


def log_in_when_ready(http, base_url, email, password, seconds=120):
    """The session token of the bootstrap admin, as soon as identity knows it."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            answer = http.post(f"{base_url}/api/v1/session", json={"email": email, "password": password}, timeout=30)
            if answer.status_code == 200:
                return answer.json()["token"]
            said = answer.text
        except requests.RequestException as error:
            said = repr(error)
        if time.monotonic() > deadline:
            raise RuntimeError(f"could not log in as {email}: {said}")
        time.sleep(1)


def verification_token(maildir, address, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if maildir.exists():
            box = mailbox.Maildir(maildir, factory=None, create=False)
            for key in box.keys():
                message = email.message_from_bytes(box.get_bytes(key), policy=email.policy.default)
                found = re.search(r"/verifier-courriel\?jeton=([\w-]+)", message.get_body(("plain",)).get_content())
                if message["To"] == address and found:
                    return found.group(1)
        time.sleep(0.5)
    raise RuntimeError(f"no verification e-mail for {address} in {maildir}")


def main():
    var_dir = Path(os.environ.get("PORTAIL_VAR_DIR") or REPOSITORY / "var").resolve()
    var_dir.mkdir(parents=True, exist_ok=True)
    kept, env = embedded_defaults(var_dir)
    env = {**env, **{k: v for k, v in os.environ.items() if k in env}}
    # card payments go to a local PayFiP speaking the same protocol (deploy/payfip_simulator.py)
    payfip, _ = start_payfip(int(os.environ.get("PAYFIP_PORT", "8090")))
    env["PAYFIP_URL"] = f"http://127.0.0.1:{payfip.server_port}/tpa/paiement.web"
    first_metrics_port = int(os.environ.get("METRICS_PORTS_FROM", "9101"))
    stack = Stack(env, gateway_port=int(os.environ.get("PORTAL_PORT", "8000")),
                  metrics_ports={name: first_metrics_port + i for i, name in enumerate(SERVICES)},
                  vault_port=int(os.environ.get("VAULT_HTTP_PORT", "8010")))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    signal.signal(signal.SIGINT, signal.default_int_handler)  # even when started in the background
    try:
        print("Démarrage du Portail famille...", flush=True)
        stack.start()
        demo = seed_demo(stack.base_url, env["PORTAL_BOOTSTRAP_AGENT_EMAIL"], env["PORTAL_BOOTSTRAP_AGENT_PASSWORD"],
                         kept["parent_password"], var_dir)
        print(f"""
Portail famille prêt : http://localhost:{stack.gateway_port}/
  Parent (démo)      : {demo['parent_email']} / {kept['parent_password']}
  Admin (agents)     : {env['PORTAL_BOOTSTRAP_AGENT_EMAIL']} / {env['PORTAL_BOOTSTRAP_AGENT_PASSWORD']}
  Clé enfance libre  : {demo['unregistered_child_key']} (pour créer un autre espace)
  API et OpenAPI     : http://localhost:{stack.gateway_port}/api/v1/openapi.json
  Métriques          : http://localhost:{stack.gateway_port}/metrics et ports {min(stack.metrics_ports.values())}-{max(stack.metrics_ports.values())}
  Paiement par carte : simulateur PayFiP sur le port {payfip.server_port} (carte finissant par 0002 : refusée)
  E-mails envoyés    : {var_dir / 'mail'} (Maildir)   Journaux : {stack.log_dir}
Ctrl-C pour tout arrêter.""", flush=True)
        while all(p.poll() is None for p in stack.processes.values()):
            time.sleep(1)
        stopped = [name for name, p in stack.processes.items() if p.poll() is not None]
        print(f"Arrêt : {', '.join(stopped)} s'est arrêté ; voir {stack.log_dir}.", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        # a second Ctrl-C or SIGTERM must not cut the stop short and leave services running
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        print("Arrêt du Portail famille...", flush=True)
        stack.stop()


if __name__ == "__main__":
    sys.exit(main())
