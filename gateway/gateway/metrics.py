"""The gateway's Prometheus metrics, shared across gunicorn's worker processes
(prometheus-client's multiprocess mode, PROMETHEUS_MULTIPROC_DIR)."""
import os
import time

from flask import Response, g, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest, multiprocess

HTTP_REQUESTS = Counter("portail_http_requests_total", "HTTP requests", ["method", "route", "status"])
HTTP_LATENCY = Histogram(
    "portail_http_request_duration_seconds", "HTTP request latency", ["method", "route"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))


def start_timer():
    g.started = time.perf_counter()


def observe(response):
    route = request.url_rule.rule if request.url_rule else "unmatched"
    HTTP_REQUESTS.labels(request.method, route, str(response.status_code)).inc()
    if "started" in g:
        HTTP_LATENCY.labels(request.method, route).observe(time.perf_counter() - g.started)
    return response


def exposition():
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        from prometheus_client import REGISTRY as registry
    return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)
