"""kit.logs: JSON lines with the request id, which follows a request from the gateway's RPC to
the worker that serves it, to the events it records and the worker that handles them; no
person's data or secret in a line."""
import json
import logging
import secrets
import types
import uuid

import pytest
from nameko.messaging import HEADER_PREFIX

from kit import logs, outbox
from kit.caller import REQUEST_ID_KEY, Callers, CallerKey
from kit.events import new_event


@pytest.fixture(autouse=True)
def unbound():
    logs.clear()
    yield
    logs.clear()


def line(message, *args, exc_info=None, part="billing"):
    record = logging.LogRecord("billing.run", logging.INFO, __file__, 1, message, args, exc_info)
    return json.loads(logs.JsonFormatter(part).format(record))


def worker(data, method="run_period"):
    return types.SimpleNamespace(data=data, entrypoint=types.SimpleNamespace(method_name=method))


def test_a_line_is_one_json_object_with_the_bound_request_id():
    logs.bind(request_id="3f2a9c0e5b7d4e1f", entrypoint="run_period", ignored=None)
    entry = line("%d invoices for %s", 12, "2026-11")
    assert entry["message"] == "12 invoices for 2026-11"
    assert (entry["request_id"], entry["entrypoint"], entry["part"]) == ("3f2a9c0e5b7d4e1f", "run_period", "billing")
    assert entry["level"] == "INFO" and entry["logger"] == "billing.run"
    assert entry["time"].endswith("+00:00")
    assert "ignored" not in entry


@pytest.mark.parametrize("leak, kept", [
    ("invoice sent to jeanne.martin@example.org", "invoice sent to [e-mail]"),
    ("GET /reinitialiser?token=Zk3v9Qx&lang=fr", "GET /reinitialiser?token=[masqué]&lang=fr"),
    ("Authorization: Bearer abc.def-ghi", "Authorization: Bearer [masqué]"),
    ("claims eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln refused", "claims [jwt] refused"),
    ("call 06 12 34 56 78 or +33 6 12 34 56 78", "call [téléphone] or [téléphone]"),
    ("password=hunter2 secret=s3 IBAN=FR7630006000011234567890189", "password=[masqué] secret=[masqué] IBAN=[masqué]"),
])
def test_personal_data_and_secrets_are_masked(leak, kept):
    assert line(leak)["message"] == kept


def test_dates_amounts_ids_and_error_codes_are_left_alone():
    message = ("invoice 2026-000123 of 4250 cents on 2026-12-02 01:03:44 for "
               "5f0c2b1e-0612-4a5b-9c3d-0123456789ab refused: code=household_not_found")
    assert line(message)["message"] == message


def test_a_traceback_is_masked_too():
    try:
        raise ValueError("no account for jeanne.martin@example.org")
    except ValueError as error:
        entry = line("login failed", exc_info=(type(error), error, error.__traceback__))
    assert "ValueError: no account for [e-mail]" in entry["exception"]
    assert "jeanne" not in json.dumps(entry)


def test_a_worker_logs_under_the_request_id_its_call_came_with():
    callers = Callers()
    callers.key = CallerKey(secrets.token_urlsafe(32))
    callers.get_dependency(worker({REQUEST_ID_KEY: "req-from-gateway-1"}, "get_household"))
    assert logs.bound() == {"request_id": "req-from-gateway-1", "entrypoint": "get_household"}
    callers.get_dependency(worker({}, "tick"))  # a timer: no request behind it
    assert logs.bound() == {"entrypoint": "tick"}


def test_an_event_recorded_while_serving_a_request_is_published_with_its_id(monkeypatch):
    published = []

    class Publisher:
        def __init__(self, *args, **kwargs):
            pass

        def publish(self, payload, **options):
            published.append(options["extra_headers"])

    monkeypatch.setattr(outbox, "Publisher", Publisher)
    monkeypatch.setattr(outbox, "insert", lambda table: None)
    session = types.SimpleNamespace(execute=lambda statement, rows: None)
    dispatch = outbox.sealed_dispatcher({"AMQP_URI": "memory://"}, CallerKey(secrets.token_urlsafe(32)))

    logs.bind(request_id="req-from-gateway-2")
    _, served = new_event("invoice_ready", invoice_id=str(uuid.uuid4()))
    outbox.record(session, None, [("invoice_ready", served)])
    logs.clear()
    _, unattended = new_event("invoice_ready", invoice_id=str(uuid.uuid4()))  # a timer's, say
    outbox.record(session, None, [("invoice_ready", unattended)])

    dispatch("billing", "invoice_ready", served)
    dispatch("billing", "invoice_ready", unattended)
    dispatch("billing", "invoice_ready", served)  # published again (a replay): the id went with the first
    assert published[0][logs.REQUEST_ID_HEADER] == "req-from-gateway-2"
    assert logs.REQUEST_ID_HEADER not in published[1] and logs.REQUEST_ID_HEADER not in published[2]
    assert all("nameko.seal" in headers for headers in published)


def test_the_handler_of_an_event_reads_the_id_as_its_context_data():
    """nameko turns `nameko.<key>` headers into the handling worker's context data."""
    assert logs.REQUEST_ID_HEADER == f"{HEADER_PREFIX}.{REQUEST_ID_KEY}"


def test_the_services_and_the_gateway_log_through_the_json_formatter():
    import yaml
    from kit.config import REPOSITORY
    nameko = yaml.safe_load((REPOSITORY / "deploy" / "nameko.yaml").read_text())["LOGGING"]
    assert nameko["formatters"][nameko["handlers"]["console"]["formatter"]]["()"] == "kit.logs.JsonFormatter"
    gateway = logs.config("gateway")
    assert gateway["formatters"]["json"] == {"()": logs.JsonFormatter, "part": "gateway"}
    assert {gateway["loggers"][name]["handlers"][0] for name in ("gunicorn.error", "gunicorn.access")} == {"console"}


def test_each_call_made_for_a_request_leaves_one_line_under_its_id(caplog):
    from kit.metrics import Metrics
    metrics = Metrics()
    metrics.container = types.SimpleNamespace(service_name="family")
    metrics.setup()
    call = types.SimpleNamespace(call_id="family.book.1", entrypoint=types.SimpleNamespace(method_name="book"))
    logs.bind(request_id="req-from-gateway-3", entrypoint="book")
    with caplog.at_level(logging.DEBUG, logger="kit.metrics"):
        metrics.worker_setup(call)
        metrics.worker_result(call, exc_info=(ValueError, ValueError("x"), None))
        logs.clear()
        metrics.worker_setup(call)
        metrics.worker_result(call)  # a timer's tick: no request behind it
    [served, tick] = caplog.records
    assert served.levelno == logging.INFO and served.getMessage().startswith("book: ValueError in ")
    assert line(served.getMessage())["message"] == served.getMessage()
    assert tick.levelno == logging.DEBUG
