"""Where the time goes under the API's load: py-spy records every process of
the portal (the services and the gateway's workers) while bench/api_load.py's
mix runs, and prints each one's heaviest functions.

    .venv/bin/python bench/hotspots.py [--seconds 20] [--clients 16] [--auth cookie|token|rpc] [--top 25]

py-spy (pinned in requirements-dev.txt) samples from outside the process, so
the portal runs unchanged. The raw profiles stay in the folder printed at the
end (flame graphs: `py-spy record -f speedscope`).
"""
import argparse
import collections
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from api_load import HttpClient, RpcClient, drive, slots_for
from portal import BenchPortal, next_month_school_days


def children_of(pid):
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            ppid = next(int(line.split()[1]) for line in status.read_text().splitlines() if line.startswith("PPid:"))
        except (OSError, StopIteration):
            continue
        if ppid == pid:
            found.append(int(status.parent.name))
    return found


def record(pid, seconds, output):
    py_spy = Path(sys.executable).parent / "py-spy"
    return subprocess.Popen([str(py_spy), "record", "-p", str(pid), "-d", str(int(seconds)), "-f", "raw", "-o",
                             str(output), "--nonblocking", "--idle"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def heaviest(raw, top):
    """Self time and total time of each function, from py-spy's collapsed stacks."""
    own, total, samples = collections.Counter(), collections.Counter(), 0
    for line in Path(raw).read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        count = int(count)
        frames = stack.split(";")
        samples += count
        if _idle(frames[-1]):
            continue
        own[frames[-1]] += count
        for frame in set(frames):
            total[frame] += count
    return samples, own.most_common(top), total.most_common(top)


def _idle(frame):
    return any(word in frame for word in ("select (", "poll (", "wait (", "epoll", "_recv_into", "sleep (",
                                          "accept (", "recv (", "read (ssl", "hub.py"))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--auth", choices=("cookie", "token", "rpc"), default="cookie")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--env", nargs="*", default=[], help="settings of the portal, NAME=value")
    options = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="portail-profile-"))
    month, _ = next_month_school_days()
    with BenchPortal(env=dict(setting.split("=", 1) for setting in options.env)) as portal:
        families = portal.families(16)
        client = (RpcClient(portal.amqp_uri, portal.caller_context_key, month) if options.auth == "rpc"
                  else HttpClient(portal.base_url, month, options.auth))
        pids = {name: pid for name, pid in portal.service_pids().items() if name != "gateway"}
        for n, worker in enumerate(children_of(portal.service_pids()["gateway"])):
            pids[f"gateway-worker-{n}"] = worker
        recorders = []
        result = {}
        load = threading.Thread(target=lambda: result.update(drive(client, slots_for(families, options.clients),
                                                                   options.seconds + 6)))
        load.start()
        threading.Event().wait(3)
        for name, pid in pids.items():
            recorders.append(record(pid, options.seconds, folder / f"{name}.txt"))
        for recorder in recorders:
            recorder.wait()
        load.join()
    print(f"load: {result['rate']:.1f} req/s, p50 {result['p50_ms']:.0f} ms, p99 {result['p99_ms']:.0f} ms, "
          f"{result['errors']} errors ({options.clients} clients, {options.auth})")
    for name in pids:
        raw = folder / f"{name}.txt"
        if not raw.exists():
            print(f"\n## {name}: no profile (py-spy could not attach)")
            continue
        samples, own, total = heaviest(raw, options.top)
        print(f"\n## {name}: {samples} samples; busy functions, self time")
        for frame, count in own:
            print(f"{count / samples:7.1%}  {frame}")
        print(f"## {name}: cumulative")
        for frame, count in total:
            print(f"{count / samples:7.1%}  {frame}")
    print(f"\nraw profiles in {folder}")


if __name__ == "__main__":
    main()
