#!/usr/bin/env bash
# The whole suite as `make test` runs it: two pytest processes side by side, so the two cores are both used.
#   - beside: the money year's state machine (marked `long`), the upgrade tests (`upgrade`: databases migrated
#     forward) and the accessibility sweep in Chromium (`accessibility`), on a test database and a Redis database
#     of their own (`<database>_long`, Redis database 14; its browser portal on `<database>_long_browser`);
#   - everything else, the journeys, fault tests and form fuzzer included.
# The split keeps the two about equally long (about half an hour each on a quiet 2-core machine).
# Both print their whole report (those beside once they end); the exit status is the first failure's.
# With arguments (PYTEST_ARGS), one pytest process runs what they name.
set -uo pipefail
BIN=${BIN:-.venv/bin}
# PostgreSQL and Redis on this machine unless DATABASE_URL and REDIS_URL name others.
source "$(dirname "$0")/services.sh"
if (( $# )); then
  exec "$BIN/pytest" "$@"
fi

aside() {  # a service URL whose path (database name or Redis database) is $2, with {} for the path it had
  "$BIN/python" - "$1" "$2" <<'PY'
import sys
from urllib.parse import urlsplit, urlunsplit

url, path = sys.argv[1], sys.argv[2]
parts = urlsplit(url)
print(urlunsplit(parts._replace(path="/" + path.replace("{}", parts.path.lstrip("/")))))
PY
}

BESIDE="long or upgrade or accessibility"
beside_env=()
if [[ -n "${DATABASE_URL:-}" && "${DATABASE_URL}" != sqlite* ]]; then
  beside_env+=("DATABASE_URL=$(aside "$DATABASE_URL" "{}_long")")
fi
if [[ -n "${REDIS_URL:-}" ]]; then
  beside_env+=("REDIS_URL=$(aside "$REDIS_URL" 14)")
fi

mkdir -p test-artifacts
beside_log=test-artifacts/beside.log
echo "Tests marked $BESIDE run beside the rest; their report follows the rest's (also in $beside_log)."
env "${beside_env[@]}" "$BIN/pytest" -m "$BESIDE" -p no:cacheprovider >"$beside_log" 2>&1 &
beside_pid=$!
trap 'kill "$beside_pid" 2>/dev/null' EXIT

"$BIN/pytest" -m "not ($BESIDE)"
rest=$?
wait "$beside_pid"
beside=$?
trap - EXIT
echo
echo "===== beside the rest: $BESIDE ====="
cat "$beside_log"
if (( rest != 0 )); then exit "$rest"; fi
exit "$beside"
