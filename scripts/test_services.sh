#!/usr/bin/env bash
# What `make test` needs on a machine of the project's kind, brought up when missing:
# PostgreSQL and Redis on 127.0.0.1 (only when DATABASE_URL / REDIS_URL point there), and
# Debian's Chromium for the browser tests. Anything it cannot bring up stops the run with one line.
set -euo pipefail

db_url=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/helpdesk}
redis_url=${REDIS_URL:-redis://127.0.0.1:6379/15}

local_url() {  # true when the URL's host is this machine
  case "$1" in *@127.0.0.1[:/]*|*@localhost[:/]*|*://127.0.0.1[:/]*|*://localhost[:/]*) return 0 ;; esac
  return 1
}

wait_for() {  # wait_for NAME COMMAND...: up to 30 s
  local name=$1; shift
  for _ in $(seq 30); do "$@" >/dev/null 2>&1 && return 0; sleep 1; done
  echo "make test: $name did not come up" >&2
  exit 1
}

if local_url "$db_url" && ! pg_isready -h 127.0.0.1 -p 5432 -q; then
  echo "make test: starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main start
  wait_for PostgreSQL pg_isready -h 127.0.0.1 -p 5432 -q
fi

if local_url "$redis_url" && ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  echo "make test: starting Redis"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
  wait_for Redis redis-cli -h 127.0.0.1 -p 6379 ping
fi

chromium=${HELPDESK_CHROMIUM:-/usr/bin/chromium}  # what the browser tests launch
if [ ! -x "$chromium" ]; then
  echo "make test: installing Debian's Chromium for the browser tests"
  if ! { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }; then
    echo "make test: could not install Chromium (apt-get install chromium); browser tests need it" >&2
    exit 1
  fi
fi
