#!/usr/bin/env bash
# The whole suite as `make test` runs it: two pytest processes side by side, so the two cores are both used.
#   - the long runs (marked `long`: the money year's state machine and the form fuzzer; and `upgrade`: databases
#     migrated forward) on a test database and a Redis database of their own (`<database>_long`, Redis database 14);
#   - everything else, the browser and fault tests included.
# Both print their whole report (the long runs' once they end); the exit status is the first failure's.
# With arguments (PYTEST_ARGS), one pytest process runs what they name.
set -uo pipefail
BIN=${BIN:-.venv/bin}
if (( $# )); then
  exec "$BIN/pytest" "$@"
fi

aside() {  # a service URL with its path (database name or Redis database) changed
  "$BIN/python" - "$1" "$2" <<'PY'
import sys
from urllib.parse import urlsplit, urlunsplit

url, path = sys.argv[1], sys.argv[2]
parts = urlsplit(url)
name = parts.path.lstrip("/")
new = f"{name}_long" if path == "+long" else path
print(urlunsplit(parts._replace(path="/" + new)))
PY
}

long_env=()
if [[ -n "${DATABASE_URL:-}" && "${DATABASE_URL}" != sqlite* ]]; then
  long_env+=("DATABASE_URL=$(aside "$DATABASE_URL" +long)")
fi
if [[ -n "${REDIS_URL:-}" ]]; then
  long_env+=("REDIS_URL=$(aside "$REDIS_URL" 14)")
fi

mkdir -p test-artifacts
long_log=test-artifacts/long-tests.log
echo "The long runs (-m 'long or upgrade') run beside the rest; their report follows the rest's (also in $long_log)."
env "${long_env[@]}" "$BIN/pytest" -m "long or upgrade" -p no:cacheprovider >"$long_log" 2>&1 &
long_pid=$!
trap 'kill "$long_pid" 2>/dev/null' EXIT

"$BIN/pytest" -m "not long and not upgrade"
rest=$?
wait "$long_pid"
long=$?
trap - EXIT
echo
echo "===== the long runs (-m 'long or upgrade') ====="
cat "$long_log"
if (( rest != 0 )); then exit "$rest"; fi
exit "$long"
