# Sourced by scripts/backup.sh and scripts/restore.sh: the archive argument and the portal's settings they use.
# shellcheck shell=bash
umask 077 # archives, the password file and the unpacked copy: readable by this user only
archive=${1:?usage: $(basename "$0") FILE}
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

# The password never goes on a command line: from DATABASE_PASSWORD_FILE, DATABASE_PASSWORD or the URL into a
# password file only this user can read (PGPASSFILE); the URL given to pg_dump and pg_restore holds none.
database_url=$(PGPASS_OUT="$work/pgpass" python3 - <<'PY'
import os
import urllib.parse as u

parts = u.urlsplit(os.environ["DATABASE_URL"])
password = u.unquote(parts.password or "")
if os.environ.get("DATABASE_PASSWORD_FILE"):
    with open(os.environ["DATABASE_PASSWORD_FILE"], encoding="utf-8") as file:
        password = file.read().rstrip("\r\n")
elif os.environ.get("DATABASE_PASSWORD"):
    password = os.environ["DATABASE_PASSWORD"]
host, user = parts.hostname or "localhost", u.unquote(parts.username or "")
database = u.unquote(parts.path.lstrip("/"))


def escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace(":", "\\:")


with open(os.environ["PGPASS_OUT"], "w", encoding="utf-8") as out:
    if password:
        out.write(":".join(escape(v) for v in (host, str(parts.port or 5432), database, user, password)) + "\n")
netloc = (u.quote(user, safe="") + "@" if user else "") + (f"[{host}]" if ":" in host else host)
netloc += f":{parts.port}" if parts.port else ""
print(u.urlunsplit((parts.scheme, netloc, parts.path, parts.query, "")))
PY
)
export PGPASSFILE="$work/pgpass"
