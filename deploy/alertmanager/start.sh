#!/bin/sh
# Alertmanager reads no environment variable in its configuration: its settings are written
# into a copy of alertmanager.yml, then Alertmanager starts on it (`start.sh render` prints
# the copy instead, for amtool check-config).
set -eu
config=/tmp/alertmanager.yml
[ "${1:-}" = render ] && config=/dev/stdout
sed -e "s|ALERT_SMTP_USER|${ALERT_SMTP_USER}|" -e "s|ALERT_SMTP_PASSWORD|${ALERT_SMTP_PASSWORD}|" \
    -e "s|ALERT_SMTP_TLS|${ALERT_SMTP_TLS}|" -e "s|ALERT_SMTP|${ALERT_SMTP}|" \
    -e "s|ALERT_EMAIL_FROM|${ALERT_EMAIL_FROM}|" -e "s|ALERT_EMAIL_TO|${ALERT_EMAIL_TO}|" \
    "$(dirname "$0")/alertmanager.yml" > "$config"
[ "${1:-}" = render ] && exit 0
exec /bin/alertmanager --config.file="$config" --storage.path=/alertmanager \
  --web.external-url="http://127.0.0.1:9093/"
