"""Tiny nameko services the proxy-pool tests call over the real broker."""
import time

from nameko.extensions import DependencyProvider
from nameko.rpc import rpc


class ContextData(DependencyProvider):
    def get_dependency(self, worker_ctx):
        return dict(worker_ctx.data)


class EchoService:
    name = "echo"
    context = ContextData()

    @rpc
    def echo(self, value):
        return value

    @rpc
    def wait(self, seconds):
        time.sleep(seconds)
        return seconds

    @rpc
    def headers(self):
        """The context data the call carried in its headers."""
        return {key: value for key, value in self.context.items() if key != "call_id_stack"}


class LedgerService:
    """Writes down each call it runs, so a test can tell which ever ran."""

    name = "ledger"

    @rpc
    def note(self, path, value):
        with open(path, "a") as ledger:
            ledger.write(f"{value}\n")
        return value
