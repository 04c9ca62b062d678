#!/usr/bin/env bash
# `make run`: the development web server and a Celery worker (with beat) side by side, so a page that starts a
# job answers at once and the worker does the job, as in production. Ctrl-C (or the end of either) stops both.
# Without REDIS_URL the worker takes tasks from an SQLite file under var/ (CELERY_BROKER_URL in settings).
set -euo pipefail
BIN=${BIN:-.venv/bin}
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}
mkdir -p var

worker_pid=""
stop() {
    trap - EXIT INT TERM
    if [ -n "$worker_pid" ] && kill -0 "$worker_pid" 2>/dev/null; then
        kill -TERM "$worker_pid" 2>/dev/null || true
        # A warm shutdown finishes the job in hand; after 20 s the worker is stopped outright (an unfinished
        # run is taken up again by the next worker: the tasks are idempotent).
        for _ in $(seq 20); do kill -0 "$worker_pid" 2>/dev/null || break; sleep 1; done
        kill -KILL "$worker_pid" 2>/dev/null || true
        wait "$worker_pid" 2>/dev/null || true
    fi
}
trap stop EXIT INT TERM

case "${CELERY_TASK_ALWAYS_EAGER:-false}" in
    1 | true | yes | on) echo "CELERY_TASK_ALWAYS_EAGER is on: tasks run inside the requests, no worker started" ;;
    *)
        "$BIN/celery" -A network worker --beat --schedule var/celerybeat-schedule --loglevel INFO \
            --concurrency 2 --hostname "portal-dev@%h" &
        worker_pid=$!
        echo "Started a Celery worker (pid $worker_pid) for background jobs"
        ;;
esac

"$BIN/python" manage.py runserver "$HOST:$PORT"
