"""nameko's @http entrypoint, for the bytes of the documents: the same signed
caller context as an RPC, read from the `X-Portail-Caller` header, the same
`@allow` per entrypoint, and errors answered as nameko serialises them over
RPC (the gateway raises the same kit.errors either way).

    @caller_http("GET", "/documents/<document_id>")
    @allow(FAMILY)
    def download(self, caller, request, document_id):
        ...
"""
import json
import socket
from functools import partial

from eventlet.event import Event
from nameko.exceptions import serialize
from nameko.web.handlers import HttpRequestHandler
from nameko.web.server import WebServer
from werkzeug.wrappers import Response

from kit import idempotency
from kit.caller import CONTEXT_KEY, HTTP_HEADER, REQUEST_ID_KEY
from kit.errors import ServiceError, Unavailable

JSON = "application/json"
IDEMPOTENCY_HEADER = "Idempotency-Key"


class StreamingWebServer(WebServer):
    """nameko's web server, its connections without Nagle's delay: a short
    answer (headers, then a small body) is not held back waiting for an ACK."""

    def process_request(self, sock, address):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().process_request(sock, address)


class CallerHttp(HttpRequestHandler):
    server = StreamingWebServer()

    def handle_request(self, request):
        request.shallow = False
        try:
            context_data = {CONTEXT_KEY: request.headers.get(HTTP_HEADER, ""),
                            REQUEST_ID_KEY: request.headers.get("X-Request-ID", "")}
            if request.headers.get(IDEMPOTENCY_HEADER):  # a create the gateway's client may retry
                context_data[idempotency.CONTEXT_KEY] = request.headers[IDEMPOTENCY_HEADER]
            args, kwargs = self.get_entrypoint_parameters(request)
            self.check_signature(args, kwargs)
            event = Event()
            self.container.spawn_worker(self, args, kwargs, context_data=context_data,
                                        handle_result=partial(self.handle_result, event))
            return self.response_from_result(event.wait())
        except Exception as exc:  # answered as it would travel over RPC
            return self.response_from_exception(exc)

    def response_from_result(self, result):
        if isinstance(result, Response):
            return result
        status, payload = result
        return Response(json.dumps(payload), status=status, mimetype=JSON)

    def response_from_exception(self, exc):
        if isinstance(exc, Unavailable):
            status = 503
        elif isinstance(exc, ServiceError):
            status = 400
        else:
            status = 500
        return Response(json.dumps({"error": serialize(exc)}), status=status, mimetype=JSON)


caller_http = CallerHttp.decorator
