#!/usr/bin/env bash
# What the portal needs from the machine beyond its Python packages.
#   system-deps.sh run   RabbitMQ running (started if installed and stopped)
#   system-deps.sh test  the same, plus PostgreSQL, RabbitMQ's management API,
#                        Chromium (in French), Prometheus and docker-compose for the tests
set -euo pipefail
mode=${1:-run}

say() { printf '\033[1m%s\033[0m\n' "$*"; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_for_port() {
  for _ in $(seq 1 60); do port_open "$1" && return 0; sleep 1; done
  say "$2 did not open port $1 within a minute." >&2
  return 1
}

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

ensure_rabbitmq() {
  port_open 5672 && return 0
  if ! command -v rabbitmq-server >/dev/null; then
    say "RabbitMQ is not installed and nothing answers on localhost:5672." >&2
    say "Install it (apt-get install rabbitmq-server) or set AMQP_URI to a running broker." >&2
    exit 1
  fi
  say "Starting RabbitMQ..."
  as_root rabbitmq-server -detached
  wait_for_port 5672 RabbitMQ
}

apt_install() {
  local missing=()
  for pair in "$@"; do
    command -v "${pair%%:*}" >/dev/null || missing+=("${pair#*:}")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  say "Installing ${missing[*]}..."
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

ensure_postgresql() {
  port_open 5432 && return 0
  say "Starting PostgreSQL..."
  as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main start
  wait_for_port 5432 PostgreSQL
}

if [ -z "${AMQP_URI:-}" ]; then ensure_rabbitmq; fi
# The font of the invoices' PDF (BILLING_PDF_FONT)
if [ ! -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]; then
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends fonts-dejavu-core >/dev/null
fi
if [ "$mode" = test ]; then
  ensure_rabbitmq
  ensure_postgresql
  if ! port_open 15672; then
    as_root rabbitmq-plugins enable --quiet rabbitmq_management rabbitmq_prometheus >/dev/null
    wait_for_port 15672 "RabbitMQ management"
  fi
  apt_install chromium:chromium prometheus:prometheus promtool:prometheus docker-compose:docker-compose pdftotext:poppler-utils
  # Chromium in French for the page tests (dates typed day, month, year)
  if [ ! -e /usr/lib/chromium/locales/fr.pak ]; then
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends chromium-l10n >/dev/null
  fi
fi
