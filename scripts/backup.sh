#!/usr/bin/env bash
# Back up the portal into one archive: the PostgreSQL database (pg_dump, custom format) and the stored files
# (MEDIA_ROOT: invoice PDFs and EHF, agreement documents and sealed agreements), with their checksums.
#
#   scripts/backup.sh FILE.tar.gz
#
# Uses DATABASE_URL and MEDIA_ROOT from the environment, as the portal does (with a .env file, first run
# `set -a; . ./.env; set +a`). Restore with scripts/restore.sh.
set -euo pipefail

# shellcheck source=scripts/backup-settings.sh
. "$(dirname "$0")/backup-settings.sh"
pg_dump --format=custom --no-owner --no-privileges --dbname="$database_url" --file="$work/database.dump"
mkdir "$work/media"
if [ -d "$media" ]; then cp -a "$media/." "$work/media/"; fi
(cd "$work" && find database.dump media -type f -print0 | sort -z | xargs -0 -r sha256sum > SHA256SUMS)
tar -czf "$archive.partial" -C "$work" database.dump media SHA256SUMS
mv "$archive.partial" "$archive"
echo "Backed up the database and $(grep -c ' media/' "$work/SHA256SUMS" || true) files to $archive"
