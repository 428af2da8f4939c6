#!/usr/bin/env bash
# What the portal needs from a Debian machine beyond its Python and Node.js packages, installed
# from Debian's packages when missing (with sudo when not root), each install said aloud:
#   system-deps.sh run   python3-venv, rabbitmq-server (started)
#   system-deps.sh test  the same, plus PostgreSQL (started), RabbitMQ's management and
#                        prometheus plugins, Node.js and npm (the FranceConnect stand-in, axe-core),
#                        Chromium in French, poppler-utils (pdftotext), Prometheus with promtool,
#                        Alertmanager's amtool, and docker-compose (to check the compose file)
# The list is the README's ("A fresh Debian machine"): tests/deploy/test_system_deps.py reads both.
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
  apt_install rabbitmq-server:rabbitmq-server
  say "Starting RabbitMQ..."
  as_root rabbitmq-server -detached
  wait_for_port 5672 RabbitMQ
}

# apt_install COMMAND:PACKAGE...: the packages whose command is missing
apt_install() {
  local missing=()
  for pair in "$@"; do
    command -v "${pair%%:*}" >/dev/null || missing+=("${pair#*:}")
  done
  [ ${#missing[@]} -eq 0 ] || apt_install_packages "${missing[@]}"
}

apt_install_packages() {
  local packages
  packages=$(printf '%s\n' "$@" | sort -u | tr '\n' ' ')
  say "Installing from Debian: ${packages% }"
  as_root apt-get update -qq
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends $packages >/dev/null
}

ensure_postgresql() {
  port_open 5432 && return 0
  apt_install pg_ctlcluster:postgresql pg_virtualenv:postgresql
  say "Starting PostgreSQL..."
  as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main start
  wait_for_port 5432 PostgreSQL
}

# python3 -m venv needs Debian's ensurepip
python3 -c 'import ensurepip' 2>/dev/null || apt_install_packages python3-venv
if [ -z "${AMQP_URI:-}" ]; then ensure_rabbitmq; fi
# The font of the invoices' PDF (BILLING_PDF_FONT)
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || apt_install_packages fonts-dejavu-core
if [ "$mode" = test ]; then
  ensure_rabbitmq
  ensure_postgresql
  if ! port_open 15672; then
    as_root rabbitmq-plugins enable --quiet rabbitmq_management rabbitmq_prometheus >/dev/null
    wait_for_port 15672 "RabbitMQ management"
  fi
  apt_install node:nodejs npm:npm chromium:chromium pdftotext:poppler-utils prometheus:prometheus \
    promtool:prometheus amtool:prometheus-alertmanager docker-compose:docker-compose
  # Chromium in French for the page tests (dates typed day, month, year)
  [ -e /usr/lib/chromium/locales/fr.pak ] || apt_install_packages chromium-l10n
fi
