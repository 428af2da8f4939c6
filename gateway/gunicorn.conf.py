"""gunicorn settings of the gateway; every one can be set from the environment."""
import os

from kit import logs
from prometheus_client import multiprocess

from gateway.settings import GATEWAY_WORKERS, gateway_threads

bind = [os.environ.get("GATEWAY_BIND", "0.0.0.0:8000")]
# the operators' port: /metrics and /healthz answer there only (gateway.app.only_on_ops_port)
if os.environ.get("OPS_BIND"):
    bind.append(os.environ["OPS_BIND"])
workers = int(os.environ.get("GATEWAY_WORKERS", str(GATEWAY_WORKERS)))
worker_class = "gthread"
threads = gateway_threads()
timeout = 60
accesslog = "-"
# JSON lines, as every part writes them (kit.logs)
logconfig_dict = logs.config("gateway")
# the path without its query string: the single-use tokens of e-mailed links travel there
access_log_format = '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(L)ss "%({x-request-id}o)s"'
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# the longest request line gunicorn reads (its most): a search of a few hundred accented characters,
# percent-encoded, passes the default 4,094 and would be refused with gunicorn's own HTML page, not the
# API's JSON answer (422 when the field is too long)
limit_request_line = 8190


def on_starting(server):
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        os.makedirs(folder, exist_ok=True)
        for name in os.listdir(folder):
            os.remove(os.path.join(folder, name))


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.mark_process_dead(worker.pid)
