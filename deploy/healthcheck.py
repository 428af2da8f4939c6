"""The image's HEALTHCHECK: a service is healthy when it serves its metrics (it opens that port once
its migrations ran and its consumers started), the gateway when /healthz answers."""
import os
import sys
import urllib.request


def url():
    if os.environ.get("METRICS_PORT"):
        return f"http://127.0.0.1:{os.environ['METRICS_PORT']}/metrics"
    port = os.environ.get("GATEWAY_BIND", "0.0.0.0:8000").rpartition(":")[2]
    return f"http://127.0.0.1:{port}/healthz"


if __name__ == "__main__":
    try:
        with urllib.request.urlopen(url(), timeout=4) as answer:
            sys.exit(0 if answer.status == 200 else 1)
    except OSError as error:
        print(f"unhealthy: {error}", file=sys.stderr)
        sys.exit(1)
