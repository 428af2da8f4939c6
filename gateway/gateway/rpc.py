"""Calls to the services through a pool of standalone nameko RPC proxies.

A standalone proxy is single-threaded, and starting one per request is slow,
so each gunicorn worker keeps a few, lends one to a thread for one call, and
replaces one whose connection dropped.

    services = ServicePool(settings)
    services.family.get_household(household_id)
"""
import contextlib
import logging
import queue
import threading

from kombu.exceptions import OperationalError
from nameko.exceptions import RpcTimeout, UnknownService
from nameko.standalone.rpc import ClusterRpcProxy

log = logging.getLogger(__name__)

BROKEN_CONNECTION = (OperationalError, ConnectionError, OSError, EOFError)


class ServiceUnavailable(Exception):
    """A service or the broker did not answer in time."""


class ServicePool:
    def __init__(self, amqp_uri, size, timeout):
        self.config = {"AMQP_URI": amqp_uri, "serializer": "json"}
        self.size = size
        self.timeout = timeout
        self.idle = queue.LifoQueue()
        self.slots = threading.BoundedSemaphore(size)

    def __getattr__(self, service_name):
        return _Service(self, service_name)

    def call(self, service_name, method, *args, **kwargs):
        with self.proxy() as cluster:
            return getattr(getattr(cluster, service_name), method)(*args, **kwargs)

    @contextlib.contextmanager
    def proxy(self):
        if not self.slots.acquire(timeout=self.timeout):
            raise ServiceUnavailable("every connection to the services is busy")
        runner = None
        try:
            runner = self._idle_or_new()
            yield runner.cluster
        except RpcTimeout as timeout:
            raise ServiceUnavailable(f"no answer within {self.timeout}s") from timeout
        except UnknownService as absent:  # no queue: the service has never started
            raise ServiceUnavailable(str(absent)) from absent
        except BROKEN_CONNECTION + (RuntimeError,) as broken:
            if isinstance(broken, RuntimeError) and "disconnected" not in str(broken):
                raise
            self._discard(runner)
            runner = None
            raise ServiceUnavailable("the message broker cannot be reached") from broken
        finally:
            if runner is not None:
                self.idle.put(runner)
            self.slots.release()

    def _idle_or_new(self):
        try:
            return self.idle.get_nowait()
        except queue.Empty:
            runner = ClusterRpcProxy(self.config, timeout=self.timeout)
            runner.cluster = runner.start()
            return runner

    def _discard(self, runner):
        if runner is None:
            return
        with contextlib.suppress(Exception):
            runner.stop()

    def close(self):
        while not self.idle.empty():
            self._discard(self.idle.get_nowait())


class _Service:
    def __init__(self, pool, name):
        self.pool = pool
        self.name = name

    def __getattr__(self, method):
        def call(*args, **kwargs):
            return self.pool.call(self.name, method, *args, **kwargs)
        return call
