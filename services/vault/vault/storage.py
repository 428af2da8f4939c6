"""Where the documents' bytes live, behind one small interface:

- `S3Storage`: a bucket of an S3 server (MinIO in production), through the `minio` client;
- `LocalStorage`: a folder on disk, so that `make run` works on a fresh machine.

`DocumentStorage` gives the service the one its configuration asks for:
S3 when `S3_ENDPOINT` is set, else the folder `VAULT_LOCAL_DIR` (default var/documents).
"""
import abc
import contextlib
import io
import os
import tempfile
from pathlib import Path

from minio import Minio
from minio.error import S3Error
from nameko.extensions import DependencyProvider

from kit.config import setting, var_dir


class Storage(abc.ABC):
    @abc.abstractmethod
    def prepare(self):
        """Makes the place ready to take documents; harmless when it already is."""

    @abc.abstractmethod
    def put(self, key, content, content_type):
        """Stores `content` whole under `key`."""

    @abc.abstractmethod
    def get(self, key):
        """The bytes stored under `key`, or None when there are none."""

    @abc.abstractmethod
    def remove(self, key):
        """Forgets `key`; removing what is not there is not an error."""


class S3Storage(Storage):
    def __init__(self, endpoint, access_key, secret_key, bucket, secure=False):
        self.client = Minio(endpoint, access_key=access_key, secret_key=secret_key, secure=secure)
        self.bucket = bucket

    def prepare(self):
        if self.client.bucket_exists(self.bucket):
            return
        try:
            self.client.make_bucket(self.bucket)
        except S3Error as error:
            # Another instance of the service made it in the meantime.
            if error.code not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
                raise

    def put(self, key, content, content_type):
        self.client.put_object(self.bucket, key, io.BytesIO(content), length=len(content),
                               content_type=content_type)

    def get(self, key):
        try:
            response = self.client.get_object(self.bucket, key)
        except S3Error as error:
            if error.code == "NoSuchKey":
                return None
            raise
        try:
            return response.read()
        finally:
            response.close()
            response.release_conn()

    def remove(self, key):
        self.client.remove_object(self.bucket, key)


class LocalStorage(Storage):
    def __init__(self, folder):
        self.folder = Path(folder).resolve()

    def prepare(self):
        self.folder.mkdir(parents=True, exist_ok=True)

    def path(self, key):
        """Keys are plain names: none may reach outside the folder, even through a link."""
        path = (self.folder / key).resolve()
        if path.parent != self.folder:
            raise ValueError(f"storage key {key!r} is not a plain file name")
        return path

    def put(self, key, content, content_type):
        path = self.path(key)
        # Written aside, then renamed over: a reader finds the whole document or none.
        descriptor, temporary = tempfile.mkstemp(dir=self.folder, prefix=".incoming-")
        try:
            with os.fdopen(descriptor, "wb") as file:
                file.write(content)
                file.flush()
                os.fsync(file.fileno())
            os.replace(temporary, path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)
            raise

    def get(self, key):
        try:
            return self.path(key).read_bytes()
        except FileNotFoundError:
            return None

    def remove(self, key):
        self.path(key).unlink(missing_ok=True)


def storage_from_config(config):
    endpoint = setting(config, "S3_ENDPOINT")
    if endpoint:
        return S3Storage(
            endpoint,
            access_key=setting(config, "S3_ACCESS_KEY"),
            secret_key=setting(config, "S3_SECRET_KEY"),
            bucket=setting(config, "S3_BUCKET", "documents"),
            secure=str(setting(config, "S3_SECURE", "false")).lower() in ("1", "true", "yes"))
    return LocalStorage(setting(config, "VAULT_LOCAL_DIR") or var_dir() / "documents")


class DocumentStorage(DependencyProvider):
    """The storage of a service container, made ready (bucket or folder) at setup."""

    def setup(self):
        self.storage = storage_from_config(self.container.config)
        self.storage.prepare()

    def get_dependency(self, worker_ctx):
        return self.storage
