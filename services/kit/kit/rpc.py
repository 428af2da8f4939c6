"""Calls from one service to another.

    class BillingService:
        family = ServiceRpc("family")

Each call carries this service's own signed identity (never the caller
context of the call being served: a service answers for what it asks), and
the request id it is working for; it expires on the broker after
`RPC_TIMEOUT` seconds, and the caller stops waiting then, with Unavailable.
"""
import eventlet
from nameko.exceptions import UnknownService
from nameko.rpc import MethodProxy, RpcProxy, ServiceProxy

from kit.caller import CONTEXT_KEY, REQUEST_ID_KEY, Caller, CallerKey
from kit.config import setting
from kit.errors import Unavailable

DEFAULT_TIMEOUT = 10.0


class ServiceRpc(RpcProxy):
    """Calls `target_service` as this service (its own signed caller context), each call answered
    within RPC_TIMEOUT or refused as Unavailable."""

    def setup(self):
        config = self.container.config
        self.key = CallerKey.from_config(config)
        self.timeout = float(setting(config, "RPC_TIMEOUT", DEFAULT_TIMEOUT))

    def get_dependency(self, worker_ctx):
        signed = _SignedContext(worker_ctx, self.key, self.container.service_name)
        return _ServiceProxy(signed, self.target_service, self.rpc_reply_listener, self.timeout)


class _SignedContext:
    """What a MethodProxy reads of a worker context, with this service as the caller."""

    def __init__(self, worker_ctx, key, service_name):
        self.worker_ctx = worker_ctx
        self.container = worker_ctx.container
        self.key = key
        self.service_name = service_name

    @property
    def context_data(self):
        data = dict(self.worker_ctx.context_data)
        request_id = data.get(REQUEST_ID_KEY)
        data[CONTEXT_KEY] = self.key.sign(Caller(part=self.service_name, request_id=request_id))
        return data


class _ServiceProxy(ServiceProxy):
    def __init__(self, worker_ctx, service_name, reply_listener, timeout):
        super().__init__(worker_ctx, service_name, reply_listener, expiration=timeout)
        self.timeout = timeout

    def __getattr__(self, name):
        return _MethodProxy(self.worker_ctx, self.service_name, name, self.reply_listener, self.timeout,
                            **self.options)


class _MethodProxy(MethodProxy):
    def __init__(self, worker_ctx, service_name, method_name, reply_listener, timeout, **options):
        super().__init__(worker_ctx, service_name, method_name, reply_listener, **options)
        self.timeout = timeout

    def __call__(self, *args, **kwargs):
        try:
            reply = self._call(*args, **kwargs)
        except UnknownService:  # its queue does not exist: it never started
            raise Unavailable() from None
        with eventlet.Timeout(self.timeout, False):  # silent: falls through when it fires
            return reply.result()
        # no answer in time: forget the reply it may still send instead of keeping it for good
        events = self.reply_listener._reply_events
        for correlation_id, event in list(events.items()):
            if event is reply.reply_event:
                events.pop(correlation_id, None)
        raise Unavailable()
