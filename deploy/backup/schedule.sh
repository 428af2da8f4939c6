# Shared by the backup scripts (POSIX sh): run a backup now or every night, and report the last
# success to Prometheus through node-exporter's textfile collector ($BACKUP_DIR/metrics).

# report WHAT: the time of WHAT's last success, written atomically.
report() {
  mkdir -p "$BACKUP_DIR/metrics"
  cat > "$BACKUP_DIR/metrics/.portail_backup_$1.prom" <<PROM
# HELP portail_backup_last_success_timestamp_seconds When the backup last succeeded.
# TYPE portail_backup_last_success_timestamp_seconds gauge
portail_backup_last_success_timestamp_seconds{what="$1"} $(date +%s)
PROM
  mv "$BACKUP_DIR/metrics/.portail_backup_$1.prom" "$BACKUP_DIR/metrics/portail_backup_$1.prom"
}

# every_night COMMAND...: COMMAND once a day at BACKUP_HOUR (local time of the container, UTC
# by default); a failed night is logged and tried again the next night, and the alert
# PortailBackupMissing tells the operators meanwhile.
every_night() {
  while true; do
    now=$(date +%s)
    next=$(date -d "$(date +%Y-%m-%d) ${BACKUP_HOUR:-2}:00:00" +%s 2>/dev/null \
      || date -D "%Y-%m-%d %H:%M:%S" -d "$(date +%Y-%m-%d) ${BACKUP_HOUR:-2}:00:00" +%s)
    [ "$next" -le "$now" ] && next=$((next + 86400))
    sleep $((next - now))
    "$@" || echo "backup failed: $*" >&2
  done
}
