"""The trust boundary holds for every service, including entrypoints added
later: each RPC says who may call it, and no service calls another except
under its own signed identity."""
import importlib
import inspect

import pytest
from nameko.rpc import Rpc, RpcProxy
from nameko.web.handlers import HttpRequestHandler

from kit.caller import SERVICES, Callers
from kit.rpc import ServiceRpc


def service_class(name):
    module = importlib.import_module(f"{name}.service")
    return next(cls for _, cls in inspect.getmembers(module, inspect.isclass)
                if getattr(cls, "name", None) == name and cls.__module__.startswith(name))


def rpc_entrypoints(cls):
    for name, method in inspect.getmembers(cls, inspect.isfunction):
        # HTTP entrypoints too (the vault's document streams): same signed caller, same allow()
        if any(isinstance(entrypoint, (Rpc, HttpRequestHandler))
               for entrypoint in getattr(method, "nameko_entrypoints", ())):
            yield name, method


@pytest.mark.parametrize("name", SERVICES)
def test_each_rpc_states_who_may_call_it(name):
    cls = service_class(name)
    entrypoints = dict(rpc_entrypoints(cls))
    assert entrypoints, f"{name} has no RPC entrypoint"
    unguarded = [method for method, function in entrypoints.items() if not hasattr(function, "allowed")]
    assert unguarded == [], f"{name}: these RPCs do not say who may call them"


@pytest.mark.parametrize("name", SERVICES)
def test_each_service_checks_its_callers_and_calls_others_as_itself(name):
    dependencies = dict(inspect.getmembers(service_class(name)))
    assert any(isinstance(value, Callers) for value in dependencies.values())
    plain = [attr for attr, value in dependencies.items() if isinstance(value, RpcProxy)
             and not isinstance(value, ServiceRpc)]
    assert plain == [], f"{name} calls other services without its own identity through {plain}"
