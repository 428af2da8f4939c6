"""The local portal started as `make run` starts it (deploy/localstack.py), for the tests that
look at it whole: on its own RabbitMQ vhost, its own ports and var/ folder."""
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import requests

from localstack import SERVICES
from loopback import free_port, free_ports_in_a_row

ROOT = Path(__file__).resolve().parents[1]
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


def launch(var_dir, amqp_uri):
    port = free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PORTAL_", "PORTAIL_"))}
    env.update(PORTAIL_VAR_DIR=str(var_dir), PORTAL_PORT=str(port), AMQP_URI=amqp_uri,
               METRICS_PORTS_FROM=str(free_ports_in_a_row(len(SERVICES))), VAULT_HTTP_PORT=str(free_port()),
               PAYFIP_PORT=str(free_port()))
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
