import io
import secrets
import uuid
from pathlib import Path

import pytest
import requests
from loopback import free_port, s3_server
from minio import Minio
from nameko.testing.services import replace_dependencies

from kit.caller import HTTP_HEADER, Caller, CallerKey


@pytest.fixture
def service_name():
    return "vault"


@pytest.fixture(scope="session")
def s3_settings():
    with s3_server() as settings:
        yield settings


@pytest.fixture
def bucket_settings(s3_settings):
    """A bucket of its own for each test, which nothing has created yet."""
    return dict(s3_settings, S3_BUCKET=f"documents-{uuid.uuid4().hex[:12]}")


class Bucket:
    """The test's own look into the S3 server, past the vault."""

    def __init__(self, settings):
        self.client = Minio(settings["S3_ENDPOINT"], access_key=settings["S3_ACCESS_KEY"],
                            secret_key=settings["S3_SECRET_KEY"], secure=False)
        self.name = settings["S3_BUCKET"]

    def keys(self):
        if not self.client.bucket_exists(self.name):
            return []
        return sorted(item.object_name for item in self.client.list_objects(self.name, recursive=True))

    def read(self, key):
        response = self.client.get_object(self.name, key)
        try:
            return response.read()
        finally:
            response.close()
            response.release_conn()

    def write(self, key, content):
        self.client.put_object(self.name, key, io.BytesIO(content), length=len(content))

    def remove(self, key):
        self.client.remove_object(self.name, key)


class Folder:
    """The same look into a local folder."""

    def __init__(self, folder):
        self.folder = Path(folder)

    def keys(self):
        return sorted(p.name for p in self.folder.iterdir()) if self.folder.exists() else []

    def read(self, key):
        return (self.folder / key).read_bytes()

    def write(self, key, content):
        (self.folder / key).write_bytes(content)

    def remove(self, key):
        (self.folder / key).unlink()


@pytest.fixture
def bucket(bucket_settings):
    return Bucket(bucket_settings)


@pytest.fixture(params=["s3", "local"])
def place(request, tmp_path, monkeypatch):
    """Where the vault keeps its objects, and the test's own look into it: the
    same tests run against a real S3 server on loopback and a local folder."""
    if request.param == "s3":
        settings = request.getfixturevalue("bucket_settings")
        return settings, Bucket(settings)
    monkeypatch.delenv("S3_ENDPOINT", raising=False)
    folder = tmp_path / "documents"
    return {"VAULT_LOCAL_DIR": str(folder)}, Folder(folder)


@pytest.fixture
def stored(place):
    return place[1]


@pytest.fixture(scope="session")
def master_key():
    return secrets.token_hex(32)


@pytest.fixture
def vault_config(config, place, master_key):
    return dict(config, **place[0], VAULT_MASTER_KEY=master_key, VAULT_HOUSEKEEPING_SECONDS="0",
                WEB_SERVER_ADDRESS=f"127.0.0.1:{free_port()}")


class Streams:
    """The vault's HTTP entrypoint as the gateway reaches it, signing each call as one caller."""

    def __init__(self, config):
        self.base = f"http://{config['WEB_SERVER_ADDRESS']}"
        self.key = CallerKey(config["CALLER_CONTEXT_KEY"])

    def headers(self, caller):
        return {HTTP_HEADER: self.key.sign(caller)} if caller else {}

    def upload(self, caller, content, category="attestation_domicile", filename="attestation.pdf",
               content_type="application/pdf", issued_on="2026-11-20", idempotency_key=None, **params):
        params = dict(category=category, filename=filename, issued_on=issued_on, **params)
        retried = {"Idempotency-Key": idempotency_key} if idempotency_key else {}
        return requests.post(f"{self.base}/documents", params={k: v for k, v in params.items() if v is not None},
                             data=content, headers={**self.headers(caller), "Content-Type": content_type, **retried},
                             timeout=30)

    def get(self, caller, path, **kwargs):
        return requests.get(self.base + path, headers=self.headers(caller), timeout=30, **kwargs)


@pytest.fixture
def as_family():
    """The caller a guardian of `household` is, as the gateway signs it."""
    def caller(household, account=None):
        return Caller(part="gateway", account_id=uuid.UUID(str(account)) if account else uuid.uuid4(), role="family",
                      household_id=uuid.UUID(str(household)), session_id="family-session")
    return caller


@pytest.fixture
def as_agent(rpc):
    return Caller(part="gateway", account_id=rpc("vault").agent_id, role="agent", session_id="agent-session")


@pytest.fixture
def start_vault(container_factory, vault_config):
    """Starts the vault with its test settings, some of them replaced."""
    from vault.service import VaultService

    def start(stand_ins=None, **overrides):
        """`stand_ins`: the services the vault calls, replaced ({"identity": ..., ...})."""
        config = dict(vault_config, WEB_SERVER_ADDRESS=f"127.0.0.1:{free_port()}", **overrides)
        container = container_factory(VaultService, config)
        if stand_ins:
            replace_dependencies(container, **stand_ins)
        container.start()
        return container, Streams(config)
    return start
