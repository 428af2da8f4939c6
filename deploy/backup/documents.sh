#!/bin/sh
# The documents bucket mirrored to the backup store with rclone (remotes `source` and `mirror`,
# configured by RCLONE_CONFIG_* variables). A document deleted by the retention rules is
# deleted from the mirror at the next night: the mirror keeps what the portal keeps.
#   documents.sh once | loop
set -eu
. "$(dirname "$0")/schedule.sh"
BACKUP_DIR=${BACKUP_DIR:-/backups}

mirror() {
  rclone sync --checksum "source:$S3_BUCKET" "mirror:$BACKUP_S3_BUCKET" && report documents
}

case "${1:-}" in
  once) mirror ;;
  loop) every_night mirror ;;
  *) echo "usage: documents.sh once|loop" >&2; exit 2 ;;
esac
