"""`make run` reaches its address at the first try, from a fresh var/, on
this 2-core machine kept busy by other processes — a newcomer's first
minute. The launcher is started exactly as `make run` starts it."""
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import requests

from loopback import free_port

ROOT = Path(__file__).resolve().parents[2]
RABBIT_API = "http://127.0.0.1:15672/api"
READY = "Ctrl-C pour tout arrêter"  # the last line of what `make run` says once the portal is ready


@pytest.fixture
def vhost():
    """The machine's RabbitMQ, a vhost of its own so that nothing else answers for the portal."""
    name = f"make-run-{uuid.uuid4().hex[:8]}"
    auth = ("guest", "guest")
    requests.put(f"{RABBIT_API}/vhosts/{name}", auth=auth, timeout=10).raise_for_status()
    requests.put(f"{RABBIT_API}/permissions/{name}/guest", auth=auth, timeout=10,
                 json={"configure": ".*", "write": ".*", "read": ".*"}).raise_for_status()
    yield f"amqp://guest:guest@127.0.0.1:5672/{name}"
    requests.delete(f"{RABBIT_API}/vhosts/{name}", auth=auth, timeout=10)


@pytest.fixture
def busy_machine():
    """Every core kept busy while the portal starts."""
    hogs = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(os.cpu_count() or 2)]
    yield
    for hog in hogs:
        hog.kill()
        hog.wait()


def launch(var_dir, amqp_uri):
    port = free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PORTAL_", "PORTAIL_"))}
    env.update(PORTAIL_VAR_DIR=str(var_dir), PORTAL_PORT=str(port), AMQP_URI=amqp_uri,
               METRICS_PORTS_FROM=str(free_port()), VAULT_HTTP_PORT=str(free_port()))
    launcher = subprocess.Popen([sys.executable, "deploy/localstack.py"], cwd=ROOT, env=env, text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    return launcher, port


def said_until_ready(launcher, seconds):
    said, deadline = [], time.monotonic() + seconds
    for line in launcher.stdout:
        said.append(line)
        if READY in line:
            return said, True
        if time.monotonic() > deadline:
            break
    return said, False


@pytest.mark.parametrize("attempt", [1, 2])
def test_make_run_is_ready_at_the_first_try_on_a_busy_machine(tmp_path, vhost, busy_machine, attempt):
    launcher, port = launch(tmp_path / "var", vhost)
    try:
        said, ready = said_until_ready(launcher, seconds=420)
        assert ready, "".join(said[-40:])
        page = requests.get(f"http://127.0.0.1:{port}/connexion", timeout=30)
        assert page.status_code == 200 and "Portail famille" in page.text
        demo = [line for line in said if "Parent (démo)" in line]
        assert demo, "".join(said)
        email, password = demo[0].split(":", 1)[1].strip().split(" / ")
        login = requests.post(f"http://127.0.0.1:{port}/api/v1/session", json={"email": email, "password": password},
                              timeout=30)
        assert login.status_code == 200, login.text
    finally:
        os.killpg(launcher.pid, signal.SIGINT)  # Ctrl-C, as the newcomer would
        launcher.wait(60)
