"""Prometheus metrics of a service: calls, errors and latency per entrypoint,
served on the service's own port (`METRICS_PORT`)."""
import logging
import time

from nameko.extensions import DependencyProvider
from prometheus_client import Counter, Gauge, Histogram, start_http_server
from sqlalchemy import event

from kit import logs
from kit.config import setting

log = logging.getLogger(__name__)

ENTRYPOINT_CALLS = Counter(
    "portail_entrypoint_calls_total", "Entrypoint calls by outcome",
    ["service", "entrypoint", "outcome"])
ENTRYPOINT_LATENCY = Histogram(
    "portail_entrypoint_duration_seconds", "Entrypoint latency",
    ["service", "entrypoint"], buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30))
EVENTS_PUBLISHED = Counter(
    "portail_events_published_total", "Events published from the outbox", ["service", "event_type"])
EVENTS_RETRIED = Counter(
    "portail_events_retried_total", "Events whose handling failed and will be tried again",
    ["service", "source", "event_type"])
EVENTS_DEAD_LETTERED = Counter(
    "portail_events_dead_lettered_total", "Events parked in a dead-letter queue after their last try",
    ["service", "source", "event_type"])
OUTBOX_OLDEST_PENDING = Gauge(
    "portail_outbox_oldest_pending_age_seconds", "How long the oldest unpublished event has waited", ["service"])


class Metrics(DependencyProvider):
    def setup(self):
        self.started = {}

    def start(self):
        port = setting(self.container.config, "METRICS_PORT")
        if port:
            start_http_server(int(port))

    def worker_setup(self, worker_ctx):
        self.started[worker_ctx.call_id] = time.perf_counter()

    def worker_result(self, worker_ctx, result=None, exc_info=None):
        started = self.started.pop(worker_ctx.call_id, None)
        service, entrypoint = self.container.service_name, worker_ctx.entrypoint.method_name
        outcome = "success" if exc_info is None else exc_info[0].__name__
        ENTRYPOINT_CALLS.labels(service, entrypoint, outcome).inc()
        elapsed = time.perf_counter() - started if started is not None else None
        if elapsed is not None:
            ENTRYPOINT_LATENCY.labels(service, entrypoint).observe(elapsed)
        # one line per call made for a request (under its request id, kit.logs); timers' ticks in DEBUG
        log.log(logging.INFO if logs.request_id() else logging.DEBUG, "%s: %s in %.0f ms",
                entrypoint, outcome, (elapsed or 0) * 1000)


def count_after_commit(session, metric, amount=1):
    """Count `amount` on `metric` once `session`'s transaction commits; nothing if it rolls back."""
    event.listen(session, "after_commit", lambda _session: metric.inc(amount), once=True)
