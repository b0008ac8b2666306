#!/usr/bin/env bash
# What `make test` needs on a machine of the project's kind, brought up when missing:
# PostgreSQL and Redis on 127.0.0.1 (only when DATABASE_URL / REDIS_URL point at this machine on
# their default ports, 5432 / 6379), Debian's Chromium for the browser tests and Debian's Dovecot
# for the IMAP tests. Anything it cannot bring up stops the run with one line.
set -euo pipefail

db_url=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/helpdesk}
redis_url=${REDIS_URL:-redis://127.0.0.1:6379/15}

local_default() {  # local_default URL PORT: true when URL is this machine on the default PORT
  local rest=${1#*://}
  rest=${rest%%[/?]*}    # user:password@host:port
  rest=${rest##*@}       # host:port
  local host=${rest%%:*} port=$2
  [ "$rest" != "$host" ] && port=${rest#*:}
  { [ "$host" = 127.0.0.1 ] || [ "$host" = localhost ]; } && [ "$port" = "$2" ]
}

fail() {  # the one line that says what is missing, then stop
  echo "make test: $1" >&2
  exit 1
}

wait_for() {  # wait_for NAME COMMAND...: up to 30 s
  local name=$1; shift
  for _ in $(seq 30); do "$@" >/dev/null 2>&1 && return 0; sleep 1; done
  fail "$name did not come up"
}

if local_default "$db_url" 5432 && ! pg_isready -h 127.0.0.1 -p 5432 -q; then
  echo "make test: starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main start ||
    fail "could not start PostgreSQL (pg_ctlcluster ... main start)"
  wait_for PostgreSQL pg_isready -h 127.0.0.1 -p 5432 -q
fi

if local_default "$redis_url" 6379 && ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  echo "make test: starting Redis"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no ||
    fail "could not start Redis (redis-server)"
  wait_for Redis redis-cli -h 127.0.0.1 -p 6379 ping
fi

chromium=/usr/bin/chromium  # what the browser tests launch (tests/browser/conftest.py)
if [ ! -x "$chromium" ]; then
  echo "make test: installing Debian's Chromium for the browser tests"
  { apt-get update -qq && apt-get install -y -qq chromium >/dev/null && [ -x "$chromium" ]; } ||
    fail "could not install Chromium (apt-get install chromium); the browser tests need it"
fi

dovecot=/usr/sbin/dovecot  # the IMAP server the mailbox poller's tests start (tests/imap_server.py)
if [ ! -x "$dovecot" ]; then
  echo "make test: installing Debian's Dovecot for the IMAP tests"
  { apt-get update -qq && apt-get install -y -qq dovecot-imapd >/dev/null && [ -x "$dovecot" ]; } ||
    fail "could not install Dovecot (apt-get install dovecot-imapd); the IMAP tests need it"
fi
