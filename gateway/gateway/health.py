"""/healthz: the broker answers and every service has a consumer on its RPC
queue. One connection to the broker is kept and reused, and a report stays
fresh for a couple of seconds, so that a probe hammering /healthz costs the
broker nothing."""
import contextlib
import threading
import time

from amqp.exceptions import NotFound
from kombu import Connection

from kit.caller import SERVICES

FRESH_FOR = 2.0  # seconds


class Probe:
    def __init__(self, amqp_uri, timeout=3):
        self.amqp_uri = amqp_uri
        self.timeout = timeout
        self.lock = threading.Lock()
        self.connection = None
        self.report = None
        self.checked_at = float("-inf")

    def check(self):
        """(healthy, report) where report says "up" or "down" for the broker and each service."""
        with self.lock:
            if time.monotonic() - self.checked_at >= FRESH_FOR:
                self.report = self._look()
                self.checked_at = time.monotonic()
            return self.report

    def _look(self):
        services = dict.fromkeys(SERVICES, "down")
        try:
            connection = self._connection()
            for name in SERVICES:
                services[name] = "up" if _has_consumer(connection, f"rpc-{name}") else "down"
            broker = "up"
        except Exception:  # whatever the broker or the network did: down, and a new connection next time
            self._forget_connection()
            broker = "down"
        healthy = broker == "up" and all(state == "up" for state in services.values())
        return healthy, {"broker": broker, "services": services}

    def _connection(self):
        if self.connection is None:
            connection = Connection(self.amqp_uri, connect_timeout=self.timeout)
            connection.ensure_connection(max_retries=1)
            self.connection = connection
        return self.connection

    def _forget_connection(self):
        if self.connection is not None:
            with contextlib.suppress(Exception):
                self.connection.release()
        self.connection = None


def _has_consumer(connection, queue):
    channel = connection.channel()
    try:
        return channel.queue_declare(queue=queue, passive=True).consumer_count > 0
    except NotFound:  # the service never started
        return False
    finally:
        if channel.is_open:
            channel.close()
