#!/usr/bin/env bash
# Back up the portal into one archive: the PostgreSQL database (pg_dump, custom format), the stored files
# (MEDIA_ROOT: invoice PDFs and EHF, agreement documents and sealed agreements) and the seal (SEAL_KEY_PATH,
# SEAL_CERTIFICATE_PATH), with their checksums.
#
#   scripts/backup.sh FILE
#
# With BACKUP_RECIPIENTS_FILE (age public keys, one a line) the archive is encrypted with age; only the holder of
# a matching private key can read it. Without it, the archive is a plain .tar.gz and the seal's private key is
# left out. The password comes from DATABASE_PASSWORD_FILE (or the URL) through a password file, never a command
# line. Uses DATABASE_URL, MEDIA_ROOT and the seal paths from the environment, as the portal does (with a .env
# file, first run `set -a; . ./.env; set +a`). Restore with scripts/restore.sh.
set -euo pipefail

# shellcheck source=scripts/backup-settings.sh
. "$(dirname "$0")/backup-settings.sh"
recipients=${BACKUP_RECIPIENTS_FILE:-}
pg_dump --format=custom --no-owner --no-privileges --dbname="$database_url" --file="$work/database.dump"
mkdir "$work/media" "$work/seal"
if [ -d "$media" ]; then cp -a "$media/." "$work/media/"; fi
if [ -n "${SEAL_CERTIFICATE_PATH:-}" ] && [ -r "$SEAL_CERTIFICATE_PATH" ]; then
  cp "$SEAL_CERTIFICATE_PATH" "$work/seal/cert.pem"
fi
if [ -n "${SEAL_KEY_PATH:-}" ] && [ -r "$SEAL_KEY_PATH" ]; then
  if [ -n "$recipients" ]; then
    cp "$SEAL_KEY_PATH" "$work/seal/key.pem"
  else
    echo "backup.sh: the seal's private key is left out of an unencrypted archive (set BACKUP_RECIPIENTS_FILE)" >&2
  fi
fi
(cd "$work" && find database.dump media seal -type f -print0 | sort -z | xargs -0 -r sha256sum > SHA256SUMS)
tar -czf "$work/archive.tar.gz" -C "$work" database.dump media seal SHA256SUMS
if [ -n "$recipients" ]; then
  age --encrypt --recipients-file "$recipients" --output "$archive.partial" "$work/archive.tar.gz"
else
  mv "$work/archive.tar.gz" "$archive.partial"
fi
mv "$archive.partial" "$archive"
echo "Backed up the database, $(grep -c ' media/' "$work/SHA256SUMS" || true) files and" \
  "$(grep -c ' seal/' "$work/SHA256SUMS" || true) seal files to $archive$([ -n "$recipients" ] && echo ' (encrypted)')"
