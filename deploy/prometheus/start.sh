#!/bin/sh
# Prometheus reads no environment variable in its configuration: a copy of this folder is made
# with the portal's host name in it, then Prometheus starts on the copy.
set -eu
rm -rf /tmp/prometheus && cp -r /etc/prometheus /tmp/prometheus
sed -i "s|PORTAL_HOST|${PORTAL_HOST}|g" /tmp/prometheus/prometheus.yml
exec /bin/prometheus --config.file=/tmp/prometheus/prometheus.yml --storage.tsdb.path=/prometheus \
  --storage.tsdb.retention.time=30d --web.external-url=http://127.0.0.1:9090/
