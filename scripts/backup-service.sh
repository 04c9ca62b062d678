#!/usr/bin/env bash
# The compose service `backup`: every night at BACKUP_HOUR (UTC) an encrypted archive (scripts/backup.sh) into
# BACKUP_DIR/daily; on Sundays also kept in weekly/, on the first of the month in monthly/. Keeps the newest
# BACKUP_KEEP_DAILY (7), BACKUP_KEEP_WEEKLY (5) and BACKUP_KEEP_MONTHLY (12). `--once`: one backup now, then exit.
set -euo pipefail
umask 077
directory=${BACKUP_DIR:?backup-service.sh: set BACKUP_DIR}
: "${BACKUP_RECIPIENTS_FILE:?backup-service.sh: archives are always encrypted; set BACKUP_RECIPIENTS_FILE}"
hour=${BACKUP_HOUR:-2}
scripts=$(cd "$(dirname "$0")" && pwd)

prune() { # folder, how many to keep
  find "$1" -maxdepth 1 -name 'portal-*.tar.gz.age' -printf '%f\n' | sort -r | tail -n +"$(($2 + 1))" |
    while read -r name; do rm -f -- "$1/$name"; done
}

backup_once() {
  mkdir -p "$directory/daily" "$directory/weekly" "$directory/monthly"
  local name
  name="portal-$(date -u +%Y%m%d-%H%M%S).tar.gz.age"
  "$scripts/backup.sh" "$directory/daily/$name"
  if [ "$(date -u +%u)" = 7 ]; then ln -f "$directory/daily/$name" "$directory/weekly/$name"; fi
  if [ "$(date -u +%d)" = 01 ]; then ln -f "$directory/daily/$name" "$directory/monthly/$name"; fi
  prune "$directory/daily" "${BACKUP_KEEP_DAILY:-7}"
  prune "$directory/weekly" "${BACKUP_KEEP_WEEKLY:-5}"
  prune "$directory/monthly" "${BACKUP_KEEP_MONTHLY:-12}"
}

if [ "${1:-}" = "--once" ]; then
  backup_once
  exit 0
fi
while true; do
  now=$(date -u +%s)
  next=$(date -u -d "today ${hour}:00" +%s)
  if [ "$next" -le "$now" ]; then next=$(date -u -d "tomorrow ${hour}:00" +%s); fi
  sleep $((next - now))
  backup_once || echo "backup-service.sh: the backup failed; the next try is tomorrow" >&2
done
