#!/usr/bin/env bash
# Backups of the services' databases with pg_dump (custom format, one file per database).
#   postgres.sh once                      dump every database now
#   postgres.sh loop                      the same every night, keeping BACKUP_KEEP_DAYS days
#   postgres.sh restore FILE DATABASE [OWNER]
#                                         restore a dump into DATABASE, created empty first and
#                                         owned by OWNER (the service's role: DATABASE by default)
# Connection from PGHOST, PGUSER, PGPASSWORD (PostgreSQL's own variables); files under
# $BACKUP_DIR/postgres. BACKUP_DATABASES names the databases to dump (default: every one).
set -euo pipefail
. "$(dirname "$0")/schedule.sh"
BACKUP_DIR=${BACKUP_DIR:-/backups}

dump_all() {
  local folder="$BACKUP_DIR/postgres" stamp
  stamp=$(date -u +%Y%m%dT%H%M%SZ)
  mkdir -p "$folder"
  for database in ${BACKUP_DATABASES:-$(psql -X -At -d postgres -c \
      "SELECT datname FROM pg_database WHERE NOT datistemplate AND datname <> 'postgres' ORDER BY 1")}; do
    pg_dump -Fc -d "$database" -f "$folder/.$database-$stamp.dump"
    mv "$folder/.$database-$stamp.dump" "$folder/$database-$stamp.dump"
  done
  find "$folder" -name '*.dump' -mtime "+${BACKUP_KEEP_DAYS:-14}" -delete
  report postgres
}

restore() {
  local file=$1 database=$2 owner=${3:-$2}
  [ -n "$owner" ] || owner=$database
  pg_restore --list "$file" >/dev/null  # a readable dump, before anything is created
  psql -X -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE \"$database\" OWNER \"$owner\""
  pg_restore --exit-on-error --no-owner --role="$owner" -d "$database" "$file"
}

case "${1:-}" in
  once) dump_all ;;
  loop) every_night dump_all ;;
  restore) restore "$2" "$3" "${4:-}" ;;
  *) echo "usage: postgres.sh once|loop|restore FILE DATABASE [OWNER]" >&2; exit 2 ;;
esac
