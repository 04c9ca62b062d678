# Sourced by scripts/test.sh and .ci/run: the test suite runs against PostgreSQL and Redis on this machine
# (127.0.0.1:5432, trust auth, user postgres; 127.0.0.1:6379), started here if they are down, unless
# DATABASE_URL and REDIS_URL name others. DATABASE_URL=sqlite:///… runs it on SQLite instead, where the tests of
# PostgreSQL's own triggers and connections are skipped.

if [[ -z "${DATABASE_URL:-}" ]]; then
  if ! pg_isready -q -h 127.0.0.1 -p 5432; then
    echo "Starting PostgreSQL"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start
    for _ in $(seq 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
  fi
  # The test run creates its own test database; this one is for the migration check and checks against it.
  psql -h 127.0.0.1 -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'portal'" | grep -q 1 \
    || createdb -h 127.0.0.1 -U postgres portal
  export DATABASE_URL="postgres://postgres@127.0.0.1:5432/portal"
fi
if [[ -z "${REDIS_URL:-}" ]]; then
  if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
    echo "Starting Redis"
    mkdir -p /var/lib/redis /var/log/redis
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
      --dir /var/lib/redis --logfile /var/log/redis/ci.log
    for _ in $(seq 30); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 1; done
  fi
  export REDIS_URL="redis://127.0.0.1:6379/0"
fi
