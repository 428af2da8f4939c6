#!/usr/bin/env bash
# Every test of the portal, in two pytest runs: the service tests run nameko
# containers in-process under eventlet's monkey patch; the tests that cross
# services start the whole portal as processes and drive it over HTTP and in
# Chromium, which must not run under that patch.
set -uo pipefail
cd "$(dirname "$0")/.."
python=.venv/bin/python
results=var/test-results
rm -rf "$results" && mkdir -p "$results"

$python -m pytest services --junitxml="$results/services.xml" "$@"
services=$?
$python -m pytest tests --junitxml="$results/portal.xml" "$@"
portal=$?

$python tests/summary.py "$results"/*.xml
[ "$services" -eq 0 ] && [ "$portal" -eq 0 ]
