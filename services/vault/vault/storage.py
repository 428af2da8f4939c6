"""Where the documents' (encrypted) bytes live, behind one small streaming
interface:

- `S3Storage`: a bucket of an S3 server (MinIO in production), through the `minio` client;
- `LocalStorage`: a folder on disk, so that `make run` works on a fresh machine.

Objects are written from and read as iterables of byte strings, so that no
document is ever held whole in memory (S3 uploads buffer one part of
PART_SIZE at most). A store that does not answer raises StorageUnavailable.

`DocumentStorage` gives the service the one its configuration asks for:
S3 when `S3_ENDPOINT` is set, else the folder `VAULT_LOCAL_DIR` (default var/documents).
"""
import abc
import contextlib
import os
import tempfile
from datetime import datetime, timezone
from pathlib import Path

import urllib3
from minio import Minio
from minio.error import MinioException, S3Error
from nameko.extensions import DependencyProvider

from kit.config import setting, var_dir

CHUNK_SIZE = 256 * 1024
PART_SIZE = 5 * 1024 * 1024  # S3's smallest multipart part: the most a put holds in memory
INCOMING = ".incoming-"


class StorageUnavailable(Exception):
    """The store did not answer (down, unreachable, refusing our credentials)."""


class ChunkReader:
    """A file-like view of an iterable of byte strings, read in any sizes."""

    def __init__(self, chunks):
        self.chunks = iter(chunks)
        self.buffer = bytearray()

    def read(self, size=-1):
        while size < 0 or len(self.buffer) < size:
            chunk = next(self.chunks, None)
            if chunk is None:
                break
            self.buffer += chunk
        if size < 0:
            size = len(self.buffer)
        block = bytes(self.buffer[:size])
        del self.buffer[:size]
        return block


class Storage(abc.ABC):
    @abc.abstractmethod
    def prepare(self):
        """Makes the place ready to take documents; harmless when it already is."""

    @abc.abstractmethod
    def put(self, key, chunks, length):
        """Stores the `length` bytes given by `chunks` whole under `key`, or nothing."""

    @abc.abstractmethod
    def open(self, key):
        """An iterator over the bytes stored under `key` (with a `close()`), or None when there are none."""

    @abc.abstractmethod
    def remove(self, key):
        """Forgets `key`; removing what is not there is not an error."""

    @abc.abstractmethod
    def keys(self):
        """Every (key, last modified) stored, in no particular order."""


class S3Storage(Storage):
    def __init__(self, endpoint, access_key, secret_key, bucket, secure=False):
        http = urllib3.PoolManager(
            timeout=urllib3.Timeout(connect=5, read=60), maxsize=10,
            retries=urllib3.Retry(total=2, backoff_factor=0.2, status_forcelist=[500, 502, 503, 504]))
        self.client = Minio(endpoint, access_key=access_key, secret_key=secret_key, secure=secure, http_client=http)
        self.bucket = bucket

    @contextlib.contextmanager
    def answering(self):
        try:
            yield
        except S3Error as error:
            if error.code in ("NoSuchKey",):
                raise
            raise StorageUnavailable(f"S3 refused: {error.code}") from error
        except (MinioException, urllib3.exceptions.HTTPError, OSError) as error:
            raise StorageUnavailable(f"S3 does not answer: {error}") from error

    def prepare(self):
        with self.answering():
            if self.client.bucket_exists(self.bucket):
                return
            try:
                self.client.make_bucket(self.bucket)
            except S3Error as error:
                # Another instance of the service made it in the meantime.
                if error.code not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
                    raise

    def put(self, key, chunks, length):
        with self.answering():
            self.client.put_object(self.bucket, key, ChunkReader(chunks), length=length,
                                   content_type="application/octet-stream", part_size=PART_SIZE)

    def open(self, key):
        try:
            with self.answering():
                response = self.client.get_object(self.bucket, key)
        except S3Error:  # NoSuchKey: the others became StorageUnavailable
            return None
        return _S3Object(response, self.answering)

    def remove(self, key):
        with self.answering():
            self.client.remove_object(self.bucket, key)

    def keys(self):
        with self.answering():
            for item in self.client.list_objects(self.bucket, recursive=True):
                yield item.object_name, item.last_modified


class _S3Object:
    def __init__(self, response, answering):
        self.response = response
        self.answering = answering

    def __iter__(self):
        with self.answering():
            yield from self.response.stream(CHUNK_SIZE)

    def close(self):
        self.response.close()
        self.response.release_conn()


class LocalStorage(Storage):
    def __init__(self, folder):
        self.folder = Path(folder).resolve()

    def prepare(self):
        self.folder.mkdir(parents=True, exist_ok=True)

    def path(self, key):
        """Keys are plain names: none may reach outside the folder, even through a link."""
        path = (self.folder / key).resolve()
        if path.parent != self.folder or key.startswith(INCOMING):
            raise ValueError(f"storage key {key!r} is not a plain file name")
        return path

    def put(self, key, chunks, length):
        path = self.path(key)
        # Written aside, then renamed over: a reader finds the whole document or none.
        try:
            descriptor, temporary = tempfile.mkstemp(dir=self.folder, prefix=INCOMING)
        except OSError as error:
            raise StorageUnavailable(f"cannot write in {self.folder}: {error}") from error
        try:
            with os.fdopen(descriptor, "wb") as file:
                for chunk in chunks:
                    file.write(chunk)
                file.flush()
                os.fsync(file.fileno())
            os.replace(temporary, path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)
            raise

    def open(self, key):
        try:
            file = open(self.path(key), "rb")
        except FileNotFoundError:
            return None
        except OSError as error:
            raise StorageUnavailable(f"cannot read {key}: {error}") from error
        return _LocalObject(file)

    def remove(self, key):
        self.path(key).unlink(missing_ok=True)

    def keys(self):
        for entry in os.scandir(self.folder):
            if entry.is_file(follow_symlinks=False) and not entry.name.startswith(INCOMING):
                yield entry.name, datetime.fromtimestamp(entry.stat().st_mtime, timezone.utc)


class _LocalObject:
    def __init__(self, file):
        self.file = file

    def __iter__(self):
        while chunk := self.file.read(CHUNK_SIZE):
            yield chunk

    def close(self):
        self.file.close()


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
