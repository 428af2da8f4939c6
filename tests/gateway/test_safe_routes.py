"""The gateway's safe routes and pages against a real vault process (its
HTTP entrypoint for the bytes, RPC over the real broker for the rest), the
person already authenticated: uploads and downloads stream through, the
vault's refusals come back as the API's errors, the pages render."""
import io
import os
import secrets
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import requests
import samples
from flask import g
from loopback import free_port

from gateway import auth
from gateway.app import create_app
from gateway.settings import Settings

RABBIT_API = "http://127.0.0.1:15672/api"
BROKER_AUTH = ("guest", "guest")
REPOSITORY = Path(__file__).resolve().parents[2]
HOUSEHOLD = str(uuid.uuid4())
FAMILY = {"id": str(uuid.uuid4()), "role": "family", "household_id": HOUSEHOLD, "email_verified": True,
          "session_id": "s", "email": "parent@example.org"}
AGENT = {"id": str(uuid.uuid4()), "role": "agent", "household_id": None, "session_id": "a"}


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    folder = tmp_path_factory.mktemp("vault")
    vhost = f"gateway-safe-{uuid.uuid4().hex[:8]}"
    requests.put(f"{RABBIT_API}/vhosts/{vhost}", auth=BROKER_AUTH, timeout=10).raise_for_status()
    requests.put(f"{RABBIT_API}/permissions/{vhost}/guest", auth=BROKER_AUTH, timeout=10,
                 json={"configure": ".*", "write": ".*", "read": ".*"}).raise_for_status()
    port = free_port()
    env = {**os.environ, "AMQP_URI": f"amqp://guest:guest@127.0.0.1:5672/{vhost}",
           "CALLER_CONTEXT_KEY": secrets.token_hex(32), "VAULT_MASTER_KEY": secrets.token_hex(32),
           "VAULT_DATABASE_URL": f"sqlite:///{folder / 'vault.sqlite'}", "VAULT_LOCAL_DIR": str(folder / "documents"),
           "VAULT_HTTP_ADDRESS": f"127.0.0.1:{port}", "VAULT_URL": f"http://127.0.0.1:{port}",
           "PORTAL_SECRET_KEY": secrets.token_hex(32)}
    env.pop("S3_ENDPOINT", None)
    with open(folder / "vault.log", "wb") as log:
        vault = subprocess.Popen([sys.executable, "-m", "kit.serve", "vault"], cwd=REPOSITORY, env=env,
                                 stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                requests.get(env["VAULT_URL"] + "/documents/x", timeout=1)
                break
            except requests.ConnectionError:
                assert vault.poll() is None and time.monotonic() < deadline, (folder / "vault.log").read_text()
                time.sleep(0.3)
        yield env, folder / "documents"
    finally:
        vault.terminate()
        vault.wait(15)
        requests.delete(f"{RABBIT_API}/vhosts/{vhost}", auth=BROKER_AUTH, timeout=10)


@pytest.fixture(scope="module")
def app(stack):
    env, _ = stack
    return create_app(Settings.from_environment(env))


@pytest.fixture
def as_person(monkeypatch):
    """The person the gateway has authenticated (identity is not what this test is about)."""
    def become(account):
        def authenticated():
            g.account, g.via_cookie = account, False
            return account
        monkeypatch.setattr(auth, "current_account", authenticated)
    return become


def upload(client, content, filename="attestation.pdf", content_type="application/pdf", **form):
    data = {"category": "attestation_domicile", "issued_on": "2026-11-20", **form,
            "file": (io.BytesIO(content), filename, content_type)}
    return client.post("/api/v1/documents", data=data, content_type="multipart/form-data")


def test_a_document_streams_in_and_out_through_the_gateway(app, stack, as_person):
    as_person(FAMILY)
    client = app.test_client()
    content = samples.pdf(2 * 1024 * 1024)
    answer = upload(client, content, filename="avis d'impôt.pdf", category="avis_imposition", issued_on="2026-08-01")
    assert answer.status_code == 201, answer.get_data(as_text=True)
    document = answer.get_json()
    stored = list(stack[1].iterdir())
    assert len(stored) == 1 and b"%PDF" not in stored[0].read_bytes()

    download = client.get(f"/api/v1/documents/{document['id']}/content")
    assert download.status_code == 200 and download.get_data() == content
    assert download.headers["Content-Length"] == str(len(content))
    assert download.headers["Content-Disposition"] == (
        "attachment; filename=\"avis d'imp?t.pdf\"; filename*=UTF-8''avis%20d%27imp%C3%B4t.pdf")
    assert client.get(f"/documents/{document['id']}").get_data() == content


def test_the_vault_s_refusals_are_the_api_s_errors(app, as_person):
    as_person(FAMILY)
    client = app.test_client()
    answer = upload(client, samples.pdf_with_javascript())
    assert answer.status_code == 422
    assert answer.get_json()["error"]["code"] == "active_pdf"
    missing = client.get(f"/api/v1/documents/{uuid.uuid4()}/content")
    assert missing.status_code == 404 and missing.get_json()["error"]["message"] == "Document introuvable."
    assert client.get("/api/v1/documents/pas-un-id/content").status_code == 404


def test_the_safe_page_and_the_agent_s_page_render(app, as_person):
    as_person(FAMILY)
    client = app.test_client()
    upload(client, samples.pdf(1000), filename="edf.pdf")
    page = client.get("/coffre-fort").get_data(as_text=True)
    for said in ("Mon coffre-fort", "edf.pdf", "Valide", "sur 50", "Vous avez déposé votre attestation de domicile"):
        assert said in page
    refused = client.post("/documents", data={"category": "attestation_domicile", "issued_on": "",
                                              "file": (io.BytesIO(samples.pdf(10)), "a.pdf")},
                          content_type="multipart/form-data")
    assert refused.status_code == 422
    assert 'aria-describedby="erreur-issued_on"' in refused.get_data(as_text=True)

    as_person(AGENT)
    request_id = str(uuid.uuid4())
    page = client.get(f"/agent/demarches/{request_id}/pieces?foyer={HOUSEHOLD}&reference=D-2026-000200")
    assert page.status_code == 200 and "Demander un document à la famille" in page.get_data(as_text=True)
    asked = client.post(f"/agent/demarches/{request_id}/pieces", data={
        "household_id": HOUSEHOLD, "reference": "D-2026-000200", "category": "avis_imposition"})
    assert asked.status_code == 302
    seen = client.get(asked.headers["Location"]).get_data(as_text=True)
    assert "Pièces de la demande D-2026-000200" in seen and "Avis d&#39;imposition — en attente" in seen
