# Sourced by scripts/test.sh and .ci/run: the test suite runs against PostgreSQL and Redis on this machine
# (127.0.0.1:5432, user postgres with trust auth; 127.0.0.1:6379), started here when they are down, unless
# DATABASE_URL and REDIS_URL (in the environment or in .env) say otherwise. DATABASE_URL=sqlite:///… runs it on
# SQLite and REDIS_URL= (empty) without Redis; the tests that need what is left out are then skipped. When a
# service can be neither reached nor started, this says so and the tests run without it.

_services_env="$(dirname "${BASH_SOURCE[0]}")/../.env"

if [[ -z "${DATABASE_URL+set}" ]] && ! grep -qs '^DATABASE_URL=' "$_services_env"; then
  if command -v pg_isready >/dev/null && ! pg_isready -q -h 127.0.0.1 -p 5432 && command -v pg_ctlcluster >/dev/null; then
    echo "Starting PostgreSQL"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start || true
    for _ in $(seq 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
  fi
  if command -v pg_isready >/dev/null && pg_isready -q -h 127.0.0.1 -p 5432; then
    # The test run creates its own test databases; this is the database DATABASE_URL names.
    psql -w -h 127.0.0.1 -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'portal'" | grep -q 1 \
      || createdb -w -h 127.0.0.1 -U postgres portal
    export DATABASE_URL="postgres://postgres@127.0.0.1:5432/portal"
  else
    echo "PostgreSQL does not answer on 127.0.0.1:5432: the tests run on SQLite." >&2
  fi
fi
if [[ -z "${REDIS_URL+set}" ]] && ! grep -qs '^REDIS_URL=' "$_services_env"; then
  if command -v redis-cli >/dev/null && ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 \
    && command -v redis-server >/dev/null; then
    echo "Starting Redis"
    mkdir -p /var/lib/redis /var/log/redis
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
      --dir /var/lib/redis --logfile /var/log/redis/ci.log || true
    for _ in $(seq 30); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 1; done
  fi
  if command -v redis-cli >/dev/null && redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
    export REDIS_URL="redis://127.0.0.1:6379/0"
  else
    echo "Redis does not answer on 127.0.0.1:6379: the tests run without it." >&2
  fi
fi
unset _services_env
