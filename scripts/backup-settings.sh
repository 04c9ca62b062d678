# Sourced by scripts/backup.sh and scripts/restore.sh: the archive argument and the portal's settings they use.
# shellcheck shell=bash
archive=${1:?usage: $(basename "$0") FILE.tar.gz}
database_url=${DATABASE_URL:-}
media=${MEDIA_ROOT:-$(cd "$(dirname "$0")/.." && pwd)/media} # the portal's default
case $database_url in
  postgres://* | postgresql://*) ;;
  *)
    echo "$(basename "$0"): DATABASE_URL must name a PostgreSQL database (for the SQLite file, see the README)" >&2
    exit 2
    ;;
esac
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
