#!/bin/sh
# Entry point of the PostgreSQL stand-in for postgres:16 (standins/postgres.Dockerfile), as the official image's:
# on first start (no PG_VERSION in PGDATA) a cluster owned by POSTGRES_USER with POSTGRES_PASSWORD, password
# (SCRAM) authentication from any address, and the database POSTGRES_DB; then `postgres` as PID 1.
set -eu
: "${PGDATA:=/var/lib/postgresql/data}"
user=${POSTGRES_USER:-postgres}
database=${POSTGRES_DB:-$user}

if [ "${1:-postgres}" = postgres ] && [ ! -s "$PGDATA/PG_VERSION" ]; then
  if [ -z "${POSTGRES_PASSWORD:-}" ]; then
    echo "postgres: the database is uninitialized and POSTGRES_PASSWORD is not set" >&2
    exit 1
  fi
  pwfile=$(mktemp)
  printf '%s\n' "$POSTGRES_PASSWORD" >"$pwfile"
  initdb --pgdata="$PGDATA" --username="$user" --pwfile="$pwfile" --encoding=UTF8 \
    --auth-local=trust --auth-host=scram-sha-256 >/dev/null
  rm -f "$pwfile"
  echo "listen_addresses = '*'" >>"$PGDATA/postgresql.conf"
  echo "host all all all scram-sha-256" >>"$PGDATA/pg_hba.conf"
  if [ "$database" != postgres ]; then
    # Single-user mode: no server, no socket; the identifier is quoted as SQL wants ("" for ").
    quoted=$(printf '%s' "$database" | sed 's/"/""/g')
    echo "CREATE DATABASE \"$quoted\";" | postgres --single -j -D "$PGDATA" postgres >/dev/null
  fi
  echo "postgres: initialized $PGDATA (user $user, database $database)"
fi

if [ "${1:-postgres}" = postgres ]; then
  shift || true
  exec postgres -D "$PGDATA" "$@"
fi
exec "$@"
