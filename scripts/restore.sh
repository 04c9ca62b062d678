#!/usr/bin/env bash
# Restore a backup made by scripts/backup.sh into the database DATABASE_URL names, into MEDIA_ROOT and, when
# SEAL_RESTORE_DIR is set, the seal into that folder.
#
#   scripts/restore.sh FILE
#
# An encrypted archive (age) needs BACKUP_IDENTITY_FILE, the private key kept off the server. The database may be
# empty (createdb) or the portal's own: its tables are replaced, in one transaction, so a failed restore leaves it
# as it was. MEDIA_ROOT and SEAL_RESTORE_DIR must be empty or absent: files are not merged into old ones (move
# those aside first). With RESTORE_OWNER (e.g. 10001:10001, the image's user) the restored files are given to it.
# Stop the portal and its workers first.
set -euo pipefail

# shellcheck source=scripts/backup-settings.sh
. "$(dirname "$0")/backup-settings.sh"
seal_dir=${SEAL_RESTORE_DIR:-}
for folder in "$media" $seal_dir; do
  if [ -d "$folder" ] && [ -n "$(ls -A "$folder")" ]; then
    echo "restore.sh: $folder is not empty; restore into an empty folder (move the old one aside first)" >&2
    exit 3
  fi
done
if [ "$(head -c 21 "$archive")" = "age-encryption.org/v1" ]; then
  identity=${BACKUP_IDENTITY_FILE:?restore.sh: the archive is encrypted; set BACKUP_IDENTITY_FILE to the private key}
  age --decrypt --identity "$identity" --output "$work/archive.tar.gz" "$archive"
else
  cp "$archive" "$work/archive.tar.gz"
fi
tar -xzf "$work/archive.tar.gz" -C "$work"
(cd "$work" && sha256sum --check --quiet SHA256SUMS) || { echo "restore.sh: the archive is damaged" >&2; exit 1; }
pg_restore --clean --if-exists --no-owner --no-privileges --single-transaction --exit-on-error \
  --dbname="$database_url" "$work/database.dump"
mkdir -p "$media"
cp -a "$work/media/." "$media/"
if [ -n "$seal_dir" ] && [ -d "$work/seal" ]; then
  mkdir -p "$seal_dir"
  cp -a "$work/seal/." "$seal_dir/"
fi
if [ -n "${RESTORE_OWNER:-}" ]; then
  chown -R "$RESTORE_OWNER" "$media" $seal_dir
fi
echo "Restored the database and $(grep -c ' media/' "$work/SHA256SUMS" || true) files from $archive"
