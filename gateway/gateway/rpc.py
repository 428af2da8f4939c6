"""Calls to the services through a pool of standalone nameko RPC proxies.

A standalone proxy is single-threaded, and starting one per request is slow,
so each gunicorn worker keeps a few, lends one to a thread for one call, and
replaces one whose connection dropped.

Each call carries what `context()` gives for the current request (the signed
caller context and the request id), expires on the broker when the gateway
stops waiting for it, and a reply that comes too late is dropped.

    services = ServicePool(amqp_uri, size, timeout, context)
    services.family.get_household()
"""
import contextlib
import logging
import queue
import threading

from kombu.exceptions import OperationalError
from nameko.exceptions import RpcTimeout, UnknownService
from nameko.rpc import ServiceProxy
from nameko.standalone.rpc import ClusterProxy, ClusterRpcProxy, PollingQueueConsumer, SingleThreadedReplyListener

log = logging.getLogger(__name__)

BROKEN_CONNECTION = (OperationalError, ConnectionError, OSError, EOFError)


class ServiceUnavailable(Exception):
    """A service or the broker did not answer in time."""


class ServicePool:
    def __init__(self, amqp_uri, size, timeout, context=dict):
        self.config = {"AMQP_URI": amqp_uri, "serializer": "json"}
        self.size = size
        self.timeout = timeout
        self.context = context
        self.idle = queue.LifoQueue()
        self.slots = threading.BoundedSemaphore(size)

    def __getattr__(self, service_name):
        return _Service(self, service_name)

    def call(self, service_name, method, *args, **kwargs):
        context = self.context()
        with self.proxy() as cluster:
            cluster.context.clear()
            cluster.context.update(context)
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
            runner = ClusterRpcProxy(self.config, timeout=self.timeout, reply_listener_cls=_ReplyListener)
            runner.start()
            runner.cluster = _Cluster(runner._worker_ctx, runner._reply_listener, self.timeout)
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


class _Cluster(ClusterProxy):
    """Proxies whose requests expire on the broker after `timeout` seconds, so
    that a request the gateway gave up on is never run later; `context` is
    what the next call carries in its headers."""

    def __init__(self, worker_ctx, reply_listener, timeout):
        super().__init__(worker_ctx, reply_listener)
        self.timeout = timeout
        self.context = worker_ctx.data

    def __getattr__(self, name):
        if name not in self._proxies:
            self._proxies[name] = ServiceProxy(self._worker_ctx, name, self._reply_listener, expiration=self.timeout)
        return self._proxies[name]


class _LateRepliesDropped(PollingQueueConsumer):
    """A reply to a call that already timed out is acknowledged and dropped,
    instead of staying in memory (and unacknowledged) for good."""

    def on_message(self, body, message):
        if message.properties.get("correlation_id") in self.provider._reply_events:
            super().on_message(body, message)
        else:
            message.ack()


class _ReplyListener(SingleThreadedReplyListener):
    def __init__(self, timeout=None):
        super().__init__(timeout=timeout)
        self.queue_consumer = _LateRepliesDropped(timeout=timeout)
