#!/bin/bash
# First start (empty volume): initdb, then the database `auth` and one login role per
# service (/run/secrets/<service>.pgpassword), each owning its schema and nothing else.
# Every start: PostgreSQL in the foreground, on the socket in /tmp (the superuser `postgres`,
# this container only) and on :5432 for the services' roles (SCRAM-SHA-256 only).
set -euo pipefail
SERVICES=(identity mfa policy notifications)

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  initdb --username=postgres --auth-local=trust --auth-host=reject --encoding=UTF8 --locale=C.UTF-8 \
    -D "$PGDATA" >/dev/null
  roles="$(
    IFS=,
    echo "${SERVICES[*]}"
  )"
  cat >"$PGDATA/pg_hba.conf" <<HBA
# The superuser only through the socket inside this container; each service's role over
# the network, to the database auth, with its SCRAM password.
local all postgres trust
host auth $roles all scram-sha-256
HBA
  pg_ctl -D "$PGDATA" -o "-c listen_addresses='' -c unix_socket_directories=/tmp" -w start >/dev/null
  psql=(psql -v ON_ERROR_STOP=1 -q -h /tmp -U postgres)
  "${psql[@]}" -d postgres -c 'CREATE DATABASE auth'
  "${psql[@]}" -d auth -c 'REVOKE ALL ON SCHEMA public FROM PUBLIC; REVOKE ALL ON DATABASE auth FROM PUBLIC'
  for service in "${SERVICES[@]}"; do
    # The password read by psql itself from the secret file (never on a command line, where /proc
    # would show it); :'x' quotes it as a literal.
    "${psql[@]}" -d auth -v name="$service" -v file="/run/secrets/$service.pgpassword" <<'SQL'
\set password `cat :'file'`
SET password_encryption = 'scram-sha-256';
CREATE ROLE :"name" LOGIN PASSWORD :'password';
GRANT CONNECT, CREATE ON DATABASE auth TO :"name";
CREATE SCHEMA :"name" AUTHORIZATION :"name";
SQL
  done
  pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null
  echo "postgres-entrypoint: database auth with the roles ${SERVICES[*]} created"
fi

exec postgres -D "$PGDATA" -c listen_addresses='*' -c unix_socket_directories=/tmp \
  -c password_encryption=scram-sha-256
