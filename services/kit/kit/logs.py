"""Logs as JSON, one object a line, each with the id of the request it serves.

The gateway makes the id (or takes a sane `X-Request-ID` from the proxy) and
sends it with every RPC in the nameko context data (`request_id`); a service
binds it for the worker that serves the call (kit.caller.Callers), passes it
on in the RPCs that worker makes (kit.rpc) and in the events it records
(kit.outbox: the relay publishes it as the `nameko.request_id` header, which
becomes the context data of the handler's worker). So one grep follows a
request across the parts:

    kubectl logs -l app.kubernetes.io/part-of=portail-famille | grep 3f2a...

What a log line must never hold: a person's data or a secret. Messages are
written without them; as a second fence, e-mail addresses, bearer tokens,
JWTs and `token=`/`password=`-like values left in a message or a traceback
are masked here.
"""
import collections
import contextvars
import json
import logging
import os
import re
import threading
from datetime import datetime, timezone

REQUEST_ID_HEADER = "nameko.request_id"  # the context data key `request_id`, as a message header

_bound = contextvars.ContextVar("portail_log_fields", default={})

MASKS = (
    (re.compile(r"eyJ[\w-]+\.[\w-]+\.[\w-]*"), "[jwt]"),
    (re.compile(r"(?i)\bbearer\s+[\w.~+/=-]+"), "Bearer [masqué]"),
    (re.compile(r"(?i)\b(token|password|passwd|secret|key|state|nonce|iban)=[^&\s'\"]+"), r"\1=[masqué]"),
    (re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"), "[e-mail]"),
    (re.compile(r"(?<![\w-])(?:\+33 ?|0)[1-9](?:[ .-]?\d{2}){4}(?![\w-])"), "[téléphone]"),
)


def mask(text):
    """`text` without e-mail addresses, phone numbers, tokens or secrets."""
    for pattern, replacement in MASKS:
        text = pattern.sub(replacement, text)
    return text


def bind(**fields):
    """Fields added to every log line of the current worker, request or thread (None: left out)."""
    _bound.set({name: value for name, value in fields.items() if value is not None})


def clear():
    _bound.set({})


def bound():
    return dict(_bound.get())


def request_id():
    return _bound.get().get("request_id")


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC), level, part, logger, message, the bound fields
    (request_id, entrypoint) and the traceback if any, masked."""

    def __init__(self, part=None):
        super().__init__()
        self.part = part or os.environ.get("PORTAIL_PART")

    def format(self, record):
        entry = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "part": self.part,
            "logger": record.name,
            "message": mask(record.getMessage()),
            **bound(),
        }
        if record.exc_info:
            entry["exception"] = mask(self.formatException(record.exc_info))
        return json.dumps({name: value for name, value in entry.items() if value is not None},
                          ensure_ascii=False, default=str)


def config(part, level=None):
    """A logging.config.dictConfig of a part: everything as JSON on standard error."""
    level = level or os.environ.get("LOG_LEVEL", "INFO")
    handler = {"class": "logging.StreamHandler", "formatter": "json"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": JsonFormatter, "part": part}},
        "handlers": {"console": handler},
        "root": {"level": level, "handlers": ["console"]},
        # gunicorn's own loggers, when it reads this configuration (gateway/gunicorn.conf.py)
        "loggers": {name: {"level": level, "handlers": ["console"], "propagate": False}
                    for name in ("gunicorn.error", "gunicorn.access")},
    }


class _EventRequests:
    """The request id of each event recorded in this process, until the outbox relay publishes
    it (right after the commit, in the same process). An event published by another process
    after a restart goes out without one; it is still handled, its logs just lack the id."""

    limit = 10_000

    def __init__(self):
        self.ids = collections.OrderedDict()
        self.lock = threading.Lock()

    def remember(self, event_id):
        if request_id() is None:
            return
        with self.lock:
            self.ids[event_id] = request_id()
            while len(self.ids) > self.limit:
                self.ids.popitem(last=False)

    def headers(self, event_id):
        """Headers for publishing an event: its request id, if this process recorded it."""
        with self.lock:
            found = self.ids.pop(event_id, None)
        return {REQUEST_ID_HEADER: found} if found else {}


events = _EventRequests()
