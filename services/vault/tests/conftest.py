import io
import uuid

import pytest
from loopback import s3_server
from minio import Minio


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

    def overwrite(self, key, content):
        self.client.put_object(self.name, key, io.BytesIO(content), length=len(content))

    def remove(self, key):
        self.client.remove_object(self.name, key)


@pytest.fixture
def bucket(bucket_settings):
    return Bucket(bucket_settings)
