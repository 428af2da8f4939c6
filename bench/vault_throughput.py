"""The vault's throughput and memory, against the raw S3 client.

    .venv/bin/python bench/vault_throughput.py [--documents 20] [--size-mb 2] [--json-only]

Starts, on loopback, an S3 server (moto) and the vault as `make run` starts
it (`python -m kit.serve vault`, its objects in that S3 server, a vhost of
the machine's RabbitMQ of its own). Then, in the same run, on the same S3
server:

- raw: N objects of the size put then got with the `minio` client;
- portal: the same N documents (real PDFs) uploaded then downloaded through
  the vault's HTTP entrypoint, the path of the bytes inside the portal:
  spooled, checked (the PDF parsed), encrypted, stored; then opened,
  decrypted, verified (the gateway passes the stream on as it comes);

and prints the throughput of each and their ratio (target: portal >= 50 %
of raw), and the peak memory of the vault's process over a 10 MB upload
and download (VmHWM, reset before each through /proc/PID/clear_refs), as a
table and as JSON.
"""
import argparse
import io
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import requests
from minio import Minio

REPOSITORY = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPOSITORY / "tests"), str(REPOSITORY / "services" / "kit")]

import samples  # noqa: E402
from loopback import free_port, s3_server  # noqa: E402

from kit.caller import HTTP_HEADER, Caller, CallerKey  # noqa: E402

RABBIT_API = "http://127.0.0.1:15672/api"
BROKER_AUTH = ("guest", "guest")
MB = 1024 * 1024


def kib(pid, field):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


def peak_during(pid, action):
    """(resident memory before, peak during `action`), in MiB."""
    Path(f"/proc/{pid}/clear_refs").write_text("5")  # resets VmHWM to the current resident size
    before = kib(pid, "VmRSS")
    action()
    return before / 1024, kib(pid, "VmHWM") / 1024


class Vault:
    def __init__(self, s3, folder):
        self.vhost = f"bench-{uuid.uuid4().hex[:8]}"
        requests.put(f"{RABBIT_API}/vhosts/{self.vhost}", auth=BROKER_AUTH, timeout=10).raise_for_status()
        requests.put(f"{RABBIT_API}/permissions/{self.vhost}/guest", auth=BROKER_AUTH, timeout=10,
                     json={"configure": ".*", "write": ".*", "read": ".*"}).raise_for_status()
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        caller_key = secrets.token_hex(32)
        env = {**os.environ, **s3, "AMQP_URI": f"amqp://guest:guest@127.0.0.1:5672/{self.vhost}",
               "CALLER_CONTEXT_KEY": caller_key, "VAULT_MASTER_KEY": secrets.token_hex(32),
               "VAULT_DATABASE_URL": f"sqlite:///{folder}/vault.sqlite", "VAULT_HTTP_ADDRESS": f"127.0.0.1:{port}",
               "VAULT_MAX_DOCUMENTS": "100000", "VAULT_QUOTA_BYTES": str(1 << 40), "LOG_LEVEL": "WARNING"}
        self.key = CallerKey(caller_key)
        self.caller = Caller(part="gateway", account_id=uuid.uuid4(), role="family", household_id=uuid.uuid4(),
                             session_id="bench")
        self.log = open(Path(folder) / "vault.log", "wb")
        self.process = subprocess.Popen([sys.executable, "-m", "kit.serve", "vault"], cwd=REPOSITORY, env=env,
                                        stdout=self.log, stderr=subprocess.STDOUT)
        self.http = requests.Session()
        self.wait()

    def wait(self, seconds=120):
        deadline = time.monotonic() + seconds
        while True:
            try:
                self.http.get(self.url + "/documents/x", timeout=2)
                return
            except requests.ConnectionError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the vault did not start; see {self.log.name}") from None
                time.sleep(0.3)

    @property
    def nameko_pid(self):
        """kit.serve hands over to `nameko run` with exec: the same process."""
        return self.process.pid

    def headers(self):
        return {HTTP_HEADER: self.key.sign(self.caller)}

    def upload(self, content):
        answer = self.http.post(self.url + "/documents", data=content, timeout=120, headers={
            **self.headers(), "Content-Type": "application/pdf"},
            params={"category": "autre", "filename": "bench.pdf"})
        if answer.status_code != 201:
            raise RuntimeError(f"the vault refused an upload: {answer.text}")
        return answer.json()["id"]

    def download(self, document_id):
        answer = self.http.get(f"{self.url}/documents/{document_id}", headers=self.headers(), timeout=120,
                               stream=True)
        answer.raise_for_status()
        return sum(len(piece) for piece in answer.iter_content(256 * 1024))

    def stop(self):
        self.process.terminate()
        self.process.wait(15)
        self.log.close()
        requests.delete(f"{RABBIT_API}/vhosts/{self.vhost}", auth=BROKER_AUTH, timeout=10)


def raw_round(client, bucket, contents):
    started = time.perf_counter()
    for index, content in enumerate(contents):
        client.put_object(bucket, f"raw-{index}", io.BytesIO(content), length=len(content))
    put = time.perf_counter() - started
    started = time.perf_counter()
    for index in range(len(contents)):
        response = client.get_object(bucket, f"raw-{index}")
        response.read()
        response.close()
        response.release_conn()
    return put, time.perf_counter() - started


def portal_round(vault, contents):
    started = time.perf_counter()
    ids = [vault.upload(content) for content in contents]
    put = time.perf_counter() - started
    started = time.perf_counter()
    for document_id in ids:
        vault.download(document_id)
    return put, time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=20)
    parser.add_argument("--size-mb", type=float, default=2.0)
    parser.add_argument("--json-only", action="store_true")
    options = parser.parse_args()

    contents = [samples.pdf(int(options.size_mb * MB)) for _ in range(options.documents)]
    total_mb = sum(len(c) for c in contents) / MB
    ten_mb = samples.pdf(10 * MB - 8192)  # just under the 10 MiB limit
    with tempfile.TemporaryDirectory() as folder, s3_server() as s3:
        client = Minio(s3["S3_ENDPOINT"], access_key=s3["S3_ACCESS_KEY"], secret_key=s3["S3_SECRET_KEY"],
                       secure=False)
        bucket = "raw-" + uuid.uuid4().hex[:8]
        client.make_bucket(bucket)
        vault = Vault(s3, folder)
        try:
            vault.upload(contents[0])  # warm: imports, connections, the bucket's first object
            raw_put, raw_get = raw_round(client, bucket, contents)
            portal_put, portal_get = portal_round(vault, contents)
            ids = []
            upload_before, upload_peak = peak_during(vault.nameko_pid, lambda: ids.append(vault.upload(ten_mb)))
            download_before, download_peak = peak_during(vault.nameko_pid, lambda: vault.download(ids[0]))
        finally:
            vault.stop()

    result = {
        "documents": options.documents, "size_mb": options.size_mb,
        "raw": {"upload_mb_s": total_mb / raw_put, "download_mb_s": total_mb / raw_get},
        "portal": {"upload_mb_s": total_mb / portal_put, "download_mb_s": total_mb / portal_get},
        "ratio": {"upload": raw_put / portal_put, "download": raw_get / portal_get,
                  "round_trip": (raw_put + raw_get) / (portal_put + portal_get)},
        "vault_memory_mib_10mb": {
            "upload": {"before": upload_before, "peak": upload_peak, "growth": upload_peak - upload_before},
            "download": {"before": download_before, "peak": download_peak,
                         "growth": download_peak - download_before}},
        "target_ratio": 0.5,
    }
    if not options.json_only:
        print(f"{options.documents} documents of {options.size_mb} MB, same moto S3 server, one run\n")
        print(f"{'':22}{'upload MB/s':>14}{'download MB/s':>16}")
        for name in ("raw", "portal"):
            print(f"{name + (' (minio client)' if name == 'raw' else ' (vault HTTP)'):22}"
                  f"{result[name]['upload_mb_s']:>14.1f}{result[name]['download_mb_s']:>16.1f}")
        ratio = result["ratio"]
        print(f"{'portal / raw':22}{ratio['upload']:>13.0%} {ratio['download']:>15.0%}"
              f"   (round trip {ratio['round_trip']:.0%}, target >= 50 %)\n")
        memory = result["vault_memory_mib_10mb"]
        print("vault process, one 10 MB document   before    peak   growth (MiB)")
        for name in ("upload", "download"):
            print(f"  {name:34}{memory[name]['before']:>7.1f}{memory[name]['peak']:>8.1f}{memory[name]['growth']:>8.1f}")
        print()
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
