#!/usr/bin/env bash
# Restore a backup made by scripts/backup.sh into the database DATABASE_URL names and into MEDIA_ROOT.
#
#   scripts/restore.sh FILE.tar.gz
#
# The database may be empty (createdb) or the portal's own: its tables are replaced, in one transaction, so a
# failed restore leaves it as it was. Stored files from the archive are written into MEDIA_ROOT. Stop the portal
# and its workers first. Uses DATABASE_URL and MEDIA_ROOT from the environment, as scripts/backup.sh does.
set -euo pipefail

# shellcheck source=scripts/backup-settings.sh
. "$(dirname "$0")/backup-settings.sh"
tar -xzf "$archive" -C "$work"
(cd "$work" && sha256sum --check --quiet SHA256SUMS) || { echo "restore.sh: the archive is damaged" >&2; exit 1; }
pg_restore --clean --if-exists --no-owner --no-privileges --single-transaction --exit-on-error \
  --dbname="$database_url" "$work/database.dump"
mkdir -p "$media"
cp -a "$work/media/." "$media/"
echo "Restored the database and $(grep -c ' media/' "$work/SHA256SUMS" || true) files from $archive"
