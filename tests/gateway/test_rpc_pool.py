"""The gateway's pool of RPC proxies against the real broker: proxies are
reused, a slow or absent service is a 503-worthy ServiceUnavailable, and a
proxy whose connection the broker dropped is replaced."""
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from gateway.rpc import ServicePool, ServiceUnavailable

RABBIT_API = "http://127.0.0.1:15672/api"
AUTH = ("guest", "guest")
HERE = Path(__file__).parent


@pytest.fixture(scope="module")
def vhost():
    name = f"gateway-{uuid.uuid4().hex[:8]}"
    requests.put(f"{RABBIT_API}/vhosts/{name}", auth=AUTH, timeout=10).raise_for_status()
    requests.put(f"{RABBIT_API}/permissions/{name}/guest", auth=AUTH, timeout=10,
                 json={"configure": ".*", "write": ".*", "read": ".*"}).raise_for_status()
    yield name
    requests.delete(f"{RABBIT_API}/vhosts/{name}", auth=AUTH, timeout=10)


@pytest.fixture(scope="module")
def amqp_uri(vhost):
    uri = f"amqp://guest:guest@127.0.0.1:5672/{vhost}"
    service = subprocess.Popen(
        [sys.executable, "-m", "nameko", "run", "--broker", uri, "echo_service:EchoService"], cwd=HERE,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until_answering(uri)
        yield uri
    finally:
        service.terminate()
        service.wait(10)


def wait_until_answering(uri, seconds=30):
    pool = ServicePool(uri, size=1, timeout=2)
    deadline = time.monotonic() + seconds
    try:
        while True:
            try:
                return pool.echo.echo("prêt")
            except ServiceUnavailable:
                if time.monotonic() > deadline:
                    raise
    finally:
        pool.close()


def connections_of(vhost):
    answer = requests.get(f"{RABBIT_API}/vhosts/{vhost}/connections", auth=AUTH, timeout=10)
    return [c["name"] for c in answer.json()]


def test_calls_reuse_the_pooled_proxies(amqp_uri):
    pool = ServicePool(amqp_uri, size=2, timeout=5)
    with ThreadPoolExecutor(4) as threads:
        assert list(threads.map(pool.echo.echo, range(40))) == list(range(40))
    assert pool.idle.qsize() <= 2
    pool.close()


def test_a_service_that_does_not_answer_in_time_is_unavailable(amqp_uri):
    pool = ServicePool(amqp_uri, size=1, timeout=1)
    started = time.monotonic()
    with pytest.raises(ServiceUnavailable):
        pool.echo.wait(3)
    assert time.monotonic() - started < 2.5
    assert pool.echo.echo("après") == "après"  # the late reply does not confuse the next call
    time.sleep(2.5)  # the late reply has arrived by now
    assert pool.echo.echo("encore") == "encore"
    [runner] = list(pool.idle.queue)
    assert runner._reply_listener.queue_consumer.replies == {}  # dropped, not kept for good
    pool.close()


def test_each_call_carries_the_context_of_the_request_it_serves(amqp_uri):
    contexts = iter([{"caller": "jeton-1", "request_id": "r-1"}, {"caller": "jeton-2"}])
    pool = ServicePool(amqp_uri, size=1, timeout=5, context=lambda: next(contexts))
    assert pool.echo.headers() == {"caller": "jeton-1", "request_id": "r-1"}
    assert pool.echo.headers() == {"caller": "jeton-2"}  # nothing of the previous call stays behind
    pool.close()


def test_a_call_given_up_on_is_never_run_when_the_service_comes_back(amqp_uri, tmp_path):
    ledger = tmp_path / "ledger.txt"

    def start_ledger():
        process = subprocess.Popen(
            [sys.executable, "-m", "nameko", "run", "--broker", amqp_uri, "echo_service:LedgerService"],
            cwd=HERE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        pool = ServicePool(amqp_uri, size=1, timeout=2)
        deadline = time.monotonic() + 30
        while True:
            try:
                pool.ledger.note(str(ledger), "prêt")
                break
            except ServiceUnavailable:
                assert time.monotonic() < deadline
        pool.close()
        return process

    first = start_ledger()
    first.terminate()
    first.wait(10)  # its queue stays, with nobody to take the next call
    pool = ServicePool(amqp_uri, size=1, timeout=1)
    with pytest.raises(ServiceUnavailable):
        pool.ledger.note(str(ledger), "abandonné")
    pool.close()
    time.sleep(1.5)  # the request has expired on the broker
    second = start_ledger()
    try:
        time.sleep(1)
        assert ledger.read_text().split() == ["prêt", "prêt"]
    finally:
        second.terminate()
        second.wait(10)


def test_a_service_that_never_started_is_unavailable(amqp_uri):
    pool = ServicePool(amqp_uri, size=1, timeout=1)
    with pytest.raises(ServiceUnavailable):
        pool.absent.anything()
    pool.close()


def test_an_unreachable_broker_is_unavailable():
    pool = ServicePool("amqp://guest:guest@127.0.0.1:1/", size=1, timeout=1)
    with pytest.raises(ServiceUnavailable):
        pool.echo.echo("x")


def test_a_proxy_whose_connection_was_dropped_is_replaced(amqp_uri, vhost):
    pool = ServicePool(amqp_uri, size=1, timeout=2)
    assert pool.echo.echo(1) == 1
    for name in connections_of(vhost):  # the broker drops every connection, as on a restart
        requests.delete(f"{RABBIT_API}/connections/{requests.utils.quote(name, safe='')}", auth=AUTH, timeout=10)
    answers = []
    for attempt in range(3):
        try:
            answers.append(pool.echo.echo(attempt))
        except ServiceUnavailable:
            answers.append("indisponible")
    assert answers[-1] == 2, answers
    assert answers.count("indisponible") <= 1
    pool.close()
