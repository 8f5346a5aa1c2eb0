#!/bin/sh
# The apps' entrypoint (after tini): every secret file mounted as /run/secrets/<NAME>, NAME
# upper case, becomes the variable NAME of the process it starts, in its environment only
# (never in the container's configuration, where `docker inspect` would show it). Other
# files there (kafka-ca.pem, kafka-password) are read through *_FILE settings instead.
set -eu
for f in /run/secrets/*; do
  [ -f "$f" ] || continue
  name="${f##*/}"
  case "$name" in
    *[!A-Z0-9_]* | [!A-Z]*) continue ;;
  esac
  value="$(cat "$f")"
  export "$name=$value"
done
exec "$@"
