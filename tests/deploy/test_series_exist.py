"""The series the alerts and dashboards read exist, with the labels their queries use: the local
portal is started as `make run` starts it, used a little (the demo is seeded, a parent logs in),
and Debian's Prometheus scrapes the gateway, the five services and RabbitMQ's plugin. The login's
request id is then found in the gateway's and identity's JSON logs, and the parent's address is not."""
import json
import os
import signal
import subprocess
import time
import uuid

import requests
import yaml

from loopback import free_port
from local_portal import launch, said_until_ready, vhost  # noqa: F401 -- the fixture too

# Series every running portal exports once used, with the labels the alerts and dashboards read.
EXPECTED = {
    "up": {"job", "instance"},
    "portail_http_requests_total": {"method", "route", "status"},
    "portail_http_request_duration_seconds_bucket": {"method", "route", "le"},
    "portail_entrypoint_calls_total": {"service", "entrypoint", "outcome"},
    "portail_entrypoint_duration_seconds_bucket": {"service", "entrypoint", "le"},
    "portail_events_published_total": {"service", "event_type"},
    "portail_outbox_oldest_pending_age_seconds": {"service"},
    "rabbitmq_queue_messages_ready": set(),
    "rabbitmq_detailed_queue_messages_ready": {"queue", "vhost"},
    # the facts each service owns (its metrics module), their known label values at zero from the start
    "portail_notify_emails_total": {"status"},
    "portail_notify_delivery_lag_seconds_bucket": {"le"},
    "portail_notify_oldest_unsent_age_seconds": set(),
    "portail_billing_runs_total": {"outcome"},
    "portail_billing_last_run_success_timestamp_seconds": set(),
    "portail_billing_run_duration_seconds_sum": set(),
    "portail_billing_run_duration_seconds_count": set(),
    "portail_billing_invoices_issued_total": set(),
    "portail_payments_total": {"means"},
    "portail_payment_callbacks_total": {"outcome"},
    "portail_bookings_total": {"activity"},
    "portail_preregistrations_total": set(),
    "portail_requests_open": {"status"},
}


def prometheus_config(gateway_port, metrics_ports):
    return {
        "global": {"scrape_interval": "1s"},
        "scrape_configs": [
            {"job_name": "gateway", "static_configs": [{"targets": [f"127.0.0.1:{gateway_port}"]}]},
            {"job_name": "services", "static_configs": [{"targets": [f"127.0.0.1:{port}" for port in metrics_ports]}]},
            {"job_name": "rabbitmq", "static_configs": [{"targets": ["127.0.0.1:15692"]}]},
            {"job_name": "rabbitmq-queues", "metrics_path": "/metrics/detailed",
             "params": {"family": ["queue_coarse_metrics", "queue_consumer_count"]},
             "static_configs": [{"targets": ["127.0.0.1:15692"]}]},
        ],
    }


def series(prometheus, name):
    answer = requests.get(f"{prometheus}/api/v1/series", params={"match[]": name}, timeout=10).json()
    return answer["data"]


def test_the_series_the_alerts_and_dashboards_read_exist_with_their_labels(tmp_path, vhost):  # noqa: F811
    launcher, port = launch(tmp_path / "var", vhost)
    prometheus = None
    try:
        said, ready = said_until_ready(launcher, seconds=420)
        assert ready, "".join(said[-40:])
        demo = next(line for line in said if "Parent (démo)" in line)
        email, password = demo.split(":", 1)[1].strip().split(" / ")
        request_id = f"ops{uuid.uuid4().hex}"
        login = requests.post(f"http://127.0.0.1:{port}/api/v1/session", json={"email": email, "password": password},
                              headers={"X-Request-ID": request_id}, timeout=30)
        assert login.status_code == 200 and login.headers["X-Request-ID"] == request_id
        metrics_line = next(line for line in said if "Métriques" in line)
        first, last = map(int, metrics_line.rsplit("ports", 1)[1].split("-"))

        web = free_port()
        (tmp_path / "prometheus.yml").write_text(yaml.safe_dump(prometheus_config(port, range(first, last + 1))))
        prometheus = subprocess.Popen(
            ["prometheus", f"--config.file={tmp_path / 'prometheus.yml'}", f"--storage.tsdb.path={tmp_path / 'tsdb'}",
             f"--web.listen-address=127.0.0.1:{web}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        url = f"http://127.0.0.1:{web}"
        deadline = time.monotonic() + 60
        missing = dict(EXPECTED)
        while missing and time.monotonic() < deadline:
            time.sleep(2)
            try:
                for name in list(missing):
                    found = series(url, name)
                    if found and all(missing[name] <= set(labels) for labels in found):
                        del missing[name]
            except requests.ConnectionError:
                continue
        assert not missing, f"series absent or without their labels: {missing}"
        up = {(item["job"], item["instance"]) for item in series(url, "up")}
        assert len([job for job, _ in up if job == "services"]) == 5 and ("gateway", f"127.0.0.1:{port}") in up
        logins = series(url, 'portail_entrypoint_calls_total{service="identity", entrypoint="authenticate"}')
        assert "success" in {item["outcome"] for item in logins}
        queues = {item["queue"] for item in series(url, "rabbitmq_detailed_queue_messages_ready")}
        assert {"rpc-family", "rpc-billing"} <= queues

        # one grep follows the login from the gateway into identity, in JSON lines without the address
        logs = tmp_path / "var" / "log"
        followed = {part: [json.loads(line) for line in (logs / f"{part}.log").read_text().splitlines()
                           if request_id in line] for part in ("gateway", "identity")}
        assert followed["gateway"] and followed["identity"], followed
        assert any(entry.get("request_id") == request_id and entry["entrypoint"] == "authenticate"
                   for entry in followed["identity"])
        assert email not in (logs / "identity.log").read_text() + (logs / "gateway.log").read_text()
    finally:
        if prometheus is not None:
            prometheus.terminate()
            prometheus.wait(30)
        os.killpg(launcher.pid, signal.SIGINT)
        launcher.wait(60)

