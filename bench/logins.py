"""Logins per second with argon2id at identity's parameters, and what a burst
of logins does to the other reads.

    .venv/bin/python bench/logins.py [--seconds 10] [--login-clients 8] [--read-clients 16] [--json-only]

In the same run, on the portal started as `make run` does (bench/portal.py):

- baseline: argon2id verifications in this process, with identity's own
  hasher (identity.passwords, argon2-cffi's defaults: t=3, m=64 MiB, p=4),
  on 1 and on 2 threads: what the machine's CPUs can do, nothing else;
- portal: logins through the gateway (POST /api/v1/session, right
  passwords), `--login-clients` at once;
- the dashboard's reads (bench/api_load.py's mix without the write, session
  cookie) by `--read-clients`, alone, then during the login burst: the
  burst must not starve them.
"""
import argparse
import http.client
import json
import threading
import time

from api_load import HttpClient, drive, slots_for
from portal import PASSWORD, BenchPortal, Report, next_month_school_days

from identity import passwords

READS = ("household", "invoices", "bookings")
LOGIN = ("login",)


def hashes_per_second(threads, seconds=4.0):
    """argon2id verifications per second on `threads` threads, identity's parameters."""
    stored = passwords.hash_password(PASSWORD)
    done = [0] * threads
    stop = threading.Event()

    def work(index):
        while not stop.is_set():
            passwords.verify(stored, PASSWORD)
            done[index] += 1

    workers = [threading.Thread(target=work, args=(n,)) for n in range(threads)]
    began = time.perf_counter()
    for worker in workers:
        worker.start()
    time.sleep(seconds)
    stop.set()
    for worker in workers:
        worker.join()
    return sum(done) / (time.perf_counter() - began)


class LoginClient:
    def __init__(self, base_url):
        self.host, self.port = base_url.split("//")[1].split(":")

    def __call__(self, slot):
        return _LoginCaller(self, slot)


class _LoginCaller:
    def __init__(self, client, slot):
        self.connection = http.client.HTTPConnection(client.host, int(client.port), timeout=60)
        self.body = json.dumps({"email": slot.family.email, "password": PASSWORD})

    def call(self, kind):
        try:
            self.connection.request("POST", "/api/v1/session", body=self.body,
                                    headers={"Content-Type": "application/json"})
            answer = self.connection.getresponse()
            answer.read()
        except (OSError, http.client.HTTPException):
            self.connection.close()
            return False
        return answer.status == 200

    def close(self):
        self.connection.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--login-clients", type=int, default=8)
    parser.add_argument("--read-clients", type=int, default=16)
    parser.add_argument("--json-only", action="store_true")
    options = parser.parse_args()

    month, _ = next_month_school_days()
    report = Report("Logins")
    baseline = {threads: hashes_per_second(threads) for threads in (1, 2)}
    with BenchPortal() as portal:
        families = portal.families(max(options.login_clients, 4))
        readers = HttpClient(portal.base_url, month, "cookie")
        read_slots = slots_for(families, options.read_clients)
        login_slots = slots_for(families, options.login_clients)
        logins_alone = drive(LoginClient(portal.base_url), login_slots, options.seconds, mix=LOGIN)
        reads_alone = drive(readers, read_slots, options.seconds, mix=READS)
        during = {}
        burst = threading.Thread(target=lambda: during.update(
            logins=drive(LoginClient(portal.base_url), login_slots, options.seconds + 4, warmup=1,
                                mix=LOGIN)))
        burst.start()
        time.sleep(2)  # the burst is under way
        reads_during = drive(readers, read_slots, options.seconds, warmup=0.5, mix=READS)
        burst.join()

    report.add(f"logins/s, {options.login_clients} clients", logins_alone["rate"], baseline[2], "/s",
               "argon2id verify, 2 threads in-process")
    report.add("login p50", logins_alone["p50_ms"], 1000 / baseline[1], "ms", "one argon2id verify",
               higher_is_better=False)
    report.add("login p99", logins_alone["p99_ms"], 1000 / baseline[1], "ms", "one argon2id verify",
               higher_is_better=False)
    report.add("login errors", logins_alone["errors"], None, "calls", "", "0", higher_is_better=False)
    report.add(f"reads/s during a login burst, {options.read_clients} clients", reads_during["rate"],
               reads_alone["rate"], "req/s", "same reads without the burst")
    report.add("read p50 during the burst", reads_during["p50_ms"], reads_alone["p50_ms"], "ms",
               "same reads without the burst", higher_is_better=False)
    report.add("read p99 during the burst", reads_during["p99_ms"], reads_alone["p99_ms"], "ms",
               "same reads without the burst", "not starved", higher_is_better=False)
    report.add("read errors during the burst", reads_during["errors"], reads_alone["errors"], "calls",
               "same reads without the burst", "0", higher_is_better=False)
    report.add("logins/s during the reads", during["logins"]["rate"], logins_alone["rate"], "/s", "logins alone")
    report.details = {"argon2id": {"time_cost": passwords._hasher.time_cost,
                                   "memory_cost_kib": passwords._hasher.memory_cost,
                                   "parallelism": passwords._hasher.parallelism,
                                   "verifications_per_second": baseline},
                      "runs": {"logins_alone": logins_alone, "reads_alone": reads_alone,
                               "reads_during_burst": reads_during, "logins_during_reads": during["logins"]}}
    report.print(options.json_only)


if __name__ == "__main__":
    main()
