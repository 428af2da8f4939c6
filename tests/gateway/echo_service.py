"""A tiny nameko service the proxy-pool tests call over the real broker."""
import time

from nameko.rpc import rpc


class EchoService:
    name = "echo"

    @rpc
    def echo(self, value):
        return value

    @rpc
    def wait(self, seconds):
        time.sleep(seconds)
        return seconds
